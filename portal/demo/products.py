"""Demo products with their alternative units and property links, written in bulk."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from catalog.models import Product, ProductUnit
from catalog.services import product_search_refresh

from .names import UNIT_SHORT, ProductDraft, generate_products
from .reference import Reference
from .requisites import ean13
from .vocabulary import UNITS
from .writer import SeedContext

VAT = Decimal("22.00")  # the standard Russian VAT rate since 2026-01-01
FRACTIONAL_UNITS = frozenset(code for code, _, _, fractional in UNITS if fractional)
PRODUCT_FIELDS = (
    "sku", "name", "category_id", "brand", "description", "base_unit_id", "multiplicity", "weight", "volume",
    "vat_rate", "is_active", "created_at", "updated_at",
)


@dataclass(frozen=True, slots=True)
class Sellable:
    """What an order line needs to know about a product: snapshot fields and the base price."""

    id: int
    sku: str
    name: str
    unit: str
    fractional: bool
    multiplicity: Decimal
    weight: Decimal
    volume: Decimal
    base_kopecks: int


@dataclass
class Catalog:
    """The generated products, in SKU order, with their database ids and what the later steps use.

    `unpriced` are the positions of products left without any price ("price on request");
    `popular` are positions of the goods clients buy most: stocked widely and in every order.
    """

    drafts: list[ProductDraft]
    ids: list[int]
    unpriced: frozenset[int]
    popular: list[int]

    def sellable(self, position: int) -> Sellable:
        draft = self.drafts[position]
        return Sellable(
            self.ids[position], draft.sku, draft.name, UNIT_SHORT[draft.unit], draft.unit in FRACTIONAL_UNITS,
            draft.multiplicity, draft.weight, draft.volume, draft.base_kopecks,
        )


def create_products(ctx: SeedContext, ref: Reference, count: int) -> Catalog:
    """Create `count` products, their alternative units and their property links.

    About one product in fifty gets no price at all and one in ten is "popular".
    """
    rng = ctx.rng("products")
    drafts: list[ProductDraft] = []
    with ctx.step(f"{count} products"):
        ages = [ctx.now - timedelta(days=days, minutes=days * 7 % 600) for days in range(720)]

        def rows():
            for draft in generate_products(count, rng):
                drafts.append(draft)
                yield (
                    draft.sku, draft.name, ref.categories[draft.leaf], draft.brand, draft.description,
                    ref.units[draft.unit], draft.multiplicity, draft.weight, draft.volume, VAT, True,
                    ages[draft.age_days], ctx.now,
                )

        ctx.count("products", ctx.writer.insert(Product, PRODUCT_FIELDS, rows()))
        # The seed only runs on a database without products, so every product is one of ours.
        by_sku = dict(Product.objects.values_list("sku", "id"))
        ids = [by_sku[draft.sku] for draft in drafts]
    unpriced = frozenset(rng.sample(range(len(drafts)), len(drafts) // 50)) if len(drafts) > 1 else frozenset()
    popular = [position for position in range(len(drafts)) if rng.randrange(10) == 0]
    catalog = Catalog(drafts, ids, unpriced, popular)
    with ctx.step("alternative units and property links"):
        _create_units(ctx, ref, catalog)
        _create_links(ctx, ref, catalog)
    with ctx.step("search documents"):
        product_search_refresh()
    return catalog


def _create_units(ctx: SeedContext, ref: Reference, catalog: Catalog) -> None:
    rng = ctx.rng("product-units")
    rows = (
        (product_id, ref.units[unit], coefficient, ean13(rng))
        for product_id, draft in zip(catalog.ids, catalog.drafts, strict=True)
        for unit, coefficient in draft.packs
    )
    fields = ("product_id", "unit_id", "coefficient", "barcode")
    ctx.count("product_units", ctx.writer.insert(ProductUnit, fields, rows))


def _create_links(ctx: SeedContext, ref: Reference, catalog: Catalog) -> None:
    values = ref.property_values
    rows = (
        (product_id, values[facet])
        for product_id, draft in zip(catalog.ids, catalog.drafts, strict=True)
        for facet in dict.fromkeys(draft.facets)
    )
    through = Product.property_values.through
    ctx.count("product_property_values", ctx.writer.insert(through, ("product_id", "propertyvalue_id"), rows))
