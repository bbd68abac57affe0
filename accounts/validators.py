"""Checksum validators of Russian company requisites (ИНН, КПП, ОГРН, БИК, settlement account).

Each `is_valid_*` answers True/False; each `validate_*` raises `ValidationError` with a message
saying what is wrong, for forms and model fields. Requisites are ASCII digits 0-9 only (the regex
`\\d` and `int()` would take "７" or "٣" too, and the same company would register twice) and
never all zeros (such an ИНН or ОГРН passes its checksum). Every door that takes a requisite
(registration, cabinet, admin, ERP import) stores and looks it up as `normalize_requisite` gives it.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = (7, 1, 3) * 7 + (7, 1)


def normalize_requisite(value: str | None) -> str:
    """A requisite as stored and looked up: without any spaces, letters in upper case.

    Digits are left as they are: a non-ASCII digit is then refused by the validators.
    """
    return "".join((value or "").split()).upper()


def _all_zeros(value: str) -> bool:
    return bool(value) and not value.strip("0")


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def inn_check_digits(body: str) -> str:
    """Control digit(s) for the first 9 (legal entity) or 10 (individual) digits of an ИНН."""
    if len(body) == 9:
        return str(_weighted(body, _INN10_WEIGHTS) % 11 % 10)
    if len(body) == 10:
        first = str(_weighted(body, _INN12_WEIGHTS_1) % 11 % 10)
        second = str(_weighted(body + first, _INN12_WEIGHTS_2) % 11 % 10)
        return first + second
    raise ValueError("an ИНН body has 9 or 10 digits")


def is_valid_inn(value: str) -> bool:
    """ИНН: 10 digits (legal entity) or 12 digits (individual, ИП) with control digits."""
    if not re.fullmatch(r"[0-9]{10}|[0-9]{12}", value or "") or _all_zeros(value):
        return False
    body_len = 9 if len(value) == 10 else 10
    return value[body_len:] == inn_check_digits(value[:body_len])


def is_valid_kpp(value: str) -> bool:
    """КПП: 9 characters, NNNNPPNNN where PP may be digits or capital Latin letters."""
    return bool(re.fullmatch(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", value or "")) and not _all_zeros(value)


def ogrn_check_digit(body: str) -> str:
    """Control digit for the first 12 (ОГРН) or 14 (ОГРНИП) digits."""
    if len(body) == 12:
        return str(int(body) % 11 % 10)
    if len(body) == 14:
        return str(int(body) % 13 % 10)
    raise ValueError("an ОГРН body has 12 or 14 digits")


def is_valid_ogrn(value: str) -> bool:
    """ОГРН (13 digits) or ОГРНИП (15 digits) with its control digit."""
    if not re.fullmatch(r"[0-9]{13}|[0-9]{15}", value or "") or _all_zeros(value):
        return False
    return value[-1] == ogrn_check_digit(value[:-1])


def is_valid_bik(value: str) -> bool:
    """БИК: 9 digits starting with 04 (Russian banks), not 04 followed by zeros."""
    return bool(re.fullmatch(r"04[0-9]{7}", value or "")) and not _all_zeros(value[2:])


def _account_key_ok(prefix3: str, account: str) -> bool:
    digits = prefix3 + account
    return _weighted(digits, _ACCOUNT_WEIGHTS) % 10 == 0


def is_valid_settlement_account(bik: str, account: str) -> bool:
    """Settlement account (расчётный счёт): 20 digits whose control key matches the БИК.

    The key is computed over the last three digits of the БИК followed by the account
    (for accounts held with the Bank of Russia's branches: "0" + digits 5-6 of the БИК).
    """
    if not is_valid_bik(bik) or not re.fullmatch(r"[0-9]{20}", account or "") or _all_zeros(account):
        return False
    prefix = bik[-3:] if bik[-3:] not in {"000", "001", "002"} else "0" + bik[4:6]
    return _account_key_ok(prefix, account)


def is_valid_correspondent_account(bik: str, account: str) -> bool:
    """Correspondent account: 20 digits starting with 301, key over "0" + digits 5-6 of the БИК."""
    if not is_valid_bik(bik) or not re.fullmatch(r"301[0-9]{17}", account or ""):
        return False
    return _account_key_ok("0" + bik[4:6], account)


def _refuse_foreign_digits(value: str, name) -> None:
    """A digit other than ASCII 0-9 (fullwidth "７", Arabic-Indic "٣", superscript "²") gets its own message."""
    if any(not char.isascii() and (char.isdigit() or unicodedata.category(char) == "Nd") for char in value or ""):
        raise ValidationError(_("%(name)s: use only the digits 0-9."), code="digits", params={"name": name})


def _refuse_zeros(value: str, name) -> None:
    if _all_zeros(value):
        raise ValidationError(_("%(name)s cannot be all zeros."), code="zeros", params={"name": name})


def validate_inn(value: str) -> None:
    _refuse_foreign_digits(value, _("INN"))
    if not re.fullmatch(r"[0-9]{10}|[0-9]{12}", value or ""):
        raise ValidationError(_("INN must have 10 digits (company) or 12 digits (sole trader)."), code="format")
    _refuse_zeros(value, _("INN"))
    if not is_valid_inn(value):
        raise ValidationError(_("INN: wrong checksum."), code="checksum")


def validate_kpp(value: str) -> None:
    _refuse_foreign_digits(value, _("KPP"))
    if not re.fullmatch(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", value or ""):
        raise ValidationError(_("KPP must have 9 characters: 4 digits, 2 digits or letters, 3 digits."), code="format")
    _refuse_zeros(value, _("KPP"))


def validate_ogrn(value: str) -> None:
    _refuse_foreign_digits(value, _("OGRN"))
    if not re.fullmatch(r"[0-9]{13}|[0-9]{15}", value or ""):
        raise ValidationError(_("OGRN must have 13 digits (OGRNIP: 15 digits)."), code="format")
    _refuse_zeros(value, _("OGRN"))
    if not is_valid_ogrn(value):
        raise ValidationError(_("OGRN: wrong checksum."), code="checksum")


def validate_bik(value: str) -> None:
    _refuse_foreign_digits(value, _("BIK"))
    if not is_valid_bik(value):
        raise ValidationError(_("BIK must have 9 digits and start with 04."), code="format")


def validate_account_number(value: str) -> None:
    _refuse_foreign_digits(value, _("Account number"))
    if not re.fullmatch(r"[0-9]{20}", value or ""):
        raise ValidationError(_("An account number has 20 digits."), code="format")
    _refuse_zeros(value, _("Account number"))
