"""The demo ERP feed: change packages through the drop folder and the scheduled job's service keep stock fresh."""

import os
import random
import subprocess
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from base.models import Warehouse
from catalog.availability import availability_for
from catalog.models import Price, Stock
from portal.demo.feed import demo_erp_ids_assign, demo_feed_send
from sync.models import SyncRun
from sync.selectors import stock_stale
from tests.factories import PriceFactory, ProductFactory, StaffUserFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(settings, tmp_path):
    """A seeded-like catalog without ERP ids: two warehouses of a region, twelve products, old stock."""
    settings.PORTAL_SYNC_INBOX = tmp_path / "inbox"
    settings.PORTAL_STOCK_STALE_MINUTES = 15
    first = WarehouseFactory()
    second = WarehouseFactory(region=first.region)
    old = timezone.now() - timedelta(minutes=40)
    products = [ProductFactory() for _ in range(12)]
    for product in products:
        StockFactory(product=product, warehouse=first, quantity=Decimal(20), confirmed_at=old)
        StockFactory(product=product, warehouse=second, quantity=Decimal(0), confirmed_at=old)
        PriceFactory(product=product, amount=Decimal("250.00"))
    return {"region": first.region, "products": products, "inbox": tmp_path / "inbox"}


def _stale_products(demo) -> int:
    availability = availability_for(region_id=demo["region"].pk, products=demo["products"])
    return sum(1 for item in availability.values() if item.stale)


def test_ids_are_given_once_and_real_ones_kept(demo):
    kept = WarehouseFactory(erp_id="1c-warehouse")

    assert demo_erp_ids_assign() > 0
    assert demo_erp_ids_assign() == 0
    kept.refresh_from_db()
    assert kept.erp_id == "1c-warehouse"
    assert not Warehouse.objects.filter(erp_id=None).exists()


def test_a_stock_round_imports_a_small_change_package_through_the_drop_folder(demo):
    before = dict(Stock.objects.values_list("pk", "quantity"))
    assert stock_stale() and _stale_products(demo) == 12

    (run,) = demo_feed_send(stream="stock", rng=random.Random(1), now=timezone.now(), lines=5)

    assert (run.stream, run.source, run.status) == ("stock", SyncRun.Source.SCHEDULE, SyncRun.Status.SUCCESS)
    assert run.counts["offers"]["read"] <= 5
    run.refresh_from_db()
    done = list((demo["inbox"] / "stock" / "done").iterdir())
    assert [Path(run.file_name)] == done
    assert '<ПакетПредложений СодержитТолькоИзменения="true">' in done[0].read_text()
    after = dict(Stock.objects.values_list("pk", "quantity"))
    assert 1 <= sum(before[pk] != after[pk] for pk in before) <= 5
    assert not stock_stale()
    # the rows the package left unchanged are confirmed through their declared warehouses
    assert _stale_products(demo) == 0


def test_a_price_round_moves_a_few_prices_by_at_most_three_percent(demo):
    before = dict(Price.objects.values_list("pk", "amount"))

    (run,) = demo_feed_send(stream="prices", rng=random.Random(2), now=timezone.now(), lines=4)

    assert run.status == SyncRun.Status.SUCCESS
    after = dict(Price.objects.values_list("pk", "amount"))
    changed = [pk for pk in before if before[pk] != after[pk]]
    assert 1 <= len(changed) <= 4
    assert all(abs(after[pk] - before[pk]) <= before[pk] * Decimal("0.03") for pk in changed)


def test_staff_page_lists_the_runs_and_shows_the_stale_banner_once_the_feed_stops(demo, client):
    client.force_login(StaffUserFactory())
    demo_feed_send(stream="stock", rng=random.Random(3), now=timezone.now())

    page = client.get("/staff/sync/").content.decode()
    assert "sync-stale" not in page and "Успешно" in page

    # the feed stopped 20 minutes ago: nothing confirmed the stock since
    gone = timezone.now() - timedelta(minutes=20)
    SyncRun.objects.update(started_at=gone, finished_at=gone)
    Warehouse.objects.update(stock_confirmed_at=gone)
    Stock.objects.update(confirmed_at=gone)

    assert "sync-stale" in client.get("/staff/sync/").content.decode()
    assert _stale_products(demo) == 12


def test_command_once_sends_stock_and_prices(demo):
    out = StringIO()
    call_command("erp_demo_feed", "--once", "--seed", "4", "--lines", "3", "--locale", "en", stdout=out)

    succeeded = SyncRun.objects.filter(status=SyncRun.Status.SUCCESS).values_list("stream", flat=True)
    assert set(succeeded) == {"stock", "prices"}
    assert "Stock: Success" in out.getvalue() and "Prices: Success" in out.getvalue()


def test_make_run_starts_the_feed_next_to_the_server_and_stops_it_with_it():
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    assert "manage.py erp_demo_feed & feed=$$!" in recipe
    assert "trap 'kill $$feed" in recipe
    assert recipe.index("erp_demo_feed") < recipe.index("runserver")


@pytest.mark.parametrize(("variables", "expected"), [({}, "1"), ({"DATABASE_URL": "postgres://x@db/p"}, "0"),
                                                     ({"DEMO_FEED": "0"}, "0")])
def test_the_feed_runs_on_the_embedded_default_only(variables, expected):
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "show-feed: ; @echo $(DEMO_FEED)", "show-feed"],
        cwd=BASE_DIR, env={"PATH": os.environ["PATH"], **variables}, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == expected, result.stderr
