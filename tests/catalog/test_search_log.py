"""The log of catalog searches without results (SearchMiss): one upsert per empty search, nothing else."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import SearchMiss
from catalog.search_log import normalize_missed_query, search_miss_record
from catalog.services import product_search_refresh
from tests.factories import PriceFactory, ProductFactory, StockFactory, UserFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def drill(shop):
    product = ProductFactory(name="Дрель ударная", sku="DRL-100")
    PriceFactory(product=product, price_type=shop["base"], amount=Decimal("12.50"))
    StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("4"))
    product_search_refresh()
    return product


def _misses() -> list[tuple]:
    return list(SearchMiss.objects.order_by("query", "region_id").values_list("query", "region_id", "count"))


def test_empty_search_is_counted_per_query_region_and_day(client, shop, drill):
    client.force_login(shop["buyer"])
    region = shop["region"].pk
    client.get("/catalog/", {"q": "Перфоратор  Bosch"})
    client.get("/catalog/", {"q": "перфоратор bosch"})
    assert _misses() == [("перфоратор bosch", region, 2)]
    assert SearchMiss.objects.get().day == timezone.localdate()


def test_search_with_results_writes_nothing(client, shop, drill):
    client.force_login(shop["buyer"])
    assert drill.sku in client.get("/catalog/", {"q": "Дрель"}).content.decode()
    client.get("/catalog/")
    assert _misses() == []


@pytest.mark.postgres
def test_typo_found_by_similarity_is_no_miss(client, shop, drill):
    client.force_login(shop["buyer"])
    assert drill.sku in client.get("/catalog/", {"q": "дрел ударная"}).content.decode()
    assert _misses() == []


def test_typeahead_filters_and_htmx_do_not_log(client, shop, drill):
    client.force_login(shop["buyer"])
    client.get(reverse("catalog:suggest"), {"q": "перфоратор"})  # keystrokes of the header's box
    client.get("/catalog/", {"q": "перфоратор", "stock": "1"})  # a filter may have emptied it
    client.get("/catalog/", {"q": "перфоратор", "price_min": "1"})
    client.get("/catalog/", {"q": "перфоратор"}, headers={"HX-Request": "true"})  # a re-sort of the same search
    assert _misses() == []


def test_a_miss_costs_one_query_and_a_hit_none(client, shop, drill):
    client.force_login(shop["buyer"])
    client.get("/catalog/", {"q": "Дрель"})
    client.get("/catalog/", {"q": "нетакого"})
    with CaptureQueriesContext(connection) as hit:
        client.get("/catalog/", {"q": "Дрель"})
    with CaptureQueriesContext(connection) as miss:
        client.get("/catalog/", {"q": "нетакого"})
    inserts = [query["sql"] for query in miss.captured_queries if "INSERT" in query["sql"]]
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0]
    assert not [query for query in hit.captured_queries if "INSERT" in query["sql"] or "UPDATE" in query["sql"]]
    assert _misses()[0][2] == 2


def test_record_without_region_and_across_days():
    day_one = timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 0))
    search_miss_record(query="Анкер", region_id=None, now=day_one)
    search_miss_record(query="анкер ", region_id=None, now=day_one + datetime.timedelta(hours=1))
    search_miss_record(query="анкер", region_id=None, now=day_one + datetime.timedelta(days=1))
    search_miss_record(query="   ", region_id=None, now=day_one)
    rows = list(SearchMiss.objects.order_by("day").values_list("query", "region_id", "day", "count", "last_seen_at"))
    assert rows == [("анкер", None, datetime.date(2026, 3, 1), 2, day_one + datetime.timedelta(hours=1)),
                    ("анкер", None, datetime.date(2026, 3, 2), 1, day_one + datetime.timedelta(days=1))]
    assert normalize_missed_query(" A\tB " * 100) == ("a b " * 50).strip()[:200]


def test_admin_lists_misses_read_only(client):
    SearchMiss.objects.create(query="анкер", day=timezone.localdate(), count=3)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    html = client.get(reverse("admin:catalog_searchmiss_changelist")).content.decode()
    assert "анкер" in html
    model_admin = site._registry[SearchMiss]
    request = type("Request", (), {"user": superuser})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
