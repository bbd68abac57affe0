"""The personalised price list: the client's whole assortment (or a category) as a streamed .xlsx.

openpyxl's write-only workbook keeps only the current row in memory, rows are fetched in
chunks of CHUNK products (two queries per chunk: prices and stock, asked of the purchase
strategy), and the finished file is streamed from a temporary file, so memory
stays bounded whatever the size of the catalog (bench/pricelist.py measures 100,000 rows).
"""

import tempfile
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .purchase import PurchaseStrategy
from .selectors import visible_products

CHUNK = 2000
STREAM_BLOCK = 64 * 1024


def _chunks(products, size: int) -> Iterator[list]:
    """Products in id order, `size` at a time, by keyset pagination (no OFFSET over 100,000 rows)."""
    last = 0
    while True:
        chunk = list(products.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def pricelist_write(*, viewer: PurchaseStrategy, category=None, target) -> int:
    """Write the price list of the viewer into `target` (a path or file); return the number of products."""
    products = visible_products(user=viewer.user).select_related("base_unit").only(
        "pk", "sku", "name", "multiplicity", "base_unit__short_name")
    if category is not None:
        products = products.filter(category__path__startswith=category.path)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Price list"))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    header = [_("SKU"), _("Name"), _("Unit"), _("Multiplicity"), _("Price"), _("Currency"), _("Availability"),
              _("Quantity")]
    bold = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = cell.font.copy(bold=True)
        bold.append(cell)
    sheet.append(bold)
    count = 0
    for chunk in _chunks(products, CHUNK):
        for info in viewer.fetch(chunk):
            product, price, available = info.product, info.price, info.stock
            sheet.append([
                product.sku, product.name, product.base_unit.short_name, product.multiplicity,
                price.amount if price and price.amount is not None else _("Price on request"),
                price.currency if price else "",
                str(available.status_label) if available else "", available.total if available else None,
            ])
            count += 1
    book.save(target)
    return count


def pricelist_stream(*, viewer: PurchaseStrategy, category=None) -> tuple[Iterator[bytes], str]:
    """The price list as an iterator of byte blocks (from a temporary file) and its file name."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator once streamed
    pricelist_write(viewer=viewer, category=category, target=spool)
    spool.seek(0)

    def blocks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(STREAM_BLOCK):
                yield block

    name = f"price-list-{timezone.localdate():%Y-%m-%d}.xlsx"
    return blocks(), name
