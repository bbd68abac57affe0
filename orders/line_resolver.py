"""The catalog's answer to order lines: which products a portal user may order, by the SKUs typed.

`CatalogResolver` is the `orders.line_input.ProductResolver` the quick order, the Excel upload
and the cart use for a user; visibility is `catalog.selectors.visible_products`, so this module
knows nothing of how the assortment is decided.
"""

from collections.abc import Collection
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace, Upper

from catalog.models import Product, ProductUnit
from catalog.selectors import visible_products

from .line_input import SKU_KEY_MAP, SKU_SEPARATORS, ProductInfo, SkuLookup, UnitInfo, sku_key


def sku_key_expression(field_name: str = "sku") -> Func:
    """`sku_key` of a column in SQL (PostgreSQL `translate`; a chain of REPLACE elsewhere).

    `upper()` of a database with the C locale leaves Cyrillic alone, so the lower-case Cyrillic
    letters are mapped here too: the key is the same whatever the database's locale.
    """
    if connection.vendor == "postgresql":
        source = "".join(SKU_KEY_MAP) + SKU_SEPARATORS
        return Func(Upper(field_name), Value(source), Value("".join(SKU_KEY_MAP.values())), function="translate",
                    output_field=CharField())
    expression = Upper(field_name)
    for source, target in [*SKU_KEY_MAP.items(), *((separator, "") for separator in SKU_SEPARATORS)]:
        expression = Replace(expression, Value(source), Value(target))
    return expression



_UNNEST = {"text": "SELECT unnest(%s::text[])", "bigint": "SELECT unnest(%s::bigint[])"}
UNIT_FIELDS = ("pk", "code", "name", "short_name", "fractional")


def _any_of(values: Collection, array_type: str = "text"):
    """The right side of an `__in` over many strings: on PostgreSQL a hashed semi-join over one array.

    A long IN list makes the planner cost every product row × every value, which turns JIT
    compilation on (half a second of a 5,000-line check); `IN (SELECT unnest(array))` is costed
    as the hash it is.
    """
    if connection.vendor == "postgresql":
        # A fixed statement (the type is one of two literals); the values are one bound parameter.
        return RawSQL(_UNNEST[array_type], (list(values),))  # noqa: S611
    return list(values)


class CatalogResolver:
    """The resolver of a portal user: products of `catalog.selectors.visible_products` may be ordered.

    Other active products with a matching SKU are outside the assortment; inactive ones are
    unknown. SKUs are looked up in upper case first (the upper(sku) index); only the SKUs that
    matched nothing are looked up by key, a scan of the active products' keys. At most four
    queries for any number of SKUs (by upper case, by key, visibility, alternative units), plus
    whatever `visible_products` needs to load the user's client and region once. Whether the
    user may order at all (role, client status) is the caller's check.
    """

    def __init__(self, *, user):
        self.user = user

    def lookup(self, skus: Collection[str]) -> SkuLookup:
        if not skus:
            return SkuLookup()
        products = Product.objects.filter(is_active=True).order_by().values_list(
            "pk", "sku", "name", "multiplicity", *(f"base_unit__{name}" for name in UNIT_FIELDS))
        rows = list(products.alias(sku_upper=Upper("sku")).filter(sku_upper__in=_any_of({sku.upper() for sku in skus})))
        matched = {row[1].upper() for row in rows}
        if unmatched := {sku_key(sku) for sku in skus if sku.upper() not in matched}:
            known = {row[0] for row in rows}
            by_key = products.alias(sku_key=sku_key_expression()).filter(sku_key__in=_any_of(unmatched))
            rows += [row for row in by_key if row[0] not in known]
        if not rows:
            return SkuLookup()
        # Visibility of the few found products apart: as a correlated EXISTS in the queries above,
        # the planner would hash the whole visible catalog (and cost it high enough for JIT).
        ids = _any_of([row[0] for row in rows], "bigint")
        shown = set(visible_products(user=self.user).filter(pk__in=ids).values_list("pk", flat=True))
        units: dict[int, list[UnitInfo]] = {}
        alternatives = (
            ProductUnit.objects.filter(product_id__in=_any_of(shown, "bigint")).order_by("coefficient", "pk")
            .values_list("product_id", "coefficient", *(f"unit__{name}" for name in UNIT_FIELDS))
        )
        for product_id, coefficient, *unit in alternatives:
            units.setdefault(product_id, []).append(UnitInfo(*unit[:4], coefficient, unit[4]))
        found = [
            ProductInfo(pk, sku, name, UnitInfo(*unit[:4], Decimal(1), unit[4]), multiplicity,
                        tuple(units.get(pk, ())))
            for pk, sku, name, multiplicity, *unit in rows if pk in shown
        ]
        return SkuLookup(found, [row[1] for row in rows if row[0] not in shown])
