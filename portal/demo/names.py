"""Demo products made up from the leaf vocabularies: names, SKUs, facets, prices, weights, descriptions.

Pure functions of a `random.Random`: no database, so the same seed gives the same products.
"""

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .catalog_hardware import HARDWARE
from .catalog_supplies import SUPPLIES
from .money import round_kopecks
from .vocabulary import FACET_SLOTS, UNITS, Group, Leaf

CATALOG: tuple[Group, ...] = (*HARDWARE, *SUPPLIES)
UNIT_SHORT = {code: short for code, _, short, _ in UNITS}

_SPACES = re.compile(r"\s+")
_GLUE = re.compile(r"\s+([-,])(?=\S)")
_BRAND_PREMIUM = (100, 118, 140)
_EXTRAS = (
    "Товар сертифицирован, документы — по запросу.",
    "Гарантия производителя.",
    "Соответствует требованиям ГОСТ и ТУ производителя.",
    "Отгрузка со склада в день заказа при наличии.",
    "",
)


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """One generated product, before it has a database id."""

    sku: str
    name: str
    leaf: str
    brand: str
    unit: str
    multiplicity: Decimal
    weight: Decimal
    volume: Decimal
    base_kopecks: int
    facets: tuple[tuple[str, str], ...]
    packs: tuple[tuple[str, Decimal], ...]
    description: str
    age_days: int


def walk(nodes: Sequence[Group | Leaf] = CATALOG, root: Group | None = None) -> Iterator[tuple[Group, Leaf]]:
    """Every leaf with its root, in tree order."""
    for node in nodes:
        if isinstance(node, Leaf):
            yield root, node
        else:
            yield from walk(node.children, root or node)


def allocate(capacities: Sequence[int], total: int) -> list[int]:
    """Split `total` products over leaves as evenly as their capacities allow.

    Leaves are filled smallest first, each taking an equal share of what is left but no more
    than it can describe; what no leaf can hold any more is spread evenly (and later named as a
    variant, "исп. 2").
    """
    counts = [0] * len(capacities)
    remaining = total
    order = sorted(range(len(capacities)), key=lambda i: (capacities[i], i))
    for position, index in enumerate(order):
        share = -(-remaining // (len(order) - position))
        counts[index] = min(share, capacities[index])
        remaining -= counts[index]
    for offset in range(remaining):
        counts[order[offset % len(order)]] += 1
    return counts


def _digits(index: int, radices: Sequence[int]) -> list[int]:
    digits = []
    for radix in reversed(radices):
        index, digit = divmod(index, radix)
        digits.append(digit)
    return digits[::-1]


def _along(low: int, high: int, rank: int, steps: int) -> int:
    """The value `rank` steps of `steps` along from low to high."""
    return low + (high - low) * rank // max(steps - 1, 1)


def _clean(text: str) -> str:
    return _GLUE.sub(r"\1", _SPACES.sub(" ", text)).strip()


class ProductMaker:
    """Makes the products of one leaf from combination indexes."""

    def __init__(self, root: Group, leaf: Leaf, rng: random.Random):
        self.root, self.leaf, self.rng = root, leaf, rng
        self.rank_steps = len(leaf.slots[0][1]) if leaf.slots else 1
        self.radices, self.capacity = leaf.radices, leaf.capacity

    def make(self, number: int, combination: int) -> ProductDraft:
        """The product for one combination index; indexes past the capacity are variants ("исп. 2")."""
        leaf, rng = self.leaf, self.rng
        variant, combination = divmod(combination, self.capacity)
        pattern_no, *slot_digits, brand_no = _digits(combination, self.radices)
        brand = leaf.brands[brand_no]
        chosen = {slot: values[digit] for (slot, values), digit in zip(leaf.slots, slot_digits, strict=True)}
        name = _clean(leaf.patterns[pattern_no].format(brand=brand.name, **{k: v[0] for k, v in chosen.items()}))
        if "{brand}" not in leaf.patterns[pattern_no]:
            name = f"{name} {brand.name}"  # as distributors name them: the same screw comes from several makers
        if variant:
            name = f"{name}, исп. {variant + 1}"
        rank = slot_digits[0] if slot_digits else 0
        facets = (("brand", brand.name), ("country", brand.country)) + tuple(
            (slot, value[1]) for slot, value in chosen.items() if value[1] and slot in FACET_SLOTS
        )
        packs = self._packs()
        multiplicity = rng.choice(leaf.multiplicity)
        if multiplicity > 1 and packs:
            multiplicity = int(packs[0][1])  # sold by the pack: the pack is the order step
        # Spreads in per cent, drawn as bits: cheaper than randint and still integer arithmetic.
        price = _along(*leaf.kopecks, rank, self.rank_steps) * (85 + rng.getrandbits(5)) * _BRAND_PREMIUM[brand.tier]
        grams = _along(*leaf.grams, rank, self.rank_steps) * (96 + rng.getrandbits(3)) // 100
        cm3 = _along(*leaf.cm3, rank, self.rank_steps) * (96 + rng.getrandbits(3)) // 100
        return ProductDraft(
            sku=f"{self.root.sku_prefix}-{number:06d}",
            name=name,
            leaf=leaf.slug,
            brand=brand.name,
            unit=leaf.unit,
            multiplicity=Decimal(multiplicity),
            weight=Decimal(max(grams, 1)).scaleb(-3),
            volume=Decimal(max(cm3, 1)).scaleb(-6),
            base_kopecks=round_kopecks(price // 10_000),
            facets=facets,
            packs=packs,
            description=self._describe(name, brand.name, brand.country, packs, multiplicity),
            age_days=rng.randrange(720),
        )

    def _packs(self) -> tuple[tuple[str, Decimal], ...]:
        if not self.leaf.packs or self.rng.randrange(10) >= 7:
            return ()
        return tuple((unit, Decimal(self.rng.choice(choices))) for unit, choices in self.leaf.packs)

    def _describe(self, name: str, brand: str, country: str, packs, multiplicity: int) -> str:
        parts = [f"{name}.", f"Применение: {self.leaf.use}.", f"Производитель — {brand} ({country})."]
        if packs:
            base = UNIT_SHORT[self.leaf.unit]
            parts.append("Фасовка: " + ", ".join(f"{UNIT_SHORT[unit]} — {count} {base}" for unit, count in packs) + ".")
        if multiplicity > 1:
            parts.append(f"Кратность заказа — {multiplicity} {UNIT_SHORT[self.leaf.unit]}.")
        parts.append(self.rng.choice(_EXTRAS))
        return " ".join(part for part in parts if part)


def generate_products(count: int, rng: random.Random) -> Iterator[ProductDraft]:
    """`count` products spread over all leaves, each leaf's combinations sampled without repeats.

    SKUs are the root's prefix and a running number, so they are unique by construction.
    """
    leaves = list(walk())
    counts = allocate([leaf.capacity for _, leaf in leaves], count)
    number = 0
    for (root, leaf), leaf_count in zip(leaves, counts, strict=True):
        if not leaf_count:
            continue
        maker = ProductMaker(root, leaf, rng)
        picked = rng.sample(range(leaf.capacity), min(leaf_count, leaf.capacity))
        picked = sorted(picked) + list(range(leaf.capacity, leaf.capacity + leaf_count - len(picked)))
        for combination in picked:
            number += 1
            yield maker.make(number, combination)
