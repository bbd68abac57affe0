"""A listing page and its total in one query: COUNT(*) OVER () rides along with the page's rows.

For a filtered listing the database reads every matching row anyway (to sort them), so the
window count costs nothing and saves the separate COUNT query. Large totals (a whole
catalog sorted along an index, where the page itself reads 24 rows) come from the cache
instead, kept there by the first request (see catalog.selectors.count_cached).
"""

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .selectors import CACHED_COUNT_MIN, FACET_CACHE_SECONDS, count_cache_key


def listing_page(ordered: QuerySet, *, number: int, per_page: int, key: str) -> tuple[Page, list]:
    """The requested page (the last one when past the end) and its rows.

    `number` is a page number already parsed and bounded (`base.params.parse_page`); anything
    below 1 is the first page.
    """
    paginator = Paginator(ordered, per_page)
    cached = cache.get(count_cache_key(key))
    if cached is not None:
        paginator.count = cached
        page = paginator.get_page(number)
        return page, list(page.object_list)
    wanted = max(number, 1)
    offset = (wanted - 1) * per_page
    rows = list(ordered.annotate(listing_total=Window(Count("pk")))[offset:offset + per_page])
    if rows:
        total = rows[0].listing_total
    elif wanted == 1:
        total = 0
    else:  # past the end (an old link): count, then show the last page like Paginator.get_page
        paginator.count = ordered.count()
        page = paginator.get_page(number)
        return page, list(page.object_list)
    if total >= CACHED_COUNT_MIN:
        cache.set(count_cache_key(key), total, FACET_CACHE_SECONDS)
    paginator.count = total
    return Page(rows, wanted, paginator), rows
