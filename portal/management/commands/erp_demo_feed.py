"""`manage.py erp_demo_feed`: a demo ERP writing stock and price change packages on the ERP schedule."""

import argparse
import logging
import random
import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.demo.feed import demo_feed_send
from sync.management.commands._output import add_locale_argument, error_text, operator_language, stream_label

logger = logging.getLogger(__name__)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class Command(BaseCommand):
    help = (
        "Play the ERP for the demo: every --stock-interval seconds write a small CommerceML stock change package "
        "into the drop folder and import it as the scheduled job does; prices every --prices-interval seconds. "
        "Runs until stopped (make run starts and stops it with the server)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stock-interval", type=positive_int, default=300,
                            help="seconds between stock packages (300: the stock schedule)")
        parser.add_argument("--prices-interval", type=positive_int, default=24 * 3600,
                            help="seconds between price packages (86400: prices are nightly)")
        parser.add_argument("--lines", type=positive_int, default=20, help="rows changed per package (20)")
        parser.add_argument("--once", action="store_true", help="send one stock and one price package, then stop")
        parser.add_argument("--seed", type=int, default=None, help="random seed of the changes")
        add_locale_argument(parser)

    def handle(self, *args, stock_interval, prices_interval, lines, once, seed, locale, **options):
        self.language = operator_language(locale)
        rng = random.Random(seed)
        signal.signal(signal.SIGTERM, self._stop)
        due = {"stock": 0.0, "prices": 0.0}
        intervals = {"stock": stock_interval, "prices": prices_interval}
        self._say(_("Demo ERP feed: stock every %(stock)s s, prices every %(prices)s s."),
                  stock=stock_interval, prices=prices_interval)
        try:
            while True:
                for stream, at in due.items():
                    if time.monotonic() >= at:
                        self._send(stream, rng, lines)
                        due[stream] = time.monotonic() + intervals[stream]
                if once:
                    return
                time.sleep(max(0.0, min(due.values()) - time.monotonic()))
        except KeyboardInterrupt:
            self._say(_("Demo ERP feed stopped."))

    def _say(self, text, **values) -> None:
        with translation.override(self.language):
            self.stdout.write(str(text) % values if values else str(text))

    def _send(self, stream: str, rng: random.Random, lines: int) -> None:
        try:
            runs = demo_feed_send(stream=stream, rng=rng, now=timezone.now(), lines=lines)
        except Exception:  # the feed outlives a failed round, as a scheduler would
            logger.exception("demo ERP feed: the %s round failed", stream)
            return
        with translation.override(self.language):
            for run in runs:
                self.stdout.write(f"{timezone.localtime(run.started_at):%H:%M:%S} {stream_label(run.stream)}: "
                                  f"{run.get_status_display()}" + (f" ({error_text(run)})" if run.error else ""))

    @staticmethod
    def _stop(signum, frame):
        raise KeyboardInterrupt
