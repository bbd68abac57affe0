"""Records of exchange runs that every writer of the sync app shares: which process imports, which
streams exist, and the record of a stream that has no source configured."""

from __future__ import annotations

import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Stream, SyncRun

logger = logging.getLogger(__name__)


def worker_name() -> str:
    """This process as a run records its worker: `<host>:<pid>`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def check_stream(stream: str) -> None:
    """Raises ValueError for a stream the portal does not know."""
    if stream not in Stream.values:
        raise ValueError(f"unknown stream {stream!r}")


@transaction.atomic
def sync_run_not_configured(*, stream: str, source: str = SyncRun.Source.SCHEDULE) -> SyncRun:
    """Record that a scheduled stream ran but has no source configured.

    Nothing is read or written besides this record: the job says so instead of pretending.
    """
    check_stream(stream)
    now = timezone.now()
    run = SyncRun.objects.create(
        stream=stream, source=source, status=SyncRun.Status.NOT_CONFIGURED, started_at=now, finished_at=now,
        error=f"The {stream} exchange is not configured: no source (drop folder {settings.PORTAL_SYNC_INBOX}/{stream}/ "
              "is missing); nothing was read or written.",
        worker=worker_name(),
    )
    logger.warning("sync %s: not configured, recorded run %s", stream, run.pk)
    return run
