"""Reads of the catalog app: what a user may see, with its relations already loaded."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When

from base.models import Warehouse
from base.rawsql import any_of, columns, instance, select_rows, table

from .models import AssortmentItem, Category, Product, ProductMedia, ProductRelation, ProductUnit, Review, Stock, Unit


def visible_products(*, user) -> QuerySet[Product]:
    """Active products the user may see: a client sees its region's assortment only.

    Anonymous visitors and supplier staff see every active product.
    """
    products = Product.objects.filter(is_active=True)
    client = getattr(user, "client", None) if user.is_authenticated else None
    if client is not None and client.region.assortment_restricted:
        products = products.filter(pk__in=client.region.assortment.values("product_id"))
    return products


def visible_product(*, user, pk: int) -> Product | None:
    """The product `pk` if the user may see it (`visible_products`), with its base unit and category, without
    its search document (large, never shown); None otherwise.

    The product page's own read, written as SQL (base.rawsql): built by the ORM it cost the page as much
    again as the database spends on it."""
    client = getattr(user, "client", None) if user.is_authenticated else None
    restricted = client is not None and client.region.assortment_restricted
    sql, parts = _visible_product_sql(restricted)
    params = [pk, client.region_id] if restricted else [pk]
    rows = select_rows(sql, params, [field for _, fields in parts for field in fields])
    if not rows:
        return None
    values, start, loaded = rows[0], 0, []
    for model, fields in parts:
        loaded.append(instance(model, values[start:start + len(fields)], fields))
        start += len(fields)
    product, product.base_unit, product.category = loaded
    return product


@lru_cache(maxsize=2)
def _visible_product_sql(restricted: bool) -> tuple[str, list]:
    """The SELECT of `visible_product`, and (model, fields) of its columns in order."""
    selected, parts = [], []
    for model, alias, defer in ((Product, "p", ["search_vector"]), (Unit, "u", []), (Category, "c", [])):
        sql, fields = columns(model, alias, defer=defer)
        selected.append(sql)
        parts.append((model, fields))
    assortment = (f" AND EXISTS (SELECT 1 FROM {table(AssortmentItem)} a"  # noqa: S608 - a name from _meta
                  " WHERE a.product_id = p.id AND a.region_id = %s)") if restricted else ""
    sql = (
        f"SELECT {', '.join(selected)} FROM {table(Product)} p"  # noqa: S608 - names from the models' _meta
        f" JOIN {table(Unit)} u ON u.id = p.base_unit_id LEFT JOIN {table(Category)} c ON c.id = p.category_id"
        f" WHERE p.id = %s AND p.is_active{assortment}"
    )
    return sql, parts


def first_image_subquery() -> Subquery:
    """The file of a product's first image, as an annotation (no query per row)."""
    images = ProductMedia.objects.filter(product=OuterRef("pk"), kind=ProductMedia.Kind.IMAGE).exclude(file="")
    return Subquery(images.order_by("position", "pk").values("file")[:1])


def region_warehouses(region_id: int) -> QuerySet[Warehouse]:
    """The region's active warehouses, as a subquery for stock filters (no query of its own)."""
    return Warehouse.objects.filter(region_id=region_id, is_active=True).values("pk")


def only_in_stock(products: QuerySet[Product], *, region_id: int) -> QuerySet[Product]:
    """Products with a positive quantity in one of the region's warehouses.

    A scalar subquery with LIMIT 1 rather than EXISTS: PostgreSQL turns EXISTS into a hash
    semi-join over the whole region's stock (75,000 rows in the demo), while this is checked
    per candidate row through the (product, warehouse) index — a category's few thousand
    products, or the first page of a name-ordered listing.
    """
    any_row = Stock.objects.filter(product=OuterRef("pk"), quantity__gt=0,
                                   warehouse_id__in=region_warehouses(region_id)).values("pk")[:1]
    return products.alias(in_stock_row=Subquery(any_row)).filter(in_stock_row__isnull=False)


def stock_total_subquery(*, region_id: int) -> Subquery:
    rows = Stock.objects.filter(product=OuterRef("pk"), warehouse_id__in=region_warehouses(region_id))
    return Subquery(rows.values("product").annotate(total=Sum("quantity")).values("total")[:1])


def alternative_units(products) -> dict[int, list[tuple[int, str, object]]]:
    """Product id → its alternative units as (unit id, short name, coefficient), smallest first, in one
    query (the unit choice of the add-to-cart forms of a listing and of the cart's lines).

    Written as SQL (see base.rawsql): the cart asks for the units of hundreds of lines at once.
    """
    ids = [product.pk for product in products]
    if not ids:
        return {}
    condition, params = any_of("item.product_id", ids)
    sql = (f"SELECT item.product_id, item.unit_id, unit.short_name, item.coefficient"  # noqa: S608
           f" FROM {table(ProductUnit)} item JOIN {table(Unit)} unit ON unit.id = item.unit_id"
           f" WHERE {condition} ORDER BY item.coefficient, item.id")
    found: dict[int, list[tuple[int, str, object]]] = {}
    for product_id, *unit in select_rows(sql, params, [None, None, None, ProductUnit._meta.get_field("coefficient")]):
        found.setdefault(product_id, []).append(tuple(unit))
    return found


def category_tree() -> list[Category]:
    """All active categories in tree order, in one query (they are hundreds to a few thousand)."""
    return list(Category.objects.filter(is_active=True).only(
        "pk", "parent_id", "name", "slug", "path", "depth", "position").order_by("path"))


def published_reviews(*, product: Product) -> QuerySet[Review]:
    return product.reviews.filter(status=Review.Status.PUBLISHED).select_related("author__client")


@dataclass
class FacetValue:
    pk: int
    value: str
    count: int
    selected: bool


@dataclass
class Facet:
    slug: str
    name: str
    values: list[FacetValue]


FACET_CACHE_SECONDS = 600
CACHED_COUNT_MIN = 1000


def count_cache_key(key: str) -> str:
    """Cache key of a listing state's total; only totals of CACHED_COUNT_MIN and more are kept
    (a count over 100,000 rows is slow, small ones ride along with the page: catalog.paging)."""
    return "catalog:count:" + hashlib.sha256(key.encode()).hexdigest()


def facet_counts(*, products: QuerySet[Product], selected: dict[str, set[int]], limit: int = 12) -> list[Facet]:
    """Facets of a listing: per property, its values with product counts, in one query.

    `products` are the listing's products under every filter but the facets; `selected` the selected
    value ids per property slug. A property is disjunctive: its values are alternatives (OR) and their
    counts are taken under the other properties' selections only, so ticking one brand leaves the other
    brands to tick, with the number each would add. One pass over the product-value pairs does it: a
    pair counts when its product has a selected value of every other property with a selection.
    A property shows its `limit` most frequent values and every selected one.
    """
    # Grouped from the product side, so the plan starts from the (filtered) products and walks
    # the link table by product id instead of hashing the whole link table.
    prefix = "property_values__"
    rows = products.order_by().filter(**{f"{prefix}property__is_facet": True})
    if selected:
        through = Product.property_values.through
        # Uncorrelated IN subqueries: PostgreSQL hashes each selection's products once instead of probing
        # the link table for every product-value pair.
        has = {slug: Q(pk__in=through.objects.filter(propertyvalue_id__in=ids).values("product_id"))
               for slug, ids in selected.items()}

        def others(slug: str | None) -> Q | Value:
            conditions = [condition for other, condition in has.items() if other != slug]
            return Q(*conditions) if conditions else Value(True)  # an empty Q would drop the whole filter

        # The pair's own property through the join of the filter above (a lookup would join anew).
        rows = rows.alias(facet_slug=F(f"{prefix}property__slug"))
        counted = Case(*[When(facet_slug=slug, then=others(slug)) for slug in selected],
                       default=others(None), output_field=BooleanField())
        rows = rows.alias(counted=counted).filter(counted=True)
    rows = (
        rows.values_list(f"{prefix}property__slug", f"{prefix}property__name", f"{prefix}id", f"{prefix}value",
                         f"{prefix}property__position")
        .annotate(count=Count("pk"))
        .order_by(f"{prefix}property__position", f"{prefix}property__name", "-count", f"{prefix}value")
    )
    chosen = {pk for ids in selected.values() for pk in ids}
    facets: dict[str, Facet] = {}
    for slug, name, pk, value, _position, count in rows:
        facet = facets.setdefault(slug, Facet(slug, name, []))
        if len(facet.values) < limit or pk in chosen:
            facet.values.append(FacetValue(pk, value, count, pk in chosen))
    return [facet for facet in facets.values() if len(facet.values) > 1 or facet.values[0].selected]


def product_relations(*, user, product: Product) -> list[ProductRelation]:
    """Related, cross-sell and up-sell links of a product to products the user may see, in display order."""
    return list(
        ProductRelation.objects.filter(product=product, related__in=visible_products(user=user))
        .select_related("related__base_unit").order_by("kind", "position", "pk")
    )
