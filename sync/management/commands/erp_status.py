"""python manage.py erp_status: per stream, the last success, the age of its data and the last error."""

import json as jsonlib

from django.core.management.base import BaseCommand

from sync.selectors import stock_stale, stream_status
from sync.services import sync_runs_reap
from sync.tasks import sync_runs_requeue


class Command(BaseCommand):
    help = "Show per stream: last success, data age, last run, last error (and mark crashed runs failed)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json, **options):
        reaped = sync_runs_reap()
        sync_runs_requeue()
        rows = [{
            "stream": s.stream,
            "last_success": s.last_success.isoformat() if s.last_success else None,
            "age_minutes": s.age_minutes,
            "last_run": s.last_run.status if s.last_run else None,
            "last_error": (s.last_error.error + (f" ({s.last_error.error_location})"
                                                 if s.last_error.error_location else "")) if s.last_error else None,
        } for s in stream_status()]
        if json:
            data = {"streams": rows, "stock_stale": stock_stale(), "crashed_runs_marked": reaped}
            self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{'stream':<16} {'last success':<26} {'age, min':>9}  {'last run':<15} last error")
        for r in rows:
            self.stdout.write(f"{r['stream']:<16} {r['last_success'] or 'never':<26} "
                              f"{'' if r['age_minutes'] is None else r['age_minutes']:>9}  {r['last_run'] or '-':<15} "
                              f"{(r['last_error'] or '')[:120]}")
        if stock_stale():
            self.stdout.write(self.style.WARNING("Stock is stale (older than PORTAL_STOCK_STALE_MINUTES)."))
        if reaped:
            self.stdout.write(self.style.WARNING(f"{reaped} crashed run(s) marked failed."))
