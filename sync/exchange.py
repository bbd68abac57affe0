"""The 1C site-exchange protocol (PROTOCOL.md): sessions, uploads, archives, background imports.

Answers are plain text whose first line is `success`, `progress` or `failure`; the view turns
ExchangeFailure into `failure\\n<reason>` and never lets an error page reach 1C.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.lockout import login_locked_until, minutes_left

from . import cycle, services, tasks
from .models import ExchangeImport, ExchangeSession, Stream, SyncRun

COOKIE = "erp_exchange"
ERP_GROUP = "erp"
#: CommerceML versions the portal reads and writes; `init` answers the one both sides speak.
VERSIONS = ("2.03", "2.04", "2.05", "2.06", "2.07", "2.08", "2.09", "2.10", "3.1")
VERSION = "2.10"  # answered when 1C names no version
#: A queued import that no worker has started for this long makes `import` ask whether a worker is alive.
QUEUE_GRACE_SECONDS = 15
#: Zip limits: entries, total unpacked bytes (PORTAL_ERP_MAX_UPLOAD) and the unpacked/packed ratio.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_RATIO = 100
ALLOWED_SUFFIXES = {".xml", ".zip", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".json"}
LINUX_PREFIXES = ("tmp/", "upload/1c/webdata/")


class ExchangeFailure(Exception):
    """A refused request: the text after `failure`."""


def exchange_root() -> Path:
    return Path(settings.VAR_DIR) / "exchange"


def session_dir(session: ExchangeSession) -> Path:
    return exchange_root() / f"s{session.pk}"


def session_finish(session: ExchangeSession) -> bool:
    """The end of a cycle (`complete`, sale `success`): the session's files are removed, unless one of its
    imports is still queued or running (then expiry removes them). Returns whether they were removed."""
    if session.imports.filter(run__status__in=services.ACTIVE_STATUSES).exists():
        return False
    shutil.rmtree(session_dir(session), ignore_errors=True)
    session.imports.all().delete()
    return True


def checkauth(request) -> ExchangeSession:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise ExchangeFailure("Basic authentication of an ERP account is required")
    try:
        login, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ExchangeFailure("malformed Basic authentication header") from None
    user = authenticate(request, username=login, password=password)  # axes counts and locks it by login
    if user is None and getattr(request, "axes_locked_out", False):
        raise ExchangeFailure(_lock_reason(request, login))
    if user is None or not user.is_active:
        raise ExchangeFailure("wrong login or password")
    if not may_exchange(user):
        raise ExchangeFailure("this account may not exchange data as the ERP")
    return ExchangeSession.objects.create(token=secrets.token_hex(24), user=user)


def _lock_reason(request, login: str) -> str:
    until = login_locked_until(request, login)
    if until is None:
        return "too many failed logins: this account is locked, try again later"
    return (f"too many failed logins: this account is locked until "
            f"{timezone.localtime(until):%Y-%m-%d %H:%M %Z} (in {minutes_left(until)} min)")


def may_exchange(user) -> bool:
    """Only an ERP service account: in the `erp` group, or given sync.erp_exchange itself or by a group.

    Explicit on purpose: `has_perm` is True for a superuser, whose password must not open the exchange.
    """
    if user.groups.filter(name=ERP_GROUP).exists():
        return True
    return Permission.objects.filter(Q(user=user) | Q(group__user=user), codename="erp_exchange",
                                     content_type__app_label="sync").exists()


def session_of(request) -> ExchangeSession:
    token = request.COOKIES.get(COOKIE) or request.GET.get("sessid", "")
    session = ExchangeSession.objects.filter(token=token).first() if token else None
    if session is None:
        raise ExchangeFailure("no exchange session: call mode=checkauth first and send its cookie")
    return session


def init(session: ExchangeSession, version: str) -> str:
    cycle.exchange_cycles_finish_previous(session=session)  # a cycle that ended without `complete`
    folder = session_dir(session)
    shutil.rmtree(folder, ignore_errors=True)  # a new cycle starts clean
    folder.mkdir(parents=True, exist_ok=True)
    session.imports.all().delete()  # a new cycle imports its files afresh
    agreed = negotiate_version(version)
    # no version from 1C: the old protocol (sale files applied in `file`), remembered as ""
    session.pending_zip, session.uploaded_bytes, session.version = "", 0, agreed if version.strip() else ""
    session.save(update_fields=["pending_zip", "uploaded_bytes", "version", "last_seen_at"])
    return f"zip=yes\nfile_limit={settings.PORTAL_ERP_FILE_LIMIT}\nsessid={session.token}\nversion={agreed}\n"


def negotiate_version(asked: str) -> str:
    """The schema version to exchange in: the one 1C asks for when the portal speaks it, else the newest
    the portal speaks below it (2.10 when 1C names none or an older unknown one)."""
    asked = (asked or "").strip()
    if asked in VERSIONS:
        return asked
    try:
        wanted = _version_key(asked)
    except ValueError:
        return VERSION
    lower = [v for v in VERSIONS if _version_key(v) <= wanted]
    return max(lower, key=_version_key) if lower else VERSION


def _version_key(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def safe_name(raw: str) -> str:
    """A relative path inside the session folder, or ExchangeFailure: no traversal, no absolute paths."""
    name = (raw or "").replace("\\", "/").strip()
    if len(name) > 2 and name[1] == ":":  # C:/v8_8789_c.xml
        name = name.rsplit("/", 1)[-1]
    name = name.lstrip("/")
    for prefix in LINUX_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("..", ".", "") or p.startswith(".") for p in parts) or "\x00" in name:
        raise ExchangeFailure(f"unsafe file name {raw!r}")
    if PurePosixPath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ExchangeFailure(f"file type not accepted: {raw!r}")
    return "/".join(parts)


def store_chunk(session: ExchangeSession, raw_name: str, stream) -> Path:
    """Append the request body to the named file (1C splits files larger than file_limit).

    One request may carry at most the file_limit announced by `init`, and a session at most
    PORTAL_ERP_MAX_UPLOAD; a refused request leaves the file as it was before it.
    """
    name = safe_name(raw_name)
    target = session_dir(session) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(target, "ab") as fh:
        start = fh.tell()
        try:
            while block := stream.read(65536):
                size += len(block)
                _check_upload_size(session, size)
                fh.write(block)
        except ExchangeFailure:
            fh.truncate(start)
            if start == 0:
                target.unlink()
            raise
    session.imports.filter(file_name=name).delete()  # new bytes under this name: import them again
    session.uploaded_bytes += size
    if name.lower().endswith(".zip"):
        session.pending_zip = name
    session.save(update_fields=["uploaded_bytes", "pending_zip", "last_seen_at"])
    return target


ROOT_END = "КоммерческаяИнформация>"


def upload_finished(path: Path, chunk: int) -> bool:
    """Whether a file sent in chunks is whole: the chunk was shorter than file_limit (1C fills every chunk
    but the last), or the file ends with the closing tag of its root element (UTF-8 or windows-1251)."""
    if chunk < settings.PORTAL_ERP_FILE_LIMIT:
        return True
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 256))
        tail = fh.read().rstrip()
    return tail.endswith(ROOT_END.encode("utf-8")) or tail.endswith(ROOT_END.encode("cp1251"))


def _check_upload_size(session: ExchangeSession, size: int) -> None:
    if size > settings.PORTAL_ERP_FILE_LIMIT:
        raise ExchangeFailure(f"a request of the file is larger than file_limit={settings.PORTAL_ERP_FILE_LIMIT} "
                              "bytes: send it in parts")
    if session.uploaded_bytes + size > settings.PORTAL_ERP_MAX_UPLOAD:
        raise ExchangeFailure(f"upload larger than {settings.PORTAL_ERP_MAX_UPLOAD} bytes refused")


def unpack(session: ExchangeSession) -> str:
    """Unpack the uploaded archive, refusing zip bombs and unsafe names; returns a progress line."""
    folder = session_dir(session)
    archive = folder / session.pending_zip
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [i for i in zf.infolist() if not i.is_dir()]
            if len(entries) > ZIP_MAX_ENTRIES:
                raise ExchangeFailure(f"archive has {len(entries)} files, more than {ZIP_MAX_ENTRIES}")
            packed = sum(i.compress_size for i in entries) or 1
            unpacked = sum(i.file_size for i in entries)
            if unpacked > settings.PORTAL_ERP_MAX_UPLOAD or unpacked > packed * ZIP_MAX_RATIO:
                raise ExchangeFailure(f"archive refused as a possible zip bomb: {unpacked} bytes from {packed}")
            names = [safe_name(info.filename) for info in entries]
            for info, name in zip(entries, names, strict=True):
                _extract(zf, info, folder / name)
    except zipfile.BadZipFile as exc:
        raise ExchangeFailure(f"broken zip archive {session.pending_zip}: {exc}") from None
    session.imports.filter(file_name__in=names).delete()  # new content under these names: import them again
    session.pending_zip = ""
    session.save(update_fields=["pending_zip", "last_seen_at"])
    return f"progress\nArchive unpacked: {len(entries)} files\n"


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(target, "wb") as dst:
        while block := src.read(65536):
            written += len(block)
            if written > info.file_size:  # the header lied about the size
                raise ExchangeFailure(f"archive entry {info.filename} is larger than it declares")
            dst.write(block)


def import_step(session: ExchangeSession, raw_name: str, *, stream: str) -> str:
    """One `mode=import` call: unpack a pending archive, start the background import, report it."""
    if session.pending_zip:
        return unpack(session)
    name = safe_name(raw_name)
    path = session_dir(session) / name
    if not path.is_file():
        raise ExchangeFailure(f"file {name} was not uploaded in this session")
    if path.stat().st_size == 0:
        raise ExchangeFailure("the file to import is empty")
    job = ExchangeImport.objects.filter(session=session, file_name=name).select_related("run").first()
    if job is None:
        return _start(session, name, path, stream)
    run = job.run
    if run is None or run.status == SyncRun.Status.NOTHING_TO_DO:  # another run held the lock: try again
        job.delete()
        return _start(session, name, path, stream)
    if run.status == SyncRun.Status.QUEUED:
        return _queued(run, name)
    run = services.sync_run_check(run=run)
    if run.status == SyncRun.Status.RUNNING:
        return f"progress\nImport of {name} is running\n"
    if run.status == SyncRun.Status.SUCCESS:
        return f"success\n{summary(run.counts)}\n"
    where = f" ({run.error_location})" if run.error_location else ""
    raise ExchangeFailure(f"{run.error or run.get_status_display()}{where}")


def _start(session: ExchangeSession, name: str, path: Path, stream: str) -> str:
    stream, also = services.sync_file_streams(path, default=stream)
    run = services.sync_run_queue(stream=stream, also=also, source=SyncRun.Source.HTTP, file_name=str(path),
                                  checksum=services.file_checksum(path), user=session.user)
    ExchangeImport.objects.create(session=session, file_name=name, run=run)
    failed: list[str] = []
    # Sent once the run is committed (at once outside a transaction), so a worker always finds it.
    transaction.on_commit(lambda: failed.append(tasks.exchange_import_send(run)))
    if failed and failed[0]:
        raise ExchangeFailure(f"the import of {name} could not be queued: {failed[0]}; it is queued again "
                              "when the task queue is back")
    return f"progress\nImport of {name} started\n"


def sale_file_apply(session: ExchangeSession, name: str) -> str:
    """Old protocol (no `version` at init): a sale file is applied inside `mode=file`."""
    path = session_dir(session) / safe_name(name)
    run = services.sync_import_file(stream=Stream.ORDER_STATUS, path=path, source=SyncRun.Source.HTTP,
                                    user=session.user)
    if run.status != SyncRun.Status.SUCCESS:
        raise ExchangeFailure(f"{run.error} ({run.error_location})" if run.error_location else run.error)
    return f"success\n{summary(run.counts)}\n"


def cycle_end(session: ExchangeSession) -> str:
    """`deactivate` / `complete`: what the cycle's full packages and catalogs left out is applied now."""
    runs = cycle.exchange_cycle_finish(session=session)
    for run in runs:
        if run.status != SyncRun.Status.SUCCESS:
            raise ExchangeFailure(f"end of the exchange cycle ({run.stream}): {run.error}")
    return "success\n" + "; ".join(summary(run.counts) for run in runs if run.counts) + "\n"


def _queued(run: SyncRun, name: str) -> str:
    """A run not started yet: its task could not be sent (send it again), or no worker has taken it."""
    if run.error.startswith(services.QUEUE_FAILED):
        reason = tasks.exchange_import_send(run)
        if reason:
            raise ExchangeFailure(f"the import of {name} could not be queued: {reason}; it is queued again "
                                  "when the task queue is back")
        return f"progress\nImport of {name} queued\n"
    waiting = (timezone.now() - run.started_at).total_seconds()
    if waiting > QUEUE_GRACE_SECONDS and not tasks.workers_alive():
        raise ExchangeFailure(f"no import worker answers: the import of {name} has waited {int(waiting)} s; "
                              "it runs when a worker starts (is the Celery worker running?)")
    return f"progress\nImport of {name} is waiting for a worker\n"


def summary(counts: dict) -> str:
    """Every kind of write and every counted rule of a run: `stock: +2 ~0 =5 zeroed_not_in_full_package 1042`."""
    parts = []
    for entity, tally in sorted(counts.items()):
        if not isinstance(tally, dict):
            continue
        words = []
        if {"created", "updated"} <= tally.keys() and tally["created"] + tally["updated"] + tally.get("unchanged", 0):
            words.append(f"+{tally['created']} ~{tally['updated']} ={tally.get('unchanged', 0)}")
        words += [f"{key} {value}" for key, value in sorted(tally.items())
                  if key not in ("created", "updated", "unchanged") and value]
        if words:
            parts.append(f"{entity}: {' '.join(words)}")
    return "; ".join(parts) or "nothing to import"
