"""The cart asks the purchase strategy under its chosen legal entity and contract."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders.models import Cart
from orders.selectors import cart_lines
from orders.services import cart_add_line
from tests.catalog.factories import ClientPriceFactory
from tests.factories import (
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
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


def test_cart_adds_a_product_priced_only_under_the_carts_contract(buyer_with_contract):
    buyer, entity, contract, _base = buyer_with_contract
    product = ProductFactory()
    ClientPriceFactory(client=buyer.client, product=product, contract=contract, amount=Decimal("42.00"))
    with pytest.raises(ValidationError):  # no contract chosen: the price is on request
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("1"))
    Cart.objects.update_or_create(user=buyer, defaults={"client": buyer.client, "legal_entity": entity,
                                                        "contract": contract})
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
