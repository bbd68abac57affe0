"""Benchmark an Excel order list uploaded into the cart: a 5,000-line .xlsx posted to /cart/upload/.

Usage: `DATABASE_URL=postgres://…/portal_x python bench/order_upload.py [--lines N] [--runs R]` on a
database seeded with bench/seed.py (100,000 products) or `manage.py seed_demo --products 20000`.
Picks a buyer as bench/order_input.py does (most lines valid, some misspelt, unknown, outside the
assortment or breaking the multiplicity), empties the buyer's cart, and times the whole request
through Django's test client — upload, read, check, add to the cart, keep the result — best of R
runs, the cart emptied between runs (and at the end). Prints the seconds, the queries and what was
added; also the quick-order preview of the same lines as text. Exits 1 when the upload takes longer
than --max-seconds (default 5, the target).
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.order_input import order_lines, pick_buyer  # noqa: E402  (sets Django up)
from catalog.models import Product  # noqa: E402
from orders.models import CartLine  # noqa: E402


def workbook(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Заказ")
    sheet.append(["Артикул", "Количество", "Ед. изм.", "Комментарий"])
    for number, (sku, quantity, unit) in enumerate(rows):
        sheet.append([sku, int(quantity), unit or None, "срочно" if number % 10 == 0 else None])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=5.0)
    options = parser.parse_args()

    buyer = pick_buyer()
    rows = order_lines(buyer, options.lines, random.Random(1))
    data = workbook(rows)
    text = "\n".join("\t".join(row) for row in rows)
    client = Client()
    client.force_login(buyer)

    def empty_cart():
        CartLine.objects.filter(cart__user=buyer).delete()

    def upload():
        return client.post("/cart/upload/", {"file": SimpleUploadedFile("order.xlsx", data)})

    timings, queries = [], None
    with override_settings(PORTAL_UPLOAD_MAX_LINES=max(options.lines, 5000)):
        for _ in range(options.runs):
            empty_cart()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = upload()
                timings.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
            queries = captured
        added = CartLine.objects.filter(cart__user=buyer).count()
        empty_cart()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as preview_queries:
            response = client.post("/cart/quick/", {"text": text})
        preview = time.perf_counter() - started
        assert response.status_code == 200
    database = sum(float(query["time"]) for query in queries.captured_queries)
    print(f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, "
          f"{Product.objects.count()} products, buyer {buyer.email} (restricted assortment: "
          f"{buyer.client.region.assortment_restricted}), {len(rows)} lines, best of {options.runs}")
    print(f"  .xlsx upload into the cart ({len(data) // 1024} KB): {min(timings):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in timings)}), {len(queries)} queries taking "
          f"{database * 1000:.0f} ms; {added} cart lines")
    print(f"  quick-order preview of the same lines: {preview:.2f} s, {len(preview_queries)} queries")
    return 0 if min(timings) <= options.max_seconds else 1


if __name__ == "__main__":
    sys.exit(main())
