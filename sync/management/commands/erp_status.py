"""python manage.py erp_status: per stream, the last success, the age of its data and the last error.

Exit status for monitoring: 0 when all is well, 1 when stock is stale or a stream's last run failed.
"""

import json as jsonlib
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sync.models import SyncRun
from sync.selectors import stock_stale, stream_status
from sync.services import sync_runs_reap
from sync.tasks import sync_runs_requeue

from ._output import add_locale_argument, error_text, operator_language


class Command(BaseCommand):
    help = ("Show per stream: last success, data age, last run, last error (and mark crashed runs failed). "
            "Exits 1 when stock is stale or a stream's last run failed.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        add_locale_argument(parser)

    def handle(self, *args, json, locale, **options):
        with translation.override(operator_language(locale)):
            healthy = self._report(json)
        if not healthy:
            sys.exit(1)

    def _report(self, as_json: bool) -> bool:
        reaped = sync_runs_reap()
        sync_runs_requeue()
        streams = stream_status()
        stale = stock_stale()
        failed = [s.stream for s in streams if s.last_run and s.last_run.status == SyncRun.Status.FAILED]
        rows = [{
            "stream": s.stream,
            "label": s.label,
            "last_success": s.last_success.isoformat() if s.last_success else None,
            "age_minutes": s.age_minutes,
            "last_run": s.last_run.status if s.last_run else None,
            "last_run_label": s.last_run.get_status_display() if s.last_run else None,
            "last_error": error_text(s.last_error) if s.last_error else None,
        } for s in streams]
        if as_json:
            data = {"ok": not stale and not failed, "stock_stale": stale, "failed_streams": failed,
                    "crashed_runs_marked": reaped, "streams": rows}
            self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=2))
            return data["ok"]
        heads = [_("stream"), _("last success"), _("age, min"), _("last run"), _("last error")]
        width = max([24, *(len(r["label"]) for r in rows)])
        self.stdout.write(f"{heads[0]:<{width}} {heads[1]:<17} {heads[2]:>9}  {heads[3]:<18} {heads[4]}")
        for s, r in zip(streams, rows, strict=True):
            success = (f"{timezone.localtime(s.last_success):%Y-%m-%d %H:%M}" if s.last_success else _("never"))
            age = "" if r["age_minutes"] is None else r["age_minutes"]
            self.stdout.write(f"{r['label']:<{width}} {success:<17} {age:>9}  {r['last_run_label'] or '—':<18} "
                              f"{(r['last_error'] or '')[:120]}")
        if stale:
            self.stdout.write(self.style.WARNING(_("Stock is stale (older than PORTAL_STOCK_STALE_MINUTES).")))
        if failed:
            self.stdout.write(self.style.ERROR(_("The last run failed: %(streams)s.") % {
                "streams": ", ".join(r["label"] for r in rows if r["stream"] in failed)}))
        if reaped:
            self.stdout.write(self.style.WARNING(_("Crashed runs marked failed: %(count)s.") % {"count": reaped}))
        return not stale and not failed
