"""Order lists as files: the .xlsx template, reading an uploaded .xlsx or .csv, the annotated result.

An upload is checked before it is parsed: its size (PORTAL_UPLOAD_MAX_MB), its kind by content
(not by name), and for .xlsx the zip entries (count, unpacked size, compression ratio), so a
zip bomb is refused before openpyxl opens it. Workbooks are read with openpyxl's read-only
mode and written in write-only mode; at most PORTAL_UPLOAD_MAX_LINES lines are accepted. Every
refusal is a ValidationError with a code saying which rule the file broke; nothing is kept.
The rows become `orders.line_input.RawLine`s, checked like the quick order by `check_lines`.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from .line_input import (
    CheckedLine,
    RawLine,
    header_field,
    line_from_cells,
    merge_decimal_comma,
    too_many_lines_error,
    upload_max_lines,
)
from .quantities import parse_quantity

DEFAULT_MAX_MB = 5
#: Bounds of an .xlsx archive: entries, unpacked bytes in all, and the compression ratio of a large
#: entry. A 5,000-line order list unpacks to about 1 MB with a ratio under 20; a zip bomb does not.
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM = 1024 * 1024
#: Columns read from a sheet (an order list has four; the rest of a wide sheet is ignored).
MAX_COLUMNS = 30
#: Rows searched for the header before the data starts.
HEADER_ROWS = 10
COLUMNS = ("sku", "quantity", "unit", "comment")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf", b"MZ",
                 b"\x7fELF", b"BM", b"II*\x00", b"MM\x00*", b"{\\rtf")
_REJECTED_FILL = PatternFill("solid", fgColor="FFC7CE")
_REJECTED_FONT = Font(color="9C0006")
_BOLD = Font(bold=True)


def upload_max_bytes() -> int:
    return getattr(settings, "PORTAL_UPLOAD_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024


def column_titles() -> list[str]:
    """Titles of the template's columns in the active language (Russian: Артикул, Количество, ...)."""
    return [_("SKU"), _("Quantity"), _("Unit"), _("Comment")]


def _header_row(sheet, titles: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = _BOLD
        cells.append(cell)
    return cells


def _sized_sheet(book: Workbook, title: str, widths: Sequence[int]):
    sheet = book.create_sheet(title)
    for letter, width in zip("ABCDEFG", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def template_write(target) -> None:
    """Write the order-list template (.xlsx, a header row only) into `target` (a path or binary file)."""
    book = Workbook(write_only=True)
    sheet = _sized_sheet(book, _("Order"), (20, 14, 12, 40))
    sheet.append(_header_row(sheet, column_titles()))
    book.save(target)


def template_name() -> str:
    return _("order-template") + ".xlsx"


def _cell(sheet, value, *, rejected: bool = False):
    """A value of the buyer's row: text starting with "=" stays text (never a formula); rejected rows filled."""
    if not rejected and not (isinstance(value, str) and value.startswith("=")):
        return value or None  # a plain value: much cheaper to write than a cell object
    cell = WriteOnlyCell(sheet, value=value or None)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if rejected:
        cell.fill = _REJECTED_FILL
    return cell


def annotated_write(target, lines: Iterable[CheckedLine], *, only_rejected: bool = False) -> int:
    """Write checked lines back as an .xlsx the buyer can fix and upload again; return the rows written.

    The columns are the template's (so the file reads back as an order list) plus the reason and
    the line of the original file; rejected rows are filled red with the reason in words.
    """
    book = Workbook(write_only=True)
    sheet = _sized_sheet(book, _("Order"), (20, 14, 12, 40, 60, 10))
    sheet.append(_header_row(sheet, [*column_titles(), _("Problem"), _("Line")]))
    count = 0
    for line in lines:
        if only_rejected and line.ok:
            continue
        raw = line.raw
        try:
            quantity = parse_quantity(raw.quantity_text)
        except ValidationError:
            quantity = raw.quantity_text
        values = (raw.sku, quantity, raw.unit_text, raw.comment, line.message, raw.number)
        row = [_cell(sheet, value, rejected=not line.ok) for value in values]
        if not line.ok:
            row[4].font = _REJECTED_FONT
        sheet.append(row)
        count += 1
    book.save(target)
    return count


# --- Reading uploads ----------------------------------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    return size


def read_upload(upload: IO[bytes], *, name: str = "") -> list[RawLine]:
    """The order lines of an uploaded .xlsx or .csv file (a Django UploadedFile or any binary file).

    The kind is told by the content: an .xlsx (zip) workbook, else text in UTF-8 (with or without
    BOM), UTF-16 with BOM, or Windows-1251, separated by `;`, tab or `,`. Raises ValidationError
    with the code "too_large", "empty", "old_excel", "not_spreadsheet", "corrupt", "zip_bomb",
    "encoding" or "too_many_lines".
    """
    name = name or getattr(upload, "name", "") or ""
    limit = upload_max_bytes()
    size = _size(upload)
    if size > limit:
        raise _refuse(_("The file is larger than %(size)s MB: split it into several files.") % {
            "size": limit // (1024 * 1024)}, "too_large")
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(upload)
    if head.startswith(_OLE_MAGIC):
        raise _refuse(_("This is an old Excel workbook (.xls): save it as .xlsx and upload it again."), "old_excel")
    if PurePath(name).suffix.lower() in {".xlsx", ".xlsm"}:
        raise _refuse(_("The file is damaged: it is not a readable Excel workbook."), "corrupt")
    data = upload.read(limit + 1)
    if data.startswith(_BINARY_MAGIC) or (b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE,
                                                                                    codecs.BOM_UTF16_BE))):
        raise _refuse(_("This is not a spreadsheet: upload an .xlsx or .csv file."), "not_spreadsheet")
    return _read_csv(data)


def _check_zip(upload: IO[bytes]) -> None:
    """Refuse an archive that is not a workbook or unpacks to far more than an order list can."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(_("The file is damaged: it is not a readable Excel workbook."), "corrupt") from exc
    finally:
        upload.seek(0)
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED or any(
        entry.file_size > ZIP_RATIO_FROM and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    ):
        raise _refuse(_("The workbook unpacks to far more data than an order list holds; it is refused."),
                      "zip_bomb")
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise _refuse(_("This is not an Excel workbook: upload an .xlsx or .csv file."), "not_spreadsheet")


def _read_xlsx(upload: IO[bytes]) -> list[RawLine]:
    _check_zip(upload)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parsers meet in a damaged file
        raise _refuse(_("The file is damaged: it is not a readable Excel workbook."), "corrupt") from exc
    try:
        sheet = book.active or book.worksheets[0]
        sheet.reset_dimensions()  # read the rows that are there, not the size the file claims
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        return rows_to_lines(enumerate(rows, start=1))
    except ValidationError:
        raise
    except Exception as exc:  # a damaged sheet fails while it streams
        raise _refuse(_("The file is damaged: it is not a readable Excel workbook."), "corrupt") from exc
    finally:
        book.close()


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp1251")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(_("The text of the file is in an unknown encoding: save it as CSV UTF-8."), "encoding")


def _delimiter(text: str) -> str:
    """The delimiter of a CSV file: tab, `;` or `,`, whichever the first non-blank line has (in that order)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return next((delimiter for delimiter in ("\t", ";", ",") if delimiter in first), ";")


def _read_csv(data: bytes) -> list[RawLine]:
    text = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise _refuse(_("The file is damaged: line %(line)s cannot be read as CSV.") % {
                "line": reader.line_num}, "corrupt") from exc

    return rows_to_lines(rows(), comma=delimiter == ",")


def _cell_text(value) -> str:
    """A cell as the text the buyer sees: whole floats without ".0", dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{Decimal(repr(round(value, 9))).normalize():f}"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _header_columns(cells: Sequence[str]) -> dict[str, int] | None:
    """Column positions named by a header row, in any order; None unless it names SKU and quantity."""
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = header_field(cell) if cell else None
        if name is not None:
            found.setdefault(name, position)
    return found if {"sku", "quantity"} <= found.keys() else None


def rows_to_lines(rows: Iterable[tuple[int, Sequence]], *, comma: bool = False) -> list[RawLine]:
    """Order lines of numbered sheet or CSV rows: columns by a header row, else SKU, quantity, unit, comment.

    The header is looked for in the first HEADER_ROWS non-blank rows, in Russian or English, in
    any column order; rows above it (a title, a note) are left out. Raises ValidationError (code
    "too_many_lines") past PORTAL_UPLOAD_MAX_LINES lines, ("empty") when there is no line at all.
    """
    limit = upload_max_lines()
    lines: list[RawLine] = []
    columns: dict[str, int] | None = None
    head: list[tuple[int, list[str]]] | None = []  # rows kept while the header may still come

    def add(number: int, cells: list[str]) -> None:
        if columns is None:
            line = line_from_cells(number, cells, comma=comma)
        else:
            if comma and len(cells) > width:
                cells = merge_decimal_comma(cells, columns["quantity"])
            picked = [cells[columns[name]] if columns.get(name, len(cells)) < len(cells) else "" for name in COLUMNS]
            line = line_from_cells(number, picked, text="\t".join(cells))
        if line is not None:
            lines.append(line)
            if len(lines) > limit:
                raise too_many_lines_error(limit)

    for number, row in rows:
        cells = [_cell_text(value) for value in row[:MAX_COLUMNS]]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if head is None:
            add(number, cells)
        elif columns := _header_columns(cells):
            width, head = len(cells), None
        else:
            head.append((number, cells))
            if len(head) == HEADER_ROWS:
                for kept in head:
                    add(*kept)
                head = None
    for kept in head or ():
        add(*kept)
    if not lines:
        raise _refuse(_("The file has no order lines: fill in SKU and quantity under the header."), "empty")
    return lines
