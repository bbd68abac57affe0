"""Ordering by lists in a real browser: a quick order with a multiplicity correction, an Excel upload with a bad row.

Desktop (1280 px) and phone (375 px). The quick order is checked, the multiplicity line fixed by
clicking the offered quantity, and the ready lines added; the upload shows its progress, then the
result, and the annotated file is downloaded and read. No page may break the Content-Security-Policy.
With SCREENSHOTS=1 the preview and the result are saved to artifacts/screenshots/quick-order-*.png
and upload-result-*.png.
"""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from accounts.models import User
from catalog.models import ProductUnit, Unit
from orders.models import CartLine
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import (
    ClientUserFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def order_data(transactional_db):
    base = PriceTypeFactory(name="Базовая")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    warehouse = WarehouseFactory(region=region, name="Склад Самара")
    ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                      role=User.Role.MANAGER)
    UnitFactory()
    pack = Unit.objects.create(code="778", name="Упаковка", short_name="уп")
    catalog = [
        ("KR-4800", "Саморез кровельный 4,8×29 RAL 3005", Decimal(1), Decimal("3.47")),
        ("DB-1024", "Дюбель рамный 10×100 с шурупом", Decimal(24), Decimal("18.90")),
        ("AN-0812", "Анкерный болт 8×120 с гайкой", Decimal(10), Decimal("42.00")),
        ("GV-5000", "Гвоздь строительный 5×150, 5 кг", Decimal(1), Decimal("715.00")),
    ]
    for sku, name, multiplicity, amount in catalog:
        product = ProductFactory(sku=sku, name=name, multiplicity=multiplicity)
        PriceFactory(product=product, price_type=base, amount=amount)
        StockFactory(product=product, warehouse=warehouse, quantity=Decimal(500))
        if sku == "AN-0812":
            ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal(10))


# What the upload form shows while htmx reports the bytes sent (read just after the page's own handler).
RECORD_PROGRESS = """
window.__progress = [];
document.addEventListener("htmx:xhr:progress", () => setTimeout(() => {
  const box = document.querySelector("#upload-progress");
  if (box) window.__progress.push([getComputedStyle(box).display, box.querySelector(".upload-stage").textContent]);
}, 0));
"""


# Fire htmx's progress event on the upload form as htmx does; answer the bar's value and the stage text.
PROGRESS_AT = """(percent) => {
  const form = document.querySelector("[data-upload-progress]");
  form.dispatchEvent(new CustomEvent("htmx:xhr:progress",
    {bubbles: true, detail: {lengthComputable: true, loaded: percent * 10, total: 1000}}));
  const bar = form.querySelector("progress");
  return [bar.hasAttribute("value") ? bar.value : null, form.querySelector(".upload-stage").textContent];
}"""


def _workbook(path):
    """A downloaded workbook (Playwright keeps downloads under names without an extension)."""
    with open(path, "rb") as file:
        return load_workbook(io.BytesIO(file.read()))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_quick_order_with_a_multiplicity_correction(live_server, order_data, viewport):
    size = VIEWPORTS[viewport]
    with chromium() as browser:
        page = new_page(browser, size, record_violations=True)
        sign_in(page, live_server.url, "buyer@example.com")
        page.locator("a[href='/cart/quick/']").first.click()
        page.wait_for_url("**/cart/quick/")
        page.fill("#quick-text", "KR-4800\t100\nDB-1024 30\nAN-0812;3;уп\nGV5000 2\nNOPE-77 1\nkr-4800 5 бухта")
        page.get_by_role("button", name="Проверить").click()
        page.locator("#line-2.quick-row--multiplicity").wait_for()
        # Rows keep their ids across swaps, and htmx shows the old classes until it settles: wait for the new ones.
        page.locator("#line-4.quick-row--ok").wait_for()  # "GV5000" found despite the missing dash
        page.locator("#line-5.quick-row--unknown_sku").wait_for()
        page.locator("#line-6.quick-row--unknown_unit").wait_for()
        assert "Кратность 24 шт: 24 шт или 48 шт?" in page.locator("#line-2").inner_text()
        assert_fits(page, size["width"])
        shot(page, f"quick-order-{viewport}", caret="initial")

        # The buyer picks 48 for the dowels, and a known unit for the last line.
        page.locator("#line-2").get_by_role("button", name="48 шт").click()
        page.locator("#line-2.quick-row--ok").wait_for()
        page.select_option("#row-6-unit", "шт")
        page.get_by_role("button", name="Проверить снова").click()
        page.locator("#line-6.quick-row--ok").wait_for()
        assert "DB-1024\t48\tшт" in page.input_value("#quick-text")

        page.get_by_role("button", name="Добавить 5 строк в корзину").click()
        page.locator(".quick-order .alert-success").wait_for()
        assert page.locator("#cart-count").inner_text() == "4"  # KR-4800 twice makes one cart line
        assert page.input_value("#quick-text").strip() == "NOPE-77 1"
        page.locator("#line-1.quick-row--unknown_sku").wait_for()
        assert_fits(page, size["width"])
        assert violations(page) == [], "\n".join(violations(page))
    # The ORM outside Playwright's event loop.
    quantities = dict(CartLine.objects.values_list("product__sku", "quantity"))
    assert quantities == {"KR-4800": Decimal(105), "DB-1024": Decimal(48), "AN-0812": Decimal(30),
                          "GV-5000": Decimal(2)}


def _order_file(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Артикул", "Количество", "Ед. изм.", "Комментарий"])
    sheet.append(["KR-4800", 200, "шт", "на объект"])
    sheet.append(["DB-1024", 30, None, None])  # breaks the multiplicity of 24
    sheet.append(["AN-0812", 2, "уп", None])
    sheet.append(["GV-5000", 1, None, "срочно"])
    book.save(path)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_excel_upload_with_a_bad_row_and_the_annotated_file(live_server, order_data, viewport, tmp_path):
    size = VIEWPORTS[viewport]
    upload = tmp_path / "заказ.xlsx"
    _order_file(upload)
    with chromium() as browser:
        page = new_page(browser, size, record_violations=True, scripts=(RECORD_PROGRESS,), accept_downloads=True)
        sign_in(page, live_server.url, "buyer@example.com")
        page.locator("a[href='/cart/upload/']").first.click()
        page.wait_for_url("**/cart/upload/")
        with page.expect_download() as template:
            page.get_by_role("link", name="Скачать шаблон (.xlsx)").click()
        header = [cell.value for cell in _workbook(template.value.path()).active[1]]
        assert header == ["Артикул", "Количество", "Ед. изм.", "Комментарий"]

        # The progress script moves the bar as htmx reports the bytes sent, then says the file is processed.
        assert page.evaluate(PROGRESS_AT, 40) == [40, "Загрузка… 40%"]
        assert page.evaluate(PROGRESS_AT, 100) == [None, "Обработка…"]
        page.set_input_files("#upload-file", str(upload))
        assert_fits(page, size["width"])
        shot(page, f"upload-{viewport}", caret="initial")
        page.get_by_role("button", name="Загрузить и добавить в корзину").click()
        page.locator(".upload-result").wait_for()
        assert page.evaluate("window.__progress"), "htmx reported no upload progress"
        page.wait_for_url("**/cart/upload/*/")  # the result has an address of its own
        assert page.locator(".result-table--rejected tbody tr").count() == 1
        assert "Кратность 24 шт: 24 шт или 48 шт?" in page.locator(".result-table--rejected").inner_text()
        assert page.locator("#cart-count").inner_text() == "3"
        assert_fits(page, size["width"])
        shot(page, f"upload-result-{viewport}", caret="initial")

        with page.expect_download() as annotated:
            page.get_by_role("link", name="Весь файл с причинами (.xlsx)").click()
        assert annotated.value.suggested_filename.endswith(".xlsx")
        sheet = _workbook(annotated.value.path()).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[0][4:] == ["Ошибка", "Строка"]
        assert rows[2] == ["DB-1024", 30, None, None, "Кратность 24 шт: 24 шт или 48 шт?", 3]
        assert sheet.cell(row=3, column=1).fill.fgColor.rgb == "00FFC7CE"
        assert sheet.cell(row=2, column=1).fill.fgColor.rgb != "00FFC7CE"

        # Reload: the result page is read from its kept copy, nothing is added twice.
        page.reload()
        page.locator(".upload-result").wait_for()
        assert page.locator("#cart-count").inner_text() == "3"
        assert violations(page) == [], "\n".join(violations(page))
    comments = dict(CartLine.objects.values_list("product__sku", "comment"))
    assert comments == {"KR-4800": "на объект", "AN-0812": "", "GV-5000": "срочно"}
