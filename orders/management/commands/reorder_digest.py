"""python manage.py reorder_digest: send this week's reorder digest now (what the Monday beat entry runs)."""

from django.core.management.base import BaseCommand, CommandError

from orders.services import reorder_digest_send
from orders.services.reorder import DIGEST_BATCH


class Command(BaseCommand):
    help = ("Send the weekly reorder digest to the users who opted in and have goods due; "
            "users who got this week's digest already are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DIGEST_BATCH, help="users per transaction")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        sent = reorder_digest_send(batch_size=batch_size)
        self.stdout.write(f"Reorder digests sent: {sent}.")
