"""Writes of the catalog app."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import fts
from .fragments import catalog_version_bump
from .models import Category, Product, PropertyValue, Review


@transaction.atomic
def category_rebuild_tree() -> int:
    """Recompute `path` and `depth` of every category from the parent links.

    Categories are few (hundreds to a few thousand), so the whole tree is rebuilt in memory
    and only changed rows are written; cached listing pieces are retired after commit. Raises
    ValueError on a cycle.
    """
    transaction.on_commit(catalog_version_bump)
    nodes = {c.pk: c for c in Category.objects.select_for_update().order_by("pk")}
    resolved: dict[int, tuple[str, int]] = {}

    def resolve(pk: int, seen: frozenset = frozenset()) -> tuple[str, int]:
        if pk in resolved:
            return resolved[pk]
        if pk in seen:
            raise ValueError(f"category tree has a cycle at id {pk}")
        node = nodes[pk]
        if node.parent_id is None:
            result = (f"{pk:06d}.", 0)
        else:
            parent_path, parent_depth = resolve(node.parent_id, seen | {pk})
            result = (f"{parent_path}{pk:06d}.", parent_depth + 1)
        resolved[pk] = result
        return result

    changed = []
    for pk, node in nodes.items():
        path, depth = resolve(pk)
        if (node.path, node.depth) != (path, depth):
            node.path, node.depth = path, depth
            changed.append(node)
    Category.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)


def _require_perm(by, permission: str) -> None:
    if not by.has_perm(permission):
        raise PermissionDenied(f"{by} lacks {permission}")


@transaction.atomic
def category_save(*, by, category: Category) -> Category:
    """Store a category added or edited by supplier staff and recompute the tree's paths and depths.

    Raises PermissionDenied without the add (new) or change permission, ValueError on a cycle.
    """
    _require_perm(by, "catalog.change_category" if category.pk else "catalog.add_category")
    category.save()
    category_rebuild_tree()
    category.refresh_from_db(fields=["path", "depth"])
    return category


@transaction.atomic
def product_save(*, by, product: Product, property_values: Iterable[PropertyValue] | None = None) -> Product:
    """Store a product added or edited by supplier staff, with its property values when given, and
    refresh its search document (name, SKU, brand, property values and description are in it).

    Raises PermissionDenied without the add (new) or change permission.
    """
    _require_perm(by, "catalog.change_product" if product.pk else "catalog.add_product")
    product.save()
    if property_values is not None:
        product.property_values.set(property_values)
    product_search_refresh(product_ids=[product.pk])
    return product


#: The full-text document of a product: name, SKU and brand weigh most, then property values
#: (brand, material, size, ... as the ERP sends them), then the description.
_SEARCH_DOCUMENT_SQL = """
UPDATE catalog_product AS p SET search_vector =
    setweight(to_tsvector('russian', p.name || ' ' || p.sku || ' ' || p.brand), 'A')
    || setweight(to_tsvector('russian', coalesce(v.words, '')), 'B')
    || setweight(to_tsvector('russian', p.description), 'C')
FROM catalog_product AS d LEFT JOIN (
    SELECT pv.product_id, string_agg(value.value, ' ') AS words
    FROM catalog_product_property_values AS pv JOIN catalog_propertyvalue AS value ON value.id = pv.propertyvalue_id
    {where_values}
    GROUP BY pv.product_id
) AS v ON v.product_id = d.id
WHERE d.id = p.id {where_products}
"""


@transaction.atomic
def product_search_refresh(*, product_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored search document of the given products (all when None); return how many.

    Importers and `seed_demo` call it after writing products or their property values. On
    SQLite the document is the product's row of the FTS5 table (`catalog.fts`); on other
    databases there is none (search uses icontains) and nothing is done.
    """
    transaction.on_commit(catalog_version_bump)  # products changed: retire cached listing pieces
    if connection.vendor == "sqlite":
        return _product_search_refresh_sqlite(product_ids)
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        # One grouped join (not a subquery per product): the seed runs this while indexes are dropped.
        if product_ids is None:
            cursor.execute(_SEARCH_DOCUMENT_SQL.format(where_values="", where_products=""))
        else:
            ids = list(product_ids)
            sql = _SEARCH_DOCUMENT_SQL.format(where_values="WHERE pv.product_id = ANY(%s)",
                                              where_products="AND p.id = ANY(%s)")
            cursor.execute(sql, [ids, ids])
        return cursor.rowcount


def _product_search_refresh_sqlite(product_ids: Iterable[int] | None) -> int:
    """Rewrite the FTS5 rows (catalog.fts) of the given products, all when None; the rows of products
    no longer there go too."""
    products = Product.objects.order_by("pk")
    links = Product.property_values.through.objects.order_by("pk")
    ids = None if product_ids is None else list(product_ids)
    if ids is not None:
        products, links = products.filter(pk__in=ids), links.filter(product_id__in=ids)
    values: dict[int, list[str]] = {}
    for product_id, value in links.values_list("product_id", "propertyvalue__value"):
        values.setdefault(product_id, []).append(value)
    rows = [(pk, *fts.document(name=name, sku=sku, brand=brand, values=values.get(pk, ()), description=description))
            for pk, name, sku, brand, description in products.values_list("pk", "name", "sku", "brand", "description")]
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"DELETE FROM {fts.TABLE}")  # noqa: S608 - a constant
        else:
            cursor.executemany(f"DELETE FROM {fts.TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608
        cursor.executemany(f"INSERT INTO {fts.TABLE} (rowid, head, props, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                           rows)
    return len(rows)


@transaction.atomic
def review_submit(*, user, product: Product, rating: int, text: str) -> Review:
    """A client user's rating and review of a product, waiting for moderation (one per author and product).

    A second review by the same author replaces the first and goes back to moderation.
    Raises PermissionDenied for users without a client, ValidationError for a rating outside 1..5.
    """
    if not user.is_authenticated or not user.client_id:
        raise PermissionDenied("only clients' users review products")
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    review, _created = Review.objects.update_or_create(
        product=product, author=user,
        defaults={"rating": rating, "text": text.strip()[:5000], "status": Review.Status.PENDING,
                  "created_at": timezone.now()},
    )
    return review


@transaction.atomic
def review_moderate(*, reviews, status: str) -> int:
    """Publish or reject reviews (admin action of supplier staff); return how many changed."""
    if status not in (Review.Status.PUBLISHED, Review.Status.REJECTED):
        raise ValueError(f"not a moderation outcome: {status}")
    return reviews.exclude(status=status).update(status=status)


MARKETING_GROUP = "marketing"
#: Exactly what marketing may do: change product content (not add or delete products), manage
#: media and related products, moderate reviews. Nothing on prices, stock, clients or orders.
MARKETING_PERMISSIONS = (
    "view_product", "change_product",
    "view_productmedia", "add_productmedia", "change_productmedia", "delete_productmedia",
    "view_productrelation", "add_productrelation", "change_productrelation", "delete_productrelation",
    "view_review", "change_review",
    "view_category", "view_unit", "view_property", "view_propertyvalue",
)


@transaction.atomic
def marketing_group_grant() -> Group:
    """Create the "marketing" group if needed and give it exactly MARKETING_PERMISSIONS (others removed)."""
    group, _created = Group.objects.get_or_create(name=MARKETING_GROUP)
    permissions = Permission.objects.filter(content_type__app_label="catalog", codename__in=MARKETING_PERMISSIONS)
    group.permissions.set(permissions)
    return group
