"""Building blocks of the demo catalog: brands, units, properties and the leaf-category spec.

A leaf category describes its products combinatorially: name patterns with slots, the values of
each slot, the brands that make them, the unit, and price, weight and volume ranges. Every
combination (pattern × slot values × brand) is one possible product, so a leaf holds as many
distinct products as the product of its list lengths.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Units of measure: OKEI code, full name, short name, fractional.
UNITS: tuple[tuple[str, str, str, bool], ...] = (
    ("796", "Штука", "шт", False),
    ("778", "Упаковка", "упак", False),
    ("166", "Килограмм", "кг", True),
    ("006", "Метр", "м", True),
    ("055", "Квадратный метр", "м²", True),
    ("112", "Литр", "л", True),
    ("839", "Комплект", "компл", False),
    ("736", "Рулон", "рул", False),
    ("715", "Пара", "пар", False),
    ("8751", "Коробка", "кор", False),
)

#: Facet properties: slug (also the slot name in leaf specs), name. Order is the facet order.
PROPERTIES: tuple[tuple[str, str], ...] = (
    ("brand", "Бренд"),
    ("kind", "Тип"),
    ("mark", "Марка"),
    ("size", "Размер"),
    ("section", "Сечение"),
    ("capacity", "Объём"),
    ("power", "Мощность"),
    ("material", "Материал"),
    ("coating", "Покрытие"),
    ("color", "Цвет"),
    ("country", "Страна происхождения"),
)
FACET_SLOTS = frozenset(slug for slug, _ in PROPERTIES)


@dataclass(frozen=True)
class Brand:
    """A manufacturer's brand; `tier` 0 budget, 1 middle, 2 premium sets the price premium."""

    name: str
    country: str
    tier: int = 0


#: A slot value as it reads in the name, and the facet value it stands for (None: no facet).
SlotValue = tuple[str, str | None]


@dataclass(frozen=True)
class Leaf:
    """A leaf category and how its products are made up.

    The first slot is the "rank" slot: its values go from small to large, and price, weight and
    volume grow along it (a 3,5×16 screw is cheaper and lighter than a 6×90 one).
    """

    slug: str
    name: str
    patterns: tuple[str, ...]
    slots: tuple[tuple[str, tuple[SlotValue, ...]], ...]
    brands: tuple[Brand, ...]
    unit: str
    kopecks: tuple[int, int]
    grams: tuple[int, int]
    cm3: tuple[int, int]
    use: str
    packs: tuple[tuple[str, tuple[int, ...]], ...] = ()
    multiplicity: tuple[int, ...] = (1,)

    @property
    def radices(self) -> tuple[int, ...]:
        """Sizes of the combination digits: pattern, each slot, brand."""
        return (len(self.patterns), *(len(values) for _, values in self.slots), len(self.brands))

    @property
    def capacity(self) -> int:
        """How many distinct products this leaf can describe."""
        result = 1
        for radix in self.radices:
            result *= radix
        return result


@dataclass(frozen=True)
class Group:
    """An inner category node; roots carry the SKU prefix of their products."""

    slug: str
    name: str
    children: tuple["Group | Leaf", ...] = field(default=())
    sku_prefix: str = ""


def _slot_value(value: str | SlotValue, facet: bool) -> SlotValue:
    if isinstance(value, tuple):
        return value
    if not facet or not value:
        return (value, None)
    # A leading hyphen joins the word to the noun ("Дюбель-гвоздь"); the facet value stands alone.
    word = value.lstrip("-")
    return (value, word[:1].upper() + word[1:])


def leaf(
    slug: str,
    name: str,
    pattern: str | tuple[str, ...],
    *,
    unit: str,
    kopecks: tuple[int, int],
    grams: tuple[int, int],
    cm3: tuple[int, int],
    brands: tuple[Brand, ...],
    use: str,
    packs: tuple[tuple[str, tuple[int, ...]], ...] = (),
    mult: tuple[int, ...] = (1,),
    **slots: Iterable[str | SlotValue],
) -> Leaf:
    """Build a Leaf; keyword slots keep their order, and a slot named as a property is a facet.

    A plain string value is its own facet value (capitalised); a (name form, facet value) pair
    lets an inflected word in the name ("белая") stand for a dictionary value ("Белый").
    """
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    slot_specs = tuple(
        (slot, tuple(_slot_value(value, slot in FACET_SLOTS) for value in values)) for slot, values in slots.items()
    )
    return Leaf(slug, name, patterns, slot_specs, brands, unit, kopecks, grams, cm3, use, packs, mult)


def dims(first: Iterable[str | int], second: Iterable[str | int], fmt: str = "{}×{}") -> tuple[str, ...]:
    """All "a×b" sizes, ordered by the first then the second value (small to large)."""
    second = tuple(second)
    return tuple(fmt.format(a, b) for a in first for b in second)


def colors(*pairs: str) -> tuple[SlotValue, ...]:
    """Colour slot values from "name form:facet" strings ("белая:Белый")."""
    return tuple((text.split(":")[0], text.split(":")[1]) for text in pairs)


#: Feminine and masculine colour forms used by several leaves.
COLORS_F = colors("белая:Белый", "чёрная:Чёрный", "серая:Серый", "бежевая:Бежевый", "синяя:Синий", "красная:Красный")
COLORS_M = colors("белый:Белый", "чёрный:Чёрный", "серый:Серый", "бежевый:Бежевый", "синий:Синий", "красный:Красный")
