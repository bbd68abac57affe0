"""The beat scheduler: django-celery-beat's database scheduler, seeded once from settings."""

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class PortalScheduler(DatabaseScheduler):
    """Install the CELERY_BEAT_SCHEDULE entries only when missing from the database.

    The stock scheduler update_or_create()s every entry named in settings on each beat start,
    which would reset a schedule edited in admin. Here settings give the initial schedule and
    admin owns it afterwards; a deleted entry comes back with its default on the next start.
    """

    def setup_schedule(self) -> None:
        self.install_default_entries(self.schedule)
        mapping = self.app.conf.beat_schedule or {}
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        self.update_from_dict({name: entry for name, entry in mapping.items() if name not in existing})
