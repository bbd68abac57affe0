"""Exchange cycles over HTTP as 1C drives them: several zips in one session, full packages split over
several files, what `success` reports, and the step at the end of the cycle."""

import io
import zipfile
from decimal import Decimal

import pytest

from catalog.models import Price, Product, Stock
from sync.models import SyncRun

from . import test_exchange_http as http
from .helpers import fixture, ok
from .test_bad_input import offer, offers
from .test_exchange_http import URL, import_until_done, lines, upload

onec, _on_commit = http.onec, http._on_commit  # the 1C client and the on-commit runner of the dialogue tests

pytestmark = pytest.mark.django_db


def zipped(**files: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name.replace("__", "."), text.encode())
    return buf.getvalue()


def import_zip(client, data: bytes, *names: str) -> list[list[str]]:
    upload(client, "catalog", "exchange.zip", data)
    assert lines(client.get(URL, {"type": "catalog", "mode": "import", "filename": names[0]}))[0] == "progress"
    return [import_until_done(client, "catalog", name) for name in names]


@pytest.fixture
def catalog():
    ok("catalog", fixture("carono-php-commerceml/import.xml"))


def test_a_second_zip_in_the_same_session_is_imported(onec, catalog):
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    first = import_zip(onec, zipped(offers__xml=offers(offer("a", price="100"))), "offers.xml")
    assert first[0][0] == "success"

    second = import_zip(onec, zipped(offers__xml=offers(offer("a", price="200"))), "offers.xml")

    assert second[0][0] == "success"
    assert Price.objects.get(product__erp_id="a").amount == Decimal("200")
    assert SyncRun.objects.filter(status="success", source="http").count() == 2


def stock_of(erp_id: str) -> list[Decimal]:
    return list(Stock.objects.filter(product__erp_id=erp_id).order_by("warehouse__erp_id")
                .values_list("quantity", flat=True))


def test_a_full_package_split_over_two_files_zeroes_at_the_cycle_end_what_neither_lists(onec, catalog,
                                                                                     fixture_file):
    ok("stock", fixture_file(offers(offer("a") + offer("b") + offer("c"))))
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))

    answers = import_zip(onec, zipped(offers0_1__xml=offers(offer("a", stock=("1", "-2"))),
                                      offers0_2__xml=offers(offer("b", stock=("3", "4")))),
                         "offers0_1.xml", "offers0_2.xml")

    assert [a[0] for a in answers] == ["success", "success"]
    assert "negative_stock_clamped 1" in answers[0][1]  # every counted rule is reported
    assert stock_of("a") == [1, 0] and stock_of("b") == [3, 4]  # the second file left the first one's rows
    assert stock_of("c") == [5, 7]  # nothing is zeroed before the cycle ends
    done = lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))
    assert done[0] == "success" and "stock: zeroed_not_in_full_package 2" in done[1], done
    assert stock_of("a") == [1, 0] and stock_of("b") == [3, 4] and stock_of("c") == [0, 0]
    end = SyncRun.objects.get(file_name__startswith="end of the exchange cycle")
    assert (end.stream, end.status, end.counts["stock"]["zeroed_not_in_full_package"]) == ("stock", "success", 2)
    assert lines(onec.get(URL, {"type": "catalog", "mode": "complete"})) == ["success", "", ""]  # done once


def test_a_cycle_without_complete_ends_when_the_next_one_begins(onec, catalog, fixture_file):
    ok("stock", fixture_file(offers(offer("a") + offer("b"))))
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    import_zip(onec, zipped(offers__xml=offers(offer("a"))), "offers.xml")
    assert stock_of("b") == [5, 7]

    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))

    assert stock_of("b") == [0, 0]


CHARACTERISTIC = "bd72d910-55bc-11d9-848a-00112f43529a#90c55447-d3a8-11e4-9423-e0cb4ed5eed4"


def test_two_full_exchange_cycles_keep_products_created_from_offers_active(onec):
    catalog_xml = fixture("carono-php-commerceml/import.xml").read_text(encoding="utf-8-sig")
    package = zipped(import__xml=catalog_xml,
                     offers__xml=offers(offer("a") + offer(CHARACTERISTIC)))
    for _ in range(2):
        lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
        answers = import_zip(onec, package, "import.xml", "offers.xml")
        assert [a[0] for a in answers] == ["success", "success"], answers
        assert lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"

    assert Product.objects.get(erp_id="a").is_active
    assert Product.objects.get(erp_id=CHARACTERISTIC).is_active
    assert Product.objects.filter(is_active=False).count() == 0


def test_a_full_catalog_without_the_parent_deactivates_its_characteristics_at_the_cycle_end(onec, catalog):
    ok("catalog", fixture("carono-php-commerceml/offers.xml"))
    parent = CHARACTERISTIC.split("#")[0]
    assert Product.objects.filter(erp_id__startswith=f"{parent}#", is_active=True).count() == 2
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    import_zip(onec, zipped(import__xml=one_product_catalog("other")), "import.xml")
    assert Product.objects.get(erp_id=parent).is_active  # not before the cycle ends

    done = lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))

    assert "deactivated_with_parent" in done[1], done
    assert not Product.objects.get(erp_id=parent).is_active
    assert not Product.objects.filter(erp_id__startswith=f"{parent}#", is_active=True).exists()
    # offers of a characteristic do not bring it back while its parent is inactive
    ok("catalog", fixture("carono-php-commerceml/offers.xml"))
    assert not Product.objects.filter(erp_id__startswith=f"{parent}#", is_active=True).exists()


def test_offers_reactivate_a_product_a_full_catalog_left_out(catalog, fixture_file):
    ok("stock", fixture_file(offers(offer("a"))))
    ok("catalog", fixture_file(one_product_catalog("other")))
    assert not Product.objects.get(erp_id="a").is_active

    again = ok("stock", fixture_file(offers(offer("a"), partial=True)))

    assert Product.objects.get(erp_id="a").is_active
    assert again.counts["products"]["reactivated_by_offers"] == 1
    # a product the catalog marks deleted stays inactive even when the same file offers it
    deleted = one_product_catalog("a", deleted=True).replace("</КоммерческаяИнформация>", "")
    both = deleted + offers(offer("a"), partial=True).split("?>", 1)[1].split(">", 1)[1]
    ok("catalog", fixture_file(both))
    assert not Product.objects.get(erp_id="a").is_active


def one_product_catalog(erp_id: str, deleted: bool = False) -> str:
    mark = "<ПометкаУдаления>true</ПометкаУдаления>" if deleted else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.07">'
            '<Каталог СодержитТолькоИзменения="false"><Ид>c</Ид><Наименование>c</Наименование><Товары>'
            f"<Товар><Ид>{erp_id}</Ид><Артикул>{erp_id}</Артикул><Наименование>Товар {erp_id}</Наименование>"
            f"{mark}</Товар></Товары></Каталог></КоммерческаяИнформация>")


@pytest.fixture
def fixture_file(tmp_path):
    """Writes an XML text to a new file of the test's folder."""
    def write(text: str):
        path = tmp_path / f"f{len(list(tmp_path.iterdir()))}.xml"
        path.write_bytes(text.encode())
        return path
    return write


@pytest.mark.postgres
def test_offers_equal_to_the_stored_rows_are_skipped_yet_listed_by_their_full_package(catalog, fixture_file):
    ok("stock", fixture_file(offers(offer("a") + offer("b") + offer("c"))))

    again = ok("stock", fixture_file(offers(offer("a") + offer("b", stock=("5", "8")))))

    assert stock_of("a") == [5, 7] and stock_of("b") == [5, 8] and stock_of("c") == [0, 0]
    assert again.counts["stock"]["updated"] == 1 and again.counts["stock"]["unchanged"] == 3
    assert again.counts["stock"]["zeroed_not_in_full_package"] == 2  # c's two rows


@pytest.mark.postgres
def test_skipped_offers_of_a_split_full_package_are_not_zeroed_at_the_cycle_end(onec, catalog, fixture_file):
    ok("stock", fixture_file(offers(offer("a") + offer("b") + offer("c"))))
    lines(onec.get(URL, {"type": "catalog", "mode": "init"}))
    import_zip(onec, zipped(offers0_1__xml=offers(offer("a")), offers0_2__xml=offers(offer("b"))),
               "offers0_1.xml", "offers0_2.xml")

    assert lines(onec.get(URL, {"type": "catalog", "mode": "complete"}))[0] == "success"

    assert stock_of("a") == [5, 7] and stock_of("b") == [5, 7] and stock_of("c") == [0, 0]
