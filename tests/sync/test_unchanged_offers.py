"""Offers that change nothing are told before the merge: by the stored rows, and by the digest of their bytes
(sync.importers.unchanged). Whatever the shortcut, the stored data ends as the regular path leaves it."""

from decimal import Decimal

import pytest

from base.models import Warehouse
from catalog.models import Price, Stock
from sync.commerceml import reader
from sync.importers.offers import OffersImport
from sync.models import OfferDigest

from .helpers import fixture, ok
from .test_bad_input import offer, offers

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def catalog():
    ok("catalog", fixture("carono-php-commerceml/import.xml"))


@pytest.fixture
def file(tmp_path):
    """Writes an offers package to a new file, one offer per line as 1C writes them."""
    def write(*body: str, dated: str = "2026-11-30T10:00:00"):
        path = tmp_path / f"offers{len(list(tmp_path.iterdir()))}.xml"
        path.write_bytes(offers("\n".join(("", *body, ""))).replace(
            'ВерсияСхемы="2.07"', f'ВерсияСхемы="2.07" ДатаФормирования="{dated}"').encode())
        return path
    return write


@pytest.fixture
def parsed(monkeypatch):
    """The ids of the offers that took the regular path (parsed, or read again from the file, and compared or
    merged); an offer told by the digest of its bytes is not parsed at all."""
    ids = []
    regular = OffersImport._import

    def counting(self, erp_id, offer):
        ids.append(erp_id)
        return regular(self, erp_id, offer)

    monkeypatch.setattr(OffersImport, "_import", counting)
    return ids


def stock(erp_id: str) -> list[Decimal]:
    return list(Stock.objects.filter(product__erp_id=erp_id).order_by("warehouse__erp_id")
                .values_list("quantity", flat=True))


def price(erp_id: str) -> Decimal:
    return Price.objects.get(product__erp_id=erp_id).amount


def test_the_same_offers_under_a_new_date_are_not_parsed_and_write_nothing(catalog, file, parsed):
    ok("stock", file(offer("a"), offer("b")))
    ok("stock", file(offer("a"), offer("b"), dated="2026-11-30T10:05:00"))  # stored rows known: digests recorded
    parsed.clear()

    again = ok("stock", file(offer("a"), offer("b"), dated="2026-11-30T10:10:00"))

    assert parsed == []
    assert again.counts["stock"] == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert again.counts["prices"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert OfferDigest.objects.count() == 2
    assert set(Warehouse.objects.filter(erp_id__in=["wh-1", "wh-2"]).values_list("stock_confirmed_at", flat=True)) \
        == {again.started_at}


def test_a_changed_offer_is_parsed_and_merged(catalog, file, parsed):
    ok("stock", file(offer("a"), offer("b")))
    ok("stock", file(offer("a"), offer("b")))
    parsed.clear()

    again = ok("stock", file(offer("a"), offer("b", price="120", stock=("5", "9"))))

    assert parsed == ["b"]
    assert price("b") == Decimal("120") and stock("b") == [5, 9]
    assert again.counts["stock"]["updated"] == 1 and again.counts["stock"]["unchanged"] == 3


def test_rows_changed_in_admin_are_put_back_by_the_same_offer(catalog, file, parsed):
    ok("stock", file(offer("a"), offer("b")))
    ok("stock", file(offer("a"), offer("b")))
    Stock.objects.filter(product__erp_id="a", warehouse__erp_id="wh-1").update(quantity=99)
    Price.objects.filter(product__erp_id="b").update(amount=1)
    Stock.objects.filter(product__erp_id="b", warehouse__erp_id="wh-2").delete()
    parsed.clear()

    again = ok("stock", file(offer("a"), offer("b")))

    assert sorted(parsed) == ["a", "b"]
    assert stock("a") == [5, 7] and stock("b") == [5, 7] and price("b") == Decimal("100")
    assert again.counts["stock"]["updated"] == 1 and again.counts["stock"]["created"] == 1


def test_a_row_added_in_admin_is_zeroed_by_the_next_full_package(catalog, file, parsed):
    ok("stock", file(offer("a", stock=("5",))))
    ok("stock", file(offer("a", stock=("5",))))
    Stock.objects.create(product=Stock.objects.get(product__erp_id="a").product,
                         warehouse=Warehouse.objects.get(erp_id="wh-2"), quantity=3, confirmed_at=Stock.objects.get(
                             product__erp_id="a").confirmed_at)
    parsed.clear()

    again = ok("stock", file(offer("a", stock=("5",))))

    assert parsed == ["a"] and stock("a") == [5, 0]
    assert again.counts["stock"]["zeroed_not_in_full_package"] == 1


def test_warehouses_read_otherwise_retire_the_digests(catalog, file, parsed):
    ok("stock", file(offer("a")))
    ok("stock", file(offer("a")))
    one, two = Warehouse.objects.get(erp_id="wh-1"), Warehouse.objects.get(erp_id="wh-2")
    Warehouse.objects.filter(pk=one.pk).update(erp_id="swap")  # the ERP ids of the two warehouses swapped
    Warehouse.objects.filter(pk=two.pk).update(erp_id="wh-1")
    Warehouse.objects.filter(pk=one.pk).update(erp_id="wh-2")
    parsed.clear()

    ok("stock", file(offer("a")))

    assert parsed == ["a"] and stock("a") == [5, 7]  # by ERP id, as the file says


def test_a_comment_among_the_offers_is_not_taken_for_an_offer(catalog, file, parsed):
    ok("stock", file(offer("a")))
    ok("stock", file(offer("a")))
    parsed.clear()

    ok("stock", file(f"<!-- {offer('a')} -->" + offer("a", price="150")))  # on one line

    assert parsed == ["a"] and price("a") == Decimal("150")


def test_offers_on_one_line_are_told_apart_by_their_ids(catalog, tmp_path, parsed):
    path = tmp_path / "one-line.xml"
    path.write_bytes(offers(offer("a") + offer("b")).encode())
    ok("stock", path)
    ok("stock", path)
    parsed.clear()
    path.write_bytes(offers(offer("a") + offer("b", price="130")).encode())

    ok("stock", path)

    assert parsed == ["b"] and price("a") == Decimal("100") and price("b") == Decimal("130")


def test_an_offer_with_a_cdata_section_is_read_whole(catalog, file, parsed):
    tricky = offer("a").replace("<Наименование>Товар a</Наименование>",
                                "<Наименование><![CDATA[Товар </Предложение> a]]></Наименование>")
    ok("stock", file(tricky))
    ok("stock", file(tricky))
    parsed.clear()

    ok("stock", file(tricky.replace("<ЦенаЗаЕдиницу>100<", "<ЦенаЗаЕдиницу>170<")))

    assert parsed == ["a"] and price("a") == Decimal("170")


def test_a_windows_1251_file_is_told_by_its_digest_too(catalog, tmp_path, parsed):
    path = tmp_path / "cp1251.xml"
    text = offers("\n" + offer("a") + "\n").replace('encoding="UTF-8"', 'encoding="windows-1251"')
    path.write_bytes(text.encode("cp1251"))
    ok("stock", path)
    ok("stock", path)
    parsed.clear()

    ok("stock", path)

    assert parsed == []


def test_offers_are_found_across_the_blocks_the_file_is_read_in(catalog, file, parsed, monkeypatch):
    monkeypatch.setattr(reader, "READ_BYTES", 100)  # an offer is about 300 bytes
    body = [offer(erp_id) for erp_id in ("a", "b", "c", "d")]
    ok("stock", file(*body))
    ok("stock", file(*body))
    parsed.clear()

    again = ok("stock", file(*body[:3], offer("d", price="110")))

    assert parsed == ["d"] and price("d") == Decimal("110")
    assert again.counts["stock"]["unchanged"] == 8


def test_an_offer_read_again_is_placed_at_its_own_line(catalog, file, parsed):
    ok("stock", file(offer("a"), offer("b")))
    ok("stock", file(offer("a"), offer("b")))
    path = file(offer("a"), offer("b"))  # b on line 4
    span = next(data["span"] for kind, data in reader.read(path, digests=Everything())
                if kind == "offer_repeat" and data["erp_id"] == "b")

    again = reader.reread_offer(span)

    assert again["erp_id"] == "b" and again["el"].sourceline == 4 and again["stock"] == [("wh-1", "5"), ("wh-2", "7")]


class Everything:
    """Digests of a caller that has imported every offer as it is."""

    def digest_key(self) -> bytes:
        return b""

    def repeated(self, erp_id: str, digest: bytes) -> bool:
        return True
