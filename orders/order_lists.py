"""Order lists on their way to the cart: the quick-order preview, the buyer's fixes, kept upload results.

The quick order (/cart/quick/) keeps nothing on the server between "check" and "add": its form
posts the text back, with the buyer's fixes of single lines (`LineFix`), and the server checks
everything again (`orders.services.cart_add_order_list`). An Excel upload is added at once; its
checked lines are kept in the cache for a while (`upload_result_keep`), under a random token
bound to the user, for the result page and the annotated file.
"""

import csv
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.pricing import round_money
from catalog.purchase import PurchaseInfo

from .line_input import SKU_MAX_LENGTH, CheckedLine, LineStatus, RawLine, check_lines
from .line_resolver import CatalogResolver
from .quantities import format_quantity
from .selectors import cart_strategy

#: Rows of a preview with inputs of their own (four fields each, under Django's
#: DATA_UPLOAD_MAX_NUMBER_FIELDS of 1000); further lines are fixed in the text.
FIXABLE_ROWS = 200
FIELD_MAX_LENGTH = {"sku": SKU_MAX_LENGTH, "quantity": 30, "unit": 30}
#: How long the result of an upload can be looked at and downloaded annotated.
UPLOAD_RESULT_SECONDS = 2 * 60 * 60
_ROW_FIELD = re.compile(r"row-(\d{1,6})-line")
#: Posted fields looked at for fixes (Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS anyway).
FIELD_LIMIT = 2000


# --- The preview ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    """A checked line as the preview shows it; `info` (price, availability) for recognised lines only.

    `fixable` says the row has inputs of its own (a problem among the first FIXABLE_ROWS).
    """

    line: CheckedLine
    info: PurchaseInfo | None = None
    fixable: bool = False

    @property
    def unit_price(self) -> Decimal | None:
        """The price of one unit of the buyer's unit (None without a price)."""
        price = self.info.price if self.info else None
        if price is None or price.amount is None or self.line.unit is None:
            return None
        return price.for_coefficient(self.line.unit.coefficient)

    @property
    def amount(self) -> Decimal | None:
        price = self.info.price if self.info else None
        if price is None or price.amount is None or self.line.base_quantity is None:
            return None
        return round_money(price.amount * self.line.base_quantity)

    @property
    def currency(self) -> str:
        return self.info.price.currency if self.info and self.info.price else ""

    @property
    def quantity_text(self) -> str:
        return format_quantity(self.line.quantity) if self.line.quantity is not None else self.line.raw.quantity_text

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The multiplicity choices as (value of the pick button, label): "48|шт", "48 шт"."""
        line = self.line
        result = []
        for choice in line.choices:
            if choice is None or line.product is None or line.unit is None:
                continue
            unit = line.unit if choice.coefficient == line.unit.coefficient else line.product.base_unit
            value = f"{choice.quantity.normalize():f}|{unit.short_name}"
            result.append((value, f"{format_quantity(choice.quantity)} {unit.short_name}"))
        return result

    @property
    def unit_options(self) -> list[tuple[str, str, bool]]:
        """The units the row's product is sold in, as (value, label, selected); an unknown typed unit first."""
        line = self.line
        product = line.product
        if product is None:
            return []
        options = []
        if line.status == LineStatus.UNKNOWN_UNIT:
            options.append((line.raw.unit_text, _("%(unit)s (unknown)") % {"unit": line.raw.unit_text}, True))
        for unit in (product.base_unit, *product.units):
            label = unit.short_name
            if unit.coefficient != 1:
                label = f"{unit.short_name} = {format_quantity(unit.coefficient)} {product.base_unit.short_name}"
            options.append((unit.short_name, label, line.unit is not None and line.unit.pk == unit.pk))
        return options


def order_list_preview(*, user, lines: Sequence[RawLine]) -> list[PreviewLine]:
    """The preview of typed order lines: each checked, the recognised ones priced under the cart's contract.

    Checks and prices take a constant number of queries (the resolver's, then the purchase
    strategy's); a recognised line without a price for the buyer becomes "price on request"
    (the cart would refuse it).
    """
    strategy = cart_strategy(user=user)  # also loads the user's client and region, which the resolver reads
    checked = check_lines(lines, resolver=CatalogResolver(user=user))
    recognised = {line.product.pk: line.product for line in checked if line.ok}
    # ProductInfo carries what the strategy reads of a product (pk, multiplicity).
    infos = {info.product.pk: info for info in strategy.fetch(recognised.values())} if recognised else {}
    return preview_rows(checked, infos)


def preview_rows(lines: Iterable[CheckedLine], infos: Mapping[int, PurchaseInfo] | None = None) -> list[PreviewLine]:
    """Preview rows of checked lines with their purchase info, if given; the first FIXABLE_ROWS problems fixable."""
    infos = infos or {}
    rows = []
    fixable = 0
    for line in lines:
        info = infos.get(line.product.pk) if line.ok else None
        if info is not None and not info.can_buy:
            line = replace(line, status=LineStatus.ON_REQUEST, message=_(
                "%(name)s has no price for you yet (price on request): ask your manager.") % {
                "name": line.product.name})
        can_fix = not line.ok and line.status != LineStatus.ON_REQUEST and fixable < FIXABLE_ROWS
        fixable += can_fix
        rows.append(PreviewLine(line, info, can_fix))
    return rows


# --- Fixes of single lines -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFix:
    """The buyer's correction of line `number` of a quick-order text, made on the line reading `text`."""

    number: int
    text: str
    sku: str
    quantity: str
    unit: str


def printable(text: str) -> str:
    """Text without NUL and other control characters; tabs and line breaks are kept (they separate cells and lines)."""
    if text.isprintable():
        return text
    return "".join(char for char in text if char in "\t\r\n" or unicodedata.category(char) not in ("Cc", "Cs"))


def _field(data: Mapping, name: str) -> str:
    value = printable(data.get(name) or "")
    return " ".join(value.split())[:FIELD_MAX_LENGTH.get(name.rsplit("-", 1)[-1], 100)]


def fixes_from(data: Mapping) -> list[LineFix]:
    """The line fixes a preview form posted: its inputs `row-N-sku`, `-quantity`, `-unit` (with
    `row-N-line`, the text the row was shown for), or a clicked choice: `row-N-pick-sku` (one of
    an ambiguous SKU's products) or `row-N-pick-quantity` ("48|шт", a multiplicity choice)."""
    fixes = []
    for key in list(data)[:FIELD_LIMIT]:
        found = _ROW_FIELD.fullmatch(key)
        if found is None:
            continue
        prefix = f"row-{found.group(1)}-"
        sku, quantity, unit = (_field(data, prefix + name) for name in ("sku", "quantity", "unit"))
        if picked := _field(data, prefix + "pick-sku"):
            sku = picked
        if "|" in (picked := data.get(prefix + "pick-quantity") or ""):
            quantity, unit = (" ".join(printable(part).split())[:30] for part in picked.split("|", 1))
        fixes.append(LineFix(int(found.group(1)), printable(data.get(key) or ""), sku, quantity, unit))
    return fixes


def line_text(sku: str, quantity: str, unit: str, comment: str = "") -> str:
    """A line of a quick-order text with these cells, tab-separated as from Excel (quoted when needed)."""
    target = io.StringIO()
    cells = [sku, quantity, unit, *([comment] if comment else [])]
    csv.writer(target, delimiter="\t", lineterminator="").writerow(cells)
    return target.getvalue()


def apply_fixes(text: str, fixes: Iterable[LineFix], lines: Sequence[RawLine] = ()) -> str:
    """The text with the fixed lines rewritten; a fix of a line the buyer has since edited is dropped.

    `lines` (the parsed text, when at hand) give each fixed line's comment, kept as it was, and
    leave a line whose cells the fix does not change as the buyer wrote it.
    """
    rows = text.splitlines()
    parsed = {line.number: line for line in lines}
    changed = False
    for fix in fixes:
        if not (1 <= fix.number <= len(rows) and rows[fix.number - 1] == fix.text):
            continue
        raw = parsed.get(fix.number)
        if raw is not None and (raw.sku, raw.quantity_text, raw.unit_text) == (fix.sku, fix.quantity, fix.unit):
            continue
        rows[fix.number - 1] = line_text(fix.sku, fix.quantity, fix.unit, raw.comment if raw else "")
        changed = True
    return "\n".join(rows) if changed else text


def remaining_text(lines: Iterable[CheckedLine]) -> tuple[str, list[CheckedLine]]:
    """The lines that did not go into the cart, as a new text and renumbered to it."""
    rest = [line for line in lines if not line.ok]
    renumbered = [replace(line, raw=replace(line.raw, number=number)) for number, line in enumerate(rest, start=1)]
    return "\n".join(line.raw.text for line in rest), renumbered


# --- Kept upload results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    """A line of a kept upload: the cells as uploaded, its state, and for an added one what it became."""

    raw: RawLine
    status: LineStatus
    message: str = ""
    sku: str = ""
    name: str = ""
    quantity: Decimal | None = None
    unit: str = ""

    @property
    def ok(self) -> bool:
        return self.status == LineStatus.OK

    @property
    def quantity_text(self) -> str:
        return format_quantity(self.quantity) if self.quantity is not None else self.raw.quantity_text

    def checked(self) -> CheckedLine:
        """The line as `orders.spreadsheets.annotated_write` takes it."""
        return CheckedLine(self.raw, self.status, self.message)


@dataclass(frozen=True)
class UploadResult:
    """An upload's checked lines as added to the cart, kept for the result page and the annotated file."""

    token: str
    name: str
    lines: list[ResultLine]

    @property
    def added(self) -> list[ResultLine]:
        return [line for line in self.lines if line.ok]

    @property
    def rejected(self) -> list[ResultLine]:
        return [line for line in self.lines if not line.ok]


def _key(token: str) -> str:
    return f"orders:upload:{token}"


def _kept(line: CheckedLine) -> tuple:
    """What is kept of a line (plain values, so a cached result outlives a change of these classes)."""
    raw = line.raw
    added = (line.product.sku, line.product.name, line.quantity, line.unit.short_name) if line.ok else ()
    return (raw.number, raw.sku, raw.quantity_text, raw.unit_text, raw.comment, str(line.status), line.message,
            *added)


def _restored(kept: tuple) -> ResultLine:
    number, sku, quantity_text, unit_text, comment, status, message, *added = kept
    return ResultLine(RawLine(number, sku, quantity_text, unit_text, comment), LineStatus(status), message, *added)


def upload_result_keep(*, user, name: str, lines: Sequence[CheckedLine]) -> UploadResult:
    """Keep an upload's checked lines for UPLOAD_RESULT_SECONDS under a new random token; return them as kept."""
    token = secrets.token_urlsafe(16)
    kept = [_kept(line) for line in lines]
    cache.set(_key(token), {"user": user.pk, "name": name[:200], "lines": kept}, UPLOAD_RESULT_SECONDS)
    return UploadResult(token, name[:200], [_restored(line) for line in kept])


def upload_result_for_user(*, user, token: str) -> UploadResult:
    """The kept result of the user's upload; Http404 when it has expired, never existed or is another user's."""
    kept = cache.get(_key(token))
    if not kept or kept.get("user") != user.pk:
        raise Http404("no such upload result")
    return UploadResult(token, kept["name"], [_restored(line) for line in kept["lines"]])
