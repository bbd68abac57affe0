"""The state of a catalog listing (search, facets, stock, price range, sorting, paging) from its URL.

Every parameter is optional and bad values fall back to defaults instead of failing, because
listing URLs are bookmarked and shared: `q`, `f=<property slug>:<value id>` (repeatable; values
of one property are OR-ed, properties AND-ed), `stock=1`, `price_min`, `price_max`, `sort`,
`page`, `per_page`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from base.params import clean_text, parse_decimal, parse_id, parse_int, parse_page

from .models import Product
from .purchase import PurchaseStrategy
from .search import MAX_QUERY_LENGTH, normalize_query, search_products
from .selectors import only_in_stock, stock_total_subquery

PAGE_SIZES = (24, 48, 100)
SORTS = {
    "relevance": _("Relevance"),
    "name": _("Name"),
    "price": _("Price: low to high"),
    "-price": _("Price: high to low"),
    "stock": _("Stock"),
    "new": _("Newest"),
}
MAX_FACET_VALUES = 50
#: The largest price a range filter takes (the price columns hold 14 digits before the point).
MAX_PRICE = Decimal("99999999999999.99")


@dataclass
class ListingState:
    q: str = ""
    values: dict[str, set[int]] = field(default_factory=dict)
    in_stock: bool = False
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = "name"
    page: int = 1
    per_page: int = PAGE_SIZES[0]
    #: More than MAX_FACET_VALUES filter values were asked for: only the first ones are applied.
    values_dropped: bool = False

    @property
    def max_values(self) -> int:
        return MAX_FACET_VALUES

    @property
    def selected_ids(self) -> set[int]:
        return {pk for ids in self.values.values() for pk in ids}

    @property
    def active_filters(self) -> int:
        """How many filters narrow the listing (each facet value, the stock filter, each price bound)."""
        bounds = (self.price_min, self.price_max)
        return len(self.selected_ids) + self.in_stock + sum(bound is not None for bound in bounds)

    def cache_key(self, category: str | None, viewer: PurchaseStrategy) -> str:
        values = ",".join(f"{slug}:{pk}" for slug in sorted(self.values) for pk in sorted(self.values[slug]))
        return f"{category}|{self.q}|{values}|{self.in_stock}|{self.price_min}|{self.price_max}|{viewer.cache_key}"


def _price(raw: str | None) -> Decimal | None:
    return parse_decimal(raw, maximum=MAX_PRICE, places=2)


def parse_listing(params: QueryDict, *, can_price: bool) -> ListingState:
    state = ListingState(q=normalize_query(clean_text(params.get("q", ""), max_length=MAX_QUERY_LENGTH)))
    raw_values = params.getlist("f")
    state.values_dropped = len(raw_values) > MAX_FACET_VALUES
    for raw in raw_values[:MAX_FACET_VALUES]:
        slug, _sep, pk = clean_text(raw, max_length=200).partition(":")
        value_id = parse_id(pk)
        if slug and value_id is not None:
            state.values.setdefault(slug, set()).add(value_id)
    state.in_stock = params.get("stock") == "1"
    if can_price:
        state.price_min, state.price_max = _price(params.get("price_min")), _price(params.get("price_max"))
    default_sort = "relevance" if state.q else "name"
    state.sort = params.get("sort", default_sort)
    if state.sort not in SORTS or (state.sort == "relevance" and not state.q):
        state.sort = default_sort
    if state.sort in ("price", "-price") and not can_price:
        state.sort = default_sort
    state.page = parse_page(params.get("page"))
    per_page = parse_int(params.get("per_page"), default=PAGE_SIZES[0])
    state.per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    return state


def filter_products(products: QuerySet[Product], state: ListingState, viewer: PurchaseStrategy,
                    typos: bool = False, facets: bool = True) -> QuerySet[Product]:
    """Apply search (`typos`: the similarity search, see catalog.search), facets (unless `facets` is
    False: the facet counts apply them their own way), stock and price range."""
    if state.q:
        products = search_products(products, state.q, typos=typos)
    through = Product.property_values.through
    for ids in state.values.values() if facets else ():
        products = products.filter(
            Exists(through.objects.filter(product_id=OuterRef("pk"), propertyvalue_id__in=ids)))
    if state.in_stock and viewer.region_id:
        products = only_in_stock(products, region_id=viewer.region_id)
    if viewer.pricing and (state.price_min is not None or state.price_max is not None):
        products = viewer.with_list_price(products, converted=True)
        if state.price_min is not None:
            products = products.filter(list_price__gte=state.price_min)
        if state.price_max is not None:
            products = products.filter(list_price__lte=state.price_max)
    return products


def order_products(products: QuerySet[Product], state: ListingState, viewer: PurchaseStrategy) -> QuerySet[Product]:
    """Sort: relevance, name, price (the effective price type's price; see
    `PricingContext.with_list_price`),
    stock (total in the region, most first), newest. Ties by id, so pages never overlap."""
    if state.sort == "relevance" and state.q:
        return products.order_by("-rank", "name", "pk")
    if state.sort in ("price", "-price") and viewer.pricing:
        products = viewer.with_list_price(products)
        amount = F("list_amount").asc(nulls_last=True) if state.sort == "price" else F("list_amount").desc(
            nulls_last=True)
        return products.order_by(amount, "pk")
    if state.sort == "stock" and viewer.region_id:
        total = stock_total_subquery(region_id=viewer.region_id)
        return products.annotate(stock_total=total).order_by(F("stock_total").desc(nulls_last=True), "name", "pk")
    if state.sort == "new":
        return products.order_by("-created_at", "-pk")
    return products.order_by("name", "pk")
