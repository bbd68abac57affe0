"""The approvers' queue (approve and reject with htmx and without, 404 for what does not wait for the
user, 403 for other roles, query counts) and the approval rules page in the cabinet."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from orders.models import ApprovalRule
from orders.status import OrderStatus
from tests.factories import ClientFactory, ClientUserFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
QUEUE = reverse("orders:approvals")
RULES = reverse("orders:approval_rules")


@pytest.fixture
def company():
    client = ClientFactory()
    head = ClientUserFactory(client=client, role=User.Role.ADMINISTRATOR)
    buyer = ClientUserFactory(client=client, first_name="Анна", last_name="Сидорова")
    return client, head, buyer


def waiting(author, **kwargs):
    order = OrderFactory(client=author.client, created_by=author, status=OrderStatus.AWAITING_APPROVAL,
                         total_amount=Decimal("75000.00"), **kwargs)
    OrderLineFactory(order=order, is_backorder=True)
    return order


def test_the_queue_lists_orders_waiting_for_the_user_in_constant_queries(client, company, session_queries,
                                                                         django_assert_num_queries):
    _client, head, buyer = company
    first = waiting(buyer)
    waiting(head)  # his own: not his to approve
    OrderFactory(client=_client, created_by=buyer, status=OrderStatus.SUBMITTED)
    client.force_login(head)
    client.get(QUEUE)
    with django_assert_num_queries(5 + session_queries) as queries:
        html = client.get(QUEUE).content.decode()
    assert first.number in html and "Анна Сидорова" in html and html.count('class="card approval-card"') == 1
    assert reverse("orders:approve", args=[first.pk]) in html and reverse("orders:reject", args=[first.pk]) in html
    for _n in range(4):
        waiting(ClientUserFactory(client=_client))
    with django_assert_num_queries(len(queries)):
        html = client.get(QUEUE).content.decode()
    assert html.count('class="card approval-card"') == 5


def test_approve_with_htmx_swaps_the_card(client, company):
    _client, head, buyer = company
    order = waiting(buyer)
    client.force_login(head)
    response = client.post(reverse("orders:approve", args=[order.pk]), {"comment": "Да"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="approval-{order.pk}"' in html and order.number in html and "<html" not in html
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_reject_without_a_reason_is_refused_and_nothing_changes(client, company):
    _client, head, buyer = company
    order = waiting(buyer)
    client.force_login(head)
    response = client.post(reverse("orders:reject", args=[order.pk]), {"comment": " "}, headers=HTMX)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    response = client.post(reverse("orders:reject", args=[order.pk]), {"comment": "Дорого"})  # no htmx
    assert response.status_code == 302 and response.url == QUEUE
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_what_does_not_wait_for_the_user_is_a_404_and_other_roles_get_403(client, company):
    _client, head, buyer = company
    own = waiting(head)
    foreign = waiting(ClientUserFactory(role=User.Role.MANAGER))
    decided = OrderFactory(client=_client, created_by=buyer, status=OrderStatus.SUBMITTED)
    client.force_login(head)
    for order in (own, foreign, decided):
        for name in ("orders:approve", "orders:reject"):
            assert client.post(reverse(name, args=[order.pk]), {"comment": "x"}).status_code == 404
    client.force_login(buyer)
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("orders:approve", args=[waiting(buyer).pk])).status_code == 403
    assert client.get(RULES).status_code == 403


def test_the_header_shows_how_many_orders_wait(client, company):
    _client, head, buyer = company
    client.force_login(head)
    assert QUEUE not in client.get(reverse("orders:list")).content.decode()
    waiting(buyer)
    assert QUEUE in client.get(reverse("orders:list")).content.decode()


def test_the_administrator_adds_and_removes_rules_in_the_cabinet(client, company):
    _client, head, buyer = company
    deputy = ClientUserFactory(client=_client, role=User.Role.ADMINISTRATOR, first_name="Олег", last_name="Ким")
    client.force_login(head)
    html = client.get(RULES).content.decode()
    assert 'aria-current="page"' in html and "Олег Ким" in html
    assert RULES in client.get(reverse("cabinet:users")).content.decode()  # the cabinet's menu links it
    response = client.post(RULES, {"author_role": "manager", "amount_over": "50000", "approver": str(deputy.pk)})
    assert response.status_code == 302
    rule = ApprovalRule.objects.get()
    assert (rule.author_role, rule.amount_over, rule.approver, rule.with_backorder) == (
        "manager", Decimal("50000"), deputy, False)
    bad = client.post(RULES, {"amount_over": "-5", "approver": str(buyer.pk)})
    assert bad.status_code == 200 and ApprovalRule.objects.count() == 1
    assert "Олег Ким" in client.get(RULES).content.decode()
    other = ClientUserFactory(role=User.Role.ADMINISTRATOR)
    client.force_login(other)
    assert client.post(reverse("orders:approval_rule_delete", args=[rule.pk])).status_code == 404
    client.force_login(head)
    assert client.post(reverse("orders:approval_rule_delete", args=[rule.pk])).status_code == 302
    assert not ApprovalRule.objects.exists()
