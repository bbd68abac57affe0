"""The one merge statement per entity that the offers import writes (stock, prices, the digests of the offers
it read), whichever path the rows take: the pipeline's chunks of resolved ids, or the staging tables joined
to products at the end.

`upsert` writes only the rows that differ from the stored ones (`ON CONFLICT … DO UPDATE … WHERE <differs>`),
so a rerun of the same file writes 0 rows; `append` is the plain insert of a first load into an empty table.
The SELECT given yields the columns in `columns` order, the last one being the run's time (`%s`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Merge:
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    updates: tuple[str, ...]
    differs: str  # `{table}` stands for the target table

    def append(self, table: str, select: str) -> str:
        return f"INSERT INTO {table} ({', '.join(self.columns)}) {select}"

    def upsert(self, table: str, select: str) -> str:
        sets = ", ".join(f"{column} = EXCLUDED.{column}" for column in self.updates)
        return (f"{self.append(table, select)} WHERE true ON CONFLICT ({', '.join(self.keys)}) "
                f"DO UPDATE SET {sets} WHERE {self.differs.format(table=table)}")


STOCK = Merge(columns=("product_id", "warehouse_id", "quantity", "confirmed_at"), keys=("product_id", "warehouse_id"),
              updates=("quantity", "confirmed_at"), differs="{table}.quantity <> EXCLUDED.quantity")
PRICES = Merge(columns=("product_id", "price_type_id", "amount", "currency_id", "updated_at"),
               keys=("product_id", "price_type_id"), updates=("amount", "currency_id", "updated_at"),
               differs="{table}.amount <> EXCLUDED.amount OR {table}.currency_id <> EXCLUDED.currency_id")
DIGESTS = Merge(columns=("product_id", "offer", "stock", "prices", "recorded_at"), keys=("product_id",),
                updates=("offer", "stock", "prices", "recorded_at"),
                differs="({table}.offer, {table}.stock, {table}.prices) IS DISTINCT FROM "
                        "(EXCLUDED.offer, EXCLUDED.stock, EXCLUDED.prices)")
