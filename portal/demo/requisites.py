"""Checksum-valid Russian requisites for demo companies: ИНН, КПП, ОГРН(ИП), БИК, accounts, EAN-13.

Every value is built from random digits and then given its control digits with the same
functions `accounts.validators` checks them with, so a generated value always validates.
"""

import random
from dataclasses import dataclass

from accounts import validators


@dataclass(frozen=True)
class Bank:
    """A bank as it appears in payment details: name, БИК, correspondent account."""

    name: str
    bik: str
    correspondent_account: str


#: Banks with their published Moscow БИК endings; regional branches get the same ending.
BANKS: tuple[tuple[str, str], ...] = (
    ("ПАО Сбербанк", "225"),
    ("Банк ВТБ (ПАО)", "187"),
    ("АО «Альфа-Банк»", "593"),
    ("АО «Райффайзенбанк»", "700"),
    ("ПАО «Промсвязьбанк»", "555"),
    ("АО «ТБанк»", "974"),
)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def tax_office(rng: random.Random, subject: str) -> str:
    """A tax office code (код налогового органа): subject code and an inspection number 01–29."""
    return f"{subject}{rng.randint(1, 29):02d}"


def company_inn(rng: random.Random, office: str) -> str:
    """A 10-digit ИНН of an organisation registered with `office`."""
    body = office + _digits(rng, 5)
    return body + validators.inn_check_digits(body)


def person_inn(rng: random.Random, office: str) -> str:
    """A 12-digit ИНН of an individual (sole trader) registered with `office`."""
    body = office + _digits(rng, 6)
    return body + validators.inn_check_digits(body)


def kpp(office: str, serial: int = 1) -> str:
    """КПП of an organisation's head office: tax office, reason code 01, serial number."""
    return f"{office}01{serial:03d}"


def company_ogrn(rng: random.Random, subject: str, year: int) -> str:
    """A 13-digit ОГРН: sign 1, year, subject code, inspection and record number, control digit."""
    body = f"1{year % 100:02d}{subject}{rng.randint(1, 29):02d}" + _digits(rng, 5)
    return body + validators.ogrn_check_digit(body)


def sole_trader_ogrnip(rng: random.Random, subject: str, year: int) -> str:
    """A 15-digit ОГРНИП: sign 3, year, subject code, record number, control digit."""
    body = f"3{year % 100:02d}{subject}" + _digits(rng, 9)
    return body + validators.ogrn_check_digit(body)


def _with_key(head: str, tail: str, is_valid) -> str:
    """The account `head + key + tail` whose key digit (the ninth) makes `is_valid` true."""
    for key in "0123456789":
        account = head + key + tail
        if is_valid(account):
            return account
    raise ValueError(f"no control key makes {head}?{tail} valid")  # unreachable: the key weight is odd


def bank_branch(name: str, ending: str, okato: str, division: str) -> Bank:
    """A bank's branch in a region: БИК 04 + OKATO region + division + the bank's ending.

    Raises ValueError when the ending is one of the Bank of Russia's own (000–002).
    """
    if ending in {"000", "001", "002"}:
        raise ValueError("БИК endings 000–002 belong to the Bank of Russia's branches")
    bik = f"04{okato}{division}{ending}"
    correspondent = _with_key(
        "30101810", "00000000" + ending, lambda account: validators.is_valid_correspondent_account(bik, account)
    )
    return Bank(name, bik, correspondent)


def settlement_account(rng: random.Random, bik: str, sole_trader: bool) -> str:
    """A 20-digit settlement account in roubles with its control key for `bik`.

    Balance account 40702 for an organisation, 40802 for a sole trader; currency code 810.
    """
    head = ("40802" if sole_trader else "40702") + "810"
    tail = _digits(rng, 4) + _digits(rng, 7)
    return _with_key(head, tail, lambda account: validators.is_valid_settlement_account(bik, account))


def ean13(rng: random.Random, prefix: str = "460") -> str:
    """An EAN-13 barcode with a Russian GS1 prefix and its check digit."""
    body = prefix + _digits(rng, 12 - len(prefix))
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(body))
    return body + str(-total % 10)
