"""Scheduled exchange jobs (Celery beat entries in settings.CELERY_BEAT_SCHEDULE); thin callers of services."""

from celery import shared_task

from orders.escalation import orders_escalate
from orders.services import reorder_digest_send

from . import services


@shared_task(name="sync.tasks.sync_stream", ignore_result=True)
def sync_stream(stream: str) -> int:
    """Run the scheduled job of one stream (drop folder → import); returns the id of the last run."""
    return services.sync_stream_run(stream=stream)[-1].pk


@shared_task(name="sync.tasks.exchange_import", ignore_result=True)
def exchange_import(run_id: int) -> int:
    """The background job behind a 1C `mode=import`: the file uploaded in that session."""
    return services.sync_run_file(run_id=run_id).pk


@shared_task(name="sync.tasks.escalation_check", ignore_result=True)
def escalation_check() -> int:
    """Escalate orders held too long in a status (orders' EscalationRule); returns how many escalations fired."""
    return orders_escalate()


@shared_task(name="sync.tasks.reorder_digest", ignore_result=True)
def reorder_digest() -> int:
    """Send the weekly reorder digest to the users who asked for it; returns how many got one."""
    return reorder_digest_send()
