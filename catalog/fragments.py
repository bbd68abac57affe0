"""Cached pieces of the catalog pages, valid for one catalog version.

The listing's sidebar (category navigation and facets with counts), a listing page's product ids
and total and its rows' packaging units, the category tree, and a product's units and the HTML of
its page's fixed parts are the same for every viewer of a region, language and listing state, and
change only when the catalog, prices or stock change. They are kept in the cache (Redis) under keys
carrying everything they depend on — the viewer's region, assortment, price type and currency
(`PurchaseStrategy.cache_key`), the language, the listing state — each stored with the catalog
version it was made under. The catalog version is
a counter that imports and catalog services bump after they commit (`catalog_version_bump`); a
piece of another version is a miss, so a change is visible at once. The version is read in the same
round trip as the pieces (a busy server pays for each round trip). FRAGMENT_SECONDS bounds the
life of anything else (an admin edit of a category's name, say). Prices and stock are never cached:
the purchase strategy asks for them live.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import get_language

from .models import Category, Product, ProductMedia, ProductUnit, PropertyValue
from .paging import listing_page
from .selectors import category_tree

VERSION_KEY = "catalog:version"
FRAGMENT_SECONDS = 600


def catalog_version() -> int:
    """The current catalog version (started from the clock, so a flushed cache never reuses one)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        version = cache.get(VERSION_KEY)
    return version


def catalog_version_bump() -> None:
    """Retire every cached listing piece: the catalog, prices or stock changed (call it on commit)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any fresh value retires the old keys too
        cache.set(VERSION_KEY, int(time.time() * 1000), None)


@dataclass(frozen=True)
class ProductDetails:
    units: list[ProductUnit]
    values: list[PropertyValue]
    media: list[ProductMedia]
    ancestors: list[Category]  # the active categories above the product's category, from the top (breadcrumbs)


def category_ancestors(tree: list[Category], category: Category) -> list[Category]:
    """The active categories above `category`, from the top (its `path` holds their ids)."""
    by_id = {node.pk: node for node in tree}
    ancestor_ids = [int(part) for part in category.path.split(".") if part][:-1]
    return [by_id[pk] for pk in ancestor_ids if pk in by_id]


class CatalogCache:
    """The cached pieces of one request, under the language and the catalog version read once."""

    def __init__(self):
        self.language = get_language()
        self.version: int | None = None  # read with the first pieces
        self._found: dict[str, object] = {}  # key -> piece of this version, or None: not cached

    def key(self, kind: str, *parts) -> str:
        digest = hashlib.sha256("|".join(str(part) for part in (self.language, *parts)).encode()).hexdigest()
        return f"catalog:{kind}:{digest}"

    def preload(self, *keys: str) -> None:
        """Fetch the pieces a page will ask for, and the catalog version, in one round trip."""
        wanted = [key for key in keys if key not in self._found]
        found = cache.get_many([VERSION_KEY, *wanted] if self.version is None else wanted)
        if self.version is None:
            self.version = found.get(VERSION_KEY) or catalog_version()
        for key in wanted:
            version, piece = found.get(key, (None, None))
            self._found[key] = piece if version == self.version else None

    def _get(self, key: str):
        if key not in self._found:
            self.preload(key)
        return self._found[key]

    def _set(self, key: str, piece) -> None:
        cache.set(key, (self.version, piece), FRAGMENT_SECONDS)
        self._found[key] = piece

    def tree_key(self) -> str:
        return self.key("tree")

    def category_tree(self) -> list[Category]:
        """`selectors.category_tree`, kept for the catalog version."""
        key = self.tree_key()
        tree = self._get(key)
        if tree is None:
            tree = category_tree()
            self._set(key, tree)
        return tree

    def page_key(self, key: str, number: str, per_page: int) -> str:
        return self.key("page", key, number, per_page)

    def listing_page(self, query: Callable[[], QuerySet], *, number: str, per_page: int,
                     key: str) -> tuple[Page, list]:
        """`paging.listing_page` of `query()` (the ordered products), with the page's total and rows kept
        for the catalog version.

        `key` must describe the listing state but its paging (ListingState.cache_key plus the sort).
        A repeated page then costs no query, nor the building of one: the rows are what the catalog
        version holds (an import retires them at once; an admin edit of a product shows within
        FRAGMENT_SECONDS).
        """
        cache_key = self.page_key(key, number, per_page)
        cached = self._get(cache_key)
        if cached is None:
            page, rows = listing_page(query(), number=number, per_page=per_page, key=key)
            self._set(cache_key, (page.paginator.count, page.number, rows))
            return page, rows
        total, wanted, rows = cached
        paginator = Paginator(rows, per_page)  # the page's rows only: the total is known, nothing is sliced
        paginator.count = total
        return Page(rows, wanted, paginator), rows

    def product_page(self, product: Product, render: Callable[[ProductDetails], object]) -> tuple[list, object]:
        """A product's packaging units (with their unit) and `render(details)`: the HTML of the parts of its page
        that every viewer sees alike, made from its units, property values, media and category ancestors (its
        `category` loaded). Kept for the catalog version and the product's `updated_at` (an admin save
        changes it)."""
        key = self.key("product-page", product.pk, product.updated_at.isoformat())
        piece = self._get(key)
        if piece is None:
            details = ProductDetails(
                units=list(product.units.select_related("unit").order_by("coefficient", "pk")),
                values=list(product.property_values.select_related("property").order_by(
                    "property__position", "property__name")),
                media=list(product.media.all()),
                ancestors=category_ancestors(self.category_tree(), product.category) if product.category_id else [],
            )
            piece = (details.units, render(details))
            self._set(key, piece)
        return piece

    def piece(self, key: str, make: Callable[[], object]):
        """The piece (an HTML fragment, the units of a page's rows) cached under `key` (made by
        `key(kind, *everything it depends on)`), or `make()` kept there."""
        piece = self._get(key)
        if piece is None:
            piece = make()
            self._set(key, piece)
        return piece
