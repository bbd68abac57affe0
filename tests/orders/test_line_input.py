"""Order lines typed or pasted by a buyer: parsing, quantities, units, multiplicity, checks, the catalog resolver."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from accounts.models import User
from catalog.models import AssortmentItem, Product, ProductUnit
from orders.line_input import (
    LineStatus,
    ProductInfo,
    RawLine,
    SkuLookup,
    UnitInfo,
    check_lines,
    parse_lines,
    sku_key,
)
from orders.line_resolver import CatalogResolver
from orders.quantities import QuantityChoice, multiplicity_choices, parse_quantity
from tests.factories import ClientUserFactory, ProductFactory, RegionFactory, UnitFactory

D = Decimal


def fields(line: RawLine) -> tuple[str, str, str, str]:
    return line.sku, line.quantity_text, line.unit_text, line.comment


# --- Parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("ABC-1\t2,5\tуп", ("ABC-1", "2,5", "уп", "")),  # Excel
    ("ABC-1;2,5;уп", ("ABC-1", "2,5", "уп", "")),  # 1C, CSV of a Russian locale
    ("ABC-1, 3", ("ABC-1", "3", "", "")),
    ("ABC-1,3", ("ABC-1", "3", "", "")),
    ("ABC-1,2,5,уп", ("ABC-1", "2,5", "уп", "")),  # a decimal comma split by the comma separator
    ("ABC-1, 2,5, уп", ("ABC-1", "2,5", "уп", "")),
    ("ABC-1 2,5 уп", ("ABC-1", "2,5", "уп", "")),
    ("ABC-1 2.5", ("ABC-1", "2.5", "", "")),
    ("ABC-1    7   шт   до пятницы", ("ABC-1", "7", "шт", "до пятницы")),
    ("Болт М8, 10", ("Болт М8", "10", "", "")),  # a SKU with a space, comma-separated
    ('"ABC 2";"1 000,5";"шт"', ("ABC 2", "1 000,5", "шт", "")),  # quoted cells
    ('"ABC ""X""" 4', ('ABC "X"', "4", "", "")),
    ("ABC-1 1\u00a0000 шт", ("ABC-1", "1000", "шт", "")),  # no-break thousands space
    ("ABC-1 1 000 шт", ("ABC-1", "1 000", "шт", "")),  # plain thousands space
    ("ABC-1 12345 678", ("ABC-1", "12345", "678", "")),  # not a thousands group
    ("ABC-1\u00a05\u00a0шт", ("ABC-1", "5", "шт", "")),
    ("ABC-1\u00a0100\u00a0шт", ("ABC-1", "100", "шт", "")),  # a no-break space after a SKU ending in a digit
    ("ABC-1\t1\u00a0000\u00a0000", ("ABC-1", "1000000", "", "")),
    ("\t5\tшт", ("", "5", "шт", "")),  # an empty SKU cell stays empty
    ("X-9 5шт", ("X-9", "5", "шт", "")),
    ("X-9\t5 шт\t\tкомментарий", ("X-9", "5", "шт", "комментарий")),
    ("X-9;5;кор;первый;второй", ("X-9", "5", "кор", "первый; второй")),
    ("\ufeffABC-1\t1", ("ABC-1", "1", "", "")),
    ("ONLY-SKU", ("ONLY-SKU", "", "", "")),
])
def test_separators_and_cells(text, expected):
    [line] = parse_lines(text)
    assert fields(line) == expected
    assert line.number == 1


def test_blank_lines_headers_and_line_numbers():
    text = "\n".join([
        "Артикул\tКоличество\tЕд. изм.\tКомментарий",
        "ABC-1\t2",
        "",
        "   ",
        ";;;",
        "\t\t",
        "Артикул Количество Ед. изм.",
        "SKU;Qty;Unit",
        "abc-2;5",
        "Код товара, Кол-во",
    ])
    lines = parse_lines(text)
    assert [(line.number, line.sku, line.quantity_text) for line in lines] == [(2, "ABC-1", "2"), (9, "abc-2", "5")]
    assert lines[1].text == "abc-2;5"


def test_windows_and_old_mac_line_ends():
    assert [line.sku for line in parse_lines("A 1\r\nB 2\rC 3\n")] == ["A", "B", "C"]


def test_too_many_lines_is_refused():
    assert len(parse_lines("A 1\n" * 3, max_lines=3)) == 3
    with pytest.raises(ValidationError) as caught:
        parse_lines("A 1\n" * 4, max_lines=3)
    assert caught.value.code == "too_many_lines"
    with override_settings(PORTAL_UPLOAD_MAX_LINES=2), pytest.raises(ValidationError):
        parse_lines("A 1\nB 2\nC 3")


@pytest.mark.parametrize(("text", "value"), [
    ("2", D(2)), ("2,5", D("2.5")), ("2.5", D("2.5")), (" 7 ", D(7)), ("1 000", D(1000)),
    ("1\u00a0000,25", D("1000.25")),
    ("1.234,5", D("1234.5")), ("1,234.5", D("1234.5")), ("0,001", D("0.001")), (",5", D("0.5")), ("+3", D(3)),
])
def test_quantities(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter a quantity."),
    ("abc", "“abc” is not a quantity."),
    ("1e5", "“1e5” is not a quantity."),
    ("1,2,3", "“1,2,3” is not a quantity."),
    ("NaN", "“NaN” is not a quantity."),
    ("0", "The quantity must be greater than zero."),
    ("-2", "The quantity must be greater than zero."),
    ("1,0005", "Use at most three decimal places in a quantity."),
    ("1000000000000", "The quantity is too large."),
])
def test_bad_quantities(text, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_quantity(text)
    assert caught.value.messages == [message]
    assert caught.value.code == "quantity"


def test_sku_keys():
    assert sku_key("abc-1") == sku_key("ABC 1") == sku_key("ABC_1") == sku_key("abc.1") == "ABC1"
    assert sku_key("АВС-1") == "ABC1"  # Cyrillic look-alikes typed for Latin letters
    assert sku_key("кр-000123") == "KP000123"
    assert sku_key("Щ-1") == "Щ1"


# --- Multiplicity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "multiplicity", "coefficient", "below", "above"), [
    (D(50), D(24), D(1), QuantityChoice(D(48)), QuantityChoice(D(72))),
    (D(10), D(24), D(1), None, QuantityChoice(D(24))),  # below would be 0
    (D(48), D(24), D(1), None, None),  # already valid
    (D(50), D(24), D(2), QuantityChoice(D(24), D(2)), QuantityChoice(D(36), D(2))),  # in the buyer's unit
    (D(50), D(24), D(10), QuantityChoice(D(48)), QuantityChoice(D(72))),  # 4.8 packs: in base units
    (D("2.5"), D(1), D(1), QuantityChoice(D(2)), QuantityChoice(D(3))),
    (D("0.7"), D("0.5"), D(1), QuantityChoice(D("0.5")), QuantityChoice(D("1.0"))),
    (D("0.2"), D("0.5"), D(1), None, QuantityChoice(D("0.5"))),
])
def test_multiplicity_choices(base, multiplicity, coefficient, below, above):
    assert multiplicity_choices(base, multiplicity, coefficient) == (below, above)


def test_multiplicity_choice_base_quantity():
    below, above = multiplicity_choices(D(50), D(24), D(2))
    assert (below.base_quantity, above.base_quantity) == (D(48), D(72))
    with pytest.raises(ValueError):
        multiplicity_choices(D(5), D(0))


# --- Checks with a resolver of the caller's -------------------------------------------------------

PCS = UnitInfo(1, "796", "Штука", "шт")
PACK = UnitInfo(2, "778", "Упаковка", "упак", D(10))
BOX = UnitInfo(3, "8751", "Коробка", "кор", D(48))
KG = UnitInfo(4, "166", "Килограмм", "кг", D(1), fractional=True)


class ListResolver:
    """A resolver over fixed lists: the products a buyer may order and the SKUs outside the assortment."""

    def __init__(self, products, outside=()):
        self.products, self.outside, self.calls = list(products), list(outside), []

    def lookup(self, skus):
        self.calls.append(set(skus))
        keys = {sku_key(sku) for sku in skus}
        return SkuLookup([p for p in self.products if sku_key(p.sku) in keys],
                         [sku for sku in self.outside if sku_key(sku) in keys])


@pytest.fixture
def resolver():
    return ListResolver([
        ProductInfo(1, "ABC-1", "Саморез", PCS, D(1), (PACK, BOX)),
        ProductInfo(2, "M-24", "Дюбель", PCS, D(24), (PACK, BOX)),
        ProductInfo(3, "DUP-1", "Первый", PCS),
        ProductInfo(4, "dup-1", "Второй", PCS),
        ProductInfo(5, "AB 7", "Третий", PCS),
        ProductInfo(6, "AB-7", "Четвёртый", PCS),
        ProductInfo(7, "CABLE", "Кабель", UnitInfo(4, "006", "Метр", "м", fractional=True), D("0.5")),
        ProductInfo(8, "TIER-1", "Пятый", PCS),
        ProductInfo(9, "TIER1", "Шестой", PCS),
    ], outside=["HIDDEN-1", "hidden-2"])


def check(text: str, resolver) -> list:
    with translation.override("en"):
        return check_lines(parse_lines(text), resolver=resolver)


def test_every_line_state(resolver):
    lines = check("\n".join([
        "ABC-1 5",
        "NOPE-1 5",
        "dup_1 2",
        "HIDDEN-1 3",
        "M-24 50",
        "ABC-1 5 ящ",
        "ABC-1 пять",
    ]), resolver)
    assert [line.status for line in lines] == [
        LineStatus.OK, LineStatus.UNKNOWN_SKU, LineStatus.AMBIGUOUS, LineStatus.NOT_IN_ASSORTMENT,
        LineStatus.MULTIPLICITY, LineStatus.UNKNOWN_UNIT, LineStatus.BAD_QUANTITY,
    ]
    assert [line.message for line in lines] == [
        "",
        "No product with SKU NOPE-1.",
        "Several products match dup_1: DUP-1, dup-1.",
        "HIDDEN-1 is not in your assortment.",
        "Multiplicity 24 шт: 48 шт or 72 шт?",
        "ABC-1 is not sold in “ящ”: use шт, упак, кор.",
        "“пять” is not a quantity.",
    ]
    assert len(resolver.calls) == 1  # one lookup for all lines
    assert [p.sku for p in lines[2].candidates] == ["DUP-1", "dup-1"]
    assert lines[0].ok and not any(line.ok for line in lines[1:])
    with translation.override("ru"):
        assert str(LineStatus.MULTIPLICITY.label) == "Выберите количество по кратности"


def test_the_first_problem_of_a_line_is_told(resolver):
    unknown, no_sku, no_quantity = check("NOPE-1 0 ящ\n;5\nABC-1", resolver)
    assert unknown.status == LineStatus.UNKNOWN_SKU
    assert (no_sku.status, no_sku.message) == (LineStatus.UNKNOWN_SKU, "The line has no SKU.")
    assert (no_quantity.status, no_quantity.message) == (LineStatus.BAD_QUANTITY, "Enter a quantity.")


def test_exact_sku_wins_over_spellings(resolver):
    dup, lower, spelled, other = check("DUP-1 1\ndup-1 1\nab7 1\nAB 7;1", resolver)
    assert (dup.status, dup.product.pk) == (LineStatus.OK, 3)
    assert (lower.status, lower.product.pk) == (LineStatus.OK, 4)
    assert spelled.status == LineStatus.AMBIGUOUS  # "AB 7" and "AB-7" share the key
    assert [p.sku for p in spelled.candidates] == ["AB 7", "AB-7"]
    assert (other.status, other.product.pk) == (LineStatus.OK, 5)


def test_the_closest_match_wins(resolver):
    by_case, by_key, by_case_twice = check("tier-1 1\ntier 1;1\nDup-1 1", resolver)
    assert (by_case.status, by_case.product.pk) == (LineStatus.OK, 8)  # not TIER1, which only shares the key
    assert [p.pk for p in by_key.candidates] == [8, 9]
    assert [p.pk for p in by_case_twice.candidates] == [3, 4]
    hidden_by_case, visible_by_key = check("HIDDEN-2 1\nhidden_2 1", resolver)
    assert hidden_by_case.status == visible_by_key.status == LineStatus.NOT_IN_ASSORTMENT


def test_spelling_and_case_are_forgiven(resolver):
    lowered, cyrillic, spaced = check("abc-1 1\nАВС-1 2\nabc 1;3", resolver)
    assert all(line.status == LineStatus.OK and line.product.pk == 1 for line in (lowered, cyrillic, spaced))
    hidden = check("hidden1 1", resolver)[0]
    assert hidden.status == LineStatus.NOT_IN_ASSORTMENT


@pytest.mark.parametrize(("text", "unit", "quantity", "base"), [
    ("ABC-1 3", "шт", D(3), D(3)),
    ("ABC-1 3 шт.", "шт", D(3), D(3)),
    ("ABC-1 3 PCS", "шт", D(3), D(3)),
    ("ABC-1 2 уп", "упак", D(2), D(20)),
    ("ABC-1;2,5;уп", "упак", D("2.5"), D(25)),
    ("ABC-1 2 упаковки", "упак", D(2), D(20)),
    ("ABC-1 2 Pack", "упак", D(2), D(20)),
    ("ABC-1 1 box", "кор", D(1), D(48)),
    ("ABC-1 1 КОР", "кор", D(1), D(48)),
    ("M-24 1 кор", "кор", D(1), D(48)),
    ("CABLE 2,5 m", "м", D("2.5"), D("2.5")),
])
def test_units_convert_to_base_units(resolver, text, unit, quantity, base):
    [line] = check(text, resolver)
    assert line.status == LineStatus.OK, line.message
    assert (line.unit.short_name, line.quantity, line.base_quantity) == (unit, quantity, base)


def test_multiplicity_offers_in_the_buyers_unit(resolver):
    in_packs, in_pieces, small, fraction = check("M-24 5 уп\nM-24 30\nM-24 7\nCABLE 0,7", resolver)
    assert in_packs.status == LineStatus.MULTIPLICITY  # 50 pieces: 48 or 72, not whole packs
    assert in_packs.choices == (QuantityChoice(D(48)), QuantityChoice(D(72)))
    assert in_packs.message == "Multiplicity 24 шт: 48 шт or 72 шт?"
    assert (in_pieces.base_quantity, in_pieces.choices) == (D(30), (QuantityChoice(D(24)), QuantityChoice(D(48))))
    assert small.message == "Multiplicity 24 шт: 24 шт?"
    assert fraction.message == "Multiplicity 0.5 м: 0.5 м or 1 м?"
    boxes = ProductInfo(9, "BX", "Коробки", PCS, D(96), (BOX,))
    [line] = check_lines(parse_lines("BX 3 кор"), resolver=ListResolver([boxes]))
    assert line.choices == (QuantityChoice(D(2), D(48)), QuantityChoice(D(4), D(48)))  # whole boxes
    with translation.override("ru"):
        [line] = check_lines(parse_lines("BX 3 кор"), resolver=ListResolver([boxes]))
        assert line.message == "Кратность 96 шт: 2 кор или 4 кор?"
        assert check_lines(parse_lines("CABLE 0,7"), resolver=resolver)[0].message == (
            "Кратность 0,5 м: 0,5 м или 1 м?")


def test_russian_messages(resolver):
    with translation.override("ru"):
        lines = check_lines(parse_lines("NOPE 1\nHIDDEN-1 1\nABC-1 0"), resolver=resolver)
    assert [line.message for line in lines] == [
        "Нет товара с артикулом NOPE.", "HIDDEN-1 нет в вашем ассортименте.", "Количество должно быть больше нуля.",
    ]


def test_no_lines_no_lookup():
    resolver = ListResolver([])
    assert check_lines([], resolver=resolver) == []
    assert check_lines([RawLine(1, "", "5")], resolver=resolver)[0].status == LineStatus.UNKNOWN_SKU
    assert resolver.calls == []


def test_too_long_sku_is_unknown():
    resolver = ListResolver([])
    [line] = check_lines([RawLine(1, "X" * 500, "1")], resolver=resolver)
    assert line.status == LineStatus.UNKNOWN_SKU and resolver.calls == []


# --- The catalog resolver --------------------------------------------------------------------------


@pytest.fixture
def buyer(db):
    region = RegionFactory(assortment_restricted=True)
    return ClientUserFactory(client__region=region)


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_catalog_resolver_states(buyer):
    pcs = UnitFactory()
    pack = UnitFactory(code="778", name="Упаковка", short_name="упак")
    region = buyer.client.region
    shown = ProductFactory(sku="KR-000001", multiplicity=D(24), base_unit=pcs)
    ProductUnit.objects.create(product=shown, unit=pack, coefficient=D(12))
    hidden = ProductFactory(sku="KR-000002")
    inactive = ProductFactory(sku="KR-000003", is_active=False)
    twin_a, twin_b = ProductFactory(sku="TW-1"), ProductFactory(sku="tw-1")
    for product in (shown, inactive, twin_a, twin_b):
        AssortmentItem.objects.create(region=region, product=product)
    assert hidden.pk

    with translation.override("en"):
        lines = check_lines(parse_lines("\n".join([
            "KR-000001 4 уп", "кr-000001 30", "KR-000002 1", "KR-000003 1", "Tw_1 1", "TW-1 1", "NONE 1",
            "Tw-1 1", "kr-000002 1", "kr 000002;1",
        ])), resolver=CatalogResolver(user=fresh(buyer)))
    assert [line.status for line in lines] == [
        LineStatus.OK, LineStatus.MULTIPLICITY, LineStatus.NOT_IN_ASSORTMENT, LineStatus.UNKNOWN_SKU,
        LineStatus.AMBIGUOUS, LineStatus.OK, LineStatus.UNKNOWN_SKU,
        LineStatus.AMBIGUOUS, LineStatus.NOT_IN_ASSORTMENT, LineStatus.NOT_IN_ASSORTMENT,
    ]
    assert [p.sku for p in lines[7].candidates] == ["TW-1", "tw-1"]
    ok = lines[0]
    assert (ok.product.pk, ok.product.name, ok.unit.short_name, ok.base_quantity) == (shown.pk, shown.name, "упак",
                                                                                      D(48))
    assert ok.product.base_unit.short_name == "шт" and ok.product.multiplicity == D(24)
    assert lines[1].choices == (QuantityChoice(D(24)), QuantityChoice(D(48)))
    assert lines[1].message == "Multiplicity 24 шт: 24 шт or 48 шт?"


@pytest.mark.django_db
def test_catalog_resolver_unrestricted_region_sees_everything_active():
    buyer = ClientUserFactory()
    ProductFactory(sku="FREE-1")
    [line] = check_lines(parse_lines("free1 1"), resolver=CatalogResolver(user=fresh(buyer)))
    assert line.status == LineStatus.OK


def _products(count: int) -> list[Product]:
    unit, pack = UnitFactory(), UnitFactory(code="778", name="Упаковка", short_name="упак")
    products = Product.objects.bulk_create(
        Product(sku=f"Q-{n:05d}", name=f"Товар {n}", base_unit=unit, multiplicity=D(2)) for n in range(count))
    ProductUnit.objects.bulk_create(ProductUnit(product=p, unit=pack, coefficient=D(10)) for p in products)
    return products


@pytest.mark.django_db
@pytest.mark.parametrize("restricted", [False, True])
def test_catalog_resolver_queries_do_not_grow_with_lines(restricted):
    products = _products(500)
    buyer = ClientUserFactory(client__region=RegionFactory(assortment_restricted=restricted))
    AssortmentItem.objects.bulk_create(AssortmentItem(region=buyer.client.region, product=p) for p in products[:400])
    counts = []
    for size in (10, 500):
        text = "\n".join(f"{p.sku.lower()} {n % 3 + 1} {'уп' if n % 2 else ''}" for n, p in enumerate(products[:size]))
        text += "\nq 00001;2\nNO-SUCH-SKU 1"  # looked up by key: one more query, whatever the number of lines
        user = fresh(buyer)
        with CaptureQueriesContext(connection) as queries:
            lines = check_lines(parse_lines(text), resolver=CatalogResolver(user=user))
        counts.append(len(queries))
        assert len(lines) == size + 2
    # upper-case SKUs, by key, client, region, visibility, alternative units
    assert counts[0] == counts[1] == 6, counts
    shown = 500 if not restricted else 400
    assert sum(line.product is not None for line in lines) == shown + 1
