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
#: How many different lists of warehouses `rows_text` keeps the order of.
MAX_WAREHOUSE_LISTS = 256
#: NULL and the start of a hex bytea in COPY text.
COPY_NULL, COPY_HEX = "\\N", "\\\\x"


def read_stored(cur) -> tuple[dict[int, str], dict[int, str]]:
    """Per product, the stored stock (`warehouse:quantity`) and prices (`price type:amount:currency`), numbers
    without trailing zeros, each as one text in id order; run on the merge thread's cursor."""
    cur.execute(f"SELECT product_id, string_agg(warehouse_id || ':' || trim_scale(quantity), ',' "
                f"ORDER BY warehouse_id) FROM {S} GROUP BY product_id")
    stock = dict(cur.fetchall())
    cur.execute(f"SELECT product_id, string_agg(price_type_id || ':' || trim_scale(amount) || ':' || currency_id, ',' "
                f"ORDER BY price_type_id) FROM {PR} GROUP BY product_id")
    return stock, dict(cur.fetchall())


def rows_text(offer: dict, *, wh_ids: dict, pt_ids: dict, currency: Callable[[str, str], str], orders: dict
              ) -> tuple[str | None, str | None] | None:
    """The offer's stock and prices as `read_stored` writes them (None for a part the offer does not carry),
    or None when only the regular path can say: no stock and no prices, a warehouse or price type first
    seen, a `Коэффициент`, a price type listed twice. `currency(raw, price type)` is the currency code a
    price is stored with; `orders` keeps, per list of warehouses, the order `read_stored` writes them in
    (a feed lists the same warehouses in every offer)."""
    stock, total, prices = offer["stock"], offer["total"], offer["prices"]
    if not stock and total is not None:
        stock = [(settings.PORTAL_ERP_TOTAL_WAREHOUSE, total)]
    if not stock and not prices:
        return None
    try:
        stock_text = _stock_text(stock, wh_ids, orders) if stock else None
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


def _stock_text(stock: list, wh_ids: dict, orders: dict) -> str:
    warehouses = tuple(warehouse for warehouse, _ in stock)
    order = orders.get(warehouses)
    if order is None:
        order = [(index, f"{wh_id}:") for wh_id, index in sorted((wh_ids[w], i) for i, w in enumerate(warehouses))]
        if len(orders) < MAX_WAREHOUSE_LISTS:
            orders[warehouses] = order
    return ",".join([prefix + (q if "." not in (q := stock[index][1]) else _trimmed(q)) for index, prefix in order])


def _trimmed(number: str) -> str:
    """Number text as `trim_scale` writes it: `105.50` → `105.5`, `7.000` → `7` (anything odd stays odd)."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def text_digest(text: str | None) -> bytes | None:
    return hashlib.blake2b(text.encode(), digest_size=16).digest() if text is not None else None


def digest_line(product_id: int, offer: bytes, stock: str | None, prices: str | None) -> str:
    """The COPY line of a product's `OfferDigest` (merged by the pipeline: `merges.DIGESTS`): its offer's
    digest and those of the stock and price texts it stood for."""
    return f"{product_id}\t{_bytea(offer)}\t{_bytea(text_digest(stock))}\t{_bytea(text_digest(prices))}\n"


def _bytea(value: bytes | None) -> str:
    """A bytea in COPY text: hex with its backslash escaped, or NULL."""
    return COPY_NULL if value is None else COPY_HEX + value.hex()


def context_key() -> bytes:
    """What an offer's bytes are read with besides themselves: the portal's price types (and their
    currencies), warehouses and currency defaults. A change to any of them retires every recorded digest."""
    state = (sorted(PriceType.objects.exclude(erp_id=None).values_list("erp_id", "pk", "currency_id")),
             sorted(Warehouse.objects.exclude(erp_id=None).values_list("erp_id", "pk")),
             settings.PORTAL_ERP_TOTAL_WAREHOUSE, settings.PORTAL_DEFAULT_CURRENCY)
    return hashlib.blake2b(repr(state).encode(), digest_size=16).digest()


def recorded() -> dict[str, tuple[int, bytes, bytes | None, bytes | None]]:
    """Per product ERP id: (product id, offer digest, stock digest, prices digest) of its last imported offer."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.erp_id, d.product_id, d.offer, d.stock, d.prices FROM {D} d "
                    f"JOIN {P} p ON p.id = d.product_id")
        return {erp_id: (pid, bytes(offer), stock and bytes(stock), prices and bytes(prices))
                for erp_id, pid, offer, stock, prices in cur.fetchall()}
