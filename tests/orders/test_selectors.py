"""Cart reads: the header counter is per user and zero for those without a cart."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from orders.selectors import cart_line_count
from orders.services import cart_add_line
from tests.factories import ClientUserFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db]


def test_cart_line_count_counts_lines_of_the_users_own_cart(shop, priced_product):
    buyer = shop["buyer"]
    colleague = ClientUserFactory(client=buyer.client)
    first, second = priced_product(), priced_product()
    cart_add_line(user=buyer, product_id=first.pk, quantity=Decimal("1"))
    cart_add_line(user=buyer, product_id=first.pk, quantity=Decimal("2"))
    cart_add_line(user=buyer, product_id=second.pk, quantity=Decimal("1"))
    cart_add_line(user=colleague, product_id=first.pk, quantity=Decimal("1"))
    assert cart_line_count(user=buyer) == 2
    assert cart_line_count(user=colleague) == 1


def test_cart_line_count_is_zero_for_guests_and_staff():
    assert cart_line_count(user=AnonymousUser()) == 0
    assert cart_line_count(user=StaffUserFactory()) == 0
