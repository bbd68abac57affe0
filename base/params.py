"""Numbers and text from a request (query string, form fields), parsed in one place.

Python's `int()`, `Decimal()`, `str.isdigit()` and the regex `\\d` accept any Unicode digit
("٣", "７"; `isdigit()` even "²", which `int()` then refuses), `Decimal()` reads "1e999999",
"NaN" and "Infinity", and PostgreSQL refuses text with a NUL character. So a number from a
request is read here: ASCII digits only, within bounds; anything else is the caller's default
(or None), never an exception. Text is cleaned of NUL and other control characters and cut to
a length.
"""

import re
import unicodedata
from decimal import Decimal

#: The largest value of a PostgreSQL bigint (primary keys are BigAutoField).
MAX_ID = 2**63 - 1
#: Enough pages for any listing; a larger page number is treated as not a number.
MAX_PAGE = 100_000

_INT = re.compile(r"[+-]?[0-9]{1,30}")
_DECIMAL = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]{0,30})(?:[.,](?P<fraction>[0-9]{0,30}))?")
# Spaces people put between thousands: plain, no-break, narrow no-break and thin spaces.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009")
# Tab, line feed and carriage return are kept in text; other control characters are dropped.
_KEPT_CONTROLS = {"\t", "\n", "\r"}


def parse_int(text: str | None, *, default: int | None = None, minimum: int | None = None,
              maximum: int | None = None) -> int | None:
    """An integer written in ASCII digits (optional sign, surrounding spaces allowed) within
    [minimum, maximum]; `default` for anything else (empty, other characters, out of bounds)."""
    if not isinstance(text, str):
        return default
    text = text.strip()
    if not _INT.fullmatch(text):
        return default
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return default
    return value


def parse_id(text: str | None) -> int | None:
    """A primary key: a positive integer that fits a bigint; None for anything else."""
    return parse_int(text, minimum=1, maximum=MAX_ID)


def parse_page(text: str | None) -> int:
    """A page number from 1 to MAX_PAGE; 1 for anything else."""
    return parse_int(text, default=1, minimum=1, maximum=MAX_PAGE)


def parse_decimal(text: str | None, *, maximum: Decimal | int, places: int, minimum: Decimal | int = 0,
                  default: Decimal | None = None) -> Decimal | None:
    """A decimal number in ASCII digits within [minimum, maximum] with at most `places` decimals.

    A comma is read as the decimal point ("12,5") and thousands may be grouped with spaces
    ("1 200"). No exponent, NaN or infinity. `default` for anything else.
    """
    if not isinstance(text, str):
        return default
    match = _DECIMAL.fullmatch(text.strip().translate(_GROUPING))
    if match is None or not (match["whole"] or match["fraction"]):
        return default
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        return default
    value = Decimal(f"{match['sign']}{match['whole'] or '0'}.{fraction or '0'}")
    if value < minimum or value > maximum:
        return default
    return value


def clean_text(text: str | None, *, max_length: int) -> str:
    """Text without NUL and other control characters (tab and line breaks are kept), stripped
    and cut to `max_length` characters; "" for None."""
    if not isinstance(text, str):
        return ""
    if not text.isprintable():
        text = "".join(char for char in text
                       if char in _KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs"))
    return text.strip()[:max_length]


def has_nul(text: str) -> bool:
    """True when the text holds a NUL character (PostgreSQL refuses it in text)."""
    return "\x00" in text
