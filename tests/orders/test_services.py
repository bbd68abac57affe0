"""Cart writes: cart_add_line's rules (multiplicity, price on request, role, assortment)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from catalog.models import ProductUnit
from orders.services import cart_add_line
from tests.factories import ClientUserFactory, ProductFactory, UnitFactory

pytestmark = [pytest.mark.django_db]


def test_cart_add_line_rules(shop, priced_product):
    buyer = shop["buyer"]
    product = priced_product(multiplicity=Decimal("5"))
    line = cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("10"))
    cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("5"))
    line.refresh_from_db()
    assert line.quantity == Decimal("15")
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("3"))
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("0"))
    unpriced = ProductFactory()
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=unpriced.pk, quantity=Decimal("1"))
    accountant = ClientUserFactory(client=buyer.client, role=User.Role.ACCOUNTANT)
    with pytest.raises(PermissionDenied):
        cart_add_line(user=accountant, product_id=product.pk, quantity=Decimal("5"))
    shop["region"].assortment_restricted = True
    shop["region"].save()
    buyer.client.region.refresh_from_db()
    with pytest.raises(Http404):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("5"))


def test_cart_add_line_converts_an_alternative_unit(shop, priced_product):
    product = priced_product()
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("2"), unit_id=pack.pk)
    assert line.quantity == Decimal("20") and line.unit_id == pack.pk
    with pytest.raises(ValidationError):
        cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("1"), unit_id=pack.pk + 1000)
