"""The move of the reference data to `base` carries every row, link and permission over.

A database is taken back to the schema before the move, filled there through the historical
models (a region with managers, a head and a guardian object permission, a warehouse, a price
type, a currency, a client with its own price type, prices and stock), then migrated forward.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from guardian.shortcuts import get_perms

from accounts.models import Client, RegionHead, User
from base.models import Currency, PriceType, Region, Warehouse
from catalog.models import AssortmentItem, Price, Stock
from orders.models import Order

#: The leaf migrations of the apps before `base` existed.
BEFORE = [
    ("accounts", "0005_verified_login_addresses"),
    ("catalog", "0003_listing_indexes"),
    ("orders", "0001_initial"),
    ("sync", "0003_stream_locks"),
]
MOVED_APPS = {app for app, _ in BEFORE} | {"base"}


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _seed_old_schema(apps) -> dict:
    """Rows as the code before the move wrote them; returns their ids."""
    user_model = apps.get_model("accounts", "User")
    manager = user_model.objects.create(email="manager@example.com", is_staff=True, password="!")
    other = user_model.objects.create(email="other@example.com", is_staff=True, password="!")
    head = user_model.objects.create(email="head@example.com", is_staff=True, password="!")
    rub = apps.get_model("catalog", "Currency").objects.create(code="RUB", name="Рубль", rate=1)
    xxu = apps.get_model("catalog", "Currency").objects.create(
        code="XXU", name="у.е.", rate=Decimal("95.5"), rate_date=date(2026, 11, 1), is_internal=True)
    price_types = apps.get_model("catalog", "PriceType").objects
    base = price_types.create(name="Базовая", erp_id="pt-base", currency=rub)
    dealer = price_types.create(name="Дилерская", erp_id="pt-dealer", currency=xxu, vat_included=False)
    region = apps.get_model("accounts", "Region").objects.create(
        code="msk", name="Москва", erp_id="reg-msk", base_price_type=base, assortment_restricted=True,
        head_manager=head)
    region.managers.add(manager, other)
    quiet = apps.get_model("accounts", "Region").objects.create(code="spb", name="Петербург")
    warehouse = apps.get_model("catalog", "Warehouse").objects.create(
        region=region, erp_id="wh-1", name="Склад 1", address="ул. Складская, 1", position=3)
    client = apps.get_model("accounts", "Client").objects.create(
        name="ООО «Ромашка»", region=region, price_type=dealer, manager=manager, status="active")
    unit = apps.get_model("catalog", "Unit").objects.create(code="796", name="Штука", short_name="шт")
    product = apps.get_model("catalog", "Product").objects.create(sku="SKU-1", name="Болт", base_unit=unit)
    apps.get_model("catalog", "Price").objects.create(price_type=dealer, product=product, amount=Decimal("9.90"),
                                                      currency=xxu)
    apps.get_model("catalog", "Stock").objects.create(product=product, warehouse=warehouse, quantity=Decimal("7"),
                                                      confirmed_at=timezone.now())
    apps.get_model("catalog", "AssortmentItem").objects.create(region=region, product=product)

    # A django-guardian object permission on the region, through the region's content type.
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(app_label="accounts", model="region")
    change_region = apps.get_model("auth", "Permission").objects.get(content_type=content_type,
                                                                      codename="change_region")
    apps.get_model("guardian", "UserObjectPermission").objects.create(
        user=other, permission=change_region, content_type=content_type, object_pk=str(region.pk))
    # A content type for base made in between (a post_migrate run) must give way to the moved one.
    apps.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="base", model="region")

    schedule = apps.get_model("django_celery_beat", "IntervalSchedule").objects.create(every=5, period="minutes")
    apps.get_model("django_celery_beat", "PeriodicTask").objects.create(
        name="orders-escalation-check", task="orders.tasks.escalation_check", interval=schedule)
    return {"manager": manager.pk, "other": other.pk, "head": head.pk, "region": region.pk, "quiet": quiet.pk,
            "warehouse": warehouse.pk, "base": base.pk, "dealer": dealer.pk, "client": client.pk,
            "content_type": content_type.pk, "product": product.pk}


@pytest.mark.django_db(transaction=True)
def test_reference_data_survives_the_move_to_base():
    executor = _migrate([*BEFORE, ("base", None)])
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in MOVED_APPS]
    try:
        ids = _seed_old_schema(executor.loader.project_state([*BEFORE, *others]).apps)
    finally:
        _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    region = Region.objects.get(pk=ids["region"])
    assert (region.code, region.name, region.erp_id, region.assortment_restricted) == ("msk", "Москва", "reg-msk", True)
    assert region.base_price_type_id == ids["base"]
    assert set(region.managers.values_list("pk", flat=True)) == {ids["manager"], ids["other"]}
    assert set(User.objects.get(pk=ids["manager"]).managed_regions.all()) == {region}
    assert RegionHead.objects.get(region=region).user_id == ids["head"]
    assert list(region.head_managers.values_list("pk", flat=True)) == [ids["head"]]
    quiet = Region.objects.get(pk=ids["quiet"])
    assert not quiet.managers.exists() and not RegionHead.objects.filter(region=quiet).exists()

    warehouse = Warehouse.objects.get(pk=ids["warehouse"])
    assert (warehouse.region_id, warehouse.erp_id, warehouse.address, warehouse.position) == (
        region.pk, "wh-1", "ул. Складская, 1", 3)
    assert Currency.objects.get(code="XXU").rate == Decimal("95.5")
    dealer = PriceType.objects.get(pk=ids["dealer"])
    assert (dealer.currency_id, dealer.vat_included, dealer.erp_id) == ("XXU", False, "pt-dealer")
    client = Client.objects.get(pk=ids["client"])
    assert (client.region, client.price_type, client.manager_id) == (region, dealer, ids["manager"])
    assert Price.objects.get(product_id=ids["product"]).price_type == dealer
    assert Stock.objects.get(product_id=ids["product"]).warehouse == warehouse
    assert AssortmentItem.objects.get(product_id=ids["product"]).region == region

    # The content type moved (same row), so permissions and object permissions follow it.
    content_type = ContentType.objects.get_for_model(Region)
    assert (content_type.pk, content_type.app_label) == (ids["content_type"], "base")
    assert not ContentType.objects.filter(app_label="accounts", model="region").exists()
    assert Permission.objects.filter(content_type=content_type, codename="change_region").exists()
    other = User.objects.get(pk=ids["other"])
    assert get_perms(other, region) == ["change_region"]
    assert other.has_perm("base.change_region", region)
    assert not User.objects.get(pk=ids["manager"]).has_perm("base.change_region", region)

    # New rows get fresh ids from the sequences the renamed tables kept.
    assert Warehouse.objects.create(region=region, name="Склад 2").pk > warehouse.pk
    assert Region.objects.create(code="kzn", name="Казань").pk > quiet.pk
    assert PeriodicTask.objects.get(name="orders-escalation-check").task == "sync.tasks.escalation_check"
    assert Order._meta.get_field("pickup_warehouse").related_model is Warehouse
