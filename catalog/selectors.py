"""Reads of the catalog app: what a user may see, with its relations already loaded."""

from django.db.models import Q, QuerySet

from .models import Category, Product


def visible_products(*, user) -> QuerySet[Product]:
    """Active products the user may see: a client sees its region's assortment only.

    Anonymous visitors and supplier staff see every active product.
    """
    products = Product.objects.filter(is_active=True)
    client = getattr(user, "client", None) if user.is_authenticated else None
    if client is not None and client.region.assortment_restricted:
        products = products.filter(pk__in=client.region.assortment.values("product_id"))
    return products


def product_list(*, user, category: Category | None = None, query: str = "") -> QuerySet[Product]:
    """The catalog listing: visible products of a category subtree, with unit and category.

    `query` is the header search box: a substring of the name or the beginning of the SKU
    (full-text search replaces it later).
    """
    products = visible_products(user=user).select_related("base_unit", "category")
    if category is not None:
        products = products.filter(category__path__startswith=category.path)
    if query:
        products = products.filter(Q(name__icontains=query) | Q(sku__istartswith=query))
    return products.order_by("name", "pk")


def category_roots() -> QuerySet[Category]:
    """Top-level active categories, for the navigation."""
    return Category.objects.filter(is_active=True, parent__isnull=True).order_by("position", "name")


def category_children(*, category: Category) -> QuerySet[Category]:
    return category.children.filter(is_active=True).order_by("position", "name")


def category_ancestors(*, category: Category) -> list[Category]:
    """Breadcrumbs from the root down to the category's parent, in one query."""
    ids = [int(part) for part in category.path.split(".") if part][:-1]
    by_id = Category.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
