"""Approval rules (by role, amount, goods on order; named approver), the self-approval rule,
approving and rejecting."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from orders.approval import order_approval, order_approvers, order_needs_approval
from orders.models import ApprovalRule, OrderStatusChange
from orders.selectors import orders_awaiting_approval
from orders.services import (
    ApprovalDecided,
    approval_rule_create,
    approval_rule_delete,
    order_approve,
    order_place_from_cart,
    order_reject,
    order_submit,
)
from orders.status import OrderStatus
from tests.factories import ClientFactory, ClientUserFactory, OrderFactory, OrderLineFactory

from .checkout_data import make_checkout_data, shown, terms_for

pytestmark = pytest.mark.django_db
R = User.Role


@pytest.fixture
def company():
    client = ClientFactory()
    head = ClientUserFactory(client=client, role=R.ADMINISTRATOR)
    deputy = ClientUserFactory(client=client, role=R.ADMINISTRATOR)
    buyer = ClientUserFactory(client=client, role=R.MANAGER)
    accountant = ClientUserFactory(client=client, role=R.ACCOUNTANT)
    return client, head, deputy, buyer, accountant


def order_of(author, amount="1000.00", backorder=False):
    order = OrderFactory(client=author.client, created_by=author, status=OrderStatus.DRAFT,
                         total_amount=Decimal(amount))
    OrderLineFactory(order=order, is_backorder=backorder)
    return order


def rule(client, **kwargs):
    return ApprovalRule.objects.create(client=client, **kwargs)


def test_without_rules_the_default_holds_buyers_orders_only(company):
    client, head, deputy, buyer, accountant = company
    assert order_needs_approval(order_of(buyer), buyer)
    assert not order_needs_approval(order_of(accountant), accountant)
    assert not order_needs_approval(order_of(head), head)


def test_a_rule_by_role(company):
    client, head, deputy, buyer, accountant = company
    rule(client, author_role=R.ACCOUNTANT)
    assert order_needs_approval(order_of(accountant), accountant)
    assert not order_needs_approval(order_of(buyer), buyer)  # the rules replace the default


def test_a_rule_by_amount_holds_orders_over_it(company):
    client, head, deputy, buyer, accountant = company
    rule(client, amount_over=Decimal("50000"))
    assert not order_needs_approval(order_of(buyer, "50000.00"), buyer)
    assert order_needs_approval(order_of(buyer, "50000.01"), buyer)
    assert order_needs_approval(order_of(accountant, "70000"), accountant)  # any role


def test_a_rule_by_backorder(company):
    client, head, deputy, buyer, accountant = company
    rule(client, with_backorder=True)
    assert order_needs_approval(order_of(buyer, backorder=True), buyer)
    assert not order_needs_approval(order_of(buyer, backorder=False), buyer)


def test_all_conditions_of_a_rule_must_hold_and_any_rule_may_match(company):
    client, head, deputy, buyer, accountant = company
    rule(client, author_role=R.MANAGER, amount_over=Decimal("10000"))
    rule(client, with_backorder=True)
    assert not order_needs_approval(order_of(buyer, "9000"), buyer)
    assert order_needs_approval(order_of(buyer, "11000"), buyer)
    assert not order_needs_approval(order_of(accountant, "11000"), accountant)
    assert order_needs_approval(order_of(accountant, "100", backorder=True), accountant)


def test_a_named_approver_approves_alone(company):
    client, head, deputy, buyer, accountant = company
    rule(client, amount_over=Decimal("0"), approver=deputy)
    decision = order_approval(order_of(buyer), buyer)
    assert decision.held and decision.approver == deputy


def test_nobody_approves_his_own_order(company):
    client, head, deputy, buyer, accountant = company
    rule(client, approver=deputy)  # every order
    decision = order_approval(order_of(deputy), deputy)
    assert decision.held and decision.approver is None  # the other administrator approves it
    order = order_of(deputy)
    order.status = OrderStatus.AWAITING_APPROVAL
    order.save()
    assert list(order_approvers(order)) == [head]


def test_the_only_administrators_own_order_is_not_held():
    client = ClientFactory()
    head = ClientUserFactory(client=client, role=R.ADMINISTRATOR)
    ClientUserFactory(client=client, role=R.ADMINISTRATOR, is_active=False)
    rule(client, approver=head)
    assert not order_needs_approval(order_of(head), head)
    buyer = ClientUserFactory(client=client)
    assert order_needs_approval(order_of(buyer), buyer)


def test_a_named_approver_who_left_is_replaced_by_any_administrator(company):
    client, head, deputy, buyer, accountant = company
    rule(client, approver=deputy)
    deputy.is_active = False
    deputy.save()
    decision = order_approval(order_of(buyer), buyer)
    assert decision.held and decision.approver is None


# Services


def place_held(data, head, **rule_kwargs):
    """The buyer of `data` places his cart; the client's rule holds it for `head`."""
    if rule_kwargs:
        rule(data.client, **rule_kwargs)
    revision, digest = shown(data.buyer)
    return order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest).order


@pytest.fixture
def data():
    return make_checkout_data()


def test_an_order_over_the_limit_waits_for_the_named_approver_and_goes_to_the_supplier_once_approved(data):
    head = ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    deputy = ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, head, amount_over=Decimal("50"), approver=deputy)  # 6 × 12.50 = 75
    assert order.status == OrderStatus.AWAITING_APPROVAL and order.approver == deputy
    assert list(orders_awaiting_approval(user=head)) == []
    assert list(orders_awaiting_approval(user=deputy)) == [order]
    with pytest.raises(PermissionDenied):
        order_approve(user=head, order=order)

    order_approve(user=deputy, order=order, comment="  Согласовано  ")

    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and order.submitted_at is not None
    rows = [(c.from_status, c.to_status, c.changed_by, c.comment) for c in order.status_changes.all()]
    assert rows[1:3] == [("awaiting_approval", "approved", deputy, "Согласовано"),
                         ("approved", "submitted", deputy, rows[2][3])]
    with pytest.raises(ApprovalDecided):
        order_approve(user=deputy, order=order)


def test_a_rule_under_the_amount_lets_the_order_through(data):
    ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, None, amount_over=Decimal("100"))
    assert order.status == OrderStatus.SUBMITTED


def test_the_author_cannot_approve_his_order_nor_a_buyer(data):
    head = ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, head)
    with pytest.raises(PermissionDenied):
        order_approve(user=data.buyer, order=order)  # a buyer has no right to approve
    other = ClientUserFactory(role=R.ADMINISTRATOR)  # another client's administrator
    with pytest.raises(PermissionDenied):
        order_approve(user=other, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL


def test_a_rejected_order_goes_back_to_its_author_as_a_draft_and_can_be_submitted_again(data):
    head = ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, head)
    with pytest.raises(ValidationError) as error:
        order_reject(user=head, order=order, comment="   ")
    assert "comment" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL

    order_reject(user=head, order=order, comment="Слишком много, уменьшите")

    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    rows = [(c.from_status, c.to_status, c.comment) for c in order.status_changes.all()][1:]
    assert rows[0] == ("awaiting_approval", "rejected", "Слишком много, уменьшите")
    assert rows[1][:2] == ("rejected", "draft")
    assert order_submit(user=data.buyer, order=order).order.status == OrderStatus.AWAITING_APPROVAL


def test_rules_are_set_by_the_administrator_only(company):
    client, head, deputy, buyer, accountant = company
    made = approval_rule_create(user=head, author_role=R.MANAGER, amount_over=Decimal("1000"), approver=deputy)
    assert (made.client, made.created_by) == (client, head)
    with pytest.raises(PermissionDenied):
        approval_rule_create(user=buyer, amount_over=Decimal("1"))
    with pytest.raises(ValidationError) as error:
        approval_rule_create(user=head, author_role="boss", amount_over=Decimal("-1"), approver=buyer)
    assert set(error.value.message_dict) == {"author_role", "amount_over", "approver"}
    with pytest.raises(ValidationError):
        approval_rule_create(user=head, approver=ClientUserFactory(role=R.ADMINISTRATOR))  # another client's
    approval_rule_delete(user=head, rule=made)
    assert not ApprovalRule.objects.exists()
    assert OrderStatusChange.objects.count() == 0


def test_the_only_administrators_order_over_the_limit_goes_straight_to_the_supplier(data):
    User.objects.filter(pk=data.buyer.pk).update(role=R.ADMINISTRATOR)
    data.buyer.refresh_from_db()
    order = place_held(data, None, amount_over=Decimal("50"))  # 75 > 50, but nobody else could approve it
    assert order.status == OrderStatus.SUBMITTED
    assert [(c.from_status, c.to_status) for c in order.status_changes.all()] == [("draft", "submitted")]


def test_goods_on_order_hold_the_order_at_checkout():
    data = make_checkout_data(stock=Decimal("0"))
    head = ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, head, with_backorder=True)
    assert order.status == OrderStatus.AWAITING_APPROVAL and order.lines.filter(is_backorder=True).exists()
    assert list(orders_awaiting_approval(user=head)) == [order]


def test_an_accountants_rule_does_not_hold_a_buyers_order_at_checkout(data):
    ClientUserFactory(client=data.client, role=R.ADMINISTRATOR)
    order = place_held(data, None, author_role=R.ACCOUNTANT)
    assert order.status == OrderStatus.SUBMITTED
