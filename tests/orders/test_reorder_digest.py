"""The weekly reorder digest: opt-in on the notifications page, once a week, the e-mail after commit and
its Russian text, batches in constant queries, the beat task and the management command."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client, Notification, NotificationPreference, User
from orders.models import ReorderDigest
from orders.notifications import REORDER_DIGEST_EVENT
from orders.services import cart_add_line, reorder_digest_send
from orders.services.reorder import digest_week
from sync.tasks import reorder_digest
from tests.factories import ClientUserFactory, OrderFactory, OrderLineFactory

pytestmark = [pytest.mark.django_db]


def buy(client, product, *ago: int, quantity=Decimal("24")):
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago in ago:
        order = OrderFactory(client=client, created_at=noon - datetime.timedelta(days=days_ago))
        OrderLineFactory(order=order, product=product, quantity=quantity)


def opt_in(user, on=True):
    NotificationPreference.objects.update_or_create(user=user, event=REORDER_DIGEST_EVENT, defaults={"by_email": on})


@pytest.fixture
def due_product(shop, priced_product):
    product = priced_product(name="Перчатки нитриловые")
    buy(shop["buyer"].client, product, 42, 28, 14)
    return product


def test_the_opt_in_is_a_choice_on_the_notifications_page_off_by_default(client, shop):
    buyer = shop["buyer"]
    client.force_login(buyer)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Еженедельная сводка: товары, которые пора заказать снова" in html
    assert f'value="{REORDER_DIGEST_EVENT}">' in html  # not checked
    client.post(reverse("notifications:preferences"), {"email": [REORDER_DIGEST_EVENT]})
    assert NotificationPreference.objects.get(user=buyer, event=REORDER_DIGEST_EVENT).by_email
    html = client.get(reverse("notifications:list")).content.decode()
    assert f'value="{REORDER_DIGEST_EVENT}" checked>' in html


def test_only_users_who_opted_in_get_it(shop, due_product, django_capture_on_commit_callbacks, mailoutbox):
    buyer = shop["buyer"]
    silent = ClientUserFactory(client=buyer.client)
    opted_out = ClientUserFactory(client=buyer.client)
    opt_in(buyer)
    opt_in(opted_out, on=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest_send() == 1
    assert [message.to for message in mailoutbox] == [[buyer.email]]
    assert list(Notification.objects.values_list("recipient_id", "event")) == [(buyer.pk, REORDER_DIGEST_EVENT)]
    assert not Notification.objects.filter(recipient__in=[silent, opted_out]).exists()


def test_the_email_in_russian(shop, due_product, django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.ru"
    buyer = shop["buyer"]
    opt_in(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        reorder_digest_send()
    (message,) = mailoutbox
    today = timezone.localdate()
    last = (today - datetime.timedelta(days=14)).strftime("%d.%m.%Y")
    assert message.subject == "Пора заказать снова: 1 товар — Оптовый портал"
    assert "По истории закупок вашей компании пора снова заказать эти товары:" in message.body
    assert (f"• Перчатки нитриловые (арт. {due_product.sku}): покупаете примерно раз в 14 дней, "
            f"последний раз {last} (24 шт), следующий — {today.strftime('%d.%m.%Y')}.") in message.body
    assert "Ваши цены на сегодня и кнопки «В корзину» — на странице корзины." in message.body
    assert "https://portal.example.ru/cart/" in message.body
    html = message.alternatives[0][0]
    assert "Перчатки нитриловые" in html and 'href="https://portal.example.ru/cart/"' in html
    notification = Notification.objects.get(recipient=buyer)
    assert notification.url == "/cart/" and notification.emailed_at is not None


def test_english_for_a_user_who_reads_english(shop, due_product, django_capture_on_commit_callbacks, mailoutbox):
    buyer = shop["buyer"]
    buyer.language = "en"
    buyer.save(update_fields=["language"])
    opt_in(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        reorder_digest_send()
    assert mailoutbox[0].subject.startswith("Time to reorder: 1 product")
    assert "bought about every 14 days" in mailoutbox[0].body


def test_once_a_week(shop, due_product, django_capture_on_commit_callbacks, mailoutbox):
    buyer = shop["buyer"]
    opt_in(buyer)
    monday = timezone.make_aware(datetime.datetime.combine(digest_week(timezone.localdate()), datetime.time(7)))
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest_send(now=monday) == 1
        assert reorder_digest_send(now=monday + datetime.timedelta(days=3)) == 0  # same week, by hand
    assert len(mailoutbox) == 1
    record = ReorderDigest.objects.get(user=buyer)
    assert (record.week, record.products) == (monday.date(), 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest_send(now=monday + datetime.timedelta(days=7)) == 1  # the next week
    assert len(mailoutbox) == 2


def test_nothing_due_nothing_sent(shop, due_product, priced_product, django_capture_on_commit_callbacks, mailoutbox):
    buyer = shop["buyer"]
    opt_in(buyer)
    cart_add_line(user=buyer, product_id=due_product.pk, quantity=Decimal("1"))  # already in the cart
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest_send() == 0
    assert mailoutbox == [] and not ReorderDigest.objects.exists() and not Notification.objects.exists()


def test_who_cannot_order_gets_none(shop, due_product, django_capture_on_commit_callbacks, mailoutbox):
    client = shop["buyer"].client
    accountant = ClientUserFactory(client=client, role=User.Role.ACCOUNTANT)
    inactive = ClientUserFactory(client=client, is_active=False)
    for user in (accountant, inactive):
        opt_in(user)
    blocked = ClientUserFactory(client__region=shop["region"], client__status=Client.Status.BLOCKED)
    buy(blocked.client, due_product, 42, 28, 14)
    opt_in(blocked)
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest_send() == 0
    assert mailoutbox == []


def test_a_rolled_back_batch_sends_nothing(shop, due_product, django_capture_on_commit_callbacks, mailoutbox,
                                           monkeypatch):
    opt_in(shop["buyer"])
    monkeypatch.setattr("orders.services.reorder.notify_each", _boom)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        reorder_digest_send()
    assert mailoutbox == [] and not ReorderDigest.objects.exists()


def _boom(**kwargs):
    raise RuntimeError("mail queue down")


def test_batches_cost_constant_queries(shop, priced_product, django_assert_num_queries,
                                       django_capture_on_commit_callbacks):
    product = priced_product()
    users = []
    for _number in range(7):
        user = ClientUserFactory(client__region=shop["region"])
        buy(user.client, product, 42, 28, 14)
        cart_add_line(user=user, product_id=priced_product().pk, quantity=Decimal("1"))
        opt_in(user)
        users.append(user)
    # Per batch of three: the users (locked), the history of their clients, their carts, the records, the
    # notifications, and the batch's transaction (a savepoint and its release inside the test's own);
    # then a last, empty batch.
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(3 * (5 + 2) + 1 + 2):
        assert reorder_digest_send(batch_size=3) == 7
    assert ReorderDigest.objects.count() == 7


def test_the_beat_task_and_the_command(shop, due_product, django_capture_on_commit_callbacks, mailoutbox):
    opt_in(shop["buyer"])
    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_digest.apply().get() == 1
    other = ClientUserFactory(client=shop["buyer"].client)
    opt_in(other)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reorder_digest", stdout=out)
    assert out.getvalue().strip() == "Reorder digests sent: 1."
    assert sorted(message.to[0] for message in mailoutbox) == sorted([shop["buyer"].email, other.email])
    with pytest.raises(CommandError, match="at least 1"):
        call_command("reorder_digest", "--batch-size", "0")
