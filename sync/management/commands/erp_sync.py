"""python manage.py erp_sync <stream>: run the scheduled job of a stream now, from its configured source."""

import sys

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from sync.models import Stream, SyncRun
from sync.services import sync_stream_run

from ._output import add_locale_argument, operator_language, print_runs


class Command(BaseCommand):
    help = "Run a stream's scheduled job now (drop folder PORTAL_SYNC_INBOX/<stream>/; order export to its outbox)."

    def add_arguments(self, parser):
        parser.add_argument("stream", choices=[s for s in Stream.values if s != Stream.ESCALATION])
        parser.add_argument("--json", action="store_true")
        add_locale_argument(parser)

    def handle(self, *args, stream, json, locale, **options):
        language = operator_language(locale)

        def progress(records: int) -> None:
            with translation.override(language):
                self.stderr.write("  ... " + _("%(records)s records read") % {"records": f"{records:,}"})

        runs = sync_stream_run(stream=stream, source=SyncRun.Source.COMMAND, progress=progress)
        with translation.override(language):
            print_runs(self, runs, json)
        if any(r.status in (SyncRun.Status.FAILED, SyncRun.Status.NOT_CONFIGURED) for r in runs):
            sys.exit(1)
