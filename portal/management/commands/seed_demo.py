"""`manage.py seed_demo`: fill an empty database with the demo dataset and print the demo logins."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.demo.seed import DemoDataConflict, SeedResult, seed_demo
from portal.management.arguments import positive_int

#: How roles read in the table (the JSON keeps the codes).
ROLE_LABELS = {
    "superuser": "superuser",
    "marketing": "marketing",
    "head_manager": "head of region",
    "regional_manager": "regional manager",
    "administrator": "client administrator",
    "manager": "client buyer",
    "accountant": "client accountant",
}


class Command(BaseCommand):
    help = (
        "Create a deterministic demo dataset (catalog, prices, stock, clients, users, order history) "
        "in an empty database and print the demo logins. Does nothing when demo data is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=positive_int, default=2000, help="number of products (2000)")
        parser.add_argument("--clients", type=positive_int, default=20, help="number of active clients (20)")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data (1)")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout, nothing else")
        parser.add_argument(
            "--if-empty", action="store_true", help="seed only a database without products and clients, else skip"
        )

    def handle(self, *args, **options):
        def progress(message: str) -> None:
            self.stderr.write(message, style_func=lambda text: text)

        try:
            result = seed_demo(
                products=options["products"], clients=options["clients"], seed=options["seed"],
                if_empty=options["if_empty"], progress=progress,
            )
        except DemoDataConflict as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(self.style.SUCCESS(result.message) if result.created else result.message)
        if result.created:
            width = max(len(name) for name in result.counts)
            for name, count in result.counts.items():
                self.stdout.write(f"  {name.replace('_', ' '):<{width}}  {count:>9}")
        self._print_logins(result)

    def _print_logins(self, result: SeedResult) -> None:
        if not result.logins:
            return
        self.stdout.write(f"\nDemo logins (the same password for all: {result.password}):")
        rows = [("E-mail", "Role", "Client / region", "Password")]
        for login in result.logins:
            where = login.client or (f"staff, {login.region}" if login.region else "staff")
            rows.append((login.email, ROLE_LABELS.get(login.role, login.role), where, result.password))
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
