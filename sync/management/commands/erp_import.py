"""python manage.py erp_import <stream> <file-or-folder> [--dry-run] [--json]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sync.models import Stream, SyncRun
from sync.services import sync_import_file

from ._output import add_locale_argument, operator_language, print_runs

IMPORT_STREAMS = ["catalog", "stock", "prices", "counterparties", "contracts", "balances", "order_status"]


class Command(BaseCommand):
    help = "Import an ERP file (CommerceML or the portal's JSON) or every file of a folder, all-or-nothing per file."

    def add_arguments(self, parser):
        parser.add_argument("stream", choices=IMPORT_STREAMS)
        parser.add_argument("path", help="a file, or a folder whose .xml/.json files are imported in name order")
        parser.add_argument("--dry-run", action="store_true", help="read, check and count, then roll back")
        parser.add_argument("--json", action="store_true", help="print the runs as JSON")
        add_locale_argument(parser)

    def handle(self, *args, stream, path, dry_run, json, locale, **options):
        target = Path(path)
        if target.is_dir():
            files = sorted(p for p in target.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".json"))
        elif target.is_file():
            files = [target]
        else:
            raise CommandError(f"no such file or folder: {path}")
        self.language = operator_language(locale)
        runs = []
        for n, file in enumerate(files, start=1):
            self.stderr.write(f"[{n}/{len(files)}] {file.name} ...")
            runs.append(sync_import_file(stream=Stream(stream), path=file, source=SyncRun.Source.COMMAND,
                                         dry_run=dry_run, progress=self._progress))
        with translation.override(self.language):
            print_runs(self, runs, json)
        if any(r.status == SyncRun.Status.FAILED for r in runs):
            sys.exit(1)

    def _progress(self, records: int) -> None:
        with translation.override(self.language):
            self.stderr.write("  ... " + _("%(records)s records read") % {"records": f"{records:,}"})
