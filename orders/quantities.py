"""Quantities an order line gives: parsing what the buyer typed, and the order multiplicity (кратность).

`parse_quantity` and `multiplicity_choices` are shared by the quick order, the Excel upload and
the cart, so a quantity is read and a multiplicity offered the same way everywhere.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

#: Quantities are stored with three decimal places in at most sixteen digits (catalog.models.QUANTITY).
QUANTITY_PLACES = 3
QUANTITY_MAX = Decimal(10) ** 12

#: Spaces Excel, 1C and word processors put into numbers and cells (no-break, thin, figure, ...).
ODD_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"
SPACE_TABLE = str.maketrans({**dict.fromkeys(ODD_SPACES, " "), "\ufeff": None, "\u200b": None})
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


def _plain_number(text: str) -> str | None:
    """The text of a number with the decimal point as ".", without group separators; None if not one."""
    compact = text.translate(SPACE_TABLE).replace(" ", "").replace("'", "")
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):  # 1.234,5
            compact = compact.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    return compact if _NUMBER.fullmatch(compact) else None


def parse_quantity(text: str) -> Decimal:
    """A positive quantity from what the buyer typed: "2,5", "2.5", "1 000", "1 234,5".

    Raises ValidationError (code "quantity") saying what is wrong: empty, not a number, not
    positive, more than three decimal places, or too large.
    """
    if not text.strip():
        raise ValidationError(_("Enter a quantity."), code="quantity")
    plain = _plain_number(text)
    if plain is None:
        raise ValidationError(_("“%(text)s” is not a quantity.") % {"text": text.strip()[:50]}, code="quantity")
    try:
        value = Decimal(plain)
    except InvalidOperation as exc:
        raise ValidationError(_("“%(text)s” is not a quantity.") % {"text": text.strip()[:50]},
                              code="quantity") from exc
    if value <= 0:
        raise ValidationError(_("The quantity must be greater than zero."), code="quantity")
    if value >= QUANTITY_MAX:
        raise ValidationError(_("The quantity is too large."), code="quantity")
    if -value.normalize().as_tuple().exponent > QUANTITY_PLACES:
        raise ValidationError(_("Use at most three decimal places in a quantity."), code="quantity")
    return value


def format_quantity(value: Decimal) -> str:
    """A quantity for messages: no trailing zeros, the decimal separator of the active language."""
    plain = value.quantize(1) if value == value.to_integral_value() else value.normalize()
    return f"{plain:f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))



@dataclass(frozen=True, slots=True)
class QuantityChoice:
    """A valid quantity offered instead of the typed one: `quantity` units of `coefficient` base units."""

    quantity: Decimal
    coefficient: Decimal = Decimal(1)

    @property
    def base_quantity(self) -> Decimal:
        return self.quantity * self.coefficient


def multiplicity_choices(base_quantity: Decimal, multiplicity: Decimal, coefficient: Decimal = Decimal(1),
                         ) -> tuple[QuantityChoice | None, QuantityChoice | None]:
    """The nearest valid quantities below and above `base_quantity` for an order multiplicity.

    Quantities are never changed silently: the buyer picks one of these. Both are given in the
    buyer's unit (`coefficient` base units in one) when both are whole numbers of it, else in
    base units (coefficient 1). `below` is None when it would be 0; both are None when
    `base_quantity` is already a positive multiple. Raises ValueError for a multiplicity ≤ 0.
    """
    if multiplicity <= 0:
        raise ValueError("multiplicity must be positive")
    steps = (base_quantity / multiplicity).to_integral_value(ROUND_FLOOR)
    if base_quantity > 0 and steps * multiplicity == base_quantity:
        return None, None
    below = steps * multiplicity if steps > 0 else None
    above = (max(steps, 0) + 1) * multiplicity
    found = [value for value in (below, above) if value is not None]
    if coefficient != 1 and all(value % coefficient == 0 for value in found):
        return (None if below is None else QuantityChoice(below / coefficient, coefficient),
                QuantityChoice(above / coefficient, coefficient))
    return None if below is None else QuantityChoice(below), QuantityChoice(above)
