"""Celery tasks of the wiring: thin callers."""

from celery import current_app, shared_task

from .deferred import deferred_tasks_send as send_deferred


@shared_task(name="portal.tasks.deferred_tasks_send", ignore_result=True)
def deferred_tasks_send() -> int:
    """Queue again the tasks recorded while the broker was down."""
    return send_deferred(app=current_app)
