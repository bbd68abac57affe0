"""Writes of the sync app: exchange runs (record, lock, all-or-nothing import), crashed-run detection."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from catalog import services as catalog_services

from .commerceml.sniff import ORDER as LOCK_ORDER
from .commerceml.sniff import file_streams
from .commerceml.xml import ExchangeError
from .models import ExchangeImport, ExchangeSession, Stream, StreamLock, SyncRun
from .monitoring import stock_staleness_check
from .orders_exchange import export_to_outbox
from .runner import FileImport
from .runs import check_stream, sync_run_not_configured, worker_name

logger = logging.getLogger(__name__)


QUEUE_FAILED = "not queued yet"
ACTIVE_STATUSES = [SyncRun.Status.QUEUED, SyncRun.Status.RUNNING]


class StreamBusy(Exception):
    """Another run of the stream holds its lock."""


class _DryRun(Exception):
    pass


@transaction.atomic
def erp_account_save(*, email: str, password: str | None) -> list[str]:
    """Create or update the ERP (1C) service account: a supplier user without a client, active, holding
    the permission sync.erp_exchange itself; the password is set when given (checked by the password
    validators). Returns what was done, one line per change.

    Raises ValueError for a user of a client or a password the validators refuse; nothing is changed then.
    """
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip())
    user = user_model.objects.filter(email__iexact=email).first()
    done = []
    if user is None:
        if not password:
            raise ValueError("a new ERP account needs a password")
        user = user_model(email=email)
        done.append(f"created the user {email}")
    elif user.client_id:
        raise ValueError(f"{email} is a user of a client: the ERP account must be a separate supplier account")
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValueError("; ".join(exc.messages)) from None
        user.set_password(password)
        if user.pk:
            done.append("set a new password")
    if not user.is_active:
        user.is_active = True
        done.append("made the account active again")
    user.save()
    permission = Permission.objects.get(codename="erp_exchange", content_type__app_label="sync")
    if not user.user_permissions.filter(pk=permission.pk).exists():
        user.user_permissions.add(permission)
        done.append("granted sync.erp_exchange (exchange data with the site as the ERP)")
    return done or ["nothing to change: the account exists with the permission"]


def sync_run_start(*, stream: str, source: str, file_name: str = "", checksum: str = "", dry_run: bool = False,
                   user=None, also: list[str] | tuple = ()) -> SyncRun:
    """Record a run that this process imports now (its process and database session are the worker's)."""
    check_stream(stream)
    return SyncRun.objects.create(stream=stream, also_streams=_also(stream, also), source=source,
                                  file_name=file_name[:500], checksum=checksum, dry_run=dry_run,
                                  started_at=timezone.now(), triggered_by=user, worker=worker_name(),
                                  db_session=_db_session())


def _also(stream: str, also) -> str:
    return ",".join(s for s in also if s != stream)


def sync_file_streams(path: Path, *, default: str) -> tuple[str, list[str]]:
    """The stream a file's run is recorded under and the other streams it writes, from its content.

    A file given to a stream (drop folder, command) keeps that stream and adds the others it holds
    (an offers file with prices and stock refreshes both); a file of the 1C exchange (`default`
    catalog) is recorded under the first of them: stock, prices or catalog as it holds.
    """
    streams = file_streams(path) if Path(path).suffix.lower() == ".xml" else []
    offered = [s for s in streams if s in (Stream.CATALOG, Stream.STOCK, Stream.PRICES)]
    if default == Stream.CATALOG and offered:  # other data fails the run under `catalog`, with the reason
        return offered[0], offered[1:]
    return default, [s for s in streams if s != default]


def sync_run_queue(*, stream: str, source: str, file_name: str, checksum: str = "", user=None,
                   also: list[str] | tuple = ()) -> SyncRun:
    """Record a run another process will import (`sync_run_claim`): queued, with no worker yet."""
    check_stream(stream)
    return SyncRun.objects.create(stream=stream, also_streams=_also(stream, also), source=source,
                                  file_name=file_name[:500], checksum=checksum, status=SyncRun.Status.QUEUED,
                                  started_at=timezone.now(), triggered_by=user)


def sync_run_queue_failed(*, run: SyncRun, reason: str) -> SyncRun:
    """Note that a queued run's task could not be sent: it stays queued and is sent again (`sync_runs_requeue`)."""
    run.error = f"{QUEUE_FAILED}: {reason}"[:2000]
    SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(error=run.error)
    return run


def sync_run_queue_sent(*, run: SyncRun) -> SyncRun:
    run.error = ""
    SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(error="")
    return run


def sync_run_claim(*, run_id: int) -> SyncRun | None:
    """Take a queued run for this process: it becomes running with this process and database session.

    Returns None when the run is no longer queued (a duplicate message, or it failed meanwhile).
    """
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=timezone.now(), worker=worker_name(), db_session=_db_session(),
        error="")
    return SyncRun.objects.get(pk=run_id) if claimed else None


def _db_session() -> str:
    """This process's PostgreSQL backend, `<pid>@<backend start>`: alive exactly as long as its connection."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cur:
        cur.execute("SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        row = cur.fetchone()
    return f"{row[0]}@{row[1]}" if row else ""


def sync_run_finish(*, run: SyncRun, status: str, counts: dict | None = None, error: str = "",
                    location: str = "") -> SyncRun:
    if isinstance(run.checksum, _Checksum):
        run.checksum = run.checksum.hexdigest()
    run.status, run.finished_at = status, timezone.now()
    run.counts = counts or {}
    run.error, run.error_location = error, location[:300]
    run.save(update_fields=["status", "finished_at", "counts", "error", "error_location", "checksum"])
    return run


class _Checksum:
    """SHA-256 of a file computed in a thread (hashlib releases the GIL on large blocks)."""

    def __init__(self, path: Path):
        self._digest = ""
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        self._digest = file_checksum(path)

    def hexdigest(self) -> str:
        self._thread.join()
        return self._digest


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stream_lock(stream: str, *, wait: bool = False) -> None:
    """Take the stream's row lock for the current transaction, or raise StreamBusy at once (or wait)."""
    StreamLock.objects.get_or_create(stream=stream)
    try:
        StreamLock.objects.select_for_update(nowait=not wait).get(stream=stream)
    except DatabaseError:
        raise StreamBusy(f"another {stream} run is in progress") from None


def sync_import_file(*, stream: str, path: Path, source: str, dry_run: bool = False, user=None,
                     progress=None, run: SyncRun | None = None, cycle: int | None = None) -> SyncRun:
    """Import one file as one run: everything it holds is written, or nothing (the run says why).

    A dry run reads, checks and counts everything, then rolls back. `cycle` is the 1C exchange session
    the file came in: what a full package or catalog leaves out is then applied at the cycle's end.
    """
    path = Path(path)
    if run is None:
        stream, also = sync_file_streams(path, default=stream)
        run = sync_run_start(stream=stream, also=also, source=source, file_name=str(path), dry_run=dry_run,
                             user=user)
    locks = sorted({run.stream, *filter(None, run.also_streams.split(","))}, key=_lock_order)
    if not run.checksum and path.is_file():  # hashed on the other core while the file is imported
        hasher = _Checksum(path)
        run.checksum = hasher  # resolved to its hex digest by sync_run_finish
    importer = FileImport(stream=run.stream, now=run.started_at, progress=progress, cycle=cycle)
    try:
        with transaction.atomic():
            # The lock is taken in its own savepoint so a busy lock fails only this run.
            with transaction.atomic():
                for name in locks:  # one lock per kind of data the file writes, in a stable order
                    stream_lock(name)
            _session_tuning()
            result = importer.run(path)
            _after_import(result.product_ids)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return sync_run_finish(run=run, status=SyncRun.Status.SUCCESS, counts=result.counts)
    except ExchangeError as exc:
        logger.warning("sync %s %s failed: %s", stream, path, exc)
        return sync_run_finish(run=run, status=SyncRun.Status.FAILED, error=exc.reason, location=exc.location)
    except StreamBusy as exc:
        return sync_run_finish(run=run, status=SyncRun.Status.NOTHING_TO_DO, error=str(exc))
    except Exception as exc:  # a fault, not a bad file: the run fails with what is known, the caller goes on
        logger.exception("sync %s %s crashed", stream, path)
        reason = " ".join(str(exc).split())[:1500]
        return sync_run_finish(run=run, status=SyncRun.Status.FAILED,
                               error=f"internal error: {type(exc).__name__}: {reason}", location=importer.where())
    return sync_run_finish(run=run, status=SyncRun.Status.SUCCESS, counts=result.counts)


def _lock_order(stream: str) -> tuple[int, str]:
    return (LOCK_ORDER.index(stream) if stream in LOCK_ORDER else len(LOCK_ORDER), stream)


def _session_tuning() -> None:
    """Memory for the set-based merges of this transaction only (hash joins of a million staged rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '128MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # A process killed mid-statement ends its session (and releases the stream lock) within seconds.
            cur.execute("SET LOCAL client_connection_check_interval = '1s'")


def _after_import(product_ids: set[int]) -> None:
    """Refresh the catalog's search documents of the products written, inside the run's transaction, and
    retire the cached listing pieces once it commits (products, prices or stock may have changed)."""
    transaction.on_commit(catalog_services.catalog_version_bump)
    if product_ids:
        catalog_services.product_search_refresh(product_ids=sorted(product_ids))


def sync_runs_reap(*, now=None) -> int:
    """Mark failed the runs that can no longer finish.

    A running run is crashed when its database session has ended (the importing process died, on
    any host), when its process on this host is gone, or after PORTAL_SYNC_RUN_TIMEOUT_MINUTES; a
    queued run fails after that timeout. Returns how many were marked.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PORTAL_SYNC_RUN_TIMEOUT_MINUTES)
    marked = 0
    for run in SyncRun.objects.filter(status__in=[SyncRun.Status.RUNNING, SyncRun.Status.QUEUED]):
        if run.started_at < cutoff:
            verb = "did not finish" if run.status == SyncRun.Status.RUNNING else "was not started by a worker"
            marked += _mark_crashed(run, f"the run {verb} within {settings.PORTAL_SYNC_RUN_TIMEOUT_MINUTES} minutes",
                                    now=now)
        elif run.status == SyncRun.Status.RUNNING and (reason := run_dead_reason(run)):
            marked += _mark_crashed(run, reason, now=now)
    return marked


def sync_run_check(*, run: SyncRun) -> SyncRun:
    """A running run whose importing process is gone is marked failed at once; returns the run as stored."""
    if run.status == SyncRun.Status.RUNNING and (reason := run_dead_reason(run)):
        _mark_crashed(run, reason, now=timezone.now())
        run.refresh_from_db()
    return run


def run_dead_reason(run: SyncRun) -> str:
    """Why the process importing `run` is known to be dead, or "" while it may be alive."""
    if run.db_session and connection.vendor == "postgresql":
        pid, _, start = run.db_session.partition("@")
        with connection.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")  # a transaction keeps its first view of the sessions
            cur.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s AND backend_start::text = %s",
                        [int(pid), start])
            if cur.fetchone() is None:
                return f"its worker {run.worker} died: its database session {pid} ended"
    name, _, pid = run.worker.rpartition(":")
    if name == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
        return f"its worker {run.worker} died: its process is gone"
    return ""


def exchange_sessions_expire(*, now=None) -> int:
    """Remove 1C exchange sessions silent for PORTAL_ERP_SESSION_EXPIRE_HOURS, with their upload folders
    (`var/exchange/s<id>`), and folders no session owns; a session with an import still queued or
    running is kept. Returns how many folders were removed."""
    now = now or timezone.now()
    root = Path(settings.VAR_DIR) / "exchange"
    cutoff = now - timedelta(hours=settings.PORTAL_ERP_SESSION_EXPIRE_HOURS)
    active = ExchangeImport.objects.filter(run__status__in=ACTIVE_STATUSES).values("session_id")
    expired = ExchangeSession.objects.filter(last_seen_at__lt=cutoff).exclude(pk__in=active)
    removed = 0
    for pk in expired.values_list("pk", flat=True):
        removed += _remove_folder(root / f"s{pk}")
    expired.delete()
    if root.is_dir():
        live = {f"s{pk}" for pk in ExchangeSession.objects.values_list("pk", flat=True)}
        for folder in root.iterdir():
            if folder.is_dir() and folder.name not in live and folder.stat().st_mtime < cutoff.timestamp():
                removed += _remove_folder(folder)
    return removed


def _remove_folder(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    shutil.rmtree(folder, ignore_errors=True)
    return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mark_crashed(run: SyncRun, reason: str, *, now) -> int:
    return SyncRun.objects.filter(pk=run.pk, status=run.status).update(
        status=SyncRun.Status.FAILED, finished_at=now, error=f"Crashed: {reason}.")


def sync_run_file(*, run_id: int) -> SyncRun:
    """Import a run queued beforehand (1C `mode=import`): claimed first, so it is imported once; its stream
    was decided from the file's content when it was queued."""
    run = sync_run_claim(run_id=run_id)
    if run is None:
        return SyncRun.objects.get(pk=run_id)
    session_id = ExchangeImport.objects.filter(run=run).values_list("session_id", flat=True).first()
    return sync_import_file(stream=run.stream, path=Path(run.file_name), source=run.source, run=run,
                            cycle=session_id)


def inbox_files(stream: str) -> list[Path]:
    """New files of a stream's drop folder, oldest first (then by name)."""
    folder = Path(settings.PORTAL_SYNC_INBOX) / stream
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def sync_stream_run(*, stream: str, source: str = SyncRun.Source.SCHEDULE, user=None, progress=None) -> list[SyncRun]:
    """The scheduled job of a stream: reap crashed runs, then import every new file of its drop folder in
    order, moving each to done/ or failed/. A stream without a drop folder says "not configured"."""
    check_stream(stream)
    sync_runs_reap()
    exchange_sessions_expire()
    if stream == Stream.ORDER_EXPORT:
        return [export_to_outbox(source=source)]
    folder = Path(settings.PORTAL_SYNC_INBOX) / stream
    if not folder.is_dir():
        return [sync_run_not_configured(stream=stream, source=source)]
    runs = _import_inbox(stream, folder, source=source, user=user, progress=progress)
    if stream == Stream.STOCK:
        stock_staleness_check()
    return runs


def _import_inbox(stream: str, folder: Path, *, source: str, user, progress) -> list[SyncRun]:
    files = inbox_files(stream)
    if not files:
        now = timezone.now()
        return [SyncRun.objects.create(stream=stream, source=source, status=SyncRun.Status.NOTHING_TO_DO,
                                       started_at=now, finished_at=now, worker=worker_name(),
                                       error=f"no new files in {folder}")]
    runs = []
    for path in files:
        run = sync_import_file(stream=stream, path=path, source=source, user=user, progress=progress)
        runs.append(run)
        if run.status == SyncRun.Status.NOTHING_TO_DO:  # another run holds the lock: leave the files
            break
        outcome = "done" if run.status == SyncRun.Status.SUCCESS else "failed"
        target = folder / outcome / f"{run.started_at:%Y%m%d-%H%M%S}-{path.name}"
        target.parent.mkdir(exist_ok=True)
        path.rename(target)
        SyncRun.objects.filter(pk=run.pk).update(file_name=str(target))
    return runs
