"""Scheduled order jobs."""

from celery import shared_task

from sync import services as sync_services
from sync.models import Stream


@shared_task(name="orders.tasks.escalation_check", ignore_result=True)
def escalation_check() -> int:
    """Escalate orders held too long in a status; until the rules exist, record "not configured"."""
    return sync_services.sync_run_not_configured(stream=Stream.ESCALATION).pk
