"""Writes of the sync app: starting and finishing the record of an exchange run."""

import logging
import os
import socket

from django.db import transaction
from django.utils import timezone

from .models import Stream, SyncRun

logger = logging.getLogger(__name__)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def sync_run_not_configured(*, stream: str, source: str = SyncRun.Source.SCHEDULE) -> SyncRun:
    """Record that a scheduled stream ran but has no importer or source configured yet.

    Nothing is read or written besides this record: the job says so instead of pretending.
    """
    if stream not in Stream.values:
        raise ValueError(f"unknown stream {stream!r}")
    now = timezone.now()
    run = SyncRun.objects.create(
        stream=stream,
        source=source,
        status=SyncRun.Status.NOT_CONFIGURED,
        started_at=now,
        finished_at=now,
        error=f"The {stream} exchange is not configured yet: nothing was read or written.",
        worker=_worker_name(),
    )
    logger.warning("sync %s: not configured, recorded run %s", stream, run.pk)
    return run
