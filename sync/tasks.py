"""Scheduled exchange jobs (Celery beat entries in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="sync.tasks.sync_stream", ignore_result=True)
def sync_stream(stream: str) -> int:
    """Run the scheduled job of one stream; until its importer exists, record "not configured"."""
    return services.sync_run_not_configured(stream=stream).pk
