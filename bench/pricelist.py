"""Benchmark the personalised .xlsx price list of a buyer on the 100,000-product demo (PostgreSQL).

Usage: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_i4_bench flock /tmp/portal-bench.lock
python bench/pricelist.py` on a database seeded by `python bench/seed.py --products 100000 --clients 1000 --keep`.
Streams the whole assortment of the first active buyer through the download view (Django's test Client,
in-process), and prints rows, bytes, wall time and the process's peak resident memory before and after the
download (tracemalloc would slow the run fourfold) — the budget is 30 s and bounded memory.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_i4_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> int:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from openpyxl import load_workbook

    from accounts.models import User

    buyer = User.objects.filter(role=User.Role.MANAGER, client__status="active").order_by("pk").first()
    client = Client()
    client.force_login(buyer)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(reverse("catalog:pricelist"))
    size = 0
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as body:
        for block in response.streaming_content:
            size += len(block)
            body.write(block)
        body.flush()
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = sum(1 for _row in load_workbook(body.name, read_only=True).active.iter_rows(values_only=True)) - 1
    print(f"price list of {buyer.email}: {rows} rows, {size / 1e6:.1f} MB in {seconds:.1f} s; "
          f"peak RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after (the file is spooled to disk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
