"""The end of a 1C exchange cycle: what the cycle's full packages and full catalogs left out.

A file imported through the exchange records what it listed (`importers.cycle`); once every file of
the cycle is in — 1C calls `mode=deactivate` or `mode=complete`, or the next cycle of the same ERP
account begins with `mode=init` — stock rows no full package listed go to 0 and products no full
catalog and no offer listed become inactive (their characteristics with them). Each is one run of
its stream, all-or-nothing, recorded like a file's.
"""

from __future__ import annotations

import logging

from django.db import transaction

from . import services
from .importers import cycle, products
from .models import ExchangeCycleKey, ExchangeSession, Stream, SyncRun

logger = logging.getLogger(__name__)


def exchange_cycle_finish(*, session: ExchangeSession) -> list[SyncRun]:
    """Apply the end of the session's exchange cycle; returns the runs recorded (none when nothing was full).

    Waits for a run of the same stream in progress (the step must not be skipped). Calling it again
    does nothing: the listed rows are forgotten with the step's commit.
    """
    kinds = ExchangeCycleKey.Kind
    runs = []
    if cycle.pending(session.pk, kinds.STOCK):
        runs.append(_step(session=session, stream=Stream.STOCK, forgets=(kinds.STOCK,),
                          step=cycle.zero_unlisted_stock))
    if cycle.pending(session.pk, kinds.PRODUCT):
        runs.append(_step(session=session, stream=Stream.CATALOG, forgets=(kinds.PRODUCT, kinds.OFFERED),
                          step=_deactivate_products))
    cycle.forget(session.pk, kinds.OFFERED)  # offers without a full catalog in the cycle deactivate nothing
    return runs


def exchange_cycles_finish_previous(*, session: ExchangeSession) -> list[SyncRun]:
    """Cycles of the same ERP account that ended without `deactivate`/`complete` (1C versions that do
    not send them): finished when a new cycle begins."""
    runs = []
    pending = (ExchangeCycleKey.objects.filter(session__user=session.user).values_list("session_id", flat=True)
               .distinct().order_by("session_id"))
    for earlier in ExchangeSession.objects.filter(pk__in=list(pending)).order_by("pk"):
        runs += exchange_cycle_finish(session=earlier)
    return runs


def _step(*, session: ExchangeSession, stream: str, forgets: tuple[str, ...], step) -> SyncRun:
    """Run `step(session_id=, now=)`, which returns its counts, as one run of `stream`."""
    run = services.sync_run_start(stream=stream, source=SyncRun.Source.HTTP, user=session.user,
                                  file_name=f"end of the exchange cycle of session {session.pk}")
    try:
        with transaction.atomic():
            services.stream_lock(stream, wait=True)
            counts = step(session_id=session.pk, now=run.started_at)
            cycle.forget(session.pk, *forgets)
    except Exception as exc:
        logger.exception("end of exchange cycle of session %s (%s) failed", session.pk, stream)
        return services.sync_run_finish(run=run, status=SyncRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
    return services.sync_run_finish(run=run, status=SyncRun.Status.SUCCESS, counts=counts)


def _deactivate_products(*, session_id: int, now) -> dict:
    return products.deactivate_unlisted(now=now, listed=cycle.listed_products_sql(session_id))
