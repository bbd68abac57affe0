"""Amounts in Russian words for documents (счёт на оплату): «Сто двадцать три рубля 45 копеек».

Russian only: the invoice is a Russian accounting document whatever the interface language.
Whole numbers up to 999 999 999 999 999 are spelled; kopecks are written in digits, as
accountants write them.
"""

from decimal import ROUND_HALF_UP, Decimal

_ONES_M = ["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_ONES_F = ["", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_TEENS = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
          "семнадцать", "восемнадцать", "девятнадцать"]
_TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят",
         "девяносто"]
_HUNDREDS = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот",
             "девятьсот"]
# (forms for 1, 2-4, 5-20, feminine?) from the thousands up.
_SCALES = [
    (("тысяча", "тысячи", "тысяч"), True),
    (("миллион", "миллиона", "миллионов"), False),
    (("миллиард", "миллиарда", "миллиардов"), False),
    (("триллион", "триллиона", "триллионов"), False),
]
MAX_WHOLE = 10**15 - 1


def plural_form(number: int, forms: tuple[str, str, str]) -> str:
    """The Russian form of a noun after `number`: (1 рубль, 2 рубля, 5 рублей)."""
    number = abs(number) % 100
    if 10 < number < 20:
        return forms[2]
    last = number % 10
    if last == 1:
        return forms[0]
    if 2 <= last <= 4:
        return forms[1]
    return forms[2]


def _triad(number: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[number // 100]]
    rest = number % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_ONES_F if feminine else _ONES_M)[rest % 10])
    return [word for word in words if word]


def number_in_words(number: int, *, feminine: bool = False) -> str:
    """A whole number from 0 to MAX_WHOLE in Russian words, lower case («сто двадцать три»)."""
    if number < 0 or number > MAX_WHOLE:
        raise ValueError(f"{number} is out of range")
    if number == 0:
        return "ноль"
    words = _triad(number % 1000, feminine)
    number //= 1000
    for forms, scale_feminine in _SCALES:
        if not number:
            break
        triad = number % 1000
        if triad:
            words = [*_triad(triad, scale_feminine), plural_form(triad, forms), *words]
        number //= 1000
    return " ".join(words)


def rubles_in_words(amount: Decimal) -> str:
    """A money amount in rubles as written on a Russian invoice: «Сто двадцать три рубля 45 копеек»."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("a negative amount")
    rubles = int(amount)
    kopecks = int((amount - rubles) * 100)
    text = number_in_words(rubles)
    text = text[0].upper() + text[1:]
    return (f"{text} {plural_form(rubles, ('рубль', 'рубля', 'рублей'))} "
            f"{kopecks:02d} {plural_form(kopecks, ('копейка', 'копейки', 'копеек'))}")
