"""Reads of the sync app: per-stream status and data age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Stream, SyncRun

#: Streams whose data ages (the escalation check moves no data).
DATA_STREAMS = [s for s in Stream.values if s != Stream.ESCALATION]


@dataclass
class StreamStatus:
    stream: str
    label: str
    last_success: datetime | None
    last_run: SyncRun | None
    last_error: SyncRun | None

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.last_success if self.last_success else None

    @property
    def age_minutes(self) -> int | None:
        return int(self.age.total_seconds() // 60) if self.age is not None else None


def stream_status() -> list[StreamStatus]:
    """One row per stream; three small queries per stream over the (stream, status, -started_at) index."""
    out = []
    labels = dict(Stream.choices)
    for stream in DATA_STREAMS:
        runs = SyncRun.objects.filter(Q(stream=stream) | Q(also_streams__contains=stream))
        success = runs.filter(status=SyncRun.Status.SUCCESS, dry_run=False).order_by("-started_at").first()
        out.append(StreamStatus(
            stream=stream, label=str(labels[stream]),
            last_success=success.finished_at if success else None,
            last_run=runs.order_by("-started_at").first(),
            last_error=runs.filter(status=SyncRun.Status.FAILED).order_by("-started_at").first(),
        ))
    return out


def stock_age() -> timedelta | None:
    run = (SyncRun.objects.filter(Q(stream=Stream.STOCK) | Q(also_streams__contains=Stream.STOCK),
                                  status=SyncRun.Status.SUCCESS, dry_run=False)
           .order_by("-finished_at").first())
    return timezone.now() - run.finished_at if run else None


def stock_stale() -> bool:
    """Stock older than PORTAL_STOCK_STALE_MINUTES (or never imported) is stale."""
    age = stock_age()
    return age is None or age > timedelta(minutes=settings.PORTAL_STOCK_STALE_MINUTES)
