"""Reads of the analytics pages: the client's spending and the supplier's order dashboard.

Every figure is aggregated in SQL (one query per chart), so a page costs the same number of
queries for ten orders or ten thousand.

Which orders count: those that really happened, i.e. approved by the client or handed to the
supplier (approved, submitted, accepted, assembling, shipped, delivered). Drafts, orders awaiting
approval (still to be decided), rejected and cancelled orders are left out (`COUNTED_STATUSES`).
An order belongs to the month and day it was placed (`Order.created_at`, portal time zone), as
in the order history's date filter.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Left, StrIndex, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import clients_for_staff, managed_regions
from base.models import Currency
from catalog.models import Category, SearchMiss

from .charts import Bar, ColumnChart, bars, column_chart
from .models import Order, OrderEscalation, OrderLine
from .quantities import format_quantity
from .selectors import orders_for_user
from .status import OrderStatus

COUNTED_STATUSES = frozenset({
    OrderStatus.APPROVED, OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSEMBLING,
    OrderStatus.SHIPPED, OrderStatus.DELIVERED,
})
TOP_PRODUCTS = 10
TOP_CATEGORIES = 12


def counted_orders(orders: QuerySet[Order]) -> QuerySet[Order]:
    """`orders` narrowed to those that count in analytics (see the module's docstring)."""
    return orders.filter(status__in=COUNTED_STATUSES)


def month_starts(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The first days of the months from `date_from`'s month to `date_to`'s, in order."""
    month, months = date_from.replace(day=1), []
    while month <= date_to:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _orders_count_note(count: int) -> str:
    return ngettext("%(count)d order", "%(count)d orders", count) % {"count": count}


# The client's spending


@dataclass(frozen=True)
class ProductFigure:
    """A product's share of the spending: line snapshots summed (quantity in its base unit)."""

    product_id: int
    sku: str
    name: str
    unit: str
    amount: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class ClientAnalytics:
    """The client's spending over a period in one currency, ready for the page's charts."""

    date_from: datetime.date
    date_to: datetime.date
    currency: Currency | None
    currencies: list[Currency]
    order_count: int
    total: Decimal
    months: list[Bar]
    categories: list[Bar]
    legal_entities: list[Bar]
    top_by_amount: list[ProductFigure]
    top_by_quantity: list[ProductFigure]

    @property
    def month_chart(self) -> ColumnChart:
        unit = (self.currency.symbol or self.currency.code) if self.currency else ""
        return column_chart(self.months, unit=unit, places=2)

    @property
    def product_bars(self) -> list[Bar]:
        return bars([(f"{item.sku} {item.name}", item.amount, "") for item in self.top_by_amount])

    @property
    def quantity_bars(self) -> list[Bar]:
        return bars([(f"{item.sku} {item.name}", item.quantity, f"{format_quantity(item.quantity)} {item.unit}")
                     for item in self.top_by_quantity])


def client_analytics(*, user, date_from: datetime.date, date_to: datetime.date,
                     currency_code: str = "") -> ClientAnalytics:
    """The spending of the orders the user may see (`orders_for_user`: all the client's for
    administrators and accountants, a buyer's own unless the client lets buyers see all) placed
    from `date_from` to `date_to` inclusive: by month, by top-level category, by legal entity, and
    the top products by amount and by quantity.

    Amounts of different currencies are never added up: the figures are for `currency_code` when
    the period has orders in it, else for the currency with the most orders. Seven queries
    whatever the number of orders (and the user's client, when not loaded yet).
    """
    orders = counted_orders(orders_for_user(user=user)).filter(
        created_at__date__gte=date_from, created_at__date__lte=date_to).order_by()
    ordered = [Currency(pk=row["currency_id"], code=row["currency__code"], symbol=row["currency__symbol"])
               for row in orders.values("currency_id", "currency__code", "currency__symbol")
               .annotate(count=Count("pk")).order_by("-count", "currency__code")]
    currency = next((item for item in ordered if item.code == currency_code), ordered[0] if ordered else None)
    if currency is None:
        return ClientAnalytics(date_from, date_to, None, [], 0, Decimal(0), bars(
            [(formats.date_format(month, "YEAR_MONTH_FORMAT"), Decimal(0), "")
             for month in month_starts(date_from, date_to)]), [], [], [], [])
    orders = orders.filter(currency=currency)

    per_month = {row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]: row
                 for row in orders.annotate(month=TruncMonth("created_at")).values("month")
                 .annotate(amount=Sum("total_amount"), count=Count("pk"))}
    months, shorts = [], []
    for month in month_starts(date_from, date_to):
        row = per_month.get(month, {"amount": Decimal(0), "count": 0})
        months.append((formats.date_format(month, "YEAR_MONTH_FORMAT"), row["amount"],
                       _orders_count_note(row["count"])))
        shorts.append(formats.date_format(month, "M y"))

    entity_rows = list(orders.values("legal_entity_id", "legal_entity__name")
                       .annotate(amount=Sum("total_amount"), count=Count("pk"))
                       .order_by("-amount", "legal_entity__name"))
    lines = OrderLine.objects.filter(order__in=orders.values("pk")).order_by()
    return ClientAnalytics(
        date_from=date_from, date_to=date_to, currency=currency, currencies=ordered,
        order_count=sum(row["count"] for row in entity_rows),
        total=sum((row["amount"] for row in entity_rows), Decimal(0)),
        months=bars(months, shorts=shorts),
        categories=_category_bars(lines),
        legal_entities=bars([(row["legal_entity__name"], row["amount"], _orders_count_note(row["count"]))
                             for row in entity_rows]),
        top_by_amount=_top_products(lines, "-amount"),
        top_by_quantity=_top_products(lines, "-quantity"),
    )


def _category_bars(lines: QuerySet[OrderLine]) -> list[Bar]:
    """Line amounts by the top-level category of the product (the first step of the category's
    materialised path); two queries. Products without a category are summed as such."""
    path = F("product__category__path")
    rows = list(lines.annotate(top=Coalesce(Left(path, StrIndex(path, Value("."))), Value("")))
                .values("top").annotate(amount=Sum("amount")).order_by("-amount", "top"))
    names = dict(Category.objects.filter(path__in=[row["top"] for row in rows if row["top"]])
                 .values_list("path", "name"))
    items = [(names.get(row["top"]) or _("Without a category"), row["amount"], "") for row in rows]
    if len(items) > TOP_CATEGORIES:
        rest = sum((amount for _label, amount, _note in items[TOP_CATEGORIES - 1:]), Decimal(0))
        items = [*items[:TOP_CATEGORIES - 1], (_("Other categories"), rest, "")]
    return bars(items)


def _top_products(lines: QuerySet[OrderLine], order: str) -> list[ProductFigure]:
    """The products with the largest line amount or quantity, named as last ordered (one query)."""
    rows = (lines.values("product_id").annotate(sku=Max("sku"), name=Max("name"), unit=Max("unit_name"),
                                                amount=Sum("amount"), quantity=Sum("quantity"))
            .order_by(order, "sku")[:TOP_PRODUCTS])
    return [ProductFigure(row["product_id"], row["sku"], row["name"], row["unit"], row["amount"], row["quantity"])
            for row in rows]


# The supplier's dashboard in Django admin

DASHBOARD_DAYS = 30
TOP_MISSES = 20
MAX_ESCALATIONS = 50


@dataclass(frozen=True)
class Dashboard:
    """What the admin dashboard shows a staff member, scoped to his regions (a superuser: all)."""

    since: datetime.date
    days: list[Bar]
    regions: list[Bar]
    escalations: list[OrderEscalation]
    misses: list[dict]

    @property
    def day_chart(self) -> ColumnChart:
        return column_chart(self.days, label_every=7, slot=24)


def staff_orders(user) -> QuerySet[Order]:
    """Orders of the clients the staff member may see (`accounts.access.clients_for_staff`)."""
    if user.is_superuser:
        return Order.objects.all()
    return Order.objects.filter(client__in=clients_for_staff(user).values("pk"))


def staff_search_misses(user) -> QuerySet[SearchMiss]:
    """Missed searches a staff member may see: a superuser all, a regional manager his regions'."""
    if user.is_superuser:
        return SearchMiss.objects.all()
    return SearchMiss.objects.filter(region__in=managed_regions(user).values("pk"))


def staff_dashboard(*, user, now: datetime.datetime | None = None) -> Dashboard:
    """Counted orders per day of the last 30 days and per region, the open escalations, and the
    searches that found nothing, all within the staff member's regions; four queries."""
    today = timezone.localdate(now or timezone.now())
    since = today - datetime.timedelta(days=DASHBOARD_DAYS - 1)
    orders = counted_orders(staff_orders(user)).filter(created_at__date__gte=since).order_by()

    per_day = {row["day"]: row["count"] for row in
               orders.annotate(day=TruncDate("created_at")).values("day").annotate(count=Count("pk"))}
    days = [since + datetime.timedelta(days=offset) for offset in range(DASHBOARD_DAYS)]
    day_bars = bars([(formats.date_format(day, "SHORT_DATE_FORMAT"), Decimal(per_day.get(day, 0)),
                      _orders_count_note(per_day.get(day, 0))) for day in days],
                    shorts=[formats.date_format(day, "d.m") for day in days])

    region_rows = (orders.values("client__region_id", "client__region__name").annotate(count=Count("pk"))
                   .order_by("-count", "client__region__name"))
    url = reverse("admin:orders_order_changelist")
    region_bars = bars([(row["client__region__name"], Decimal(row["count"]), _orders_count_note(row["count"]))
                        for row in region_rows],
                       urls=[f"{url}?client__region__id__exact={row['client__region_id']}" for row in region_rows])

    # An escalation is open while its order still holds the status it escalated and nothing moved it
    # since (a move resets the order's level): the row of the order's current level.
    escalations = list(
        OrderEscalation.objects.filter(order__in=staff_orders(user).values("pk"), status=F("order__status"),
                                       status_since=F("order__status_changed_at"), level=F("order__escalation_level"))
        .select_related("order__client__region").order_by("-level", "status_since", "pk")[:MAX_ESCALATIONS])

    misses = list(staff_search_misses(user).filter(day__gte=since).values("query")
                  .annotate(total=Sum("count"), last_seen_at=Max("last_seen_at"),
                            regions=Count("region", distinct=True))
                  .order_by("-total", "-last_seen_at", "query")[:TOP_MISSES])
    return Dashboard(since, day_bars, region_bars, escalations, misses)

