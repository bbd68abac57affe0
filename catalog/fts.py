"""Product search on SQLite (the embedded default): an FTS5 table of stemmed words.

SQLite's `LIKE` and `lower()` fold only ASCII, so "саморез" would miss "Саморез". Instead every
product has a row in the FTS5 table `catalog_product_fts` (rowid = product id; migration 0007),
written by `catalog.services.product_search_refresh` like PostgreSQL's search document: its
columns hold the Snowball Russian stems (the stemmer of PostgreSQL's `russian` configuration) of
the name, SKU and brand (`head`), the property values (`props`) and the description (`body`). The
unicode61 tokenizer folds case (and diacritics) of every script. A query matches when every word's
stem is a prefix of a stored word, so "кровельные" finds "кровельный", "дрел" finds "Дрель", in
any order. Misspelt words are matched against the words of the names (`fts5vocab`) by similarity.
"""

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

TABLE = "catalog_product_fts"
#: The table's words per column (fts5vocab 'col'): where misspelt words look for similar ones.
TERMS_TABLE = "catalog_product_fts_terms"
#: bm25 weights of head, props, body: as PostgreSQL's weights A, B and C.
WEIGHTS = (10.0, 4.0, 1.0)
MAX_WORDS = 8
#: How similar (difflib ratio) a name's word must be to a misspelt word to stand in for it.
TYPO_CUTOFF = 0.75
TYPO_CANDIDATES = 4

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("russian")

CREATE_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "head, props, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TERMS_TABLE} USING fts5vocab({TABLE}, 'col')",
)
DROP_SQL = (f"DROP TABLE IF EXISTS {TERMS_TABLE}", f"DROP TABLE IF EXISTS {TABLE}")
#: The ids of the products matching an FTS5 query (the parameter).
ROWIDS_SQL = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608 - constants only
#: The bm25 score of the product's row for an FTS5 query (higher is better; 0 when it does not match).
RANK_SQL = (
    f"coalesce((SELECT -bm25({TABLE}, {', '.join(map(str, WEIGHTS))}) FROM {TABLE} "  # noqa: S608 - constants only
    f'WHERE {TABLE} MATCH %s AND rowid = "catalog_product"."id"), 0.0)'
)
#: The words of the names (for misspelt words).
HEAD_TERMS_SQL = f"SELECT term FROM {TERMS_TABLE} WHERE col = 'head'"  # noqa: S608 - constants only


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball Russian stem of a lower-case word ("ё" read as "е"); other scripts pass unchanged."""
    return _stemmer.stemWord(word.replace("ё", "е"))


def words(text: str) -> list[str]:
    """The case-folded words of a text, in order."""
    return _WORD.findall(text.casefold())


def stems(text: str) -> str:
    """The stems of a text's words, space-separated (what the FTS table stores)."""
    return " ".join(stem(word) for word in words(text))


def document(*, name: str, sku: str, brand: str, values: Iterable[str], description: str) -> tuple[str, str, str]:
    """The (head, props, body) columns of a product's row."""
    return stems(f"{name} {sku} {brand}"), stems(" ".join(values)), stems(description)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str) -> str | None:
    """An FTS5 query requiring every word's stem as a prefix (`"дрел"* AND "bosch"*`); None without words."""
    terms = [stem(word) for word in words(query)[:MAX_WORDS]]
    return " AND ".join(f"{_quoted(term)}*" for term in terms) or None


def typo_expression(query: str, vocabulary: list[str]) -> str | None:
    """An FTS5 query over the names requiring, for every word of the query, one of the name words most
    similar to it (`{head}: ("саморез") AND ("кровельн")`); None when a word has no similar one."""
    groups = []
    for word in words(query)[:MAX_WORDS]:
        term = stem(word)
        similar = [_quoted(found) for found in
                   difflib.get_close_matches(term, vocabulary, n=TYPO_CANDIDATES, cutoff=TYPO_CUTOFF)]
        if any(found.startswith(term) for found in vocabulary):  # a word being typed: "самарез кров"
            similar.append(f"{_quoted(term)}*")
        if not similar:
            return None
        groups.append("(" + " OR ".join(similar) + ")")
    return "{head}: (" + " AND ".join(groups) + ")" if groups else None
