"""Reorder reminders: the products a client buys at a regular cadence whose next purchase is due.

The rule, per client and product:

- A **purchase** is an order of the client that really happened: any status but draft, rejected
  and cancelled (an order awaiting approval counts). Its day is the order's creation date in the
  portal's time zone; several orders on one day are one purchase. Only the last
  `RECENT_ORDERS` orders within `HISTORY_DAYS` are read.
- **Regular**: at least `MIN_PURCHASES` purchase days (two intervals or more). With M the median
  of the intervals in days and the spread the median absolute deviation of the intervals from M,
  the cadence is regular when the spread is at most `max(SPREAD_DAYS, SPREAD_SHARE × M)`:
  14, 15, 13 days is regular (M 14, spread 1); 7, 30 days is not (M 18.5, spread 11.5); one odd
  interval among steady ones does not break it (14, 14, 40, 14: M 14, spread 0).
- **Next due date** = the last purchase + M (rounded half up to whole days).
- **Due** from `DUE_AHEAD_DAYS` days before that date until one more interval M after it; later
  the client has skipped a whole cycle and probably stopped buying it, so it is not suggested.
  A purchase since moves the last purchase, so a product bought again is not due any more.
- **Suggested** to a user when due, still active, in the client's assortment (the region's when
  it is restricted) and not already in the user's cart.

`reorder_due` answers for one client in one query (the cart page); `reorder_due_by_client`
answers for many clients in the same one query (the weekly digest, in batches of users).
"""

import datetime
import statistics
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from catalog.models import AssortmentItem, Product

from .models import CartLine, OrderLine
from .status import OrderStatus

#: Orders that did not become purchases.
NOT_PURCHASES = (OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.CANCELLED)
#: Purchases older than this are not read.
HISTORY_DAYS = 365
#: The most recent orders of a product read per client (several may fall on one day).
RECENT_ORDERS = 12
#: Fewer purchase days than this make no cadence.
MIN_PURCHASES = 3
#: A cadence is regular when the spread of its intervals is at most the larger of these.
SPREAD_DAYS = 2
SPREAD_SHARE = Decimal("0.25")
#: A product becomes due this many days before its next due date.
DUE_AHEAD_DAYS = 3
#: The most products suggested at once, the most overdue first.
MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Cadence:
    """How regularly a product is bought: purchase days read, the last one, the median interval and
    its spread (median absolute deviation), in days."""

    purchases: int
    last: datetime.date
    interval: int
    spread: Decimal

    @property
    def due_on(self) -> datetime.date:
        return self.last + datetime.timedelta(days=self.interval)

    def is_due(self, today: datetime.date) -> bool:
        """Due from DUE_AHEAD_DAYS before the due date until one more interval after it."""
        return (self.due_on - datetime.timedelta(days=DUE_AHEAD_DAYS) <= today
                <= self.due_on + datetime.timedelta(days=self.interval))


def cadence_of(days: Iterable[datetime.date]) -> Cadence | None:
    """The regular cadence of purchases on `days` (any order, repeats allowed), or None when there are
    fewer than MIN_PURCHASES distinct days or the intervals are irregular (see the module docstring)."""
    days = sorted(set(days))
    if len(days) < MIN_PURCHASES:
        return None
    intervals = [(later - earlier).days for earlier, later in zip(days, days[1:], strict=False)]
    median = Decimal(str(statistics.median(intervals)))
    spread = Decimal(str(statistics.median(abs(interval - median) for interval in intervals)))
    if spread > max(Decimal(SPREAD_DAYS), SPREAD_SHARE * median):
        return None
    interval = int(median.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Cadence(purchases=len(days), last=days[-1], interval=interval, spread=spread)


@dataclass(frozen=True)
class ReorderDue:
    """A product due for reorder: its cadence and the quantity of its last purchase (in base units)."""

    product: Product
    cadence: Cadence
    quantity: Decimal


def _history(client_ids: Collection[int], *, today: datetime.date,
             exclude_cart_of: int | None = None) -> QuerySet[OrderLine]:
    """The recent purchase lines of the clients' active products in their assortment, newest first per
    client and product, each with `client`, `ordered_at` and its product (with the base unit): one query."""
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=HISTORY_DAYS),
                                                          datetime.time.min))
    in_assortment = Exists(AssortmentItem.objects.filter(region_id=OuterRef("order__client__region_id"),
                                                         product_id=OuterRef("product_id")))
    lines = (OrderLine.objects
             .filter(order__client_id__in=list(client_ids), order__created_at__gte=since, product__is_active=True)
             .exclude(order__status__in=NOT_PURCHASES)
             .filter(Q(order__client__region__assortment_restricted=False) | in_assortment))
    if exclude_cart_of is not None:
        lines = lines.exclude(Exists(CartLine.objects.filter(cart__user_id=exclude_cart_of,
                                                             product_id=OuterRef("product_id"))))
    recent = Window(RowNumber(), partition_by=[F("order__client_id"), F("product_id")],
                    order_by=[F("order__created_at").desc(), F("pk").desc()])
    return (lines.select_related("product__base_unit")
            .only("quantity", "product__sku", "product__name", "product__multiplicity", "product__vat_rate",
                  "product__base_unit__short_name")
            .annotate(client=F("order__client_id"), ordered_at=F("order__created_at"), recent=recent)
            .filter(recent__lte=RECENT_ORDERS)
            .order_by("client", "product_id", "-ordered_at"))


def _due(lines: Iterable[OrderLine], *, today: datetime.date) -> dict[int, list[ReorderDue]]:
    """Client id → its products due on `today`, the most overdue first (at most MAX_SUGGESTIONS)."""
    grouped: dict[tuple[int, int], list[OrderLine]] = {}
    for line in lines:
        grouped.setdefault((line.client, line.product_id), []).append(line)
    found: dict[int, list[ReorderDue]] = {}
    for (client_id, _product_id), product_lines in grouped.items():
        cadence = cadence_of(timezone.localdate(line.ordered_at) for line in product_lines)
        if cadence is not None and cadence.is_due(today):
            newest = product_lines[0]  # ordered newest first
            found.setdefault(client_id, []).append(ReorderDue(newest.product, cadence, newest.quantity))
    for client_id, due in found.items():
        due.sort(key=lambda item: (item.cadence.due_on, item.product.name, item.product.pk))
        found[client_id] = due[:MAX_SUGGESTIONS]
    return found


def reorder_due(*, user, today: datetime.date | None = None) -> list[ReorderDue]:
    """The products due for reorder of the user's client that are not in the user's cart, in one query
    (none for a user without a client)."""
    if not user.client_id:
        return []
    today = today or timezone.localdate()
    lines = _history([user.client_id], today=today, exclude_cart_of=user.pk)
    return _due(lines, today=today).get(user.client_id, [])


def reorder_due_by_client(*, client_ids: Collection[int],
                          today: datetime.date | None = None) -> dict[int, list[ReorderDue]]:
    """Client id → its products due for reorder (carts not considered), for many clients in one query."""
    if not client_ids:
        return {}
    today = today or timezone.localdate()
    return _due(_history(client_ids, today=today), today=today)
