"""The invoice for payment (счёт на оплату) as a PDF: the same content as the printable page
(templates/orders/invoice.html), drawn with fpdf2 in the active language.

fpdf2 is pure Python (wheels only, no system libraries). Cyrillic needs a Unicode TrueType font:
DejaVu Sans is shipped in orders/fonts/ (licence beside it) and embedded as a subset, so the file
never depends on the fonts of the machine that draws it.
"""

from pathlib import Path

from django.utils.formats import number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from .invoice import Invoice
from .quantities import format_quantity

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
PAGE_MARGIN = 15  # mm
BLACK = (0, 0, 0)
GREY = (85, 85, 85)
HEADING = FontFace(emphasis="BOLD", fill_color=(243, 243, 243))


def _money(value) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF bytes (A4, one page for a usual order; long orders flow to more pages)."""
    order, supplier, entity = invoice.order, invoice.supplier, invoice.order.legal_entity
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
    pdf.set_auto_page_break(auto=True, margin=PAGE_MARGIN)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    title = _("Invoice for payment No. %(number)s of %(date)s") % {
        "number": order.number, "date": localtime(order.created_at).strftime("%d.%m.%Y")}
    pdf.set_title(title)
    pdf.set_author(supplier.name)
    pdf.set_creator("portal")
    pdf.set_lang("ru")
    pdf.add_page()

    _bank_block(pdf, invoice)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_line_width(0.6)
    pdf.line(PAGE_MARGIN, pdf.get_y() + 1, pdf.w - PAGE_MARGIN, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.ln(4)

    _parties(pdf, invoice, entity)
    pdf.ln(3)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    pdf.ln(3)

    currency = order.currency.symbol or order.currency.code
    count = len(order.lines.all())
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, ngettext(
        "%(counter)s item for the amount of %(amount)s %(currency)s",
        "%(counter)s items for the amount of %(amount)s %(currency)s", count) % {
        "counter": count, "amount": _money(order.total_amount), "currency": currency},
        new_x="LMARGIN", new_y="NEXT", align="L")
    if invoice.amount_in_words:
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(0, 5, invoice.amount_in_words, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_line_width(0.6)
    pdf.line(PAGE_MARGIN, pdf.get_y() + 2, pdf.w - PAGE_MARGIN, pdf.get_y() + 2)
    pdf.set_line_width(0.2)
    pdf.ln(10)

    pdf.set_font(FONT, "", 9)
    half = (pdf.w - 2 * PAGE_MARGIN) / 2
    for label, name in ((_("Director"), supplier.director), (_("Chief accountant"), supplier.accountant)):
        pdf.cell(half, 6, f"{label} ________________ {name}")
    return bytes(pdf.output())


def _bank_block(pdf: FPDF, invoice: Invoice) -> None:
    """The payee's bank details, boxed as on a Russian invoice form."""
    supplier = invoice.supplier
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(col_widths=(45, 45, 25, 65), first_row_as_headings=False, line_height=4.5,
                   padding=1.2) as table:
        row = table.row()
        payee_bank = _("Payee's bank")
        row.cell(f"{supplier.bank or '—'}\n{payee_bank}", colspan=2, rowspan=2)
        row.cell(_("BIK"))
        row.cell(supplier.bik)
        row = table.row()
        row.cell(_("Corr. account"))
        row.cell(supplier.correspondent_account)
        row = table.row()
        row.cell(f"{_('INN')} {supplier.inn}")
        row.cell(f"{_('KPP')} {supplier.kpp}")
        row.cell(_("Account No."), rowspan=2)
        row.cell(supplier.account, rowspan=2)
        row = table.row()
        row.cell(f"{supplier.name}\n{_('Payee')}", colspan=2)


def _parties(pdf: FPDF, invoice: Invoice, entity) -> None:
    supplier, bank, order = invoice.supplier, invoice.bank_account, invoice.order
    seller = supplier.name
    if supplier.inn:
        seller += f", {_('INN')} {supplier.inn}"
    if supplier.kpp:
        seller += f", {_('KPP')} {supplier.kpp}"
    if supplier.address:
        seller += f", {supplier.address}"
    buyer = f"{entity.full_name or entity.name}, {_('INN')} {entity.inn}"
    if entity.kpp:
        buyer += f", {_('KPP')} {entity.kpp}"
    if entity.legal_address:
        buyer += f", {entity.legal_address}"
    if bank:
        buyer += ", " + _("account %(account)s in %(bank_name)s, BIK %(bik)s") % {
            "account": bank.account, "bank_name": bank.bank_name, "bik": bank.bik}
    basis = str(order.contract) if order.contract else _("Order No. %(number)s") % {"number": order.number}
    for label, value in ((_("Supplier (seller)"), seller), (_("Buyer (customer)"), buyer), (_("Basis"), basis)):
        pdf.set_font(FONT, "", 9)
        pdf.cell(38, 5, label)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)


def _lines(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(col_widths=(8, 80, 24, 14, 24, 30), headings_style=HEADING, line_height=4.5, padding=1.2,
                   text_align=("RIGHT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT"),
                   repeat_headings=1) as table:
        table.row(["#", _("Goods"), _("Quantity"), _("Unit"), _("Price"), _("Amount")])
        for index, line in enumerate(invoice.order.lines.all(), start=1):
            table.row([str(index), f"{line.name} ({line.sku})", format_quantity(line.quantity), line.unit_name,
                       _money(line.price), _money(line.amount)])


def _totals(pdf: FPDF, invoice: Invoice) -> None:
    order = invoice.order
    rows = [(f"{_('Total')}:", _money(order.total_amount))]
    rows += [(_("Including VAT (%(rate)s%%):") % {"rate": format_quantity(rate)}, _money(amount))
             for rate, amount in invoice.vat] or [(_("Without VAT"), "—")]
    rows.append((f"{_('Total to pay')}:", _money(order.total_amount)))
    pdf.ln(2)
    pdf.set_font(FONT, "B", 9)
    width = pdf.w - 2 * PAGE_MARGIN
    for label, value in rows:
        pdf.cell(width - 30, 5, label, align="R")
        pdf.cell(30, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
