"""The personalised price list as the buyer opens it: header block, formats, frozen header, filter, warehouses."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.availability import STATUS_LABELS, StockStatus
from catalog.pricing import SOURCE_LABELS, PriceSource
from catalog.services import category_rebuild_tree
from tests.factories import (
    CategoryFactory,
    PriceFactory,
    ProductFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.django_db]

TABLE_ROW = 8


def _download(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("catalog:pricelist"), params)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return response, book.active


@pytest.fixture
def stocked(shop):
    """Two products of a Cyrillic-named category in two warehouses of the region (and one elsewhere)."""
    category = CategoryFactory(name="Саморезы кровельные", slug="samorezy-krovelnye")
    category_rebuild_tree()
    second = WarehouseFactory(region=shop["region"], name="Склад Север", position=5)
    WarehouseFactory(name="Склад чужого региона")
    confirmed = timezone.now() - timedelta(minutes=7)
    whole = ProductFactory(sku="KR-1", name="Саморез 4,8x35", category=category, multiplicity=Decimal("10"))
    cable = ProductFactory(sku="KB-1", name="Кабель ВВГ", category=category, multiplicity=Decimal("1"))
    PriceFactory(product=whole, price_type=shop["base"], amount=Decimal("1234.5"))
    PriceFactory(product=cable, price_type=shop["base"], amount=Decimal("56.78"))
    StockFactory(product=whole, warehouse=shop["warehouse"], quantity=Decimal("40"), confirmed_at=confirmed)
    StockFactory(product=whole, warehouse=second, quantity=Decimal("1200"), confirmed_at=confirmed)
    StockFactory(product=cable, warehouse=second, quantity=Decimal("12.5"), confirmed_at=confirmed)
    return {**shop, "category": category, "second": second, "confirmed": confirmed}


def test_header_block_names_company_time_price_type_and_stock_time(client, stocked):
    buyer = stocked["buyer"]
    buyer.client.discount_percent = Decimal("5")
    buyer.client.save(update_fields=["discount_percent"])
    before = timezone.localtime().replace(tzinfo=None, second=0, microsecond=0)
    _response, sheet = _download(client, buyer)
    labels = {sheet.cell(row, 1).value: sheet.cell(row, 2) for row in range(2, TABLE_ROW - 1)}
    assert sheet["A1"].value == "Прайс-лист" and sheet["A1"].font.bold
    assert labels["Компания"].value == buyer.client.name
    made = labels["Сформирован"]
    assert isinstance(made.value, datetime) and made.value >= before and made.number_format == "DD.MM.YYYY HH:MM"
    assert labels["Тип цен"].value == f"{stocked['base'].name}, скидка 5 %, с НДС"
    stock_time = labels["Остатки на"].value
    expected = timezone.localtime(stocked["confirmed"]).replace(tzinfo=None)
    assert abs(stock_time - expected) < timedelta(seconds=1)
    assert labels["Раздел"].value == "Весь ассортимент"


def test_table_has_formats_frozen_header_filter_and_a_column_per_warehouse(client, stocked):
    _response, sheet = _download(client, stocked["buyer"])
    rows = list(sheet.iter_rows(min_row=TABLE_ROW))
    titles = [cell.value for cell in rows[0]]
    assert titles == ["Артикул", "Наименование", "Ед. изм.", "Кратность", "Цена, RUB", "Наличие", "Всего на складах",
                      stocked["warehouse"].name, "Склад Север"]
    assert "Склад чужого региона" not in titles and all(cell.font.bold for cell in rows[0])
    assert sheet.freeze_panes == f"C{TABLE_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{TABLE_ROW}:I{TABLE_ROW + 2}"
    by_sku = {row[0].value: row for row in rows[1:]}
    whole, cable = by_sku["KR-1"], by_sku["KB-1"]
    assert whole[4].value == Decimal("1234.5") and whole[4].number_format == "#,##0.00"
    assert cable[4].number_format == "#,##0.00"
    assert whole[5].value == str(STATUS_LABELS[StockStatus.IN_STOCK])
    assert [cell.value for cell in whole[6:]] == [1240, 40, 1200]
    assert {cell.number_format for cell in whole[6:]} == {"#,##0"} and whole[3].number_format == "#,##0"
    assert [cell.value for cell in cable[6:]] == [12.5, None, 12.5]  # no stock in the first warehouse: blank
    assert cable[6].number_format == "#,##0.###" and cable[8].number_format == "#,##0.###"


def test_price_on_request_stays_text(client, stocked):
    ProductFactory(sku="NO-PRICE", name="Без цены")
    _response, sheet = _download(client, stocked["buyer"])
    row = next(row for row in sheet.iter_rows(min_row=TABLE_ROW + 1) if row[0].value == "NO-PRICE")
    assert row[4].value == str(SOURCE_LABELS[PriceSource.ON_REQUEST]) and row[4].number_format == "General"


def test_category_list_has_the_category_in_header_and_file_name(client, stocked):
    ProductFactory(sku="OTHER-1")
    response, sheet = _download(client, stocked["buyer"], category=stocked["category"].slug)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    name = unquote(disposition.split("''", 1)[1])
    today = timezone.localdate()
    assert name == f"Прайс-лист_Саморезы_кровельные_{today:%Y-%m-%d}.xlsx"
    assert sheet["B6"].value == "Саморезы кровельные"
    skus = {row[0] for row in sheet.iter_rows(min_row=TABLE_ROW + 1, values_only=True)}
    assert skus == {"KR-1", "KB-1"}


def test_whole_assortment_file_name_has_the_date(client, stocked):
    response, _sheet = _download(client, stocked["buyer"])
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name == f"Прайс-лист_{timezone.localdate():%Y-%m-%d}.xlsx"
