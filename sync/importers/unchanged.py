"""Offers that change nothing, told before they reach the database (PostgreSQL; docs/erp-exchange.md).

A stock feed every few minutes mostly repeats what is stored. Two checks spare it the work:

- the stored rows of every product, read once per file as one text per product (`read_stored`), against
  the same text built from a parsed offer (`rows_text`): an offer that says exactly what is stored is
  counted unchanged and not merged;
- the digest of an offer's bytes (`sync.commerceml.reader.OfferBytes`), against the one its product's
  last import recorded with the digests of the texts it stood for (`sync.OfferDigest`): an offer whose
  bytes are the same, read under the same price types, warehouses and currency rules, whose product's
  stored rows still hash to those digests, is counted unchanged without being parsed at all.

Either check only ever sends an offer on to the regular merge, which writes what differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from base.models import PriceType, Warehouse
from catalog.models import Price, Product, Stock

from ..models import OfferDigest

P, S, PR = Product._meta.db_table, Stock._meta.db_table, Price._meta.db_table
D = OfferDigest._meta.db_table


def read_stored(cur) -> tuple[dict[int, str], dict[int, str]]:
    """Per product, the stored stock (`warehouse:quantity`) and prices (`price type:amount:currency`), numbers
    without trailing zeros, each as one text in id order; run on the merge thread's cursor."""
    cur.execute(f"SELECT product_id, string_agg(warehouse_id || ':' || trim_scale(quantity), ',' "
                f"ORDER BY warehouse_id) FROM {S} GROUP BY product_id")
    stock = dict(cur.fetchall())
    cur.execute(f"SELECT product_id, string_agg(price_type_id || ':' || trim_scale(amount) || ':' || currency_id, ',' "
                f"ORDER BY price_type_id) FROM {PR} GROUP BY product_id")
    return stock, dict(cur.fetchall())


def rows_text(offer: dict, *, wh_ids: dict, pt_ids: dict, currency: Callable[[str, str], str]
              ) -> tuple[str | None, str | None] | None:
    """The offer's stock and prices as `read_stored` writes them (None for a part the offer does not carry),
    or None when only the regular path can say: no stock and no prices, a warehouse or price type first
    seen, a `Коэффициент`, a price type listed twice. `currency(raw, price type)` is the currency code a
    price is stored with."""
    stock, total, prices = offer["stock"], offer["total"], offer["prices"]
    if not stock and total is not None:
        stock = [(settings.PORTAL_ERP_TOTAL_WAREHOUSE, total)]
    if not stock and not prices:
        return None
    try:
        stock_text = ",".join(f"{w}:{_trimmed(q)}" for w, q in sorted((wh_ids[w], q) for w, q in stock)) \
            if stock else None
        price_text = None
        if prices:
            rows = sorted((pt_ids[pt], amount, currency(cur, pt))
                          for pt, amount, cur, coefficient in prices if coefficient is None)
            if len(rows) != len(prices) or len({pt for pt, _, _ in rows}) != len(rows):
                return None
            price_text = ",".join(f"{pt}:{_trimmed(amount)}:{cur}" for pt, amount, cur in rows)
    except (KeyError, TypeError):
        return None
    return stock_text, price_text


def _trimmed(number: str) -> str:
    """Number text as `trim_scale` writes it: `105.50` → `105.5`, `7.000` → `7` (anything odd stays odd)."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def text_digest(text: str | None) -> bytes | None:
    return hashlib.blake2b(text.encode(), digest_size=16).digest() if text is not None else None


def context_key() -> bytes:
    """What an offer's bytes are read with besides themselves: the portal's price types (and their
    currencies), warehouses and currency defaults. A change to any of them retires every recorded digest."""
    state = (sorted(PriceType.objects.exclude(erp_id=None).values_list("erp_id", "pk", "currency_id")),
             sorted(Warehouse.objects.exclude(erp_id=None).values_list("erp_id", "pk")),
             settings.PORTAL_ERP_TOTAL_WAREHOUSE, settings.PORTAL_DEFAULT_CURRENCY)
    return hashlib.blake2b(repr(state).encode(), digest_size=16).digest()


def offer_key(digest: bytes, context: bytes) -> bytes:
    return hashlib.blake2b(digest, digest_size=16, key=context).digest()


def recorded() -> dict[str, tuple[int, bytes, bytes | None, bytes | None]]:
    """Per product ERP id: (product id, offer key, stock digest, prices digest) of its last imported offer."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.erp_id, d.product_id, d.offer, d.stock, d.prices FROM {D} d "
                    f"JOIN {P} p ON p.id = d.product_id")
        return {erp_id: (pid, bytes(offer), stock and bytes(stock), prices and bytes(prices))
                for erp_id, pid, offer, stock, prices in cur.fetchall()}


def record(rows: list[tuple[int, bytes, bytes | None, bytes | None]]) -> None:
    """Keep (product id, offer key, stock digest, prices digest) of the offers read, writing only what changed."""
    if not rows:
        return

    def hexed(value: bytes | None) -> str:
        return "\\\\x" + value.hex() if value is not None else "\\N"

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS sync_stage_digest")
        cur.execute("CREATE TEMP TABLE sync_stage_digest (product_id integer, offer bytea, stock bytea, "
                    "prices bytea) ON COMMIT DROP")
        with cur.cursor.copy("COPY sync_stage_digest FROM STDIN") as copy:
            copy.write("".join(f"{pid}\t{hexed(key)}\t{hexed(stock)}\t{hexed(prices)}\n"
                               for pid, key, stock, prices in rows).encode())
        cur.execute(f"INSERT INTO {D} (product_id, offer, stock, prices) "
                    f"SELECT DISTINCT ON (product_id) product_id, offer, stock, prices FROM sync_stage_digest "
                    f"ON CONFLICT (product_id) DO UPDATE SET offer = EXCLUDED.offer, stock = EXCLUDED.stock, "
                    f"prices = EXCLUDED.prices WHERE ({D}.offer, {D}.stock, {D}.prices) IS DISTINCT FROM "
                    f"(EXCLUDED.offer, EXCLUDED.stock, EXCLUDED.prices)")
