"""Order lists from Excel or CSV: the template round trip, the result page, the annotated file, refused files."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import User
from catalog.models import AssortmentItem
from orders.models import Cart, CartLine
from orders.services import cart_add_line
from orders.spreadsheets import XLSX_CONTENT_TYPE
from tests.factories import ClientUserFactory, ProductFactory
from tests.orders.test_spreadsheets import _bomb, workbook_bytes

pytestmark = pytest.mark.django_db
D = Decimal
UPLOAD = "/cart/upload/"
RED = "00FFC7CE"


@pytest.fixture
def catalog(shop, priced_product):
    region = shop["region"]
    region.assortment_restricted = True
    region.save(update_fields=["assortment_restricted"])
    products = {
        "plain": priced_product(sku="UP-1", name="Саморез"),
        "step": priced_product(sku="UP-24", name="Дюбель", multiplicity=D(24)),
        "hidden": priced_product(sku="UP-HIDDEN"),
    }
    for key in ("plain", "step"):
        AssortmentItem.objects.create(region=region, product=products[key])
    return products


@pytest.fixture
def buyer_client(client, shop):
    client.force_login(shop["buyer"])
    return client


def xlsx(rows, name="order.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows), content_type=XLSX_CONTENT_TYPE)


def sheet_rows(content: bytes) -> tuple[list[list], object]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


ORDER = [["Артикул", "Количество", "Ед. изм.", "Комментарий"], ["UP-1", 3, None, "к пятнице"], ["NOPE", 1],
         ["UP-24", 30], ["UP-HIDDEN", 2], ["UP-24", 48, "шт", "на склад"]]


def test_the_upload_page_links_the_template_and_shows_progress(buyer_client, catalog):
    html = buyer_client.get(UPLOAD).content.decode()
    assert f'href="{reverse("cart:upload_template")}"' in html
    assert 'hx-encoding="multipart/form-data"' in html and 'enctype="multipart/form-data"' in html
    assert 'hx-indicator="#upload-progress"' in html and "<progress" in html
    assert "js/upload_progress.js" in html and "<script>" not in html  # CSP: no inline script
    assert f'href="{reverse("cart:quick")}"' in html


def test_template_round_trip(buyer_client, catalog):
    response = buyer_client.get(reverse("cart:upload_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == ["Артикул", "Количество", "Ед. изм.", "Комментарий"]
    sheet.append(["UP-1", 2, "шт", "в офис"])
    sheet.append(["UP-24", 72])
    filled = io.BytesIO()
    book.save(filled)

    response = buyer_client.post(UPLOAD, {"file": SimpleUploadedFile("заказ.xlsx", filled.getvalue())})
    assert response.status_code == 302 and response.url.startswith("/cart/upload/")
    lines = {line.product.sku: line for line in CartLine.objects.select_related("product")}
    assert (lines["UP-1"].quantity, lines["UP-1"].comment) == (D(2), "в офис")
    assert lines["UP-24"].quantity == D(72)
    html = buyer_client.get(response.url).content.decode()
    assert "заказ.xlsx" in html and "UP-24" in html and "Дюбель" in html


def test_upload_adds_the_valid_lines_and_lists_the_rest(buyer_client, catalog):
    response = buyer_client.post(UPLOAD, {"file": xlsx(ORDER)})
    lines = {line.product.sku: line for line in CartLine.objects.select_related("product")}
    assert set(lines) == {"UP-1", "UP-24"}
    assert (lines["UP-1"].quantity, lines["UP-1"].comment) == (D(3), "к пятнице")
    assert (lines["UP-24"].quantity, lines["UP-24"].comment) == (D(48), "на склад")
    html = buyer_client.get(response.url).content.decode()
    assert 'class="table table--cards table--compact result-table result-table--rejected"' in html
    assert "Нет товара с артикулом NOPE." in html
    assert "Кратность 24 шт: 24 шт или 48 шт?" in html
    assert "UP-HIDDEN нет в вашем ассортименте." in html
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert reverse("cart:upload_annotated", args=[token]) in html


def test_htmx_upload_answers_with_the_result_and_its_address(buyer_client, catalog):
    response = buyer_client.post(UPLOAD, {"file": xlsx(ORDER)}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="upload" class="upload-result">')
    assert response["HX-Push-Url"].startswith("/cart/upload/")
    assert 'id="cart-count"' in html and 'hx-swap-oob="true">2<' in html


def test_the_annotated_file_highlights_the_rejected_rows_with_the_reason(buyer_client, catalog):
    url = buyer_client.post(UPLOAD, {"file": xlsx(ORDER)}).url
    token = url.rstrip("/").rsplit("/", 1)[-1]
    response = buyer_client.get(reverse("cart:upload_annotated", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "order-" in response["Content-Disposition"] or "attachment" in response["Content-Disposition"]
    rows, sheet = sheet_rows(b"".join(response.streaming_content))
    assert rows == [
        ["Артикул", "Количество", "Ед. изм.", "Комментарий", "Ошибка", "Строка"],
        ["UP-1", 3, None, "к пятнице", None, 2],
        ["NOPE", 1, None, None, "Нет товара с артикулом NOPE.", 3],
        ["UP-24", 30, None, None, "Кратность 24 шт: 24 шт или 48 шт?", 4],
        ["UP-HIDDEN", 2, None, None, "UP-HIDDEN нет в вашем ассортименте.", 5],
        ["UP-24", 48, "шт", "на склад", None, 6],
    ]
    fills = [sheet.cell(row=row, column=1).fill.fgColor.rgb for row in range(2, 7)]
    assert fills[0] != RED and fills[1:4] == [RED] * 3 and fills[4] != RED
    assert sheet.cell(row=3, column=5).font.color.rgb == "009C0006"

    response = buyer_client.get(reverse("cart:upload_annotated", args=[token]) + "?only=rejected")
    rows, _sheet = sheet_rows(b"".join(response.streaming_content))
    assert [row[0] for row in rows[1:]] == ["NOPE", "UP-24", "UP-HIDDEN"]


def test_a_line_without_a_price_is_not_added_and_says_so(buyer_client, shop, catalog):
    free = ProductFactory(sku="UP-REQ")
    AssortmentItem.objects.create(region=shop["region"], product=free)
    url = buyer_client.post(UPLOAD, {"file": xlsx([["UP-REQ", 1], ["UP-REQ", 2], ["UP-1", 1]])}).url
    html = buyer_client.get(url).content.decode()
    assert set(CartLine.objects.values_list("product__sku", flat=True)) == {"UP-1"}
    assert html.count("(цена по запросу)") == 2


def test_a_foreign_or_expired_result_is_404(buyer_client, client, shop, catalog):
    url = buyer_client.post(UPLOAD, {"file": xlsx(ORDER)}).url
    token = url.rstrip("/").rsplit("/", 1)[-1]
    annotated = reverse("cart:upload_annotated", args=[token])
    assert buyer_client.get(url).status_code == 200
    colleague = ClientUserFactory(client=shop["buyer"].client, role=User.Role.MANAGER)
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    assert client.get(annotated).status_code == 404
    client.force_login(shop["buyer"])
    assert client.get(reverse("cart:upload_result", args=["x" * 22])).status_code == 404
    cache.delete(f"orders:upload:{token}")
    assert client.get(url).status_code == 404 and client.get(annotated).status_code == 404


def _bad_files() -> dict[str, SimpleUploadedFile]:
    good = workbook_bytes([["UP-1", 1]])
    return {
        "not_spreadsheet": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        "corrupt": SimpleUploadedFile("order.xlsx", good[: len(good) // 2]),
        "zip_bomb": SimpleUploadedFile("order.xlsx", _bomb(8 * 1024 * 1024)),
        "oversize": SimpleUploadedFile("order.csv", b"UP-1;1\n" * 160_000),  # 1.1 MB
        "too_many_lines": SimpleUploadedFile("order.csv", "\n".join(["UP-1;1"] * 11).encode()),
        "old_excel": SimpleUploadedFile("order.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
        "empty": SimpleUploadedFile("order.csv", b""),
    }


@override_settings(PORTAL_UPLOAD_MAX_MB=1, PORTAL_UPLOAD_MAX_LINES=10)
@pytest.mark.parametrize("kind", list(_bad_files()))
def test_a_refused_file_changes_nothing(buyer_client, shop, catalog, kind):
    cart_add_line(user=shop["buyer"], product_id=catalog["plain"].pk, quantity=D(5))
    revision = Cart.objects.get().revision
    response = buyer_client.post(UPLOAD, {"file": _bad_files()[kind]})
    html = response.content.decode()
    assert response.status_code == 422
    with translation.override("ru"):
        assert 'class="alert alert-error"' in html and translation.gettext("Nothing was added to the cart.") in html
    assert list(CartLine.objects.values_list("product__sku", "quantity")) == [("UP-1", D(5))]
    assert Cart.objects.get().revision == revision
    response = buyer_client.post(UPLOAD, {"file": _bad_files()[kind]}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'class="alert alert-error"' in response.content.decode()
    assert "HX-Push-Url" not in response


def test_refusal_messages_say_what_is_wrong(buyer_client, catalog):
    with override_settings(PORTAL_UPLOAD_MAX_MB=1, PORTAL_UPLOAD_MAX_LINES=10):
        files = _bad_files()
        expected = {
            "not_spreadsheet": "Это не таблица",
            "zip_bomb": "распаковывается",
            "oversize": "Файл больше 1 МБ",
            "too_many_lines": "10",
        }
        for kind, text in expected.items():
            html = buyer_client.post(UPLOAD, {"file": files[kind]}).content.decode()
            assert text in html, kind


def test_no_file_is_a_clear_error(buyer_client, catalog):
    response = buyer_client.post(UPLOAD, {})
    assert response.status_code == 422 and 'class="alert alert-error"' in response.content.decode()


def test_upload_queries_do_not_grow_with_lines(buyer_client, shop, catalog, priced_product):
    more = [priced_product(sku=f"UN-{n:03d}") for n in range(60)]
    AssortmentItem.objects.bulk_create(AssortmentItem(region=shop["region"], product=p) for p in more)
    cart_add_line(user=shop["buyer"], product_id=catalog["plain"].pk, quantity=D(1))  # the cart exists
    counts = []
    for products in (more[:3], more[3:]):
        rows = [[p.sku, 1, None, "комментарий"] for p in products] + [["NOPE", 1], ["un 000;1", None]]
        with CaptureQueriesContext(connection) as queries:
            response = buyer_client.post(UPLOAD, {"file": xlsx(rows)})
        assert response.status_code == 302
        counts.append(len(queries))
    assert CartLine.objects.count() == 61
    assert counts[0] == counts[1], counts


def test_roles_without_the_cart(client, shop, catalog):
    client.force_login(ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": xlsx(ORDER)}).status_code == 403
    assert client.get(reverse("cart:upload_template")).status_code == 403
    assert not CartLine.objects.exists()


def test_the_order_tools_partial_links_both_pages():
    html = render_to_string("orders/partials/_order_tools.html")
    assert 'href="/cart/quick/"' in html and 'href="/cart/upload/"' in html
