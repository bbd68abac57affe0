"""Order lists as files: the template, uploads of .xlsx and .csv, refused files, the annotated result."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook

from orders.line_input import LineStatus, ProductInfo, SkuLookup, UnitInfo, check_lines, parse_lines, sku_key
from orders.spreadsheets import XLSX_CONTENT_TYPE, annotated_write, read_upload, template_name, template_write

D = Decimal
PCS = UnitInfo(1, "796", "Штука", "шт")
PACK = UnitInfo(2, "778", "Упаковка", "упак", D(10))


class ListResolver:
    def __init__(self, products, outside=()):
        self.products, self.outside = list(products), list(outside)

    def lookup(self, skus):
        keys = {sku_key(sku) for sku in skus}
        return SkuLookup([p for p in self.products if sku_key(p.sku) in keys],
                         [sku for sku in self.outside if sku_key(sku) in keys])


RESOLVER = ListResolver([ProductInfo(1, "ABC-1", "Саморез", PCS, D(1), (PACK,)),
                         ProductInfo(2, "M-24", "Дюбель", PCS, D(24), (PACK,))], outside=["HIDDEN"])


def workbook_bytes(rows, *, title="Лист1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def upload(data: bytes, name: str = "order.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def fields(lines):
    return [(line.number, line.sku, line.quantity_text, line.unit_text, line.comment) for line in lines]


def refused(data: bytes, name: str = "order.xlsx") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_upload(upload(data, name))
    return caught.value


# --- The template -----------------------------------------------------------------------------------


def test_template_round_trip():
    target = io.BytesIO()
    with translation.override("ru"):
        template_write(target)
        assert template_name() == "shablon-zakaza.xlsx"
    book = load_workbook(io.BytesIO(target.getvalue()))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == ["Артикул", "Количество", "Ед. изм.", "Комментарий"]
    assert sheet.max_row == 1 and sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    sheet.append(["ABC-1", 2.5, "уп", "к пятнице"])
    sheet.append(["M-24", 48])
    sheet.append([None, None, None, None])
    sheet.append(["M-24", "3", "уп"])
    filled = io.BytesIO()
    book.save(filled)

    lines = read_upload(upload(filled.getvalue()))
    assert fields(lines) == [
        (2, "ABC-1", "2.5", "уп", "к пятнице"), (3, "M-24", "48", "", ""), (5, "M-24", "3", "уп", "")]
    checked = check_lines(lines, resolver=RESOLVER)
    assert [line.status for line in checked] == [LineStatus.OK, LineStatus.OK, LineStatus.MULTIPLICITY]
    assert checked[0].base_quantity == D(25)


def test_english_template_reads_too():
    target = io.BytesIO()
    with translation.override("en"):
        template_write(target)
    book = load_workbook(io.BytesIO(target.getvalue()))
    assert [cell.value for cell in book.active[1]] == ["SKU", "Quantity", "Unit", "Comment"]


@pytest.mark.parametrize("header", [
    ["Комментарий", "Ед. изм.", "Количество", "Артикул"],
    ["comment", "UNIT", "Qty", "sku"],
    ["Примечание", "Единица измерения", "Кол-во", "Код товара"],
])
def test_header_in_any_language_and_column_order(header):
    data = workbook_bytes([["Заказ от 01.12"], [], header, ["срочно", "уп", 3, "ABC-1"], ["", "", "7", "M-24"]])
    assert fields(read_upload(upload(data))) == [(4, "ABC-1", "3", "уп", "срочно"), (5, "M-24", "7", "", "")]


def test_without_header_columns_are_positional():
    data = workbook_bytes([["ABC-1", 3, "уп"], [12345, 2.0], ["ABC-1", "5 шт"]])
    assert fields(read_upload(upload(data))) == [(1, "ABC-1", "3", "уп", ""), (2, "12345", "2", "", ""),
                                                 (3, "ABC-1", "5", "шт", "")]


def test_numbers_and_dates_as_the_buyer_sees_them():
    data = workbook_bytes([["Артикул", "Количество"], ["A", 0.1 + 0.2], ["B", 1e3], ["C", D("2.500")]])
    assert [line.quantity_text for line in read_upload(upload(data))] == ["0.3", "1000", "2.5"]


# --- Refused files ------------------------------------------------------------------------------------


def test_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    assert refused(png, "photo.png").code == "not_spreadsheet"
    assert refused(b"%PDF-1.7\n1 0 obj", "order.csv").code == "not_spreadsheet"
    assert refused(b"ABC\x00\x01\x02binary", "order.txt").code == "not_spreadsheet"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    error = refused(docx.getvalue(), "order.xlsx")
    assert error.code == "not_spreadsheet"
    with translation.override("ru"):
        assert error.messages == ["Это не книга Excel: загрузите файл .xlsx или .csv."]


def test_old_excel_format():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    assert refused(ole, "order.xls").code == "old_excel"


def test_corrupt_workbooks():
    good = workbook_bytes([["ABC-1", 1]])
    assert refused(good[: len(good) // 2]).code == "corrupt"  # truncated
    assert refused(b"just text pretending", "order.xlsx").code == "corrupt"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    assert refused(broken.getvalue()).code == "corrupt"
    damaged_sheet = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged_sheet, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, b"<worksheet><sheetData><row" if entry.filename.endswith("sheet1.xml") else data)
    assert refused(damaged_sheet.getvalue()).code == "corrupt"


@override_settings(PORTAL_UPLOAD_MAX_MB=1)
def test_oversize_file():
    error = refused(b"ABC-1;1\n" * 140_000, "order.csv")  # 1.07 MB
    assert error.code == "too_large"
    with translation.override("ru"):
        assert error.messages == ["Файл больше 1 МБ: разделите его на несколько файлов."]


def _bomb(entry_size: int, *, entries: int = 1) -> bytes:
    """A valid-looking workbook with `entries` highly compressible extra entries of `entry_size` zero bytes."""
    target = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([["ABC-1", 1]]))) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry, source.read(entry))
        chunk = b"\x00" * (1024 * 1024)
        for number in range(entries):
            with archive.open(f"xl/media/padding{number}.bin", "w", force_zip64=True) as padding:
                for _ in range(entry_size // len(chunk)):
                    padding.write(chunk)
    return target.getvalue()


def test_zip_bomb_is_refused_before_it_is_opened():
    data = _bomb(8 * 1024 * 1024)  # 8 MB of zeros in a few kilobytes: ratio ~1000
    assert len(data) < 100_000
    error = refused(data)
    assert error.code == "zip_bomb"


def test_zip_with_too_many_entries_is_refused():
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(1001):
            archive.writestr(f"xl/n{number}.xml", "")
    assert refused(target.getvalue()).code == "zip_bomb"


@override_settings(PORTAL_UPLOAD_MAX_LINES=10)
def test_too_many_lines():
    rows = [["Артикул", "Количество"]] + [[f"A-{n}", 1] for n in range(10)]
    assert len(read_upload(upload(workbook_bytes(rows)))) == 10
    error = refused(workbook_bytes([*rows, ["A-10", 1]]))
    assert error.code == "too_many_lines"
    csv_error = refused("\n".join(f"A-{n};1" for n in range(11)).encode(), "order.csv")
    assert csv_error.code == "too_many_lines"


def test_empty_files():
    assert refused(b"", "order.csv").code == "empty"
    assert refused(workbook_bytes([["Артикул", "Количество"]])).code == "empty"
    assert refused(b"\n;;;\n\n", "order.csv").code == "empty"


def test_a_huge_claimed_sheet_size_is_not_trusted():
    book = Workbook()
    book.active.append(["ABC-1", 1])
    target = io.BytesIO()
    book.save(target)
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(target.getvalue())) as source, zipfile.ZipFile(patched, "w") as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith("sheet1.xml"):
                data = data.replace(b'<dimension ref="A1:B1"/>', b'<dimension ref="A1:XFD1048576"/>')
            archive.writestr(entry, data)
    assert fields(read_upload(upload(patched.getvalue()))) == [(1, "ABC-1", "1", "", "")]


# --- CSV ----------------------------------------------------------------------------------------------

CSV_TEXT = "Артикул;Количество;Ед. изм.;Комментарий\nABC-1;2,5;уп;к пятнице\n\"M-24\";\"1 000\";шт;\n"
EXPECTED = [(2, "ABC-1", "2,5", "уп", "к пятнице"), (3, "M-24", "1 000", "шт", "")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
def test_csv_encodings(encoding):
    assert fields(read_upload(upload(CSV_TEXT.encode(encoding), "order.csv"))) == EXPECTED


@pytest.mark.parametrize(("text", "expected"), [
    (CSV_TEXT.replace(";", "\t"), EXPECTED),
    ("Артикул,Количество,Ед. изм.\nABC-1,\"2,5\",уп\nM-24,3,\n",
     [(2, "ABC-1", "2,5", "уп", ""), (3, "M-24", "3", "", "")]),
    ("Артикул,Количество,Ед. изм.\nABC-1,2,5,уп\n", [(2, "ABC-1", "2,5", "уп", "")]),  # unquoted decimal comma
    ("Количество,Артикул\n4,ABC-1\n", [(2, "ABC-1", "4", "", "")]),
    ("ABC-1,2,5,уп\nM-24, 3\n", [(1, "ABC-1", "2,5", "уп", ""), (2, "M-24", "3", "", "")]),
    ("ABC-1;2\r\nM-24;3\r\n", [(1, "ABC-1", "2", "", ""), (2, "M-24", "3", "", "")]),
])
def test_csv_delimiters(text, expected):
    assert fields(read_upload(upload(text.encode(), "order.csv"))) == expected


def test_csv_in_an_unknown_encoding():
    data = "Артикул;Количество\n".encode("cp1251") + b"\x98\xff;1\n"  # 0x98 is no cp1251 character, not UTF-8
    assert refused(data, "order.csv").code == "encoding"


def test_a_plain_file_object_with_a_name():
    lines = read_upload(io.BytesIO(b"ABC-1;1"), name="list.txt")
    assert fields(lines) == [(1, "ABC-1", "1", "", "")]


# --- The annotated result -----------------------------------------------------------------------------


def test_annotated_file_highlights_rejected_rows_with_the_reason():
    data = workbook_bytes([["Артикул", "Количество", "Ед. изм."], ["ABC-1", 3, "уп"], ["NOPE", 1],
                           ["M-24", 50], ["HIDDEN", "два"]])
    with translation.override("ru"):
        checked = check_lines(read_upload(upload(data)), resolver=RESOLVER)
        target = io.BytesIO()
        assert annotated_write(target, checked) == 4
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["Артикул", "Количество", "Ед. изм.", "Комментарий", "Ошибка", "Строка"],
        ["ABC-1", 3, "уп", None, None, 2],
        ["NOPE", 1, None, None, "Нет товара с артикулом NOPE.", 3],
        ["M-24", 50, None, None, "Кратность 24 шт: 48 шт или 72 шт?", 4],
        ["HIDDEN", "два", None, None, "HIDDEN нет в вашем ассортименте.", 5],
    ]
    fills = [sheet.cell(row=row, column=1).fill.fgColor.rgb for row in range(2, 6)]
    assert fills[0] != "00FFC7CE" and fills[1:] == ["00FFC7CE"] * 3
    assert sheet.cell(row=3, column=5).fill.fgColor.rgb == "00FFC7CE"
    assert sheet.cell(row=3, column=5).font.color.rgb == "009C0006"

    # Fixed and uploaded again, the file reads as an order list (the extra columns are ignored).
    again = check_lines(read_upload(upload(target.getvalue())), resolver=RESOLVER)
    assert [line.status for line in again] == [LineStatus.OK, LineStatus.UNKNOWN_SKU, LineStatus.MULTIPLICITY,
                                               LineStatus.NOT_IN_ASSORTMENT]


def test_annotated_file_of_rejected_lines_only_from_a_quick_order():
    checked = check_lines(parse_lines("ABC-1 1\nNOPE 2\nM-24 24"), resolver=RESOLVER)
    target = io.BytesIO()
    assert annotated_write(target, checked, only_rejected=True) == 1
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert [cell.value for cell in sheet[2]][:2] == ["NOPE", 2] and sheet.max_row == 2



def test_annotated_file_keeps_formulas_as_text():
    checked = check_lines(parse_lines('=HYPERLINK("http://example.com");1'), resolver=RESOLVER)
    target = io.BytesIO()
    annotated_write(target, checked)
    cell = load_workbook(io.BytesIO(target.getvalue())).active["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.com")', "s")
