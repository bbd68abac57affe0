"""Reference data of the demo: currencies, units, properties, price types, regions, warehouses, categories.

These tables are small and may already hold rows someone entered by hand (a RUB currency, a
unit): existing rows are kept as they are and only the missing ones are added.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from base.models import Currency, PriceType, Region, Warehouse
from catalog.models import Category, Property, PropertyValue, Unit
from catalog.services import category_rebuild_tree

from .geography import CITIES, PRICE_ZONES, City, address
from .names import CATALOG, walk
from .vocabulary import FACET_SLOTS, PROPERTIES, UNITS, Group, Leaf
from .writer import SeedContext

#: Currencies: code, name, symbol, rate to RUB, internal.
CURRENCIES = (
    ("RUB", "Российский рубль", "₽", Decimal("1"), False),
    ("USD", "Доллар США", "$", Decimal("91.4520"), False),
    ("EUR", "Евро", "€", Decimal("99.1275"), False),
    ("XXU", "Условная единица", "у.е.", Decimal("95.0000"), True),
)
INTERNAL_CURRENCY = "XXU"

#: Price types besides the regional base ones: name, currency, per mille of the central base price.
EXTRA_PRICE_TYPES = (
    ("Оптовая", "RUB", 960),
    ("Крупный опт", "RUB", 920),
    ("Дилерская", "RUB", 880),
    ("Прайс-лист в у.е.", INTERNAL_CURRENCY, 1000),
)


@dataclass(frozen=True)
class PriceTypeInfo:
    id: int
    name: str
    currency: str
    permille: int


@dataclass(frozen=True)
class RegionInfo:
    id: int
    city: City
    base_price_type: PriceTypeInfo
    warehouse_ids: tuple[int, ...]


@dataclass
class Reference:
    """Ids of the reference rows the later steps point at."""

    units: dict[str, int]
    property_values: dict[tuple[str, str], int]
    price_types: list[PriceTypeInfo]
    regions: list[RegionInfo]
    categories: dict[str, int]
    rates: dict[str, Decimal] = field(default_factory=dict)

    def price_type(self, name: str) -> PriceTypeInfo:
        return next(info for info in self.price_types if info.name == name)


def _ensure(model, key: str, rows: list[dict]) -> dict:
    """Create the rows whose `key` value is not in the table yet; return key value → pk for all."""
    wanted = [row[key] for row in rows]
    existing = set(model.objects.filter(**{f"{key}__in": wanted}).values_list(key, flat=True))
    model.objects.bulk_create([model(**row) for row in rows if row[key] not in existing])
    return dict(model.objects.filter(**{f"{key}__in": wanted}).values_list(key, "pk"))


def create_reference(ctx: SeedContext) -> Reference:
    """Create the reference data and return the ids later steps need."""
    rng = ctx.rng("reference")
    _ensure(Currency, "code", [
        {"code": code, "name": name, "symbol": symbol, "rate": rate, "rate_date": ctx.now.date(),
         "is_internal": internal}
        for code, name, symbol, rate, internal in CURRENCIES
    ])
    rates = dict(Currency.objects.values_list("code", "rate"))
    units = _ensure(Unit, "code", [
        {"code": code, "name": name, "short_name": short, "fractional": fractional}
        for code, name, short, fractional in UNITS
    ])
    price_types = _create_price_types()
    regions = _create_regions(ctx, rng, price_types)
    ref = Reference(units, _create_properties(), price_types, regions, _create_categories(), rates)
    ctx.count("currencies", len(CURRENCIES))
    ctx.count("units", len(units))
    ctx.count("price_types", len(price_types))
    ctx.count("regions", len(regions))
    ctx.count("warehouses", sum(len(region.warehouse_ids) for region in regions))
    ctx.count("categories", len(ref.categories))
    ctx.count("property_values", len(ref.property_values))
    return ref


def _create_price_types() -> list[PriceTypeInfo]:
    specs = [(f"Базовая {zone}", "RUB", permille) for zone, permille in PRICE_ZONES.items()]
    specs += list(EXTRA_PRICE_TYPES)
    ids = _ensure(PriceType, "name", [{"name": name, "currency_id": currency} for name, currency, _ in specs])
    return [PriceTypeInfo(ids[name], name, currency, permille) for name, currency, permille in specs]


def _create_regions(ctx: SeedContext, rng, price_types: list[PriceTypeInfo]) -> list[RegionInfo]:
    base = {info.name: info for info in price_types}
    ids = _ensure(Region, "code", [
        {"code": city.code, "name": city.name, "base_price_type_id": base[f"Базовая {city.zone}"].id,
         "assortment_restricted": city.restricted}
        for city in CITIES
    ])
    existing = set(Warehouse.objects.filter(region_id__in=ids.values()).values_list("region_id", "name"))
    Warehouse.objects.bulk_create([
        Warehouse(region_id=ids[city.code], name=f"{city.name}: {name}", address=address(rng, city, industrial=True),
                  position=position)
        for city in CITIES
        for position, name in enumerate(city.warehouses)
        if (ids[city.code], f"{city.name}: {name}") not in existing
    ])
    warehouses: dict[int, list[int]] = {}
    for region_id, pk in Warehouse.objects.filter(region_id__in=ids.values()).order_by("position", "pk").values_list(
        "region_id", "pk"
    ):
        warehouses.setdefault(region_id, []).append(pk)
    return [
        RegionInfo(ids[city.code], city, base[f"Базовая {city.zone}"], tuple(warehouses[ids[city.code]]))
        for city in CITIES
    ]


def _facet_values() -> list[tuple[str, str]]:
    """Every (property slug, value) the vocabularies can produce, in a stable order."""
    values: dict[tuple[str, str], None] = {}
    for _, leaf in walk():
        for brand in leaf.brands:
            values[("brand", brand.name)] = None
            values[("country", brand.country)] = None
        for slot, slot_values in leaf.slots:
            for _, facet in slot_values:
                if facet and slot in FACET_SLOTS:
                    values[(slot, facet)] = None
    return list(values)


def _create_properties() -> dict[tuple[str, str], int]:
    properties = _ensure(Property, "slug", [
        {"slug": slug, "name": name, "position": position * 10} for position, (slug, name) in enumerate(PROPERTIES)
    ])
    wanted = _facet_values()
    ours = PropertyValue.objects.filter(property_id__in=properties.values())
    existing = set(ours.values_list("property_id", "value"))
    PropertyValue.objects.bulk_create([
        PropertyValue(property_id=properties[slug], value=value)
        for slug, value in wanted
        if (properties[slug], value) not in existing
    ])
    slug_by_id = {pk: slug for slug, pk in properties.items()}
    return {
        (slug_by_id[property_id], value): pk
        for property_id, value, pk in ours.values_list("property_id", "value", "pk")
    }


def _tree_rows(nodes: Iterable[Group | Leaf], parent: str | None, depth: int) -> Iterable[tuple[int, dict, str | None]]:
    for position, node in enumerate(nodes):
        yield depth, {"slug": node.slug, "name": node.name, "position": position * 10}, parent
        if isinstance(node, Group):
            yield from _tree_rows(node.children, node.slug, depth + 1)


def _create_categories() -> dict[str, int]:
    """The category tree, created level by level so parents have ids; then paths are rebuilt."""
    rows = list(_tree_rows(CATALOG, None, 0))
    ids: dict[str, int] = {}
    for depth in range(max(level for level, _, _ in rows) + 1):
        level = [dict(row, parent_id=ids[parent] if parent else None) for d, row, parent in rows if d == depth]
        ids.update(_ensure(Category, "slug", level))
    category_rebuild_tree()
    return ids
