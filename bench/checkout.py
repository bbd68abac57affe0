"""Benchmark a 200-line checkout for a logged-in buyer on the 100,000-product demo (PostgreSQL).

Usage: `DEBUG=0 SECRET_KEY=bench SECURE_SSL_REDIRECT=0 PORTAL_MANIFEST_STATIC=0 ALLOWED_HOSTS=testserver
BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_checkout_bench python bench/checkout.py [--lines 200]
[--runs 5]` after seeding that database with `python bench/seed.py --keep` (same BENCH_DATABASE_URL).

Each run fills the buyer's cart with `--lines` priced products of its assortment (not timed), then
times through Django's test Client in-process (full middleware, templates, sessions; no network):
the checkout page (GET /cart/checkout/) and placing the order (POST with what the page carries:
pickup at the region's first pickup warehouse on the earliest date). Prints per run the seconds of
both and their queries, then the medians. Everything runs in one transaction that is rolled back at
the end, so the demo data stays as it was (the legal entity's shipment block and credit limit are
lifted inside it, so the happy path is measured).
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL",
                                            "postgres://postgres@127.0.0.1:5432/portal_checkout_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class QueryCounter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def main() -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    from accounts.models import Balance, User
    from accounts.selectors import ordering_contracts
    from base.calendar import PICKUP, date_window
    from catalog.purchase import purchase_strategy
    from catalog.selectors import visible_products
    from orders.checkout import pickup_warehouses
    from orders.models import Cart, CartLine, Order
    from orders.services import CartLineInput, cart_add_lines

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
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
        strategy = purchase_strategy(user=buyer, legal_entity=contract.legal_entity, contract=contract)
        candidates = list(visible_products(user=buyer).order_by("pk")[:options.lines * 3])
        products = [info.product for info in strategy.fetch(candidates) if info.can_buy][:options.lines]
        assert len(products) == options.lines, f"only {len(products)} priced products"
        Cart.objects.update_or_create(user=buyer, defaults={
            "client": buyer.client, "legal_entity": contract.legal_entity, "contract": contract})
        warehouse = pickup_warehouses(buyer.client.region_id).first()
        client = Client()
        client.force_login(buyer)
        print(f"buyer {buyer.email}, contract {contract.number}, {options.lines} lines, "
              f"{options.runs} runs (in-process)")
        page_times, place_times = [], []
        for run in range(1, options.runs + 1):
            CartLine.objects.filter(cart__user=buyer).delete()
            result = cart_add_lines(user=buyer, lines=[CartLineInput(p.pk, p.multiplicity) for p in products])
            assert not result.refused, result.refused[:3]
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                page = client.get("/cart/checkout/")
                page_seconds = time.perf_counter() - started
            assert page.status_code == 200
            page_queries, counter.queries = counter.queries, 0
            html = page.content.decode()
            fields = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
                      for name in ("revision", "digest", "pickup_date")}
            form = {**fields, "legal_entity": contract.legal_entity_id, "contract": contract.pk,
                    "delivery_method": "pickup", "pickup_warehouse": warehouse.pk, "action": "place"}
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                answer = client.post("/cart/checkout/", form)
                place_seconds = time.perf_counter() - started
            assert answer.status_code == 302, (answer.status_code, answer.content[:2000])
            order = Order.objects.get(pk=int(answer.url.rstrip("/").rsplit("/", 1)[1]))
            assert order.lines.count() == options.lines
            page_times.append(page_seconds)
            place_times.append(place_seconds)
            print(f"run {run}: checkout page {page_seconds:.3f} s ({page_queries} queries), "
                  f"place the order {place_seconds:.3f} s ({counter.queries} queries), order {order.number}")
        print(f"median: checkout page {statistics.median(page_times):.3f} s, "
              f"place the order {statistics.median(place_times):.3f} s, "
              f"together {statistics.median(a + b for a, b in zip(page_times, place_times, strict=True)):.3f} s")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
