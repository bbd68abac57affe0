"""Shared printing of run results for the ERP commands."""

from __future__ import annotations

import json

from sync.models import SyncRun


def run_dict(run: SyncRun) -> dict:
    return {"id": run.pk, "stream": run.stream, "file": run.file_name, "status": run.status,
            "dry_run": run.dry_run, "checksum": run.checksum, "counts": run.counts, "error": run.error,
            "where": run.error_location,
            "seconds": round(run.duration.total_seconds(), 3) if run.duration else None}


def print_runs(command, runs: list[SyncRun], as_json: bool) -> None:
    if as_json:
        command.stdout.write(json.dumps([run_dict(r) for r in runs], ensure_ascii=False, indent=2))
        return
    for run in runs:
        head = f"{run.stream} {run.file_name or ''}: {run.get_status_display()}"
        if run.dry_run:
            head += " (dry run, nothing saved)"
        command.stdout.write(head)
        for entity, tally in sorted(run.counts.items()):
            if not isinstance(tally, dict):
                continue
            main = " ".join(f"{k}={tally.get(k, 0)}" for k in ("created", "updated", "unchanged", "rejected"))
            extra = " ".join(f"{k}={v}" for k, v in sorted(tally.items())
                             if k not in ("created", "updated", "unchanged", "rejected"))
            command.stdout.write(f"  {entity:<20} {main} {extra}".rstrip())
        if run.error:
            command.stdout.write(f"  error: {run.error}" + (f" ({run.error_location})" if run.error_location else ""))
