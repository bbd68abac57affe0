"""The role × action matrix: the role table, checked against `user_can` and the real views."""

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Client, User
from accounts.roles import ROLE_ACTIONS, Action, require_action, user_can
from tests.factories import ClientFactory, ClientUserFactory, OrderFactory

pytestmark = pytest.mark.django_db

A = Action
ADMIN, BUYER, ACCOUNTANT = User.Role.ADMINISTRATOR, User.Role.MANAGER, User.Role.ACCOUNTANT

#: The rule, restated: administrator everything; buyer catalog, prices, cart, orders (own);
#: accountant balance, documents, all orders, no cart or ordering.
EXPECTED = {
    A.VIEW_CATALOG: {ADMIN, BUYER, ACCOUNTANT},
    A.VIEW_PRICES: {ADMIN, BUYER, ACCOUNTANT},
    A.USE_CART: {ADMIN, BUYER},
    A.PLACE_ORDER: {ADMIN, BUYER},
    A.VIEW_OWN_ORDERS: {ADMIN, BUYER, ACCOUNTANT},
    A.VIEW_ALL_ORDERS: {ADMIN, ACCOUNTANT},
    A.APPROVE_ORDERS: {ADMIN},
    A.VIEW_BALANCE: {ADMIN, ACCOUNTANT},
    A.VIEW_DOCUMENTS: {ADMIN, ACCOUNTANT},
    A.MANAGE_USERS: {ADMIN},
    A.MANAGE_LEGAL_ENTITIES: {ADMIN},
    A.VIEW_COMPANY: {ADMIN, BUYER, ACCOUNTANT},
}


def _probe_colleague_order(client, user):
    order = OrderFactory(client=user.client, created_by=ClientUserFactory(client=user.client))
    return client.get(reverse("orders:detail", args=[order.pk]))


def _reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


#: Real views guarding an action: a GET whose answer is 200 when allowed and 403/404 otherwise.
#: Actions whose pages belong to later work (cart, checkout, balance, documents, approval of
#: orders) are probed once those URL names exist.
PROBES = {
    A.VIEW_COMPANY: lambda c, u: c.get("/cabinet/"),
    A.MANAGE_USERS: lambda c, u: c.get("/cabinet/users/"),
    A.MANAGE_LEGAL_ENTITIES: lambda c, u: c.get("/cabinet/legal-entities/add/"),
    A.VIEW_OWN_ORDERS: lambda c, u: c.get("/orders/"),
    A.VIEW_ALL_ORDERS: _probe_colleague_order,
}


def test_expected_table_covers_every_action():
    assert set(EXPECTED) == set(Action)
    assert set(ROLE_ACTIONS) == set(User.Role.values)


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("role", User.Role.values)
def test_role_action_matrix(client, role, action):
    user = ClientUserFactory(role=role)
    allowed = role in EXPECTED[action]
    assert user_can(user, action) is allowed
    if not allowed:
        with pytest.raises(Exception, match="may not"):
            require_action(user, action)
    probe = PROBES.get(action)
    if probe is None:
        return
    client.force_login(user)
    response = probe(client, user)
    assert (response.status_code == 200) is allowed, response.status_code
    if not allowed:
        assert response.status_code in {403, 404}


def test_buyers_see_colleagues_orders_when_the_client_allows(client):
    company = ClientFactory(buyers_see_all_orders=True)
    buyer = ClientUserFactory(client=company, role=BUYER)
    assert user_can(buyer, A.VIEW_ALL_ORDERS)
    client.force_login(buyer)
    assert _probe_colleague_order(client, buyer).status_code == 200


def test_buyer_order_list_shows_own_only(client):
    buyer = ClientUserFactory(role=BUYER)
    own = OrderFactory(client=buyer.client, created_by=buyer)
    colleague = OrderFactory(client=buyer.client)
    client.force_login(buyer)
    html = client.get("/orders/").content.decode()
    assert own.number in html and colleague.number not in html


@pytest.mark.parametrize("status", [Client.Status.PENDING, Client.Status.REJECTED, Client.Status.BLOCKED])
def test_inactive_client_may_do_nothing(client, status):
    user = ClientUserFactory(role=ADMIN, client=ClientFactory(status=status))
    assert not any(user_can(user, action) for action in Action)
    client.force_login(user)
    assert client.get("/cabinet/").status_code == 403


def test_staff_and_anonymous_get_nothing(client):
    from tests.factories import StaffUserFactory

    staff = StaffUserFactory()
    assert not any(user_can(staff, action) for action in Action)
    assert client.get("/cabinet/").status_code == 302  # to the login page
    assert _reverse_or_none("cabinet:profile") == "/cabinet/"
