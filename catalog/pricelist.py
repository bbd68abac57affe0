"""The personalised price list: the client's whole assortment (or a category) as a streamed .xlsx.

The sheet opens with a header block (company, when it was made, the price type and terms, the
time of the stock, the category), then a frozen, filterable table: SKU, name, unit, multiplicity,
price (money format, in the currency its title names), availability, the region's total and one
quantity column per active warehouse of the client's region (quantity format; blank where none).

openpyxl's write-only workbook keeps only the current row in memory, rows are fetched in
chunks of CHUNK products (two queries per chunk: prices and stock, asked of the purchase
strategy), and the finished file is streamed from a temporary file, so memory
stays bounded whatever the size of the catalog (bench/pricelist.py measures 100,000 rows).
Writing cells is most of the time, so the table writes no cell it can spare: the currency is
in the price's title, a warehouse without stock is a blank cell. Number formats need styled cells;
one reusable cell per column and format is filled and appended row after row (a write-only sheet
serialises a row as it is appended), so styling costs no object per cell.
"""

import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Min
from django.utils import formats, timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from base.models import Warehouse

from .availability import STATUS_LABELS
from .models import Stock, Unit
from .purchase import PurchaseStrategy
from .selectors import visible_products

CHUNK = 2000
STREAM_BLOCK = 64 * 1024
MONEY_FORMAT = "#,##0.00"
WHOLE_FORMAT = "#,##0"
FRACTION_FORMAT = "#,##0.###"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
FIXED_COLUMNS = 7  # SKU .. total; the warehouses follow
TABLE_ROW = 8  # after the title, five header lines and a blank row
BOLD = Font(bold=True)


class _Product(NamedTuple):
    """The columns of a product the list needs; the purchase strategy asks only `pk` and `multiplicity`,
    and plain tuples cost a fraction of model instances over 100,000 rows."""

    pk: int
    sku: str
    name: str
    multiplicity: Decimal
    base_unit_id: int


def _chunks(products, size: int) -> Iterator[list[_Product]]:
    """Products in id order, `size` at a time, by keyset pagination (no OFFSET over 100,000 rows)."""
    last = 0
    while True:
        chunk = [_Product(*row) for row in products.filter(pk__gt=last).order_by("pk").values_list(
            "pk", "sku", "name", "multiplicity", "base_unit_id")[:size]]
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


class _FormattedCell(Cell):
    """A reusable cell of one number format, cheap to write a hundred thousand times.

    Its style id is looked up once (openpyxl hashes the style on every write otherwise), and its repr is
    constant: openpyxl takes a cell given in a row by first failing to store it as a value, and that
    error message holds the cell's repr.
    """

    __slots__ = ("_style_id",)

    def __init__(self, sheet, number_format: str):
        super().__init__(sheet, row=1, column=1)
        self.number_format = number_format
        self._style_id = super().style_id

    def __repr__(self) -> str:
        return "<price list cell>"

    @property
    def style_id(self) -> int:
        return self._style_id

    def holding(self, value: Decimal) -> "_FormattedCell":
        """The cell with a new number in it (stored as openpyxl's setter would store a Decimal, without its checks)."""
        self._value = value
        return self


class _Quantity:
    """A reusable styled cell of one quantity column: whole numbers without decimals, fractions with them."""

    def __init__(self, sheet):
        self.whole = _FormattedCell(sheet, WHOLE_FORMAT)
        self.fraction = _FormattedCell(sheet, FRACTION_FORMAT)

    def __call__(self, value: Decimal | None):
        if value is None:
            return None
        return (self.whole if value == value.to_integral_value() else self.fraction).holding(value)


class _Money:
    """A reusable styled cell of the price column; text (price on request) goes in unstyled."""

    def __init__(self, sheet):
        self.cell = _FormattedCell(sheet, MONEY_FORMAT)

    def __call__(self, value):
        return self.cell.holding(value) if isinstance(value, Decimal) else value


def _styled(sheet, value, *, font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _local(moment: datetime | None) -> datetime | None:
    """A moment in the portal's time zone without tzinfo (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _price_terms(viewer: PurchaseStrategy) -> str:
    """The price type the list is priced from, with the client's discount or coefficient and the VAT rule."""
    pricing, client = viewer.pricing, viewer.client
    types = [viewer.contract and viewer.contract.price_type, client.price_type, client.region.base_price_type]
    price_type = next((item for item in types if item is not None and item.pk == pricing.effective_price_type_id),
                      None)
    terms = [str(price_type) if price_type else _("Price type is not set")]
    if price_type is not None and price_type.pk == pricing.base_price_type_id:
        if pricing.discount_percent:
            terms.append(_("discount %(percent)s %%") % {"percent": formats.number_format(
                pricing.discount_percent.normalize())})
        if pricing.coefficient != 1:
            terms.append(_("coefficient %(value)s") % {"value": formats.number_format(pricing.coefficient.normalize())})
    terms.append(_("with VAT") if pricing.vat_included() else _("without VAT"))
    return ", ".join(terms)


def _warehouses(viewer: PurchaseStrategy) -> list[Warehouse]:
    """The active warehouses of the viewer's region, in the order stock is listed."""
    if viewer.region_id is None:
        return []
    return list(Warehouse.objects.filter(region_id=viewer.region_id, is_active=True)
                .order_by("position", "name", "pk").only("pk", "name"))


def _header(sheet, *, viewer: PurchaseStrategy, category, warehouses: list[Warehouse]) -> None:
    """The header block: title, company, time made, price terms, stock time, category; then a blank row."""
    stock_time = Stock.objects.filter(warehouse__in=warehouses).aggregate(oldest=Min("confirmed_at"))["oldest"] \
        if warehouses else None
    lines = [
        (pgettext("price list", "Company"), viewer.client.name),
        (_("Made at"), _styled(sheet, _local(timezone.now()), number_format=DATETIME_FORMAT)),
        (_("Price type"), _price_terms(viewer)),
        (_("Stock as of"), _styled(sheet, _local(stock_time), number_format=DATETIME_FORMAT)
         if stock_time else _("no stock data")),
        (pgettext("price list", "Category"), category.name if category is not None else _("Whole assortment")),
    ]
    sheet.append([_styled(sheet, _("Price list"), font=Font(bold=True, size=14))])
    for label, value in lines:
        sheet.append([_styled(sheet, label, font=BOLD), value])
    sheet.append([])


def pricelist_write(*, viewer: PurchaseStrategy, category=None, target) -> int:
    """Write the price list of the viewer (a client's user who sees prices) into `target` (a path or file);
    return the number of products."""
    products = visible_products(user=viewer.user)
    if category is not None:
        products = products.filter(category__path__startswith=category.path)
    warehouses = _warehouses(viewer)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Price list"))
    for letter, width in (("A", 16), ("B", 60), ("C", 8), ("D", 10), ("E", 14), ("F", 16), ("G", 12)):
        sheet.column_dimensions[letter].width = width
    for column in range(FIXED_COLUMNS + 1, FIXED_COLUMNS + len(warehouses) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = f"C{TABLE_ROW + 1}"
    _header(sheet, viewer=viewer, category=category, warehouses=warehouses)
    price_title = _("Price, %(currency)s") % {"currency": viewer.pricing.currency}
    titles = [_("SKU"), _("Name"), _("Unit"), _("Multiplicity"), price_title, _("Availability"),
              _("Total in stock"), *(warehouse.name for warehouse in warehouses)]
    sheet.append([_styled(sheet, title, font=BOLD) for title in titles])
    count = _rows(sheet, viewer=viewer, products=products, warehouses=warehouses)
    sheet.auto_filter.ref = f"A{TABLE_ROW}:{get_column_letter(len(titles))}{TABLE_ROW + count}"
    book.save(target)
    return count


def _rows(sheet, *, viewer: PurchaseStrategy, products, warehouses: list[Warehouse]) -> int:
    """Append a row per product, chunk by chunk; return how many."""
    price_cell, multiplicity_cell, total_cell = _Money(sheet), _Quantity(sheet), _Quantity(sheet)
    columns = {warehouse.pk: _Quantity(sheet) for warehouse in warehouses}
    on_request = _("Price on request")
    # Looked up once, not per row: units are few, and a status label is a translation.
    units = dict(Unit.objects.values_list("pk", "short_name"))
    statuses = {status: str(label) for status, label in STATUS_LABELS.items()}
    count = 0
    for chunk in _chunks(products, CHUNK):
        for info in viewer.fetch(chunk):
            product, price, available = info.product, info.price, info.stock
            per_warehouse = dict.fromkeys(columns)
            if available is not None:
                per_warehouse.update((row.warehouse_id, row.quantity) for row in available.warehouses
                                     if row.quantity and row.warehouse_id in columns)
            sheet.append([
                product.sku, product.name, units.get(product.base_unit_id, ""), multiplicity_cell(product.multiplicity),
                price_cell(price.amount if price and price.amount is not None else on_request),
                statuses[available.status] if available else "",
                total_cell(available.total if available else None),
                *(columns[pk](quantity) for pk, quantity in per_warehouse.items()),
            ])
            count += 1
    return count


def pricelist_filename(*, category=None) -> str:
    """"Прайс-лист_Саморезы_2026-11-30.xlsx": the list, the category when there is one, today's date."""
    parts = [_("Price list"), *([category.name] if category is not None else []),
             f"{timezone.localdate():%Y-%m-%d}"]
    return get_valid_filename(" ".join(parts) + ".xlsx")


def pricelist_stream(*, viewer: PurchaseStrategy, category=None) -> tuple[Iterator[bytes], str]:
    """The price list as an iterator of byte blocks (from a temporary file) and its file name."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator once streamed
    pricelist_write(viewer=viewer, category=category, target=spool)
    spool.seek(0)

    def blocks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(STREAM_BLOCK):
                yield block

    return blocks(), pricelist_filename(category=category)
