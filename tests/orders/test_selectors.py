"""Reads of orders: scoped to the user's client and role; the cart's header counter."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from orders.selectors import cart_line_count, orders_for_user
from orders.services import cart_add_line
from tests.factories import ClientUserFactory, OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


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


def test_orders_for_user_by_role_and_client():
    buyer = ClientUserFactory(role=User.Role.MANAGER)
    company = buyer.client
    colleague = ClientUserFactory(client=company, role=User.Role.MANAGER)
    accountant = ClientUserFactory(client=company, role=User.Role.ACCOUNTANT)
    own, theirs = OrderFactory(client=company, created_by=buyer), OrderFactory(client=company, created_by=colleague)
    OrderFactory()  # another client's
    assert set(orders_for_user(user=buyer)) == {own}
    assert set(orders_for_user(user=accountant)) == {own, theirs}
    company.buyers_see_all_orders = True
    company.save()
    assert set(orders_for_user(user=User.objects.get(pk=buyer.pk))) == {own, theirs}
    assert not orders_for_user(user=StaffUserFactory()).exists()
