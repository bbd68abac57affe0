"""Reads of orders: scoped to the user's client and role."""

import pytest

from accounts.models import User
from orders.selectors import orders_for_user
from tests.factories import ClientUserFactory, OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


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
