"""Shared printing of the ERP commands: run results and statuses in the operator's language."""

from __future__ import annotations

import json
import os
import re

from django.conf import settings
from django.utils.translation import gettext as _

from sync.models import Stream, SyncRun

#: Messages the portal itself records on runs, as (pattern of the recorded English text, its translation).
#: Reasons found in a file (element names, values) are shown as recorded.
RECORDED_MESSAGES = [
    (re.compile(r"The (?P<stream>\w+) exchange is not configured: no source \(drop folder (?P<folder>.+) is "
                r"missing\); nothing was read or written\."),
     lambda: _("The %(stream)s exchange is not configured: no drop folder %(folder)s; nothing was read or written.")),
    (re.compile(r"no new files in (?P<folder>.+)"), lambda: _("no new files in %(folder)s")),
    (re.compile(r"another (?P<stream>\w+) run is in progress"), lambda: _("another %(stream)s run is in progress")),
    (re.compile(r"Crashed: the run did not finish within (?P<minutes>\d+) minutes\."),
     lambda: _("Crashed: the run did not finish within %(minutes)s minutes.")),
    (re.compile(r"Crashed: its worker process (?P<worker>.+) is gone\."),
     lambda: _("Crashed: its worker process %(worker)s is gone.")),
]


def add_locale_argument(parser) -> None:
    codes = [code for code, _name in settings.LANGUAGES]
    parser.add_argument("--locale", choices=codes, default=None,
                        help="language of the output (default: the shell's LC_ALL/LC_MESSAGES/LANG when it is one "
                             f"of {', '.join(codes)}, else {settings.LANGUAGE_CODE})")


def operator_language(locale: str | None) -> str:
    """The language to print in: --locale, else the shell's locale when the portal speaks it, else LANGUAGE_CODE."""
    if locale:
        return locale
    codes = {code for code, _name in settings.LANGUAGES}
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            language = value.split(".")[0].split("_")[0].lower()
            return language if language in codes else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def stream_label(stream: str) -> str:
    return str(dict(Stream.choices).get(stream, stream))


def error_text(run: SyncRun) -> str:
    """The run's error in the current language when the portal wrote it, else as recorded; with where."""
    text = run.error
    for pattern, template in RECORDED_MESSAGES:
        match = pattern.fullmatch(text)
        if match:
            values = match.groupdict()
            if "stream" in values:
                values["stream"] = stream_label(values["stream"])
            text = template() % values
            break
    return text + (f" ({run.error_location})" if run.error_location else "")


def run_dict(run: SyncRun) -> dict:
    return {"id": run.pk, "stream": run.stream, "file": run.file_name, "status": run.status,
            "status_label": run.get_status_display(), "dry_run": run.dry_run, "checksum": run.checksum,
            "counts": run.counts, "error": run.error, "error_text": error_text(run) if run.error else "",
            "where": run.error_location,
            "seconds": round(run.duration.total_seconds(), 3) if run.duration else None}


def print_runs(command, runs: list[SyncRun], as_json: bool) -> None:
    if as_json:
        command.stdout.write(json.dumps([run_dict(r) for r in runs], ensure_ascii=False, indent=2))
        return
    for run in runs:
        head = f"{stream_label(run.stream)} {run.file_name or ''}".rstrip() + f": {run.get_status_display()}"
        if run.dry_run:
            head += " " + _("(dry run, nothing saved)")
        command.stdout.write(head)
        for entity, tally in sorted(run.counts.items()):
            if not isinstance(tally, dict):
                continue
            main = " ".join(f"{k}={tally.get(k, 0)}" for k in ("created", "updated", "unchanged", "rejected"))
            extra = " ".join(f"{k}={v}" for k, v in sorted(tally.items())
                             if k not in ("created", "updated", "unchanged", "rejected"))
            command.stdout.write(f"  {entity:<20} {main} {extra}".rstrip())
        if run.error:
            command.stdout.write("  " + _("error: %(error)s") % {"error": error_text(run)})
