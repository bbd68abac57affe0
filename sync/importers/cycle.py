"""Rows a full package or a full catalog listed during a 1C exchange cycle, kept until the cycle ends.

1C may split a full exchange over several files (`offers0_1.xml`, `offers0_2.xml`, each
`СодержитТолькоИзменения="false"`): each file lists only its share, so "missing from the full
package" is known only once every file of the cycle is in (`sync.cycle.exchange_cycle_finish`).
"""

from __future__ import annotations

from base.models import Warehouse
from catalog.models import Product, Stock

from ..models import ExchangeCycleKey
from . import bulk

K, P, S, W = (ExchangeCycleKey._meta.db_table, Product._meta.db_table, Stock._meta.db_table,
              Warehouse._meta.db_table)
STOCK, PRODUCT, OFFERED = (ExchangeCycleKey.Kind.STOCK.value, ExchangeCycleKey.Kind.PRODUCT.value,
                           ExchangeCycleKey.Kind.OFFERED.value)


def listed_stock(*, session_id: int, stage: str, keys: str | None, skipped: str | None = None) -> int:
    """Record the stock rows of a full package: the staged ones (by ERP ids), the merged keys and the stored
    rows of products whose offers equalled them (`skipped`)."""
    n = bulk.execute(f"INSERT INTO {K} (session_id, kind, product_id, warehouse_id) "
                     f"SELECT %s, %s, p.id, w.id FROM {stage} s JOIN {P} p ON p.erp_id = s.offer "
                     f"JOIN {W} w ON w.erp_id = s.warehouse", [session_id, STOCK])
    if keys:
        n += bulk.execute(f"INSERT INTO {K} (session_id, kind, product_id, warehouse_id) "
                          f"SELECT %s, %s, product_id, warehouse_id FROM {keys}", [session_id, STOCK])
    if skipped:
        n += bulk.execute(f"INSERT INTO {K} (session_id, kind, product_id, warehouse_id) SELECT %s, %s, "
                          f"s.product_id, s.warehouse_id FROM {S} s JOIN {skipped} k ON k.product_id = s.product_id",
                          [session_id, STOCK])
    return n


def listed_products(*, session_id: int) -> int:
    """Record the products of a full catalog (staged in sync_stage_product)."""
    return bulk.execute(f"INSERT INTO {K} (session_id, kind, product_id) SELECT %s, %s, p.id "
                        f"FROM sync_stage_product s JOIN {P} p ON p.erp_id = s.erp_id", [session_id, PRODUCT])


def offered_products(*, session_id: int, product_ids: list[int]) -> None:
    """Record the products the offers of the cycle listed: a full catalog of the cycle spares them."""
    if bulk.is_pg():
        bulk.execute(f"INSERT INTO {K} (session_id, kind, product_id) SELECT %s, %s, unnest(%s::integer[])",
                     [session_id, OFFERED, product_ids])
        return
    ExchangeCycleKey.objects.bulk_create(
        [ExchangeCycleKey(session_id=session_id, kind=OFFERED, product_id=pk) for pk in product_ids],
        batch_size=10_000)


def pending(session_id: int, kind: str) -> bool:
    return ExchangeCycleKey.objects.filter(session_id=session_id, kind=kind).exists()


def zero_unlisted_stock(*, session_id: int, now) -> dict:
    """Stock rows no full package of the cycle listed go to 0 (goods become unavailable, never deleted);
    returns the counts."""
    zeroed = bulk.execute(
        f"UPDATE {S} SET quantity = 0, confirmed_at = %s WHERE quantity <> 0 AND NOT EXISTS "
        f"(SELECT 1 FROM {K} k WHERE k.session_id = %s AND k.kind = %s AND k.product_id = {S}.product_id "
        f"AND k.warehouse_id = {S}.warehouse_id)", [now, session_id, STOCK])
    tally = bulk.tally()
    tally["zeroed_not_in_full_package"] = zeroed
    return {"stock": tally}


def listed_products_sql(session_id: int) -> tuple[str, list]:
    """The products a full catalog or an offer of the cycle listed."""
    return (f"SELECT product_id FROM {K} WHERE session_id = %s AND kind IN (%s, %s)",
            [session_id, PRODUCT, OFFERED])


def forget(session_id: int, *kinds: str) -> None:
    ExchangeCycleKey.objects.filter(session_id=session_id, kind__in=kinds).delete()
