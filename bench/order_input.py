"""Benchmark the order-lines input: 5,000 pasted lines and a 5,000-row .xlsx, parsed and checked for a buyer.

Usage: `DATABASE_URL=postgres://…/portal_x python bench/order_input.py [--lines N] [--runs R]` on a
database seeded with `manage.py seed_demo --products 20000` (or bench/seed.py). Read-only: it
picks a buyer (of a region with a restricted assortment when there is one) and SKUs of the
catalog, a tenth of them misspelt, unknown or outside the assortment, and times, best of R runs:
parse_lines + check_lines of the text (with the queries it made), read_upload + check_lines of
the same lines as .xlsx, and annotated_write of the result. Exits 1 when checking the text takes
longer than --max-seconds (default 1).
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.models import User  # noqa: E402
from catalog.models import Product, ProductUnit  # noqa: E402
from catalog.selectors import visible_products  # noqa: E402
from orders.line_input import check_lines, parse_lines  # noqa: E402
from orders.line_resolver import CatalogResolver  # noqa: E402
from orders.spreadsheets import annotated_write, read_upload  # noqa: E402


def pick_buyer() -> User:
    buyers = User.objects.filter(client__isnull=False, is_active=True, role=User.Role.MANAGER).select_related(
        "client__region").order_by("pk")
    return buyers.filter(client__region__assortment_restricted=True).first() or buyers.first()


def order_lines(buyer: User, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(SKU, quantity, unit) rows: mostly visible products, some misspelt, unknown or hidden."""
    visible = list(visible_products(user=buyer).order_by("?").values_list(
        "pk", "sku", "multiplicity", "base_unit__short_name")[:count])
    hidden = list(Product.objects.exclude(pk__in=visible_products(user=buyer).values("pk"))
                  .values_list("sku", flat=True)[: count // 20])
    units: dict[int, list[str]] = {}
    for product_id, short_name in ProductUnit.objects.filter(product_id__in=[row[0] for row in visible]).values_list(
            "product_id", "unit__short_name"):
        units.setdefault(product_id, []).append(short_name)
    rows = []
    for number in range(count):
        pk, sku, multiplicity, base_unit = visible[number % len(visible)]
        roll = rng.random()
        if roll < 0.03:
            rows.append((f"NOPE-{number}", "1", ""))
        elif roll < 0.05 and hidden:
            rows.append((rng.choice(hidden), "2", ""))
        elif roll < 0.10:
            rows.append((sku.lower().replace("-", " "), str(int(multiplicity) * 2), ""))
        elif units.get(pk) and roll < 0.4:
            rows.append((sku, str(rng.randint(1, 5)), units[pk][0]))
        else:
            rows.append((sku, f"{int(multiplicity) * rng.randint(1, 9)}", base_unit if roll < 0.6 else ""))
    return rows


def best(runs: int, action) -> tuple[float, float, object]:
    """The best wall time and the best CPU time of this process (seconds) over `runs` runs, and the result.

    The CPU time leaves out the database server and waiting for a core, so on a busy machine it
    is the steadier figure of the Python side.
    """
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-seconds", type=float, default=1.0)
    options = parser.parse_args()

    buyer = pick_buyer()
    rows = order_lines(buyer, options.lines, random.Random(1))
    text = "\n".join(";".join(row) for row in rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Заказ")
    sheet.append(["Артикул", "Количество", "Ед. изм."])
    for sku, quantity, unit in rows:
        sheet.append([sku, int(quantity), unit or None])
    workbook = io.BytesIO()
    book.save(workbook)

    def check_text():
        user = User.objects.get(pk=buyer.pk)
        return check_lines(parse_lines(text, max_lines=options.lines), resolver=CatalogResolver(user=user))

    def check_file():
        user = User.objects.get(pk=buyer.pk)
        return check_lines(read_upload(io.BytesIO(workbook.getvalue()), name="order.xlsx"),
                           resolver=CatalogResolver(user=user))

    check_text()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        check_text()
    text_seconds, text_cpu, checked = best(options.runs, check_text)
    file_seconds, file_cpu, _ = best(options.runs, check_file)
    annotate_seconds, annotate_cpu, _ = best(options.runs, lambda: annotated_write(io.BytesIO(), checked))
    database = sum(float(query["time"]) for query in queries.captured_queries)
    states: dict[str, int] = {}
    for line in checked:
        states[line.status] = states.get(line.status, 0) + 1
    products = Product.objects.count()
    print(f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, "
          f"{products} products, buyer {buyer.email} (restricted assortment: "
          f"{buyer.client.region.assortment_restricted}), {len(rows)} lines, best of {options.runs}")
    print(f"  quick order text: parse + check {text_seconds * 1000:.0f} ms (CPU {text_cpu * 1000:.0f} ms), "
          f"{len(queries)} queries taking {database * 1000:.0f} ms")
    print(f"  .xlsx upload ({len(workbook.getvalue()) // 1024} KB): read + check {file_seconds * 1000:.0f} ms "
          f"(CPU {file_cpu * 1000:.0f} ms)")
    print(f"  annotated .xlsx written in {annotate_seconds * 1000:.0f} ms (CPU {annotate_cpu * 1000:.0f} ms)")
    print("  line states: " + ", ".join(f"{state} {count}" for state, count in sorted(states.items())))
    return 0 if text_seconds <= options.max_seconds else 1


if __name__ == "__main__":
    sys.exit(main())
