"""Notifications of the order workflow: one for each event, to whom it concerns, in his language."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.events import email_wanted
from accounts.models import Notification, NotificationPreference, User
from orders.models import Order, OrderStatusChange
from orders.notifications import notify_escalation, notify_status_change
from orders.services import order_approve, order_reject, order_transition
from orders.status import OrderStatus
from tests.factories import ClientFactory, ClientUserFactory, OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
S = OrderStatus
USER = OrderStatusChange.Source.USER


@pytest.fixture
def people():
    manager = StaffUserFactory(language="en")
    client = ClientFactory(manager=manager)
    manager.managed_regions.add(client.region)  # supplier staff of the client's region move its orders
    head = ClientUserFactory(client=client, role=User.Role.ADMINISTRATOR, language="en")
    buyer = ClientUserFactory(client=client, language="ru")
    return client, manager, head, buyer


def order_in(status, author, **kwargs):
    return OrderFactory(client=author.client, created_by=author, status=status, number="2026-000042",
                        total_amount=Decimal("1234.50"), **kwargs)


def notices():
    return [(n.event, n.recipient_id) for n in Notification.objects.order_by("pk")]


def test_waiting_for_approval_tells_the_approvers_not_the_author(people):
    client, manager, head, buyer = people
    order = order_in(S.DRAFT, buyer)
    order_transition(order=order, to_status=S.AWAITING_APPROVAL, actor=buyer, source=USER)
    assert notices() == [("order_awaiting_approval", head.pk)]
    notice = Notification.objects.get()
    assert notice.title == "Order 2026-000042 awaits your approval" and "1,234.50" in notice.body
    assert notice.url == "/orders/approvals/"


def test_approval_tells_the_author_and_the_submission_the_personal_manager(people):
    client, manager, head, buyer = people
    order = order_in(S.AWAITING_APPROVAL, buyer)
    order_approve(user=head, order=order, comment="Хорошо")
    assert notices() == [("order_approved", buyer.pk), ("order_submitted", manager.pk)]
    approved = Notification.objects.get(event="order_approved")
    assert "2026-000042" in approved.title
    assert "Хорошо" in approved.body and approved.url == order.get_absolute_url()
    submitted = Notification.objects.get(event="order_submitted")
    assert submitted.title == f"Order 2026-000042 of {client.name} was submitted"
    assert submitted.url == f"/admin/orders/order/{order.pk}/change/"


def test_rejection_tells_the_author_with_the_reason_once(people):
    client, manager, head, buyer = people
    order = order_in(S.AWAITING_APPROVAL, buyer)
    order_reject(user=head, order=order, comment="Дорого")
    assert notices() == [("order_rejected", buyer.pk)]  # not again for the return to draft
    assert "Дорого" in Notification.objects.get().body


def test_a_status_change_by_someone_else_tells_the_author(people):
    client, manager, head, buyer = people
    order = order_in(S.SUBMITTED, buyer)
    order_transition(order=order, to_status=S.ACCEPTED, actor=None, source=OrderStatusChange.Source.ERP)
    order_transition(order=order, to_status=S.SHIPPED, actor=manager, source=USER, comment="Машина 12")
    assert notices() == [("order_status_changed", buyer.pk), ("order_status_changed", buyer.pk)]
    shipped = Notification.objects.order_by("pk").last()
    assert "2026-000042" in shipped.title and "Машина 12" in shipped.body


def test_the_authors_own_moves_are_not_notified_to_him(people):
    client, manager, head, buyer = people
    order = order_in(S.DRAFT, buyer)
    order_transition(order=order, to_status=S.CANCELLED, actor=buyer, source=USER)
    assert notices() == []


def test_a_directly_submitted_order_tells_only_the_personal_manager(people):
    client, manager, head, buyer = people
    order = order_in(S.DRAFT, head)
    order_transition(order=order, to_status=S.SUBMITTED, actor=head, source=USER)
    assert notices() == [("order_submitted", manager.pk)]


def test_the_status_change_notice_follows_the_e_mail_choice(people):
    client, manager, head, buyer = people
    assert not email_wanted(buyer, "order_status_changed")  # in the portal by default, e-mail on request
    assert email_wanted(buyer, "order_approved") and email_wanted(buyer, "order_rejected")


def test_escalation_tells_each_recipient_with_a_link_for_his_side(people):
    client, manager, head, buyer = people
    order = order_in(S.AWAITING_APPROVAL, buyer, status_changed_at=timezone.now())
    notify_escalation(order, 1, [head])
    notify_escalation(order, 2, [manager, None])
    first, second = Notification.objects.order_by("pk")
    assert (first.event, first.recipient, first.url) == ("order_escalated", head, "/orders/approvals/")
    assert first.title == "Order 2026-000042 is overdue: Awaiting approval"
    assert (second.recipient, second.url) == (manager, f"/admin/orders/order/{order.pk}/change/")
    assert second.title.startswith("Escalation:") and "level 2" in second.body


def test_notify_status_change_can_be_called_for_a_recorded_change(people):
    client, manager, head, buyer = people
    order = order_in(S.ASSEMBLING, buyer)
    change = OrderStatusChange.objects.create(order=order, from_status=S.ASSEMBLING, to_status=S.SHIPPED,
                                              source=OrderStatusChange.Source.SYSTEM)
    notify_status_change(order, change)
    assert notices() == [("order_status_changed", buyer.pk)]


def test_e_mails_leave_after_commit_per_the_recipients_choice(people, mailoutbox, django_capture_on_commit_callbacks):
    client, manager, head, buyer = people
    order = order_in(S.AWAITING_APPROVAL, buyer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_approve(user=head, order=order, comment="Хорошо")
    assert mailoutbox == [] and callbacks, "nothing is e-mailed before the commit"
    for callback in callbacks:
        callback()
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([buyer.email, manager.email])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=S.ACCEPTED, actor=manager, source=USER)
    assert Notification.objects.filter(event="order_status_changed", recipient=buyer).exists()
    assert mailoutbox == [], "status changes come by e-mail only when the author asks for it"
    NotificationPreference.objects.create(user=buyer, event="order_status_changed", by_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=S.SHIPPED, actor=manager, source=USER, comment="Машина 12")
    [mail] = mailoutbox
    assert mail.to == [buyer.email] and "2026-000042" in mail.subject


def test_nothing_is_told_when_the_move_rolls_back(people, mailoutbox, django_capture_on_commit_callbacks):
    client, manager, head, buyer = people
    order = order_in(S.DRAFT, buyer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        order_transition(order=order, to_status=S.AWAITING_APPROVAL, actor=buyer, source=USER)
        raise RuntimeError("the caller fails after the move")
    assert callbacks == [] and mailoutbox == [] and not Notification.objects.exists()
    assert Order.objects.get(pk=order.pk).status == S.DRAFT
