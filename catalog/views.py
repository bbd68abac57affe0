"""Catalog pages: listing (category, facets, search), typeahead, product page and its fragments."""

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from base.params import clean_text

from . import selectors
from .access import access_product_for_user
from .availability import Availability, availability_for
from .filters import PAGE_SIZES, SORTS, filter_products, order_products, parse_listing
from .models import Category, Product
from .paging import listing_page
from .pricing import ProductPrice, price_products
from .search import MAX_QUERY_LENGTH, search_products

SUGGESTIONS = 8


def row_context(request: HttpRequest) -> dict:
    """What every row's add-to-cart form shares, computed once per page rather than once per row."""
    return {"cart_add_url": reverse("catalog:cart_add"), "next_url": request.get_full_path(),
            "label_quantity": _("Quantity"), "label_add": _("Add")}


@dataclass
class Row:
    """A product as a listing shows it: the product, the client's price, the availability."""

    product: Product
    price: ProductPrice | None
    stock: Availability | None

    @property
    def image_url(self) -> str:
        image = getattr(self.product, "image", None)
        return default_storage.url(image) if image else ""


def rows_for(viewer: selectors.Viewer, products: list[Product], units: bool = False) -> list[Row]:
    """Price and availability of the products for the viewer: two queries whatever their number."""
    prices = price_products(viewer.pricing, products, units=units) if viewer.sees_prices else {}
    stock = availability_for(region_id=viewer.region_id, products=products)
    return [Row(product, prices.get(product.pk), stock.get(product.pk)) for product in products]


def _category_nav(tree: list[Category], slug: str | None) -> tuple[Category | None, list[Category], list[Category]]:
    """The current category, its ancestors and the categories to show in the navigation."""
    if slug is None:
        return None, [], [node for node in tree if node.parent_id is None]
    by_slug = {node.slug: node for node in tree}
    category = by_slug.get(slug)
    if category is None:
        raise Http404("no such category")
    by_id = {node.pk: node for node in tree}
    ancestor_ids = [int(part) for part in category.path.split(".") if part][:-1]
    ancestors = [by_id[pk] for pk in ancestor_ids if pk in by_id]
    children = [node for node in tree if node.parent_id == category.pk]
    return category, ancestors, sorted(children, key=lambda node: (node.position, node.name))


def _listing(products, state, viewer, key: str, typos: bool = False):
    """Filtered products, the requested page with its total, and the page's rows (one query)."""
    filtered = filter_products(products, state, viewer, typos=typos)
    # The search document and the description are large and not shown in a listing row.
    ordered = order_products(filtered, state, viewer).select_related("base_unit").defer(
        "search_vector", "description").annotate(image=selectors.first_image_subquery())
    page, rows = listing_page(ordered, number=state.page, per_page=state.per_page, key=key)
    return filtered, page, rows


@require_GET
def product_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    viewer = selectors.catalog_viewer(user=request.user)
    tree = selectors.category_tree()
    category, ancestors, subcategories = _category_nav(tree, slug)
    state = parse_listing(request.GET, can_price=viewer.pricing is not None)
    products = selectors.visible_products(user=request.user)
    if category is not None:
        # The subtree's ids from the tree already in memory: a join on `path` misleads the planner.
        products = products.filter(category_id__in=[node.pk for node in tree if node.path.startswith(category.path)])
    key = state.cache_key(category and category.pk, viewer)
    filtered, page, rows = _listing(products, state, viewer, key)
    typos = bool(state.q) and page.paginator.count == 0
    if typos:  # nothing by words or SKU: try similar words (a misspelt query); no facets for those
        filtered, page, rows = _listing(products, state, viewer, key + "|typos", typos=True)
        facets = []
    else:
        facets = selectors.facet_counts_cached(products=filtered, selected=state.selected_ids, key=key,
                                               total=page.paginator.count)
    context = {
        "category": category, "ancestors": ancestors, "subcategories": subcategories,
        "page": page, "rows": rows_for(viewer, rows), "query": state.q, "state": state,
        "facets": facets, "viewer": viewer, "sorts": SORTS, "page_sizes": PAGE_SIZES, "typos": typos,
        **row_context(request),
    }
    template = "catalog/product_list.html#results" if request.htmx and not request.htmx.boosted else (
        "catalog/product_list.html")
    return render(request, template, context)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Typeahead under the header search box: SKU, name and the client's price of the best matches."""
    viewer = selectors.catalog_viewer(user=request.user)
    query = clean_text(request.GET.get("q", ""), max_length=MAX_QUERY_LENGTH)
    rows = []
    if len(query.strip()) >= 2:
        visible = selectors.visible_products(user=request.user).select_related("base_unit")
        products = list(search_products(visible, query).order_by("-rank", "name", "pk")[:SUGGESTIONS])
        if not products:
            products = list(search_products(visible, query, typos=True).order_by("-rank", "name", "pk")[:SUGGESTIONS])
        prices = price_products(viewer.pricing, products) if viewer.sees_prices else {}
        rows = [Row(product, prices.get(product.pk), None) for product in products]
    return render(request, "catalog/partials/_suggestions.html", {"rows": rows, "query": query.strip()})


@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = selectors.catalog_viewer(user=request.user)
    product = access_product_for_user(request.user, pk)
    row = rows_for(viewer, [product], units=True)[0]
    units = [(item, row.price.per_unit.get(item.unit_id) if row.price else None) for item in product.units.all()]
    return render(request, "catalog/product_detail.html", {
        "product": product, "row": row, "units": units, "viewer": viewer,
        "media": list(product.media.all()), **row_context(request),
    })


@require_GET
def product_related(request: HttpRequest, pk: int) -> HttpResponse:
    """Related, cross-sell and up-sell products of a product the viewer may see (loaded by htmx)."""
    viewer = selectors.catalog_viewer(user=request.user)
    product = access_product_for_user(request.user, pk)
    relations = selectors.product_relations(user=request.user, product=product)
    rows = rows_for(viewer, [relation.related for relation in relations])
    groups: dict[str, list[Row]] = {}
    for relation, row in zip(relations, rows, strict=True):
        groups.setdefault(relation.get_kind_display(), []).append(row)
    return render(request, "catalog/partials/_related.html", {"product": product, "groups": groups,
                                                               "viewer": viewer})
