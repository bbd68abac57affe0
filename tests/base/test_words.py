"""Amounts in Russian words for invoices."""

from decimal import Decimal

import pytest

from base.words import number_in_words, plural_form, rubles_in_words


@pytest.mark.parametrize(("amount", "words"), [
    ("123.45", "Сто двадцать три рубля 45 копеек"),
    ("0.01", "Ноль рублей 01 копейка"),
    ("1", "Один рубль 00 копеек"),
    ("2.02", "Два рубля 02 копейки"),
    ("11.11", "Одиннадцать рублей 11 копеек"),
    ("21.21", "Двадцать один рубль 21 копейка"),
    ("1000", "Одна тысяча рублей 00 копеек"),
    ("2002", "Две тысячи два рубля 00 копеек"),
    ("15000", "Пятнадцать тысяч рублей 00 копеек"),
    ("1000000", "Один миллион рублей 00 копеек"),
    ("2345678.905", "Два миллиона триста сорок пять тысяч шестьсот семьдесят восемь рублей 91 копейка"),
    ("1000001000", "Один миллиард одна тысяча рублей 00 копеек"),
])
def test_rubles_in_words(amount, words):
    assert rubles_in_words(Decimal(amount)) == words


def test_plural_forms_and_range():
    forms = ("рубль", "рубля", "рублей")
    assert [plural_form(n, forms) for n in (1, 2, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        "рубль", "рубля", "рублей", "рублей", "рублей", "рублей", "рубль", "рубля", "рублей", "рубль", "рублей"]
    assert number_in_words(0) == "ноль"
    with pytest.raises(ValueError):
        number_in_words(10**15)
    with pytest.raises(ValueError):
        rubles_in_words(Decimal("-1"))
