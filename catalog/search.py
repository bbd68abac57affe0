"""Product search: full-text (Russian), SKU exact and prefix, trigram similarity for typos; ranked.

On PostgreSQL a product matches when either of the first two holds, each served by an index
(migration 0002), and only when neither finds anything, the third (typos):
- its stored `search_vector` (name, SKU, brand, property values, description; see
  `catalog.services.product_search_refresh`) matches every word of the query as a prefix
  (`шуруп` finds "шурупы", `самор` finds "саморез");
- its SKU starts with the query, case-insensitively (exact SKU ranks first); a query that
  looks like a SKU (one token with a digit) is matched this way only;
- a word of its name is similar to the query (pg_trgm word similarity), so "саморес" finds
  "саморез".
Rank: exact SKU, then SKU prefix, then the full-text rank; typo results by similarity.
On SQLite (the embedded default) the same rules hold over an FTS5 table of stemmed words
(`catalog.fts`): a case-folded prefix match of every word's stem, ranked by bm25, and for typos
the names' words most similar to the query's. Other databases fall back to `icontains`.
"""

import difflib
import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper

from . import fts
from .models import Product

MAX_QUERY_LENGTH = 200
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def looks_like_sku(query: str) -> bool:
    """One token with a digit and no spaces ("KR-000", "12345"): searched by SKU prefix only.

    Its pieces as full-text prefixes ('kr':* & '000':*) would match most of the catalog.
    """
    return " " not in query and any(char.isdigit() for char in query)


def prefix_tsquery(query: str) -> str | None:
    """A raw tsquery requiring every word as a prefix ("шуруп:* & 4:*"); None when the query has no words."""
    words = _WORD.findall(query.lower())
    return " & ".join(f"{word}:*" for word in words[:8]) or None


def search_products(products: QuerySet[Product], query: str, typos: bool = False) -> QuerySet[Product]:
    """Products of `products` matching `query`, annotated with `rank` (higher is better).

    Without `typos`: full-text prefix match or SKU prefix, ranked by SKU match then `ts_rank`.
    With `typos`: products with a name word similar to the query (pg_trgm), ranked by
    similarity — the second try when the first finds nothing, so the costly similarity is
    computed only for misspelt queries.
    """
    query = normalize_query(query)
    if not query:
        return products.annotate(rank=Value(0.0, output_field=FloatField()))
    vendor = connections[products.db].vendor
    if vendor not in ("postgresql", "sqlite"):
        matched = products.filter(Q(name__icontains=query) | Q(sku__icontains=query) | Q(brand__icontains=query))
        return matched.annotate(rank=Value(0.0, output_field=FloatField()))
    if typos:
        if vendor == "sqlite":
            return _sqlite_typos(products, query)
        return products.filter(name__trigram_word_similar=query).annotate(rank=TrigramWordSimilarity(query, "name"))
    sku = query.upper()
    products = products.annotate(sku_upper=Upper("sku"))
    condition = Q(sku_upper__startswith=sku)
    rank = Case(
        When(sku_upper=sku, then=Value(100.0)),
        When(sku_upper__startswith=sku, then=Value(10.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    if looks_like_sku(query):
        return products.filter(condition).annotate(rank=rank)
    if vendor == "sqlite":
        match = fts.match_expression(query)
        if match:
            condition |= Q(pk__in=_fts_rowids(match))
            rank = rank + _fts_rank(match)
        return products.filter(condition).annotate(rank=rank)
    raw = prefix_tsquery(query)
    if raw:
        tsquery = SearchQuery(raw, config="russian", search_type="raw")
        condition |= Q(search_vector=tsquery)
        rank = rank + SearchRank(F("search_vector"), tsquery)
    return products.filter(condition).annotate(rank=rank)


def _fts_rowids(match: str) -> RawSQL:
    return RawSQL(fts.ROWIDS_SQL, [match])  # noqa: S611 - the query is a parameter


def _fts_rank(match: str) -> RawSQL:
    return RawSQL(fts.RANK_SQL, [match], output_field=FloatField())  # noqa: S611 - the query is a parameter


def _sqlite_typos(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products whose names have, for every word of the query, a word similar to it (catalog.fts)."""
    with connections[products.db].cursor() as cursor:
        cursor.execute(fts.HEAD_TERMS_SQL)
        vocabulary = [term for (term,) in cursor.fetchall()]
    match = fts.typo_expression(query, vocabulary)
    if match is None:
        return products.none().annotate(rank=Value(0.0, output_field=FloatField()))
    return products.filter(pk__in=_fts_rowids(match)).annotate(rank=_fts_rank(match))


#: How similar (difflib ratio) a word of the found names must be to a word of the query to be proposed.
SUGGEST_CUTOFF = 0.6


def suggest_query(query: str, names: Iterable[str]) -> str | None:
    """The query spelt with the words of `names` (the products a typo search found) most similar to
    its words ("самарез" → "саморез"); None when nothing would change."""
    vocabulary = list(dict.fromkeys(word for name in names for word in fts.words(name)))
    asked = fts.words(normalize_query(query))
    spelt = []
    for word in asked:
        similar = difflib.get_close_matches(word, vocabulary, n=1, cutoff=SUGGEST_CUTOFF)
        spelt.append(similar[0] if similar else word)
    return " ".join(spelt) if spelt and spelt != asked else None
