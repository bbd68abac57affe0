"""The demo seed: deterministic, checksum-valid requisites, every role, sound stock and order histories."""

import datetime
import functools
import hashlib
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from accounts import validators
from accounts.models import Balance, BankAccount, Client, Contract, LegalEntity, User
from base.models import Currency, PriceType, Region
from catalog.models import AssortmentItem, Category, ClientPrice, Price, Product, ProductUnit, Stock, Unit
from catalog.services import MARKETING_PERMISSIONS
from orders.models import Order, OrderLine, OrderStatusChange
from orders.status import can_transition
from portal.demo import seed as seed_module
from portal.demo.geography import CITIES
from portal.demo.seed import seed_demo
from portal.demo.users import DEMO_PASSWORD, FIXED_LOGINS
from portal.demo.writer import BulkWriter
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
SIZE = {"products": 300, "clients": 5}
CENT = Decimal("0.01")
SUBJECTS = {city.code: city.subject for city in CITIES}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The seed hashes its one password once; a fast hasher keeps that out of the test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def quiet(message: str) -> None:
    pass


@pytest.fixture
def seeded():
    return seed_demo(**SIZE, seed=7, now=NOW, progress=quiet)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--products", str(SIZE["products"]), "--clients", str(SIZE["clients"]), *args,
                 stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


#: What the fingerprint covers: per model, natural keys first, then the generated values. No ids:
#: they differ between runs, the data must not.
FINGERPRINT = (
    (Category, ("slug", "name", "parent__slug", "depth", "position")),
    (Product, ("sku", "name", "brand", "category__slug", "base_unit__code", "multiplicity", "weight", "volume",
               "description", "created_at")),
    (Product.property_values.through, ("product__sku", "propertyvalue__property__slug", "propertyvalue__value")),
    (ProductUnit, ("product__sku", "unit__code", "coefficient", "barcode")),
    (Price, ("product__sku", "price_type__name", "amount", "currency_id")),
    (Stock, ("product__sku", "warehouse__name", "quantity", "confirmed_at", "expected_on", "expected_quantity")),
    (AssortmentItem, ("region__code", "product__sku")),
    (Client, ("name", "region__code", "manager__email", "status", "price_type__name", "discount_percent",
              "price_coefficient", "created_at")),
    (LegalEntity, ("inn", "kpp", "client__name", "kind", "name", "full_name", "ogrn", "legal_address",
                   "actual_address")),
    (BankAccount, ("account", "legal_entity__inn", "bik", "bank_name", "correspondent_account")),
    (Contract, ("legal_entity__inn", "number", "signed_on", "valid_until", "payment_deferral_days", "credit_limit")),
    (Balance, ("legal_entity__inn", "amount", "overdue_debt", "credit_limit", "shipment_blocked", "block_reason")),
    (ClientPrice, ("client__name", "product__sku", "contract__number", "amount", "valid_until")),
    (User, ("email", "first_name", "last_name", "role", "client__name", "is_staff", "is_superuser", "date_joined")),
    (Order, ("number", "client__name", "legal_entity__inn", "contract__number", "created_by__email", "status",
             "status_changed_at", "delivery_method", "pickup_warehouse__name", "desired_date", "total_amount",
             "total_weight", "total_volume", "created_at", "submitted_at")),
    (OrderLine, ("order__number", "position", "sku", "name", "unit_name", "quantity", "price", "amount")),
    (OrderStatusChange, ("order__number", "created_at", "from_status", "to_status", "changed_by__email", "source",
                         "comment")),
)


def fingerprint() -> str:
    """A digest of the seeded data, read by natural keys."""
    parts = [list(model.objects.order_by(*fields).values_list(*fields)) for model, fields in FINGERPRINT]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def seeded_fingerprint(seed: int) -> str:
    """Seed, take the fingerprint, and roll the seed back, leaving the database empty again."""
    with transaction.atomic():
        seed_demo(**SIZE, seed=seed, now=NOW, progress=quiet)
        digest = fingerprint()
        transaction.set_rollback(True)
    assert not Product.objects.exists()
    return digest


def test_same_seed_gives_the_same_data_and_another_seed_other_data(monkeypatch):
    first = seeded_fingerprint(7)

    assert seeded_fingerprint(7) == first
    assert seeded_fingerprint(8) != first
    # The portable INSERT path writes exactly what COPY writes.
    monkeypatch.setattr(seed_module, "BulkWriter", functools.partial(BulkWriter, use_copy=False))
    assert seeded_fingerprint(7) == first


def test_requisites_pass_the_checksums(seeded):
    entities = list(LegalEntity.objects.select_related("client__region"))
    assert {entity.kind for entity in entities} == {LegalEntity.Kind.COMPANY, LegalEntity.Kind.SOLE_TRADER}
    for entity in entities:
        entity.full_clean()  # field validators, the (inn, kpp) uniqueness and the kind/KPP check
        assert validators.is_valid_inn(entity.inn) and validators.is_valid_ogrn(entity.ogrn), entity
        assert entity.inn[:2] in {SUBJECTS[entity.client.region.code], "77"}, entity
        if entity.kind == LegalEntity.Kind.COMPANY:
            assert (len(entity.inn), len(entity.ogrn)) == (10, 13)
            assert validators.is_valid_kpp(entity.kpp) and entity.kpp[:4] == entity.inn[:4] and entity.kpp[4:6] == "01"
        else:
            assert (len(entity.inn), len(entity.ogrn), entity.kpp) == (12, 15, "")
    accounts = list(BankAccount.objects.select_related("legal_entity"))
    assert len(accounts) >= len(entities)
    for account in accounts:
        account.full_clean()
        assert validators.is_valid_bik(account.bik)
        assert validators.is_valid_settlement_account(account.bik, account.account), account
        assert validators.is_valid_correspondent_account(account.bik, account.correspondent_account), account
        sole_trader = account.legal_entity.kind == LegalEntity.Kind.SOLE_TRADER
        assert account.account.startswith("40802810" if sole_trader else "40702810")
        if account.bik == "044525225":  # ПАО Сбербанк, Moscow: the published correspondent account
            assert account.correspondent_account == "30101810400000000225"


def test_every_role_and_the_memorable_logins(seeded):
    active = Client.objects.filter(status=Client.Status.ACTIVE)
    assert active.count() == SIZE["clients"]
    assert Client.objects.filter(status=Client.Status.PENDING).count() == 2
    for client in active:
        assert set(client.users.values_list("role", flat=True)) == set(User.Role.values)
        assert client.manager.is_staff and client.manager in client.region.managers.all()
    assert not LegalEntity.objects.filter(client__status=Client.Status.PENDING, is_confirmed=True).exists()

    users = {user.email: user for user in User.objects.filter(email__in=FIXED_LOGINS)}
    assert users["admin@demo.local"].is_superuser and users["admin@demo.local"].is_staff
    buyer, head, accountant = users["buyer@demo.local"], users["head@demo.local"], users["accountant@demo.local"]
    assert (buyer.role, head.role, accountant.role) == ("manager", "administrator", "accountant")
    assert buyer.client_id == head.client_id == accountant.client_id
    manager = users["manager@demo.local"]
    assert manager.is_staff and manager.client_id is None
    assert manager in buyer.client.region.managers.all() and buyer.client.manager == manager
    marketing = User.objects.get(groups__name="marketing")
    granted = set(marketing.groups.get().permissions.values_list("codename", flat=True))
    assert marketing.is_staff and granted == set(MARKETING_PERMISSIONS)
    for region in Region.objects.all():
        assert region.head.user.is_staff and region.managers.exists()

    assert buyer.check_password(DEMO_PASSWORD)
    validate_password(DEMO_PASSWORD, buyer)  # the default validators accept it
    assert [login.email for login in seeded.logins[:5]] == list(FIXED_LOGINS)
    assert 5 < len(seeded.logins) <= 15


def test_catalog_tree_facets_units_and_prices(seeded):
    assert Category.objects.filter(parent=None).count() == 10
    leaves = Category.objects.annotate(kids=Count("children")).filter(kids=0)
    assert 55 <= leaves.count() <= 75
    assert set(Category.objects.values_list("depth", flat=True)) == {0, 1, 2}
    slugs = Category.objects.values_list("slug", flat=True)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
    assert not Product.objects.exclude(category__in=leaves).exists()
    assert not Product.objects.exclude(name__regex=r"[А-Яа-яЁё]").exists()

    for product in Product.objects.prefetch_related("property_values__property")[:50]:
        facets = {value.property.slug: value.value for value in product.property_values.all()}
        assert facets["brand"] == product.brand and "country" in facets
    assert Product.objects.filter(multiplicity__gt=1).exists()
    assert ProductUnit.objects.exists()
    assert not ProductUnit.objects.filter(unit=ProductUnit.objects.first().product.base_unit).exists()
    assert {"796", "778", "166", "006", "055", "112", "839", "736"} <= set(Unit.objects.values_list("code", flat=True))

    types = PriceType.objects.count()
    per_product = Product.objects.annotate(prices_count=Count("prices")).values_list("prices_count", flat=True)
    assert set(per_product) == {0, types}, "a price in every price type, or none at all (price on request)"
    assert Currency.objects.get(code="XXU").is_internal
    assert Price.objects.filter(currency="XXU").exists()
    assert ClientPrice.objects.exists()

    assert Region.objects.count() == 20
    assert all(1 <= region.warehouses.count() <= 3 for region in Region.objects.all())
    restricted = Region.objects.filter(assortment_restricted=True)
    assert restricted.count() == 2 and all(region.assortment.exists() for region in restricted)


def test_stock_has_zero_rows_expected_arrivals_and_fresh_confirmation(seeded):
    stock = Stock.objects.all()
    assert 1.5 <= stock.count() / Product.objects.count() <= 4
    assert stock.filter(quantity=0).exists()
    expected = stock.filter(expected_on__isnull=False)
    assert expected.exists()
    assert not expected.exclude(quantity=0).exists() and not expected.filter(expected_quantity__lte=0).exists()
    assert all(day > NOW.date() for day in expected.values_list("expected_on", flat=True))
    confirmed = stock.values_list("confirmed_at", flat=True)
    assert all(NOW - datetime.timedelta(minutes=15) <= moment < NOW for moment in confirmed)


def test_every_order_history_is_a_valid_chain(seeded):
    orders = Order.objects.prefetch_related("status_changes", "lines").select_related("client", "pickup_warehouse")
    assert {order.number for order in orders} == {f"DEMO-{n:06d}" for n in range(1, orders.count() + 1)}
    assert len({order.status for order in orders}) >= 5
    for order in orders:
        changes = sorted(order.status_changes.all(), key=lambda change: (change.created_at, change.pk))
        assert (changes[0].from_status, changes[0].to_status) == ("", "draft"), order
        for previous, change in zip(changes, changes[1:], strict=False):
            assert change.from_status == previous.to_status and can_transition(previous.to_status, change.to_status)
        assert changes[-1].to_status == order.status
        assert order.status_changed_at == changes[-1].created_at and order.created_at == changes[0].created_at
        assert NOW - datetime.timedelta(days=91) < order.created_at <= order.status_changed_at < NOW
        assert (order.submitted_at is not None) == any(change.to_status == "submitted" for change in changes)

        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 10
        for line in lines:
            assert line.amount == (line.quantity * line.price).quantize(CENT, ROUND_HALF_UP) and line.quantity > 0
        assert order.total_amount == sum(line.amount for line in lines)
        if order.delivery_method == Order.Delivery.PICKUP:
            assert order.pickup_warehouse.region_id == order.client.region_id
        else:
            assert order.delivery_address
    per_client = Order.objects.values("client").annotate(n=Count("pk")).values_list("n", flat=True)
    assert len(per_client) == SIZE["clients"] and all(5 <= n <= 15 for n in per_client)


def test_one_client_is_blocked_for_overdue_debt(seeded):
    blocked = Balance.objects.get(shipment_blocked=True)
    assert blocked.block_reason and blocked.overdue_debt > 0
    assert Balance.objects.filter(overdue_debt__gt=0).count() >= 1


def test_second_run_changes_nothing_and_says_so():
    first, _ = run()
    assert first.startswith("Created demo data") and "buyer@demo.local" in first
    products = list(Product.objects.order_by("pk").values_list("pk", "updated_at"))
    orders = Order.objects.count()

    second, _ = run()

    assert "Demo data already present" in second and "nothing changed" in second
    assert "buyer@demo.local" in second and DEMO_PASSWORD in second
    assert list(Product.objects.order_by("pk").values_list("pk", "updated_at")) == products
    assert Order.objects.count() == orders


def test_json_output_is_one_document_and_progress_goes_to_stderr():
    out, err = run("--json")

    document = json.loads(out)
    assert document["created"] is True and isinstance(document["seconds"], float)
    assert document["counts"]["products"] == SIZE["products"]
    assert document["counts"]["clients"] == SIZE["clients"] + 2
    assert document["password"] == DEMO_PASSWORD
    assert [login["email"] for login in document["logins"][:5]] == list(FIXED_LOGINS)
    buyer = document["logins"][3]
    assert buyer["client"] and buyer["staff"] is False and buyer["role"] == "manager"
    assert document["logins"][0]["staff"] is True
    assert "Seeding demo data" in err

    again = json.loads(run("--json", "--if-empty")[0])
    assert again["created"] is False and "Skipped" in again["message"] and again["logins"]


def test_if_empty_skips_a_database_with_other_data_and_the_default_refuses():
    ProductFactory()

    out, _ = run("--if-empty")

    assert "Skipped" in out and not Client.objects.exists()
    with pytest.raises(CommandError, match="not the demo's"):
        run()


def test_counts_below_one_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--products", "0", stdout=StringIO(), stderr=StringIO())
