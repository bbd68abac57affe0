"""The Celery app: broker from REDIS_URL, schedule in the database (django-celery-beat).

A task the broker cannot take (Redis down) is recorded in the database and queued again later
(`portal.deferred`), so the request that asked for it still answers. A task that keeps its own
record of what could not be sent (the 1C import: its run stays queued, and 1C must hear `failure`
at once) says `defer_when_broker_down=False` and gets the broker's error instead.
"""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class PortalTask(Task):
    defer_when_broker_down = True

    def apply_async(self, args=None, kwargs=None, **options):
        from .deferred import BROKER_DOWN, deferred_task_record  # needs the apps loaded, the app does not

        try:
            return super().apply_async(args, kwargs, **options)
        except BROKER_DOWN as exc:
            if self.app.conf.task_always_eager or not self.defer_when_broker_down:
                raise
            deferred_task_record(name=self.name, args=args, kwargs=kwargs, error=exc)
            return None


app = Celery("portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
