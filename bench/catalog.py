"""Benchmark the catalog pages for a logged-in buyer on the 100,000-product demo (PostgreSQL).

Usage: `DEBUG=0 SECRET_KEY=bench SECURE_SSL_REDIRECT=0 PORTAL_MANIFEST_STATIC=0 ALLOWED_HOSTS=testserver BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_i4_bench
flock /tmp/portal-bench.lock python bench/catalog.py [--runs N]` after seeding that database with
`python bench/seed.py --products 100000 --clients 1000 --keep` (same BENCH_DATABASE_URL). Requests go through
Django's test Client in-process (full middleware, templates, sessions; no network or gunicorn), so the figures
are server time. Each page is requested once to warm caches, then N times; prints per page the p50/p95 of the
server time, the median time spent in SQL (measured around every query the page runs, see `SqlTimer`) with the
number of queries, and the median share of SQL in the server time.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_i4_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class SqlTimer:
    """A database execute wrapper: the number of queries and the seconds spent in them."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def main() -> int:
    from django.test import Client

    import portal.wsgi  # noqa: F401 - Django started as the web server starts it (with its garbage collector setting)
    from accounts.models import User
    from catalog.models import Category, Product, PropertyValue

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    from django.db import connection

    # The seed analyzes its big tables only; autovacuum would analyze these small ones within a minute
    # of a real import, and without statistics the planner hashes whole link tables for facets.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_property, catalog_propertyvalue, catalog_category, base_warehouse")
    buyer = User.objects.filter(role=User.Role.MANAGER, client__status="active").order_by("pk").first()
    client = Client()
    client.force_login(buyer)
    category = Category.objects.filter(depth=1).order_by("pk").first()
    value = PropertyValue.objects.filter(products__category__parent=category).select_related("property").first()
    product = Product.objects.filter(is_active=True).order_by("pk")[500]
    pages = {
        "first listing page": "/catalog/",
        "filtered and sorted page": f"/catalog/{category.slug}/?f={value.property.slug}:{value.pk}&stock=1&sort=price",
        "search by word": "/catalog/?q=саморез",
        "search by SKU prefix": f"/catalog/?q={product.sku[:6]}",
        "product page": product.get_absolute_url(),
    }
    print(f"{Product.objects.count()} products; buyer {buyer.email}; {options.runs} runs per page (in-process)")
    for title, url in pages.items():
        assert client.get(url).status_code == 200, url
        times, sql_times, shares, queries = [], [], [], 0
        for _ in range(options.runs):
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            times.append(elapsed)
            sql_times.append(timer.seconds * 1000)
            shares.append(timer.seconds * 1000 / elapsed)
            queries = max(queries, timer.queries)
        p95 = statistics.quantiles(times, n=20)[18]
        sql = f"SQL {statistics.median(sql_times):5.1f} ms in {queries} queries ({statistics.median(shares):4.0%})"
        print(f"{title:26} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {sql}  {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
