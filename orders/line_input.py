"""Order lines a buyer types, pastes or uploads ("SKU quantity [unit]"): parsing and checks.

`parse_lines` turns the text of the quick-order box into `RawLine`s (what the buyer wrote, cell by
cell); `check_lines` resolves them against the catalog through a `ProductResolver` and returns one
`CheckedLine` per line with its state (recognised, unknown SKU, ambiguous, outside the assortment,
multiplicity to choose, unknown unit, bad quantity) and the reason in words. Nothing here prices
or stores anything: the caller (quick order, Excel upload, cart) decides what to do with the lines.
`orders.line_resolver.CatalogResolver` is the resolver of a portal user.
"""

import csv
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from catalog.models import Product

from .quantities import (
    ODD_SPACES,
    QUANTITY_MAX,
    SPACE_TABLE,
    QuantityChoice,
    format_quantity,
    multiplicity_choices,
    parse_quantity,
)

DEFAULT_MAX_LINES = 5000
SKU_MAX_LENGTH = Product._meta.get_field("sku").max_length
#: A number written with no-break spaces between digit groups ("1 000 000"), standing on its own.
_GROUPED_NUMBER = re.compile(rf"(?<![^\s;,])\d{{1,3}}(?:[{ODD_SPACES}]\d{{3}})+(?!\d)")
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\S+)')
_DIGITS = re.compile(r"\d+")
_THOUSANDS_GROUP = re.compile(r"\d{3}(?:[.,]\d+)?")
_GROUPED_DIGITS = re.compile(r"\d{1,3}(?: \d{3})*")
_NUMBER_WITH_UNIT = re.compile(r"([-+]?[\d\s.,]*\d[\d\s.,]*?)\s*([^\d\s.,\-+].*)")

# SKU keys: the same SKU typed in another case, with other separators, or with Cyrillic letters that
# look like Latin ones (С/C, Н/H, Р/P: a frequent slip of Russian keyboards) gives the same key.
_CYRILLIC_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_CYRILLIC_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_LOOKALIKES = dict(zip("АВЕЁКМНОРСТУХ", "ABEEKMHOPCTYX", strict=True))
SKU_SEPARATORS = " -_./\\–—"
SKU_KEY_MAP = {
    **{low: _LOOKALIKES.get(up, up) for low, up in zip(_CYRILLIC_LOWER, _CYRILLIC_UPPER, strict=True)},
    **_LOOKALIKES,
}
_KEY_TABLE = str.maketrans({**SKU_KEY_MAP, **dict.fromkeys(SKU_SEPARATORS)})


def sku_key(sku: str) -> str:
    """The SKU as compared across spellings: upper case, Cyrillic look-alikes as Latin, no separators."""
    return sku.translate(SPACE_TABLE).upper().translate(_KEY_TABLE)


def upload_max_lines() -> int:
    return getattr(settings, "PORTAL_UPLOAD_MAX_LINES", DEFAULT_MAX_LINES)


# --- Parsing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawLine:
    """One order line as the buyer wrote it: `number` is the line (or sheet row) it came from."""

    number: int
    sku: str
    quantity_text: str = ""
    unit_text: str = ""
    comment: str = ""
    text: str = ""


#: Column titles of order lists, in Russian and English, compared by `header_field`.
HEADER_TITLES: dict[str, frozenset[str]] = {
    "sku": frozenset({"артикул", "артикул товара", "код", "код товара", "sku", "article", "item", "item no",
                      "part number", "vendor code"}),
    "quantity": frozenset({"количество", "кол-во", "кол во", "колво", "кол", "qty", "quantity", "amount"}),
    "unit": frozenset({"ед изм", "ед", "единица", "единица измерения", "единицы", "unit", "units", "uom",
                       "unit of measure"}),
    "comment": frozenset({"комментарий", "примечание", "comment", "comments", "note", "notes"}),
}


def header_field(title: str) -> str | None:
    """Which order-list column a header cell names ("sku", "quantity", "unit", "comment"), if any."""
    text = " ".join(title.translate(SPACE_TABLE).casefold().replace(".", " ").replace(":", " ").split())
    text = text.strip("* ")
    for name, titles in HEADER_TITLES.items():
        if text in titles:
            return name
    return None


def _tokens(text: str) -> list[str]:
    """Words of a line, a double-quoted run counting as one ("" inside it is a quote)."""
    return [quoted.replace('""', '"') if bare == "" else bare for quoted, bare in _TOKEN.findall(text)]


def _split_cells(text: str) -> tuple[list[str], str | None]:
    """The cells of a pasted line and the delimiter that separated them (None: words split on spaces).

    A tab (Excel) or `;` (1C, CSV in Russian locales) separates cells. A comma does when it is
    not between two digits, or when the line has no spaces ("ABC-1,3"); otherwise it is a
    decimal comma and the line is split on spaces ("ABC-1 2,5 уп").
    """
    for delimiter in ("\t", ";"):
        if delimiter in text:
            return _cells(text, delimiter), delimiter
    if "," in text and (re.search(r",(?!\d)|(?<!\d),", text) or len(_tokens(text)) == 1):
        return _cells(text, ","), ","
    return _tokens(text), None


def _cells(text: str, delimiter: str) -> list[str]:
    if '"' not in text:  # the common case, without the csv module's cost
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter, skipinitialspace=True))


def merge_decimal_comma(cells: list[str], index: int) -> list[str]:
    """Join "2", "5" back into "2,5" where a comma-separated line split a decimal comma.

    A unit is never a bare number, so two numbers in the quantity and unit places are one quantity.
    """
    if len(cells) > index + 1 and _DIGITS.fullmatch(cells[index]) and _DIGITS.fullmatch(cells[index + 1]):
        return [*cells[:index], f"{cells[index]},{cells[index + 1]}", *cells[index + 2:]]
    return cells


def _from_words(words: list[str]) -> tuple[str, str, str, str]:
    """SKU, quantity, unit and comment of a space-separated line; "1 000" is one quantity."""
    sku, rest = words[0], words[1:]
    quantity = rest.pop(0) if rest else ""
    while rest and _GROUPED_DIGITS.fullmatch(quantity) and _THOUSANDS_GROUP.fullmatch(rest[0]):
        quantity = f"{quantity} {rest.pop(0)}"
    unit = rest.pop(0) if rest else ""
    return sku, quantity, unit, " ".join(rest)


def line_from_cells(number: int, cells: Sequence[str], *, text: str = "", comma: bool = False) -> RawLine | None:
    """A `RawLine` from positional cells (SKU, quantity, unit, comment...); None for a header line.

    `comma` says the cells were split on commas, so a decimal comma may have to be joined back.
    A quantity cell holding its unit ("5 шт", "5шт") is split when the unit cell is empty.
    """
    cells = [cell.translate(SPACE_TABLE).strip() for cell in cells]
    if comma:
        cells = merge_decimal_comma(cells, 1)
    sku, quantity, unit = (cells + ["", "", ""])[:3]
    comment = "; ".join(cell for cell in cells[3:] if cell)
    if not unit and (found := _NUMBER_WITH_UNIT.fullmatch(quantity)):
        quantity, unit = found.group(1).strip(), found.group(2).strip()
    if header_field(sku) == "sku" and _number_or_none(quantity) is None:
        return None
    return RawLine(number, sku, quantity, unit, comment, text or "\t".join(cells))


def _ungroup(number: re.Match) -> str:
    return number.group().translate(SPACE_TABLE).replace(" ", "")


def parse_lines(text: str, *, max_lines: int | None = None) -> list[RawLine]:
    """The order lines of a quick-order text, one per non-blank line, in order.

    Lines are "SKU quantity [unit] [comment]" with tab, `;`, `,` or spaces between the parts, as
    pasted from Excel or 1C; quoted cells, no-break and thousands spaces, a decimal comma and a
    header line ("Артикул Количество") are understood. Raises ValidationError (code
    "too_many_lines") for more than `max_lines` lines (default PORTAL_UPLOAD_MAX_LINES).
    """
    limit = upload_max_lines() if max_lines is None else max_lines
    lines: list[RawLine] = []
    for number, original in enumerate(text.splitlines(), start=1):
        clean = _GROUPED_NUMBER.sub(_ungroup, original).translate(SPACE_TABLE).strip(" ")
        if not clean.strip(";,\t "):
            continue
        cells, delimiter = _split_cells(clean)
        if delimiter is None:
            cells = _from_words(cells)
        line = line_from_cells(number, cells, text=original, comma=delimiter == ",")
        if line is None:
            continue
        lines.append(line)
        if len(lines) > limit:
            raise too_many_lines_error(limit)
    return lines


def too_many_lines_error(limit: int) -> ValidationError:
    return ValidationError(
        _("At most %(limit)s lines can be ordered at once: split the list.") % {"limit": limit},
        code="too_many_lines")


# --- Units ---------------------------------------------------------------------------------------


def _number_or_none(text: str) -> Decimal | None:
    try:
        return parse_quantity(text)
    except ValidationError:
        return None


#: Names of the same unit of measure, Russian and English, with its OKEI code.
UNIT_SYNONYMS: dict[str, frozenset[str]] = {
    "796": frozenset({"шт", "штука", "штуки", "штук", "pcs", "pc", "piece", "pieces", "ea", "each"}),
    "778": frozenset({"уп", "упак", "упаковка", "упаковки", "упаковок", "pack", "packs", "pk", "pkg", "package"}),
    "8751": frozenset({"кор", "коробка", "коробки", "коробок", "box", "boxes", "bx"}),
    "166": frozenset({"кг", "килограмм", "kg"}),
    "006": frozenset({"м", "метр", "метров", "m"}),
    "055": frozenset({"м2", "кв м", "квадратный метр", "m2", "sq m"}),
    "112": frozenset({"л", "литр", "литров", "l"}),
    "839": frozenset({"компл", "комплект", "комплекта", "комплектов", "set", "sets", "kit"}),
    "736": frozenset({"рул", "рулон", "рулона", "рулонов", "roll", "rolls"}),
    "715": frozenset({"пар", "пара", "пары", "pair", "pairs"}),
}


def unit_token(text: str) -> str:
    """A unit name as compared: lower case, "м²" as "м2", no dots, single spaces."""
    text = text.translate(SPACE_TABLE).casefold().replace("²", "2").replace(".", " ")
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A unit a product is sold in: `coefficient` base units in one (1 for the base unit)."""

    pk: int
    code: str
    name: str
    short_name: str
    coefficient: Decimal = Decimal(1)
    fractional: bool = False

    def names(self) -> frozenset[str]:
        """Every name the unit answers to: its own names and the synonyms of its OKEI code or names."""
        return _unit_names(self.code, self.name, self.short_name)


@lru_cache(maxsize=1024)
def _unit_names(code: str, name: str, short_name: str) -> frozenset[str]:
    own = {unit_token(name), unit_token(short_name)}
    names = set(own)
    for synonym_code, synonyms in UNIT_SYNONYMS.items():
        if synonym_code == code or own & synonyms:
            names |= synonyms
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """What the order lines need of a product: SKU, name, multiplicity (кратность), units."""

    pk: int
    sku: str
    name: str
    base_unit: UnitInfo
    multiplicity: Decimal = Decimal(1)
    units: tuple[UnitInfo, ...] = ()

    def unit_for(self, text: str) -> UnitInfo | None:
        """The unit `text` names (the base unit when empty), or None when the product has no such unit."""
        token = unit_token(text)
        if not token:
            return self.base_unit
        return next((unit for unit in (self.base_unit, *self.units) if token in unit.names()), None)


# --- Checking ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkuLookup:
    """What a resolver found for the SKUs of some order lines.

    `products`: active products the buyer may order, `outside_assortment`: SKUs of active
    products the buyer may not order; each among those whose SKU is a typed one in another case
    or has the `sku_key` of a typed one. A resolver may leave out the products matched only by
    key for a typed SKU that some product matches in another case (`check_lines` prefers those).
    """

    products: Sequence[ProductInfo] = ()
    outside_assortment: Collection[str] = ()


class ProductResolver(Protocol):
    """Finds the products of many order lines at once, for one buyer (in a constant number of queries)."""

    def lookup(self, skus: Collection[str]) -> SkuLookup: ...


class LineStatus(TextChoices):
    OK = "ok", pgettext_lazy("order line", "Recognised")
    UNKNOWN_SKU = "unknown_sku", gettext_lazy("Unknown SKU")
    AMBIGUOUS = "ambiguous", gettext_lazy("Several products match")
    NOT_IN_ASSORTMENT = "not_in_assortment", gettext_lazy("Not in your assortment")
    MULTIPLICITY = "multiplicity", gettext_lazy("Choose a quantity for the multiplicity")
    UNKNOWN_UNIT = "unknown_unit", gettext_lazy("Unknown unit")
    BAD_QUANTITY = "bad_quantity", gettext_lazy("Bad quantity")
    #: Recognised, but not sold online to this buyer (no price): told by the purchase strategy, not by `check_lines`.
    ON_REQUEST = "on_request", gettext_lazy("Price on request")


@dataclass(slots=True)
class CheckedLine:
    """A parsed line with its state; `message` says what is wrong (empty when recognised).

    `quantity` is in `unit` (the unit the buyer used, the base unit when none was given),
    `base_quantity` in the product's base unit; `choices` are the valid quantities offered
    for a multiplicity (below, above); `candidates` the products an ambiguous SKU matches.
    """

    raw: RawLine
    status: LineStatus
    message: str = ""
    product: ProductInfo | None = None
    unit: UnitInfo | None = None
    quantity: Decimal | None = None
    base_quantity: Decimal | None = None
    choices: tuple[QuantityChoice | None, QuantityChoice | None] = (None, None)
    candidates: tuple[ProductInfo, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status == LineStatus.OK


class _Index:
    """The lookup result by exact SKU, by upper-case SKU and by key; products outside the assortment as None."""

    def __init__(self, found: SkuLookup):
        found_products: list[tuple[str, ProductInfo | None]] = [(p.sku, p) for p in found.products]
        found_products += [(sku, None) for sku in found.outside_assortment]
        found_products.sort(key=lambda pair: pair[0])
        self.by_sku = dict(found_products)
        self.by_upper: dict[str, list[ProductInfo | None]] = {}
        self.by_key: dict[str, list[ProductInfo | None]] = {}
        for sku, product in found_products:
            self.by_upper.setdefault(sku.upper(), []).append(product)
            self.by_key.setdefault(sku_key(sku), []).append(product)

    def candidates(self, sku: str) -> list[ProductInfo | None]:
        """The closest matches of a typed SKU: exact, else in another case, else by key (None: not orderable)."""
        if sku in self.by_sku:
            return [self.by_sku[sku]]
        return self.by_upper.get(sku.upper()) or self.by_key.get(sku_key(sku), [])


def _choice_text(product: ProductInfo, unit: UnitInfo, choice: QuantityChoice) -> str:
    name = unit.short_name if choice.coefficient == unit.coefficient else product.base_unit.short_name
    return f"{format_quantity(choice.quantity)} {name}"


def _multiplicity_message(product: ProductInfo, unit: UnitInfo, below: QuantityChoice | None,
                          above: QuantityChoice) -> str:
    values = {"step": format_quantity(product.multiplicity), "unit": product.base_unit.short_name,
              "above": _choice_text(product, unit, above)}
    if below is None:
        return _("Multiplicity %(step)s %(unit)s: %(above)s?") % values
    values["below"] = _choice_text(product, unit, below)
    return _("Multiplicity %(step)s %(unit)s: %(below)s or %(above)s?") % values


def _check(line: RawLine, index: _Index) -> CheckedLine:
    sku = line.sku
    if not sku:
        return CheckedLine(line, LineStatus.UNKNOWN_SKU, _("The line has no SKU."))
    found = index.candidates(sku) if len(sku) <= SKU_MAX_LENGTH else []
    candidates = [product for product in found if product is not None]
    if len(candidates) > 1:
        return CheckedLine(line, LineStatus.AMBIGUOUS, _("Several products match %(sku)s: %(skus)s.") % {
            "sku": sku, "skus": ", ".join(candidate.sku for candidate in candidates[:5])},
            candidates=tuple(candidates))
    if not candidates:
        if found:
            return CheckedLine(line, LineStatus.NOT_IN_ASSORTMENT, _("%(sku)s is not in your assortment.") % {
                "sku": sku})
        return CheckedLine(line, LineStatus.UNKNOWN_SKU, _("No product with SKU %(sku)s.") % {"sku": sku[:100]})
    product = candidates[0]
    unit = product.unit_for(line.unit_text)
    if unit is None:
        names = ", ".join(candidate.short_name for candidate in (product.base_unit, *product.units))
        return CheckedLine(line, LineStatus.UNKNOWN_UNIT, _("%(sku)s is not sold in “%(unit)s”: use %(units)s.") % {
            "sku": product.sku, "unit": line.unit_text[:30], "units": names}, product=product)
    try:
        quantity = parse_quantity(line.quantity_text)
    except ValidationError as exc:
        return CheckedLine(line, LineStatus.BAD_QUANTITY, " ".join(exc.messages), product=product, unit=unit)
    base_quantity = quantity * unit.coefficient
    if base_quantity >= QUANTITY_MAX:
        return CheckedLine(line, LineStatus.BAD_QUANTITY, _("The quantity is too large."), product=product,
                           unit=unit)
    below, above = multiplicity_choices(base_quantity, product.multiplicity, unit.coefficient)
    if above is not None:
        return CheckedLine(line, LineStatus.MULTIPLICITY, _multiplicity_message(product, unit, below, above),
                           product=product, unit=unit, quantity=quantity, base_quantity=base_quantity,
                           choices=(below, above))
    return CheckedLine(line, LineStatus.OK, product=product, unit=unit, quantity=quantity,
                       base_quantity=base_quantity)


def check_lines(raw_lines: Iterable[RawLine], *, resolver: ProductResolver) -> list[CheckedLine]:
    """Check parsed lines against the catalog; one `CheckedLine` per line, in order.

    The resolver is asked once for all lines. A SKU is matched exactly, else in another case,
    else by its key (`sku_key`: separators, Cyrillic look-alikes); several products at the
    closest of these make the line ambiguous, only products outside the assortment there make it
    "not in assortment". A line states one problem: the SKU first, then the unit, the quantity,
    and the multiplicity (a quantity that is not a multiple is offered the nearest valid ones).
    """
    lines = list(raw_lines)
    skus = {line.sku for line in lines if line.sku and len(line.sku) <= SKU_MAX_LENGTH}
    index = _Index(resolver.lookup(skus) if skus else SkuLookup())
    return [_check(line, index) for line in lines]
