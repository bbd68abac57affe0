"""Celery tasks of the exchange (beat entries in settings.CELERY_BEAT_SCHEDULE) and how an import is sent.

Thin callers of services; they own the delivery policy: a 1C import goes to the worker through the
broker, or to a thread of this process in the embedded setup (PORTAL_SYNC_IMPORT_THREAD); a task
that could not be sent leaves its run queued, and it is sent again when the broker is back.
"""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connection

from orders.escalation import orders_escalate
from orders.services import reorder_digest_send

from . import services
from .models import SyncRun

logger = logging.getLogger(__name__)


@shared_task(name="sync.tasks.sync_stream", ignore_result=True)
def sync_stream(stream: str) -> int:
    """Run the scheduled job of one stream (drop folder → import); returns the id of the last run."""
    sync_runs_requeue()
    return services.sync_stream_run(stream=stream)[-1].pk


@shared_task(name="sync.tasks.exchange_import", ignore_result=True, defer_when_broker_down=False)
def exchange_import(run_id: int) -> int:
    """The background job behind a 1C `mode=import`: the file uploaded in that session (a run that could not
    be sent stays queued and is sent again: `exchange_import_send`, `sync_runs_requeue`)."""
    return services.sync_run_file(run_id=run_id).pk


@shared_task(name="sync.tasks.escalation_check", ignore_result=True)
def escalation_check() -> int:
    """Escalate orders held too long in a status (orders' EscalationRule); returns how many escalations fired."""
    return orders_escalate()


@shared_task(name="sync.tasks.reorder_digest", ignore_result=True)
def reorder_digest() -> int:
    """Send the weekly reorder digest to the users who asked for it; returns how many got one."""
    return reorder_digest_send()


def exchange_import_send(run: SyncRun) -> str:
    """Hand a queued run to its importer; returns "" or why the task could not be sent (the run keeps it)."""
    if settings.PORTAL_SYNC_IMPORT_THREAD:
        threading.Thread(target=_import_in_thread, args=(run.pk,), name=f"erp-import-{run.pk}", daemon=True).start()
        return ""
    try:
        exchange_import.delay(run.pk)
    except Exception as exc:  # kombu/redis connection errors differ by transport: any failure to send counts
        reason = f"the task queue is unavailable ({type(exc).__name__}: {exc})"
        logger.warning("sync run %s: %s", run.pk, reason)
        services.sync_run_queue_failed(run=run, reason=reason)
        return reason
    if run.error:
        services.sync_run_queue_sent(run=run)
    return ""


def _import_in_thread(run_id: int) -> None:
    try:
        services.sync_run_file(run_id=run_id)
    except Exception:  # the run records what it can; a thread has nobody else to tell
        logger.exception("sync run %s: background import crashed", run_id)
    finally:
        connection.close()


def workers_alive() -> bool:
    """Whether a Celery worker answers a ping within a second (imports run inline or in a thread: True)."""
    if settings.PORTAL_SYNC_IMPORT_THREAD or exchange_import.app.conf.task_always_eager:
        return True
    try:
        return bool(exchange_import.app.control.ping(timeout=1.0, limit=1))
    except Exception:  # the broker is down: nobody can be reached
        return False


def sync_runs_requeue() -> int:
    """Send again the tasks of queued runs that could not be sent; returns how many went."""
    pending = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, error__startswith=services.QUEUE_FAILED)
    return sum(1 for run in pending if exchange_import_send(run) == "")


@worker_ready.connect
def _requeue_when_a_worker_starts(**kwargs) -> None:
    sync_runs_requeue()
