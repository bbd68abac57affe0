"""Benchmark ordering for a logged-in buyer on the 100,000-product demo (PostgreSQL).

Usage: `DEBUG=0 SECRET_KEY=bench SECURE_SSL_REDIRECT=0 PORTAL_MANIFEST_STATIC=0 ALLOWED_HOSTS=testserver
REDIS_URL=redis://127.0.0.1:6379/10 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
python bench/ordering.py [--runs 50]` after seeding that database with `python bench/seed.py --keep`
(same BENCH_DATABASE_URL).

Requests go through Django's test Client in-process (full middleware, templates, sessions; no
network), so the figures are server time. Prints:
- add to cart: p50/p95 of one htmx POST /cart/add/ (a product of the assortment, one multiplicity step);
- the cart page with 200 lines: p50/p95 of GET /cart/;
- a 5,000-line .xlsx uploaded into the cart: seconds of POST /cart/upload/ (best and every run of 3),
  a twentieth of the lines misspelt, unknown, outside the assortment or breaking the multiplicity;
- the quick-order preview of the same lines pasted as text: seconds of POST /cart/quick/;
- a 200-line checkout: seconds of the checkout page and of placing the order (pickup on the earliest date).
Each figure comes with the queries of one request. Everything runs in one transaction rolled back at
the end, so the demo data stays as it was (the legal entity's shipment block and credit limit are
lifted inside it, so the happy path is measured).
"""

import argparse
import io
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

CART_LINES = 200
UPLOAD_LINES = 5000


class QueryCounter:
    """A database execute wrapper counting the queries of a request."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def timed(client_call, connection) -> tuple[float, int, object]:
    """Seconds, queries and the response of one request."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = client_call()
        seconds = time.perf_counter() - started
    return seconds, counter.queries, response


def percentiles(seconds: list[float]) -> str:
    p95 = statistics.quantiles(seconds, n=20)[18]
    return f"p50 {statistics.median(seconds) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Заказ")
    sheet.append(["Артикул", "Количество", "Ед. изм.", "Комментарий"])
    for number, (sku, quantity, unit) in enumerate(rows):
        sheet.append([sku, int(quantity), unit or None, "срочно" if number % 10 == 0 else None])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def main() -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test import Client

    import portal.wsgi  # noqa: F401 - Django started as the web server starts it (with its garbage collector setting)
    from accounts.models import Balance, User
    from accounts.selectors import ordering_contracts
    from base.calendar import PICKUP, date_window
    from bench.order_input import order_lines
    from catalog.models import Product
    from catalog.purchase import purchase_strategy
    from catalog.selectors import visible_products
    from orders.checkout import pickup_warehouses
    from orders.models import Cart, CartLine, Order
    from orders.services import CartLineInput, cart_add_lines

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()

    with transaction.atomic():
        buyer, contract = None, None
        for candidate in User.objects.filter(role=User.Role.MANAGER, is_active=True, client__status="active",
                                             client__region__warehouses__is_pickup_point=True).distinct()[:50]:
            contract = ordering_contracts(candidate, on=date_window(candidate.client.region, PICKUP).earliest).first()
            if contract is not None:
                buyer = candidate
                break
        assert buyer is not None, "no buyer with a contract in force and a pickup warehouse: seed the demo first"
        Balance.objects.filter(legal_entity=contract.legal_entity).update(shipment_blocked=False, credit_limit=0)
        Cart.objects.update_or_create(user=buyer, defaults={
            "client": buyer.client, "legal_entity": contract.legal_entity, "contract": contract})
        strategy = purchase_strategy(user=buyer, legal_entity=contract.legal_entity, contract=contract)
        candidates = list(visible_products(user=buyer).order_by("pk")[:CART_LINES * 3])
        products = [info.product for info in strategy.fetch(candidates) if info.can_buy][:CART_LINES]
        assert len(products) == CART_LINES, f"only {len(products)} priced products"
        client = Client()
        client.force_login(buyer)

        def empty_cart():
            CartLine.objects.filter(cart__user=buyer).delete()

        def fill_cart():
            empty_cart()
            result = cart_add_lines(user=buyer, lines=[CartLineInput(p.pk, p.multiplicity) for p in products])
            assert not result.refused, result.refused[:3]

        print(f"{Product.objects.count()} products; buyer {buyer.email}, contract {contract.number}; "
              f"{options.runs} runs per page (in-process)")

        empty_cart()
        client.post("/cart/add/", {"product": products[0].pk, "quantity": products[0].multiplicity},
                    headers={"HX-Request": "true"})  # warm-up
        times, queries = [], 0
        for run in range(options.runs):
            product = products[run % len(products)]
            seconds, queries, response = timed(lambda p=product: client.post(
                "/cart/add/", {"product": p.pk, "quantity": p.multiplicity}, headers={"HX-Request": "true"}),
                connection)
            assert response.status_code == 200, (response.status_code, response.content[:500])
            times.append(seconds)
        print(f"{'add to cart':32} {percentiles(times)}  {queries} queries  (target p95 ≤ 20 ms)")

        fill_cart()
        client.get("/cart/")  # warm-up
        times = []
        for _ in range(options.runs):
            seconds, queries, response = timed(lambda: client.get("/cart/"), connection)
            assert response.status_code == 200
            times.append(seconds)
        print(f"{f'cart page, {CART_LINES} lines':32} {percentiles(times)}  {queries} queries  (target p95 ≤ 80 ms)")

        rows = order_lines(buyer, UPLOAD_LINES, random.Random(1))
        data = workbook(rows)
        times = []
        for _ in range(3):
            empty_cart()
            seconds, queries, response = timed(lambda: client.post(
                "/cart/upload/", {"file": SimpleUploadedFile("order.xlsx", data)}), connection)
            assert response.status_code == 302, (response.status_code, response.content[:500])
            times.append(seconds)
        added = CartLine.objects.filter(cart__user=buyer).count()
        print(f"{f'upload {UPLOAD_LINES:,} lines .xlsx':32} best {min(times):.2f} s (runs "
              f"{', '.join(f'{t:.2f}' for t in times)}), {queries} queries, {added} lines added  (target ≤ 5 s)")
        text = "\n".join("\t".join(row) for row in rows)
        seconds, queries, response = timed(lambda: client.post("/cart/quick/", {"text": text}), connection)
        assert response.status_code == 200
        print(f"{f'quick-order preview, {UPLOAD_LINES:,} lines':32} {seconds:.2f} s, {queries} queries")

        warehouse = pickup_warehouses(buyer.client.region_id).first()
        page_times, place_times = [], []
        for _ in range(5):
            fill_cart()
            page_seconds, page_queries, page = timed(lambda: client.get("/cart/checkout/"), connection)
            assert page.status_code == 200
            html = page.content.decode()
            fields = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
                      for name in ("revision", "digest", "pickup_date")}
            form = {**fields, "legal_entity": contract.legal_entity_id, "contract": contract.pk,
                    "delivery_method": "pickup", "pickup_warehouse": warehouse.pk, "action": "place"}
            place_seconds, place_queries, answer = timed(lambda f=form: client.post("/cart/checkout/", f), connection)
            assert answer.status_code == 302, (answer.status_code, answer.content[:2000])
            order = Order.objects.get(pk=int(answer.url.rstrip("/").rsplit("/", 1)[1]))
            assert order.lines.count() == CART_LINES
            page_times.append(page_seconds)
            place_times.append(place_seconds)
        print(f"{f'checkout, {CART_LINES} lines':32} median of 5: page {statistics.median(page_times):.2f} s "
              f"({page_queries} queries), placing {statistics.median(place_times):.2f} s ({place_queries} queries), "
              f"together {statistics.median(a + b for a, b in zip(page_times, place_times, strict=True)):.2f} s")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
