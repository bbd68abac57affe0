"""All-or-nothing: every bad input fails the run with its specific reason and leaves every row as it was;
odd rows follow their documented rule and are counted."""

from decimal import Decimal

import pytest

from catalog.models import Price, Product, Stock
from sync.models import SyncRun

from .helpers import fixture, ok, run, snapshot, written

pytestmark = pytest.mark.django_db

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.07">')


def offers(body: str, partial: bool = False, price_types: str = "") -> str:
    types = price_types or ("<ТипыЦен><ТипЦены><Ид>pt-1</Ид><Наименование>Опт</Наименование><Валюта>RUB</Валюта>"
                            "</ТипЦены></ТипыЦен>")
    return (f'{HEAD}<ПакетПредложений СодержитТолькоИзменения="{str(partial).lower()}"><Ид>x</Ид>'
            f"<Наименование>x</Наименование>{types}<Склады><Склад><Ид>wh-1</Ид><Наименование>Главный</Наименование>"
            f"</Склад><Склад><Ид>wh-2</Ид><Наименование>Второй</Наименование></Склад></Склады>"
            f"<Предложения>{body}</Предложения></ПакетПредложений></КоммерческаяИнформация>")


def offer(erp_id: str, price: str = "100", stock: tuple = ("5", "7")) -> str:
    cells = "".join(f'<Склад ИдСклада="wh-{i + 1}" КоличествоНаСкладе="{q}"/>' for i, q in enumerate(stock))
    return (f"<Предложение><Ид>{erp_id}</Ид><Наименование>Товар {erp_id}</Наименование><Цены><Цена>"
            f"<ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>{price}</ЦенаЗаЕдиницу></Цена></Цены>{cells}</Предложение>")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


@pytest.fixture
def loaded(tmp_path):
    """Data in place: a real catalog, and a package of three offers with prices and stock."""
    ok("catalog", fixture("carono-php-commerceml/import.xml"))
    ok("stock", write(tmp_path, "base.xml", offers(offer("a") + offer("b") + offer("c"))))
    return snapshot()


def failed(path, reason: str, stream: str = "stock") -> SyncRun:
    result = run(stream, path)
    assert result.status == SyncRun.Status.FAILED
    assert reason in result.error, result.error
    return result


def test_malformed_xml(tmp_path, loaded):
    path = write(tmp_path, "bad.xml", offers(offer("a", price="1") + "<Предложение><Ид>b</Ид>"))
    result = failed(path, "malformed XML")
    assert result.error_location.startswith("line ")
    assert snapshot() == loaded


def test_truncated_file(tmp_path, loaded):
    text = offers(offer("a", price="999") + offer("b"))
    path = write(tmp_path, "cut.xml", text[: len(text) * 2 // 3])
    failed(path, "malformed XML")
    assert snapshot() == loaded


def test_unknown_price_type(tmp_path, loaded):
    body = offer("a", price="1") + offer("b").replace("pt-1", "pt-nowhere")
    failed(write(tmp_path, "pt.xml", offers(body)), "unknown price type 'pt-nowhere'")
    assert snapshot() == loaded


def test_negative_price(tmp_path, loaded):
    result = failed(write(tmp_path, "neg.xml", offers(offer("a", price="1") + offer("b", price="-5"))),
                    "negative price -5 for offer b")
    assert "Предложение" in result.error_location
    assert snapshot() == loaded


def test_price_for_a_product_that_does_not_exist(tmp_path, loaded):
    body = offer("a", price="1") + "<Предложение><Ид>ghost</Ид><Цены><Цена><ИдТипаЦены>pt-1</ИдТипаЦены>" \
        "<ЦенаЗаЕдиницу>10</ЦенаЗаЕдиницу></Цена></Цены></Предложение>"
    failed(write(tmp_path, "ghost.xml", offers(body)), "product ghost does not exist")
    assert snapshot() == loaded


def test_stock_for_a_product_that_does_not_exist(tmp_path, loaded):
    body = offer("a", stock=("1", "1")) + \
        "<Предложение><Ид>ghost</Ид><Склад ИдСклада=\"wh-1\" КоличествоНаСкладе=\"3\"/></Предложение>"
    failed(write(tmp_path, "ghost.xml", offers(body)), "product ghost does not exist")
    assert snapshot() == loaded


def test_xxe_attempt(tmp_path, loaded):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    text = offers(offer("a", price="1")).replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>\n')
    text = text.replace("<Наименование>Товар a</Наименование>", "<Наименование>&e;</Наименование>")
    result = failed(write(tmp_path, "xxe.xml", text), "possible XXE")
    assert "top secret" not in result.error
    assert snapshot() == loaded


def test_billion_laughs(tmp_path, loaded):
    text = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            "<КоммерческаяИнформация><Классификатор><Наименование>&lol2;</Наименование></Классификатор>"
            "</КоммерческаяИнформация>")
    failed(write(tmp_path, "lol.xml", text), "possible XXE", stream="catalog")
    assert snapshot() == loaded


def test_not_commerceml(tmp_path, loaded):
    failed(write(tmp_path, "x.xml", "<html><body>hello</body></html>"), "the file holds no CommerceML section")
    assert snapshot() == loaded


def test_file_of_another_stream(tmp_path, loaded):
    failed(fixture("argentcrusade-commerceml/contractors-example.xml"), "does not belong to the stock stream")
    assert snapshot() == loaded


def test_duplicate_offer(tmp_path, loaded):
    failed(write(tmp_path, "dup.xml", offers(offer("a", price="1") + offer("a"))), "offer a appears twice")
    assert snapshot() == loaded


def test_warehouse_listed_twice_in_one_offer(tmp_path, loaded):
    body = offer("a", stock=("5", "7")).replace('ИдСклада="wh-2"', 'ИдСклада="wh-1"') + offer("b") + offer("c")
    failed(write(tmp_path, "twice.xml", offers(body)), "offer a lists a warehouse twice")
    assert snapshot() == loaded


def test_price_type_listed_twice_in_one_offer_the_last_base_unit_price_wins(tmp_path, loaded):
    price = "<Цена><ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>5</ЦенаЗаЕдиницу></Цена>"
    body = offer("a").replace("</Цена></Цены>", f"</Цена>{price}</Цены>") + offer("b") + offer("c")

    result = ok("stock", write(tmp_path, "twice.xml", offers(body)))

    assert Price.objects.get(product__erp_id="a").amount == Decimal("5.00")
    assert result.counts["offers"]["repeated_prices_dropped"] == 1


def test_quantity_that_is_not_a_number(tmp_path, loaded):
    result = failed(write(tmp_path, "nan.xml", offers(offer("a") + offer("b", stock=("5", "много")))),
                    "stock quantity is not a number: 'много'")
    assert "Предложение" in result.error_location
    assert snapshot() == loaded


def test_price_that_is_not_a_number(tmp_path, loaded):
    failed(write(tmp_path, "nan.xml", offers(offer("a", price="сто"))), "ЦенаЗаЕдиницу is not a number: 'сто'")
    assert snapshot() == loaded


def test_dry_run_counts_and_changes_nothing(tmp_path, loaded):
    result = ok("stock", write(tmp_path, "dry.xml", offers(offer("a", price="1") + offer("d"))), dry_run=True)
    assert result.counts["prices"]["updated"] == 1 and result.counts["prices"]["created"] == 1
    assert snapshot() == loaded


# -- odd rows: a documented rule, counted ------------------------------------------------------------

def test_negative_stock_is_stored_as_zero_and_counted(tmp_path, loaded):
    result = ok("stock", write(tmp_path, "n.xml", offers(offer("a", stock=("-3", "4")) + offer("b") + offer("c"))))
    assert result.counts["offers"]["negative_stock_clamped"] == 1
    assert Stock.objects.get(product__erp_id="a", warehouse__erp_id="wh-1").quantity == 0


def test_empty_sku_takes_the_erp_id_and_is_counted(tmp_path):
    text = (f"{HEAD}<Каталог СодержитТолькоИзменения=\"true\"><Ид>c</Ид><Наименование>c</Наименование><Товары>"
            "<Товар><Ид>p-1</Ид><Артикул></Артикул><Наименование>Без артикула</Наименование>"
            "<БазоваяЕдиница Код=\"796 \">шт</БазоваяЕдиница></Товар>"
            "<Товар><Ид>p-2</Ид><Артикул>A-1</Артикул><Наименование>Один</Наименование></Товар>"
            "<Товар><Ид>p-3</Ид><Артикул>A-1</Артикул><Наименование>Тот же артикул</Наименование></Товар>"
            "</Товары></Каталог></КоммерческаяИнформация>")
    result = ok("catalog", write(tmp_path, "c.xml", text))
    assert result.counts["products"]["sku_from_erp_id"] == 1
    assert result.counts["products"]["sku_made_unique"] == 1
    assert Product.objects.get(erp_id="p-1").sku == "p-1"
    assert Product.objects.get(erp_id="p-1").base_unit.code == "796"
    assert Product.objects.get(erp_id="p-3").sku == "A-1-p-3"


def test_numbers_in_every_written_form(tmp_path, loaded):
    """Plain digits pass to the database as written; commas, spaces and decimals are read as numbers."""
    body = (offer("a", price="1 250,50", stock=("5.000", " 7 ")) + offer("b", price="99.9", stock=("1,5", "012"))
            + offer("c", price="0105", stock=("3", "4")))
    ok("stock", write(tmp_path, "forms.xml", offers(body)))

    prices = dict(Price.objects.values_list("product__erp_id", "amount"))
    stock = dict(Stock.objects.filter(warehouse__erp_id="wh-1").values_list("product__erp_id", "quantity"))
    assert prices == {"a": Decimal("1250.50"), "b": Decimal("99.90"), "c": Decimal("105.00")}
    assert stock == {"a": 5, "b": Decimal("1.5"), "c": 3}
    assert Stock.objects.get(product__erp_id="b", warehouse__erp_id="wh-2").quantity == 12


# -- partial and full packages ----------------------------------------------------------------------

def test_partial_package_changes_only_what_it_lists(tmp_path, loaded):
    before = {(p.product.erp_id, p.amount) for p in Price.objects.select_related("product")}
    stock_before = dict(Stock.objects.exclude(product__erp_id="b").values_list("pk", "quantity"))

    result = ok("stock", write(tmp_path, "p.xml", offers(offer("b", price="150", stock=("9", "7")), partial=True)))

    assert result.counts["prices"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert result.counts["stock"]["updated"] == 1 and result.counts["stock"]["unchanged"] == 1
    after = {(p.product.erp_id, p.amount) for p in Price.objects.select_related("product")}
    assert after - before == {("b", Decimal("150.00"))}
    assert dict(Stock.objects.exclude(product__erp_id="b").values_list("pk", "quantity")) == stock_before


def test_full_package_makes_unlisted_goods_unavailable_not_deleted(tmp_path, loaded):
    result = ok("stock", write(tmp_path, "f.xml", offers(offer("a"))))

    assert result.counts["stock"]["zeroed_not_in_full_package"] == 4
    assert Product.objects.filter(erp_id__in=["b", "c"]).count() == 2
    assert set(Stock.objects.filter(product__erp_id__in=["b", "c"]).values_list("quantity", flat=True)) == {0}


def test_price_per_base_unit_from_a_pack_price(tmp_path, loaded):
    body = offer("a").replace("<ЦенаЗаЕдиницу>100</ЦенаЗаЕдиницу>",
                              "<ЦенаЗаЕдиницу>1 250,00</ЦенаЗаЕдиницу><Единица>упак</Единица>"
                              "<Коэффициент>10</Коэффициент>")
    ok("stock", write(tmp_path, "pack.xml", offers(body + offer("b") + offer("c"), partial=True)))
    assert Price.objects.get(product__erp_id="a").amount == Decimal("125.00")


def test_product_images_next_to_the_file_are_attached_once(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "import_files" / "ab").mkdir(parents=True)
    (tmp_path / "import_files" / "ab" / "p1.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    text = (f"{HEAD}<Каталог СодержитТолькоИзменения=\"true\"><Ид>c</Ид><Наименование>c</Наименование><Товары>"
            "<Товар><Ид>p-1</Ид><Артикул>A</Артикул><Наименование>С картинкой</Наименование>"
            "<Картинка>import_files/ab/p1.jpg</Картинка><Картинка>import_files/ab/lost.jpg</Картинка>"
            "<Картинка>../../etc/passwd</Картинка></Товар></Товары></Каталог></КоммерческаяИнформация>")
    path = write(tmp_path, "import.xml", text)

    first = ok("catalog", path)
    again = ok("catalog", path)

    assert first.counts["images"]["created"] == 1 and first.counts["images"]["missing"] == 2
    assert again.counts["images"]["created"] == 0 and again.counts["images"]["unchanged"] == 1
    media = Product.objects.get(erp_id="p-1").media.get()
    assert media.title == "import_files/ab/p1.jpg" and media.file.read() == b"\xff\xd8\xff fake jpeg"


@pytest.mark.postgres
def test_bulk_load_mode_recreates_every_constraint_and_index(tmp_path, monkeypatch):
    from django.db import connection

    from sync.importers import bulk

    def shape():
        with connection.cursor() as cur:
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                        "'catalog_stock'::regclass ORDER BY 1")
            constraints = cur.fetchall()
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'catalog_stock' ORDER BY 1")
            return constraints, cur.fetchall()

    ok("catalog", fixture("carono-php-commerceml/import.xml"))
    before = shape()
    monkeypatch.setattr(bulk, "BULK_LOAD_MIN_ROWS", 2)

    result = ok("stock", write(tmp_path, "o.xml", offers(offer("a") + offer("b") + offer("c"))))

    assert result.counts["stock"]["bulk_load"] == 1 and result.counts["stock"]["created"] == 6
    assert shape() == before
    again = ok("stock", write(tmp_path, "o.xml", offers(offer("a") + offer("b") + offer("c"))))
    assert written(again.counts) == 0 and shape() == before
    twice = offer("a").replace('ИдСклада="wh-2"', 'ИдСклада="wh-1"')
    Stock.objects.all().delete()
    failed(write(tmp_path, "twice.xml", offers(twice + offer("b"))), "offer a lists a warehouse twice")
    assert shape() == before and not Stock.objects.exists()
    bad = run("stock", write(tmp_path, "bad.xml", offers(offer("a", price="-1"))))
    assert bad.status == "failed" and shape() == before


def test_partial_flag_as_an_element_is_honoured(tmp_path, loaded):
    text = offers(offer("a", price="1"), partial=False).replace(
        'СодержитТолькоИзменения="false"><Ид>x</Ид>',
        "><Ид>x</Ид><СодержитТолькоИзменения>true</СодержитТолькоИзменения>")
    result = ok("stock", write(tmp_path, "el.xml", text))
    assert "zeroed_not_in_full_package" not in result.counts["stock"]
    assert Stock.objects.filter(product__erp_id="b", quantity__gt=0).exists()


@pytest.mark.postgres
def test_chunked_merges_give_the_same_result(tmp_path, loaded, monkeypatch):
    """Tiny chunks: many merges run by the worker while parsing goes on, same counts and rows."""
    from sync.importers import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    result = ok("stock", write(tmp_path, "c.xml", offers(offer("a", price="1", stock=("1", "2")) + offer("b"))))

    assert result.counts["prices"] == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert result.counts["stock"]["updated"] == 2 and result.counts["stock"]["unchanged"] == 2
    assert result.counts["stock"]["zeroed_not_in_full_package"] == 2  # c's two rows
    assert Price.objects.get(product__erp_id="a").amount == 1
    failed(write(tmp_path, "bad.xml", offers(offer("a", price="7") + offer("b") + offer("c", price="-1"))),
           "negative price")
    assert Price.objects.get(product__erp_id="a").amount == 1
