"""The weekly reorder digest: to each buyer who asked for it, the goods of his company due for reorder.

Opt-in: a user gets it when he turned on e-mail for the event "reorder_digest" on the notifications
page (the event's default is off); it comes as an in-portal notification and, after commit, by
e-mail through accounts.notifications. What is due is `orders.reorder`'s rule, less the user's cart.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Client, NotificationPreference, User
from accounts.notifications import notify_each
from accounts.roles import ROLE_ACTIONS, Action
from orders.models import CartLine, ReorderDigest
from orders.notifications import REORDER_DIGEST_EVENT
from orders.quantities import format_quantity
from orders.reorder import ReorderDue, reorder_due_by_client

#: Users handled per transaction: a batch costs five queries whatever its size.
DIGEST_BATCH = 200


def digest_week(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week: a user gets one digest per such week."""
    return day - datetime.timedelta(days=day.weekday())


def reorder_digest_send(*, now: datetime.datetime | None = None, batch_size: int = DIGEST_BATCH) -> int:
    """Send this week's reorder digest to every user who opted in and has goods due; return how many got it.

    Recipients: active users of active clients whose role may use the cart, with e-mail turned on
    for the digest, without a digest this week (`ReorderDigest`, one per user and week: a second
    run in the same week sends nothing again). Nobody is sent an empty digest. Users are taken in
    batches of `batch_size`, each in its own transaction and in five queries (the users, locked,
    skipping those another run holds; their clients' purchase history; their carts; the
    notifications; the records), so e-mails leave batch by batch after each commit.
    """
    today = timezone.localdate(now)
    week = digest_week(today)
    sent, after = 0, 0
    while True:
        with transaction.atomic():
            users = _recipients(week=week, after=after, limit=batch_size)
            if not users:
                return sent
            after = users[-1].pk
            sent += _send_batch(users, today=today, week=week)


def _recipients(*, week: datetime.date, after: int, limit: int) -> list[User]:
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.USE_CART in actions]
    opted_in = NotificationPreference.objects.filter(user=OuterRef("pk"), event=REORDER_DIGEST_EVENT, by_email=True)
    sent = ReorderDigest.objects.filter(user=OuterRef("pk"), week=week)
    return list(
        User.objects.filter(pk__gt=after, is_active=True, client__status=Client.Status.ACTIVE, role__in=roles)
        .filter(Exists(opted_in)).exclude(Exists(sent))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:limit])


def _send_batch(users: Sequence[User], *, today: datetime.date, week: datetime.date) -> int:
    due_by_client = reorder_due_by_client(client_ids={user.client_id for user in users}, today=today)
    in_cart: dict[int, set[int]] = {}
    for user_id, product_id in CartLine.objects.filter(cart__user__in=[user.pk for user in users]).values_list(
            "cart__user_id", "product_id"):
        in_cart.setdefault(user_id, set()).add(product_id)
    messages, records = [], []
    for user in users:
        due = [item for item in due_by_client.get(user.client_id, [])
               if item.product.pk not in in_cart.get(user.pk, set())]
        if not due:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title, body = digest_message(due)
        messages.append((user, title, body))
        records.append(ReorderDigest(user=user, week=week, products=len(due)))
    if not records:
        return 0
    ReorderDigest.objects.bulk_create(records)
    notify_each(messages=messages, event=REORDER_DIGEST_EVENT, url=reverse("cart:detail"))
    return len(records)


def digest_message(due: Sequence[ReorderDue]) -> tuple[str, str]:
    """The digest's title and body in the active language: one line per product due."""
    count = len(due)
    title = ngettext("Time to reorder: %(count)s product", "Time to reorder: %(count)s products", count) % {
        "count": count}
    lines = []
    for item in due:
        product, cadence = item.product, item.cadence
        lines.append("• " + ngettext(
            "%(name)s (SKU %(sku)s): bought about every %(interval)s day, last on %(last)s (%(quantity)s), "
            "next due %(due)s.",
            "%(name)s (SKU %(sku)s): bought about every %(interval)s days, last on %(last)s (%(quantity)s), "
            "next due %(due)s.", cadence.interval) % {
            "name": product.name, "sku": product.sku, "interval": cadence.interval,
            "last": date_format(cadence.last, "d.m.Y"), "due": date_format(cadence.due_on, "d.m.Y"),
            "quantity": f"{format_quantity(item.quantity)} {product.base_unit.short_name}"})
    body = "\n".join([
        _("By your company's purchase history these goods are due again:"), *lines, "",
        _("Your prices today and a button to add each of them are on the cart page."),
    ])
    return title, body
