"""What the cart shows of its lines: quantities and prices in the buyer's unit, VAT, weight, volume, flags.

A cart line keeps its quantity in base units and the unit the buyer chose; the page shows the
quantity in that unit (base quantity / coefficient) and the price of one such unit. Amounts are
the price per base unit times the base quantity, rounded to kopecks per line, so they equal what
the order will charge. VAT is computed per line from the product's rate: extracted from the amount
when the price includes VAT (its price type says so), added on top when it does not.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from catalog.availability import STATUS_LABELS
from catalog.pricing import HUNDRED, round_money
from catalog.purchase import PurchaseInfo

from .models import CartLine
from .quantities import format_quantity

ZERO = Decimal(0)
QUANTITY_STEP = Decimal("0.001")  # quantities have three decimals (orders.models.QUANTITY)


@dataclass(frozen=True, slots=True)
class UnitOption:
    """A unit a product is sold in: its base unit (coefficient 1) or an alternative one (упак. = 10 шт)."""

    unit_id: int
    name: str  # the short name: "упак"
    label: str  # with its size: "упак (10 шт)"
    coefficient: Decimal


def unit_options(product, alternatives) -> list[UnitOption]:
    """The base unit, then the product's alternative units ((unit id, short name, coefficient)) by size."""
    base = product.base_unit.short_name
    options = [UnitOption(product.base_unit_id, base, base, Decimal(1))]
    for unit_id, name, coefficient in sorted(alternatives, key=lambda unit: (unit[2], unit[0])):
        if unit_id != product.base_unit_id:
            options.append(UnitOption(unit_id, name, f"{name} ({format_quantity(coefficient)} {base})", coefficient))
    return options


@dataclass(slots=True)
class CartRow:
    """One cart line as the page shows it; money in the cart's currency, None when there is no price."""

    line: CartLine
    info: PurchaseInfo
    units: list[UnitOption]
    unit: UnitOption
    quantity: Decimal  # in `unit`
    price: Decimal | None  # of one `unit`
    amount: Decimal | None
    vat: Decimal | None
    vat_included: bool
    weight: Decimal | None
    volume: Decimal | None
    seen_price: Decimal | None  # of one `unit` when the buyer saw another price than now, else None
    seen_stock_label: str  # the availability the buyer saw when it is not the current one, else ""
    backorder: bool  # more than the region has in stock: (part of) the line is ordered (под заказ)
    stock_time: str  # when the ERP confirmed the stock, "14:05" in the current time zone ("" if never)

    @property
    def changed(self) -> bool:
        return self.seen_price is not None or bool(self.seen_stock_label)

    @property
    def product(self):
        return self.line.product


@dataclass(slots=True)
class CartTotals:
    lines: int = 0
    amount: Decimal = ZERO
    vat: Decimal = ZERO
    vat_on_top: Decimal = ZERO  # the part of `vat` not included in the prices
    weight: Decimal = ZERO
    volume: Decimal = ZERO
    unpriced: int = 0  # lines without a price (on request): not in `amount`, cannot be ordered
    weight_unknown: int = 0
    volume_unknown: int = 0
    changed: int = 0
    backorder: int = 0

    @property
    def to_pay(self) -> Decimal:
        return self.amount + self.vat_on_top


def line_vat(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    """VAT of a line amount at `rate` percent: the part of it (included) or on top of it, rounded to kopecks."""
    return round_money(amount * rate / (HUNDRED + rate) if included else amount * rate / HUNDRED)


def cart_row(line: CartLine, info: PurchaseInfo, units: list[UnitOption]) -> CartRow:
    """What one line shows (the line with `product`, `product.base_unit` loaded; `units` from `unit_options`)."""
    product = line.product
    unit = next((option for option in units if option.unit_id == line.unit_id), units[0])
    price = info.price
    amount = per_unit = vat = seen = None
    included = price.vat_included if price is not None else True
    if price is not None and price.amount is not None:
        amount = round_money(price.amount * line.quantity)
        per_unit = price.for_coefficient(unit.coefficient)
        vat = line_vat(amount, product.vat_rate, included)
    if line.seen_price is not None and price is not None and line.seen_price != price.amount:
        seen = round_money(line.seen_price * unit.coefficient)
    stock = info.stock
    status = stock.status if stock else None
    seen_label = ""
    if line.seen_stock_status and status is not None and line.seen_stock_status != status:
        seen_label = str(STATUS_LABELS.get(line.seen_stock_status, line.seen_stock_status))
    return CartRow(
        line=line, info=info, units=units, unit=unit,
        quantity=(line.quantity / unit.coefficient).quantize(QUANTITY_STEP),
        price=per_unit, amount=amount, vat=vat, vat_included=included,
        weight=None if product.weight is None else product.weight * line.quantity,
        volume=None if product.volume is None else product.volume * line.quantity,
        seen_price=seen, seen_stock_label=seen_label,
        backorder=stock is not None and line.quantity > stock.total,
        stock_time=timezone.localtime(stock.confirmed_at).strftime("%H:%M") if stock and stock.confirmed_at else "",
    )


def cart_totals(rows: list[CartRow]) -> CartTotals:
    """Amount, VAT, weight and volume of the rows, with what could not be counted."""
    totals = CartTotals(lines=len(rows))
    for row in rows:
        if row.amount is None:
            totals.unpriced += 1
        else:
            totals.amount += row.amount
            totals.vat += row.vat
            if not row.vat_included:
                totals.vat_on_top += row.vat
        if row.weight is None:
            totals.weight_unknown += 1
        else:
            totals.weight += row.weight
        if row.volume is None:
            totals.volume_unknown += 1
        else:
            totals.volume += row.volume
        totals.changed += row.changed
        totals.backorder += row.backorder
    totals.weight, totals.volume = totals.weight.quantize(QUANTITY_STEP), totals.volume.quantize(QUANTITY_STEP)
    return totals
