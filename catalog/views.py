"""Catalog pages: listing (category, facets, search), typeahead, product page and its fragments."""

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import engines
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET
from markupsafe import Markup

from base.params import clean_text

from . import fragments, selectors
from .access import access_product_for_user
from .filters import PAGE_SIZES, SORTS, filter_products, order_products, parse_listing
from .models import Category, Product
from .purchase import PurchaseInfo, purchase_strategy
from .search import MAX_QUERY_LENGTH, search_products, suggest_query
from .search_log import search_miss_record

SUGGESTIONS = 8


def cart_context(request: HttpRequest) -> dict:
    """What every row's add-to-cart form shares, computed once per page rather than once per row.

    The form posts to `cart_add_url()`, a Jinja2 global of the portal's wiring (the catalog does not name
    the orders app's URL).
    """
    return {"next_url": request.get_full_path(), "csrf_token": get_token(request),
            "label_quantity": _("Quantity"), "label_add": pgettext("add to cart", "Add"), "label_unit": _("Unit"),
            "label_add_selected": _("Add selected to the cart")}


def render_jinja(request: HttpRequest, template: str, context: dict) -> SafeString:
    """A body fragment of a hot page rendered by Jinja2 (see portal/jinja_env.py), safe to embed."""
    return mark_safe(render_to_string(template, context, request, using="jinja2"))  # noqa: S308 - escaped by Jinja2


def listing_cells(rows, *, cart: dict | None) -> dict[int, tuple[Markup, Markup]]:
    """Product id → the HTML of its row's viewer-independent cells (catalog/_listing_cells.jinja): the lead
    cells, and the add-to-cart controls when `cart` (the labels of `cart_context`) is given, with the rows'
    packaging units (one query). Kept with the listing page: only price and stock are rendered per request."""
    cells = engines["jinja2"].env.get_template("catalog/_listing_cells.jinja").module
    units = selectors.alternative_units(rows) if cart is not None else {}
    return {product.pk: (cells.lead(product),
                         cells.add_controls(product, units.get(product.pk), cart) if cart is not None else "")
            for product in rows}


def product_fixed(product: Product, details: fragments.ProductDetails) -> dict[str, Markup]:
    """The HTML of the product page's parts that every viewer of a language sees alike
    (catalog/_product_fixed.jinja): breadcrumbs, head and gallery, ordering facts, specifications, details."""
    parts = engines["jinja2"].env.get_template("catalog/_product_fixed.jinja").module
    return {"lead": parts.lead(product, details.ancestors, details.media), "facts": parts.facts(product),
            "specifications": parts.specifications(details.values), "details": parts.details(product, details.media)}


def _category_path(tree: list[Category], slug: str) -> tuple[Category, list[Category]]:
    """The category of a slug and its ancestors (404 for an unknown slug)."""
    category = next((node for node in tree if node.slug == slug), None)
    if category is None:
        raise Http404("no such category")
    return category, fragments.category_ancestors(tree, category)


def _subcategories(tree: list[Category], category: Category | None) -> list[Category]:
    """The categories the navigation shows: the children of the category, or the top level."""
    parent_id = category.pk if category is not None else None
    children = [node for node in tree if node.parent_id == parent_id]
    return children if category is None else sorted(children, key=lambda node: (node.position, node.name))


def _listing(products, state, viewer, key: str, cached: fragments.CatalogCache, typos: bool = False):
    """The requested page with its total, and the page's rows (one query; none when the page is cached)."""

    def ordered():
        filtered = filter_products(products, state, viewer, typos=typos)
        # The search document and the description are large and not shown in a listing row.
        return order_products(filtered, state, viewer).select_related("base_unit").defer(
            "search_vector", "description").annotate(image=selectors.first_image_subquery())

    return cached.listing_page(ordered, number=state.page, per_page=state.per_page, key=f"{key}|{state.sort}")


def _is_plain_search(request: HttpRequest, state) -> bool:
    """A search the buyer submitted (a full page, not an htmx re-sort) with no filter that could
    have emptied it: its empty result is a miss of the catalog (see catalog.search_log)."""
    return not request.htmx and not state.values and not state.in_stock and state.price_min is None \
        and state.price_max is None


@require_GET
def product_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """A category, the whole catalog or search results; htmx gets the results fragment only.

    The results are rendered by Jinja2 (catalog/listing.jinja) and embedded in the Django page
    shell, so `catalog/product_list.html` is the page and the fragment is its #catalog-results.
    """
    viewer = purchase_strategy(user=request.user)
    state = parse_listing(request.GET, can_price=viewer.pricing is not None)
    key = state.cache_key(slug, viewer)
    cached = fragments.CatalogCache()
    sidebar_key = cached.key("sidebar", request.path, key, state.sort, state.per_page)

    def cells_key(key: str) -> str:
        """Where the HTML of the page's rows' fixed cells is kept (with add-to-cart controls for a buyer)."""
        return cached.key("cells", key, state.sort, state.page, state.per_page, viewer.can_order)

    # The category tree is needed for a category's page, and for the whole catalog only to render its sidebar.
    tree_keys = [cached.tree_key()] if slug is not None else []
    cached.preload(*tree_keys, cached.page_key(f"{key}|{state.sort}", state.page, state.per_page), sidebar_key,
                   cells_key(key))
    category, ancestors = _category_path(cached.category_tree(), slug) if slug is not None else (None, [])
    products = selectors.visible_products(user=request.user)
    if category is not None:
        # The subtree's ids from the tree already in memory: a join on `path` misleads the planner.
        products = products.filter(category_id__in=[node.pk for node in cached.category_tree()
                                                    if node.path.startswith(category.path)])
    page, rows = _listing(products, state, viewer, key, cached)
    typos = bool(state.q) and page.paginator.count == 0
    if typos:  # nothing by words or SKU: try similar words (a misspelt query); no facets for those
        key += "|typos"
        sidebar_key = cached.key("sidebar", request.path, key, state.sort, state.per_page)
        page, rows = _listing(products, state, viewer, key, cached, typos=True)
    if typos and page.paginator.count == 0 and _is_plain_search(request, state):
        search_miss_record(query=state.q, region_id=viewer.region_id)
    cart = cart_context(request)
    context = {
        "category": category, "ancestors": ancestors,
        "page": page, "rows": viewer.fetch(rows), "query": state.q, "state": state,
        "cells": cached.piece(cells_key(key), lambda: listing_cells(rows, cart=cart if viewer.can_order else None))
        if rows else {},
        "viewer": viewer, "sorts": SORTS, "page_sizes": PAGE_SIZES, "typos": typos,
        "suggestion": suggest_query(state.q, [row.name for row in rows]) if typos else None,
        "path": request.path, "cart": cart,
    }

    def sidebar() -> str:
        facets = [] if typos else selectors.facet_counts(
            products=filter_products(products, state, viewer, facets=False), selected=state.values)
        return render_to_string("catalog/_sidebar.jinja", {
            **context, "facets": facets, "subcategories": _subcategories(cached.category_tree(), category)},
            using="jinja2")

    context["sidebar"] = mark_safe(cached.piece(sidebar_key, sidebar))  # noqa: S308 - rendered by Jinja2
    results = render_jinja(request, "catalog/listing.jinja", context)
    if request.htmx and not request.htmx.boosted:
        return HttpResponse(results)
    # The shell's token from the rows' one: Django's processor masks a new token at every use. The shell gets
    # only what it shows: its partials see the whole context it is given.
    return render(request, "catalog/product_list.html", {"query": state.q, "category": category, "results": results,
                                                         "csrf_token": cart["csrf_token"]})


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Typeahead under the header search box: SKU, name and the client's price of the best matches."""
    viewer = purchase_strategy(user=request.user)
    query = clean_text(request.GET.get("q", ""), max_length=MAX_QUERY_LENGTH)
    rows, suggestion = [], None
    if len(query.strip()) >= 2:
        visible = selectors.visible_products(user=request.user).select_related("base_unit")
        products = list(search_products(visible, query).order_by("-rank", "name", "pk")[:SUGGESTIONS])
        if not products:
            products = list(search_products(visible, query, typos=True).order_by("-rank", "name", "pk")[:SUGGESTIONS])
            suggestion = suggest_query(query, [product.name for product in products])
        rows = viewer.fetch(products)
    return HttpResponse(render_jinja(request, "catalog/_suggestions.jinja", {"rows": rows, "query": query.strip(),
                                                                             "suggestion": suggestion}))


@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The product page: the product checked live (a foreign or hidden one is a 404), its units and the HTML
    of the parts every viewer sees alike from the cache (catalog.fragments), price and stock from the
    strategy."""
    viewer = purchase_strategy(user=request.user)
    product = selectors.visible_product(user=request.user, pk=pk)
    if product is None:
        raise Http404("no such product")
    product_units, fixed = fragments.CatalogCache().product_page(
        product, lambda details: product_fixed(product, details))
    row = viewer.fetch_one(product)
    units = [(item, row.price.for_coefficient(item.coefficient) if row.price else None) for item in product_units]
    context = {"product": product, "row": row, "units": units, "viewer": viewer, "fixed": fixed,
               "cart": cart_context(request)}
    body = render_jinja(request, "catalog/product.jinja", context)
    return render(request, "catalog/product_detail.html", {"product": product, "body": body,
                                                           "csrf_token": context["cart"]["csrf_token"]})


@require_GET
def product_related(request: HttpRequest, pk: int) -> HttpResponse:
    """Related, cross-sell and up-sell products of a product the viewer may see (loaded by htmx)."""
    viewer = purchase_strategy(user=request.user)
    product = access_product_for_user(request.user, pk)
    relations = selectors.product_relations(user=request.user, product=product)
    rows = viewer.fetch([relation.related for relation in relations])
    groups: dict[str, list[PurchaseInfo]] = {}
    for relation, row in zip(relations, rows, strict=True):
        groups.setdefault(relation.get_kind_display(), []).append(row)
    return HttpResponse(render_jinja(request, "catalog/_related.jinja", {"product": product, "groups": groups,
                                                                         "viewer": viewer}))
