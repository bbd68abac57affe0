"""Availability of many products in a region's warehouses, in one query.

Status rules (tests/catalog/test_availability.py):
- "in stock" when the region holds at least LOW_STOCK_STEPS order steps (multiplicity) in total;
- "low" when it holds something, but less;
- "on order, expected DD.MM" when it holds nothing and the ERP gave an arrival date today or later
  (the earliest one is shown);
- "out of stock" otherwise.

`confirmed_at` is the OLDEST confirmation among the product's stock rows of the region (shown as
"stock as of 14:05"), so one warehouse the ERP has not reported for a while is not hidden by
fresher ones; it is `stale` when older than PORTAL_STOCK_STALE_MINUTES. A row is confirmed when
its quantity last changed or when the ERP last reported its warehouse (`Warehouse.stock_confirmed_at`:
a stock package that lists the warehouse vouches for the rows it leaves unchanged), whichever is later.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from base.models import Warehouse
from base.rawsql import placeholders, select_rows, table

from .models import Stock

LOW_STOCK_STEPS = 5


class StockStatus(StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"
    ON_ORDER = "on_order"
    OUT_OF_STOCK = "out_of_stock"


STATUS_LABELS = {
    StockStatus.IN_STOCK: _("In stock"),
    StockStatus.LOW: _("Low stock"),
    StockStatus.ON_ORDER: _("On order"),
    StockStatus.OUT_OF_STOCK: _("Out of stock"),
}


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: int
    warehouse: str
    quantity: Decimal
    confirmed_at: datetime
    expected_on: date | None
    expected_quantity: Decimal | None


@dataclass
class Availability:
    """Stock of one product in the region: per warehouse, total, status, age."""

    warehouses: list[WarehouseStock] = field(default_factory=list)
    total: Decimal = Decimal(0)
    status: StockStatus = StockStatus.OUT_OF_STOCK
    expected_on: date | None = None
    confirmed_at: datetime | None = None
    stale: bool = False

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])  # translated now: a listing shows it on every row

    @property
    def age_label(self) -> str:
        """"stock as of 14:05" (the oldest confirmation, in the current time zone); "" without stock rows."""
        if self.confirmed_at is None:
            return ""
        return _age_label(self.confirmed_at, get_language(), timezone.get_current_timezone_name())


@lru_cache(maxsize=512)
def _age_label(confirmed_at: datetime, language: str, zone: str) -> str:
    """The label of one confirmation time in a language and time zone: the rows of a listing mostly share one
    (an import confirms a warehouse's rows at once), and a gettext and a time zone conversion per row show."""
    return gettext("stock as of %(time)s") % {"time": timezone.localtime(confirmed_at).strftime("%H:%M")}


def availability_for(*, region_id: int | None, products, now: datetime | None = None) -> dict[int, Availability]:
    """Availability of `products` (Product objects, for their multiplicity) in the region's active warehouses.

    Without a region (staff, guests when PORTAL_GUEST_CATALOG is off) the result is empty.
    """
    products = list(products)
    if region_id is None or not products:
        return {}
    now = now or timezone.now()
    rows: dict[int, list[WarehouseStock]] = {}
    for product_id, warehouse_id, name, quantity, confirmed_at, reported_at, *expected in _stock_rows(
            region_id, [product.pk for product in products]):
        if reported_at is not None and reported_at > confirmed_at:
            confirmed_at = reported_at
        rows.setdefault(product_id, []).append(WarehouseStock(warehouse_id, name, quantity, confirmed_at, *expected))
    return {product.pk: summarize(rows.get(product.pk, []), product.multiplicity, now) for product in products}


def summarize(warehouses: list[WarehouseStock], multiplicity: Decimal, now: datetime) -> Availability:
    """The status of one product from its warehouse rows (the rules of the module docstring)."""
    total = sum((row.quantity for row in warehouses), Decimal(0))
    today = timezone.localdate(now)
    expected = [row.expected_on for row in warehouses if row.expected_on and row.expected_on >= today]
    if total >= multiplicity * LOW_STOCK_STEPS:
        status = StockStatus.IN_STOCK
    elif total > 0:
        status = StockStatus.LOW
    elif expected:
        status = StockStatus.ON_ORDER
    else:
        status = StockStatus.OUT_OF_STOCK
    confirmed_at = min((row.confirmed_at for row in warehouses), default=None)
    stale_after = timedelta(minutes=settings.PORTAL_STOCK_STALE_MINUTES)
    return Availability(
        warehouses=warehouses,
        total=total,
        status=status,
        expected_on=min(expected) if expected else None,
        confirmed_at=confirmed_at,
        stale=confirmed_at is not None and now - confirmed_at > stale_after,
    )


def _stock_rows(region_id: int, ids: list[int]) -> list[tuple]:
    """(product id, warehouse id, warehouse name, quantity, confirmed at, warehouse reported at, expected on,
    expected quantity) of the products in the region's active warehouses, in the warehouses' order.

    Written as SQL (see base.rawsql): every catalog page runs it, and building it with the ORM took
    twice what the database spends on it. Table names come from the models' _meta, values are parameters.
    """
    sql = (
        f"SELECT stock.product_id, stock.warehouse_id, warehouse.name, stock.quantity, stock.confirmed_at,"  # noqa: S608
        " warehouse.stock_confirmed_at, stock.expected_on, stock.expected_quantity"
        f" FROM {table(Stock)} stock JOIN {table(Warehouse)} warehouse ON warehouse.id = stock.warehouse_id"
        f" WHERE stock.product_id IN ({placeholders(len(ids))}) AND warehouse.region_id = %s AND warehouse.is_active"
        " ORDER BY warehouse.position, warehouse.name, warehouse.id"
    )
    quantity, confirmed_at, *expected = (Stock._meta.get_field(name)
                                         for name in ("quantity", "confirmed_at", "expected_on", "expected_quantity"))
    typed = [quantity, confirmed_at, Warehouse._meta.get_field("stock_confirmed_at"), *expected]
    return select_rows(sql, [*ids, region_id], [None, None, None, *typed])
