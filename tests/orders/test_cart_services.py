"""Writes of the cart: terms, line edits (quantity, unit, multiplicity), removal, clearing, accepting
changes; every change bumps the revision under the cart lock. Reads: lines priced under the cart's
contract, the page's rows and totals (units, VAT, weight, volume, change and backorder flags)."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from catalog.models import Price, ProductUnit, Stock
from orders.cart_summary import line_vat
from orders.models import Cart, CartLine
from orders.selectors import cart_lines, cart_page
from orders.services import (
    CartLineInput,
    CartLineRefused,
    cart_accept_changes,
    cart_add_line,
    cart_add_lines,
    cart_clear,
    cart_remove_line,
    cart_set_terms,
    cart_update_line,
)
from tests.catalog.factories import ClientPriceFactory
from tests.factories import (
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
    rub,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_with_contract():
    base = PriceTypeFactory()
    buyer = ClientUserFactory(client__region=RegionFactory(base_price_type=base))
    entity = LegalEntityFactory(client=buyer.client)
    contract = ContractFactory(legal_entity=entity, currency=rub(), price_type=PriceTypeFactory())
    return buyer, entity, contract, base


@pytest.fixture
def pack():
    return UnitFactory(code="778", name="Упаковка", short_name="упак")


def _revision(user) -> int:
    return Cart.objects.get(user=user).revision


# Pricing under the cart's legal entity and contract


def test_cart_adds_a_product_priced_only_under_the_carts_contract(buyer_with_contract):
    buyer, entity, contract, _base = buyer_with_contract
    product = ProductFactory()
    ClientPriceFactory(client=buyer.client, product=product, contract=contract, amount=Decimal("42.00"))
    with pytest.raises(ValidationError):  # no contract chosen: the price is on request
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("1"))
    cart_set_terms(user=buyer, legal_entity_id=entity.pk, contract_id=contract.pk)
    line = cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("2"))
    assert line.quantity == Decimal("2")


def test_cart_lines_are_priced_under_the_carts_contract(buyer_with_contract, django_assert_max_num_queries):
    buyer, entity, contract, base = buyer_with_contract
    products = ProductFactory.create_batch(3)
    for product in products:
        PriceFactory(product=product, price_type=base, amount=Decimal("100.00"))
        PriceFactory(product=product, price_type=contract.price_type, amount=Decimal("80.00"))
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("3"))
    assert {line.amount for line in cart_lines(user=buyer)} == {Decimal("300.00")}
    Cart.objects.filter(user=buyer).update(legal_entity=entity, contract=contract)
    with django_assert_max_num_queries(5):
        lines = cart_lines(user=buyer)
    assert [line.amount for line in lines] == [Decimal("240.00")] * 3
    assert all(line.info.can_buy for line in lines)


# Terms


def test_set_terms_takes_only_the_clients_confirmed_entity_and_its_contracts_in_force(buyer_with_contract):
    buyer, entity, contract, _base = buyer_with_contract
    cart = cart_set_terms(user=buyer, legal_entity_id=entity.pk, contract_id=contract.pk)
    assert (cart.legal_entity_id, cart.contract_id, cart.revision) == (entity.pk, contract.pk, 1)
    other = ContractFactory()  # another client's legal entity and contract
    with pytest.raises(Http404):
        cart_set_terms(user=buyer, legal_entity_id=other.legal_entity_id, contract_id=None)
    with pytest.raises(Http404):  # a contract of another legal entity, even with one's own entity
        cart_set_terms(user=buyer, legal_entity_id=entity.pk, contract_id=other.pk)
    unconfirmed = LegalEntityFactory(client=buyer.client, is_confirmed=False)
    with pytest.raises(ValidationError):
        cart_set_terms(user=buyer, legal_entity_id=unconfirmed.pk, contract_id=None)
    expired = ContractFactory(legal_entity=entity, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    closed = ContractFactory(legal_entity=entity, is_active=False)
    for refused in (expired, closed):
        with pytest.raises(ValidationError):
            cart_set_terms(user=buyer, legal_entity_id=entity.pk, contract_id=refused.pk)
    cart = Cart.objects.get(user=buyer)
    assert (cart.legal_entity_id, cart.contract_id, cart.revision) == (entity.pk, contract.pk, 1)
    cart = cart_set_terms(user=buyer, legal_entity_id=None, contract_id=None)
    assert (cart.legal_entity_id, cart.contract_id, cart.revision) == (None, None, 2)


def test_new_terms_take_the_prices_under_them_as_seen(buyer_with_contract):
    buyer, entity, contract, base = buyer_with_contract
    product = ProductFactory()
    PriceFactory(product=product, price_type=base, amount=Decimal("100.00"))
    PriceFactory(product=product, price_type=contract.price_type, amount=Decimal("80.00"))
    line = cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("1"))
    cart_set_terms(user=buyer, legal_entity_id=entity.pk, contract_id=contract.pk)
    line.refresh_from_db()
    assert line.seen_price == Decimal("80.00")
    row = cart_page(user=buyer).rows[0]
    assert row.price == Decimal("80.00") and not row.changed


def test_accountant_has_no_cart_to_change(shop, priced_product):
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    line = cart_add_line(user=shop["buyer"], product_id=priced_product().pk, quantity=Decimal("1"))
    for call in (lambda: cart_update_line(user=accountant, line_id=line.pk, quantity=Decimal("2")),
                 lambda: cart_remove_line(user=accountant, line_id=line.pk),
                 lambda: cart_clear(user=accountant),
                 lambda: cart_accept_changes(user=accountant),
                 lambda: cart_set_terms(user=accountant, legal_entity_id=None)):
        with pytest.raises(PermissionDenied):
            call()


# Line edits


def test_update_sets_quantity_in_the_chosen_unit_and_bumps_the_revision(shop, priced_product, pack):
    product = priced_product(multiplicity=Decimal("6"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("6"))
    before = _revision(shop["buyer"])
    cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=Decimal("3"), unit_id=pack.pk)
    line.refresh_from_db()
    assert (line.quantity, line.unit_id) == (Decimal("36"), pack.pk)
    assert _revision(shop["buyer"]) == before + 1
    cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=Decimal("18"), unit_id=product.base_unit_id)
    line.refresh_from_db()
    assert (line.quantity, line.unit_id) == (Decimal("18"), None)


def test_a_change_of_unit_alone_keeps_the_quantity(shop, priced_product, pack):
    product = priced_product(multiplicity=Decimal("6"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("18"))
    cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=None, unit_id=pack.pk)
    line.refresh_from_db()
    assert (line.quantity, line.unit_id) == (Decimal("18"), pack.pk)
    assert cart_page(user=shop["buyer"]).rows[0].quantity == Decimal("1.5")  # 18 шт shown as 1.5 упак
    with pytest.raises(CartLineRefused) as refused:
        cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=None, unit_id=pack.pk + 1000)
    assert refused.value.refusal.code == "unit"


def test_update_never_rounds_a_quantity_it_offers_the_nearest_ones(shop, priced_product, pack):
    product = priced_product(multiplicity=Decimal("24"))
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("12"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("48"))
    before = _revision(shop["buyer"])
    with pytest.raises(CartLineRefused) as refused:
        cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=Decimal("50"), unit_id=None)
    refusal = refused.value.refusal
    assert refusal.code == "multiplicity"
    assert [(choice.quantity, label) for choice, label, _unit in refusal.offers()] == [
        (Decimal(48), "48 шт"), (Decimal(72), "72 шт")]
    assert "48 шт или 72 шт" in refusal.message
    with pytest.raises(CartLineRefused) as refused:  # 5 packs = 60: offered in packs, 4 or 6
        cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=Decimal("5"), unit_id=pack.pk)
    assert [(choice.quantity, label, unit) for choice, label, unit in refused.value.refusal.offers()] == [
        (Decimal(4), "4 упак", pack.pk), (Decimal(6), "6 упак", pack.pk)]
    for bad in (Decimal("0"), Decimal("-24"), Decimal(24 * 10**11)):  # the last one does not fit the column
        with pytest.raises(CartLineRefused) as refused:
            cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=bad, unit_id=None)
        assert refused.value.refusal.code == "quantity"
    line.refresh_from_db()
    assert (line.quantity, line.unit_id) == (Decimal("48"), None)
    assert _revision(shop["buyer"]) == before


def test_foreign_lines_are_not_found(shop, priced_product):
    product = priced_product()
    mine = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("1"))
    colleague = ClientUserFactory(client=shop["buyer"].client)
    theirs = cart_add_line(user=colleague, product_id=product.pk, quantity=Decimal("2"))
    for call in (lambda: cart_update_line(user=shop["buyer"], line_id=theirs.pk, quantity=Decimal("5")),
                 lambda: cart_remove_line(user=shop["buyer"], line_id=theirs.pk),
                 lambda: cart_update_line(user=shop["buyer"], line_id=10**9, quantity=Decimal("5"))):
        with pytest.raises(Http404):
            call()
    theirs.refresh_from_db()
    assert theirs.quantity == Decimal("2")
    assert cart_accept_changes(user=shop["buyer"], line_ids=[theirs.pk]) == 0
    assert CartLine.objects.filter(pk=mine.pk).exists()


def test_a_line_outside_the_assortment_now_cannot_be_changed_only_removed(shop, priced_product):
    product = priced_product()
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("1"))
    shop["region"].assortment_restricted = True
    shop["region"].save()
    shop["buyer"].client.region.refresh_from_db()
    with pytest.raises(CartLineRefused) as refused:
        cart_update_line(user=shop["buyer"], line_id=line.pk, quantity=Decimal("2"))
    assert refused.value.refusal.code == "not_found"
    cart_remove_line(user=shop["buyer"], line_id=line.pk)
    assert not CartLine.objects.exists()


def test_remove_and_clear_bump_the_revision(shop, priced_product):
    buyer = shop["buyer"]
    assert cart_clear(user=buyer) == 0  # no cart yet: nothing to do
    lines = [cart_add_line(user=buyer, product_id=priced_product().pk, quantity=Decimal("1")) for _ in range(3)]
    before = _revision(buyer)
    cart_remove_line(user=buyer, line_id=lines[0].pk)
    assert _revision(buyer) == before + 1
    with pytest.raises(Http404):  # gone already
        cart_remove_line(user=buyer, line_id=lines[0].pk)
    assert cart_clear(user=buyer) == 2
    assert _revision(buyer) == before + 2
    assert cart_clear(user=buyer) == 0
    assert _revision(buyer) == before + 2


# Changes since a line was added


def test_changed_price_and_availability_are_flagged_until_accepted(shop, priced_product):
    buyer = shop["buyer"]
    product = priced_product(multiplicity=Decimal("1"))
    line = cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("4"))
    assert (line.seen_price, line.seen_stock_status) == (Decimal("12.50"), "in_stock")
    assert not cart_page(user=buyer).rows[0].changed
    Price.objects.filter(product=product).update(amount=Decimal("13.00"))
    Stock.objects.filter(product=product).update(quantity=Decimal("2"))
    row = cart_page(user=buyer).rows[0]
    assert row.changed and row.seen_price == Decimal("12.50") and row.price == Decimal("13.00")
    assert row.seen_stock_label == "В наличии"
    assert cart_page(user=buyer).totals.changed == 1
    cart_update_line(user=buyer, line_id=line.pk, quantity=Decimal("5"))  # a quantity change accepts nothing
    assert cart_page(user=buyer).rows[0].changed
    before = _revision(buyer)
    assert cart_accept_changes(user=buyer, line_ids=[line.pk]) == 1
    line.refresh_from_db()
    assert (line.seen_price, line.seen_stock_status) == (Decimal("13.00"), "low")
    assert not cart_page(user=buyer).rows[0].changed
    assert _revision(buyer) == before + 1


# The page's rows and totals


def test_rows_show_the_buyers_unit_vat_weight_volume_and_totals(shop, pack):
    buyer = shop["buyer"]
    included, excluded = ProductFactory(multiplicity=Decimal("12"), weight=Decimal("0.250"),
                                        volume=Decimal("0.001"), vat_rate=Decimal("22")), ProductFactory()
    ProductUnit.objects.create(product=included, unit=pack, coefficient=Decimal("12"))
    PriceFactory(product=included, price_type=shop["base"], amount=Decimal("10.00"))
    StockFactory(product=included, warehouse=shop["warehouse"], quantity=Decimal("1000"))
    PriceFactory(product=excluded, price_type=shop["base"], amount=Decimal("100.00"))
    cart_add_line(user=buyer, product_id=included.pk, quantity=Decimal("2"), unit_id=pack.pk)
    cart_add_line(user=buyer, product_id=excluded.pk, quantity=Decimal("1"))
    first, second = cart_page(user=buyer).rows
    assert (first.unit.label, first.quantity, first.price, first.amount) == (
        "упак (12 шт)", Decimal(2), Decimal("120.00"), Decimal("240.00"))
    assert [option.label for option in first.units] == ["шт", "упак (12 шт)"]
    assert first.vat == Decimal("43.28")  # 240 × 22 / 122, included
    assert (first.weight, first.volume) == (Decimal("6.000"), Decimal("0.024"))
    assert second.weight is None and second.backorder  # no stock in the region: on order
    totals = cart_page(user=buyer).totals
    assert (totals.amount, totals.vat, totals.vat_on_top, totals.to_pay) == (
        Decimal("340.00"), Decimal("43.28") + Decimal("18.03"), 0, Decimal("340.00"))
    assert (totals.weight, totals.weight_unknown, totals.volume_unknown, totals.backorder) == (
        Decimal("6.000"), 1, 1, 1)
    shop["base"].vat_included = False
    shop["base"].save()
    totals = cart_page(user=buyer).totals
    assert totals.vat_on_top == totals.vat == Decimal("52.80") + Decimal("22.00")
    assert totals.to_pay == Decimal("340.00") + Decimal("74.80")


def test_line_vat_is_included_or_on_top():
    assert line_vat(Decimal("122.00"), Decimal("22"), True) == Decimal("22.00")
    assert line_vat(Decimal("100.00"), Decimal("22"), False) == Decimal("22.00")
    assert line_vat(Decimal("10.00"), Decimal("0"), True) == Decimal("0.00")


def test_out_of_stock_lines_are_on_order_with_the_expected_date(shop, priced_product):
    buyer = shop["buyer"]
    product = priced_product()
    expected = timezone.localdate() + datetime.timedelta(days=7)
    Stock.objects.filter(product=product).update(quantity=0, expected_on=expected)
    cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("3"))
    row = cart_page(user=buyer).rows[0]
    assert row.backorder and row.info.stock.expected_on == expected and row.info.stock.status == "on_order"


# Many lines at once, and concurrency


def test_add_lines_refuses_per_line_with_the_multiplicity_choices(shop, priced_product, pack):
    good, strict = priced_product(), priced_product(multiplicity=Decimal("24"))
    result = cart_add_lines(user=shop["buyer"], lines=[
        CartLineInput(good.pk, Decimal("3")), CartLineInput(strict.pk, Decimal("50"))])
    assert [line.product_id for line in result.added] == [good.pk]
    (refusal,) = result.refused
    assert refusal.code == "multiplicity" and refusal.choice_labels == ("48 шт", "72 шт")


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_cart_wait_for_the_lock(shop, priced_product):
    """A line edit holds the cart row until it commits: a concurrent clear waits, then removes the
    edited line; both changes count in the revision."""
    buyer = shop["buyer"]
    line = cart_add_line(user=buyer, product_id=priced_product().pk, quantity=Decimal("1"))
    before = _revision(buyer)
    edited, clear_started = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def edit():
        try:
            with transaction.atomic():
                cart_update_line(user=buyer, line_id=line.pk, quantity=Decimal("7"))
                edited.set()
                clear_started.wait(5)
                time.sleep(0.5)  # the clear is now waiting for the cart row
                outcomes["edit_done"] = time.monotonic()
        finally:
            connection.close()

    def clear():
        edited.wait(5)
        clear_started.set()
        try:
            outcomes["cleared"] = cart_clear(user=buyer)
            outcomes["clear_done"] = time.monotonic()
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=clear)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes["cleared"] == 1
    assert outcomes["clear_done"] > outcomes["edit_done"]
    assert _revision(buyer) == before + 2
