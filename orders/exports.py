"""Orders as .xlsx: the order history (as filtered) with one row per order, and one order with its lines.

Written with openpyxl's write-only workbook into memory: the history export is capped at
MAX_EXPORT_ORDERS rows, and the orders are read in chunks with their currency (one query per chunk).
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Order

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ORDERS = 10_000
CHUNK = 1000


def _header(sheet, titles: list[str]) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = cell.font.copy(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _local(moment):
    """A naive local time for a spreadsheet cell (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def orders_xlsx(orders) -> bytes:
    """The orders (a queryset from `order_history`, in its order) as an .xlsx, one row per order."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Orders"))
    for column, width in zip("ABCDEFGHI", (14, 18, 40, 30, 24, 14, 8, 12, 16), strict=True):
        sheet.column_dimensions[column].width = width
    _header(sheet, [_("Number"), _("Date"), _("Legal entity"), _("Placed by"), _("Status"), _("Amount"),
                    _("Currency"), _("Weight, kg"), _("ERP number")])
    orders = orders.select_related("legal_entity", "created_by", "currency")[:MAX_EXPORT_ORDERS]
    for order in orders.iterator(chunk_size=CHUNK):
        sheet.append([
            order.number, _local(order.created_at), order.legal_entity.name, str(order.created_by),
            str(order.get_status_display()), order.total_amount, order.currency.code, order.total_weight,
            order.erp_number,
        ])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def order_xlsx(order: Order) -> bytes:
    """One order as an .xlsx: its details, then its lines and the total."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Order %(number)s") % {"number": order.number})
    for column, width in zip("ABCDEFGH", (6, 16, 50, 12, 8, 14, 8, 16), strict=True):
        sheet.column_dimensions[column].width = width
    details = [
        (_("Order"), order.number),
        (_("Date"), _local(order.created_at)),
        (_("Status"), str(order.get_status_display())),
        (_("Legal entity"), f"{order.legal_entity.name}, {_('INN')} {order.legal_entity.inn}"),
        (_("Placed by"), str(order.created_by)),
        (_("Delivery method"), str(order.get_delivery_method_display())),
        (_("Currency"), order.currency.code),
    ]
    for label, value in details:
        sheet.append([None, label, value])
    sheet.append([])
    _header(sheet, ["#", _("SKU"), _("Name"), _("Quantity"), _("Unit"), _("Price"), _("VAT, %"), _("Amount")])
    for index, line in enumerate(order.lines.all(), start=1):
        sheet.append([index, line.sku, line.name, line.quantity, line.unit_name, line.price, line.vat_rate,
                      line.amount])
    sheet.append([None, None, _("Total"), None, None, None, None, order.total_amount])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()
