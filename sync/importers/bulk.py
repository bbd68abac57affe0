"""Staging tables and set-based merges: PostgreSQL COPY, a portable executemany path on SQLite.

An importer fills a temporary table with the rows of the file, then one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE <row differs>` merges them, so rows
that did not change are not rewritten (a rerun of the same file writes 0 rows).
"""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

from django.db import connection

from base.bulkload import indexes_drop, indexes_restore


def is_pg() -> bool:
    return connection.vendor == "postgresql"


class Stage:
    """A temporary table filled row by row; rows are buffered as COPY text (PostgreSQL) or tuples."""

    def __init__(self, name: str, columns: list[tuple[str, str]]):
        self.name, self.columns = name, columns
        self.rows = 0
        self._buf = io.StringIO() if is_pg() else None
        self._tuples: list[tuple] = []
        cols = ", ".join(f"{c} {t}" for c, t in columns)
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            temp = "TEMP TABLE" if not is_pg() else "TEMP TABLE"
            suffix = " ON COMMIT DROP" if is_pg() and connection.in_atomic_block else ""
            cur.execute(f"CREATE {temp} {name} ({cols}){suffix}")

    def add(self, *values) -> None:
        self.rows += 1
        if self._buf is None:
            self._tuples.append(values)
            return
        self._buf.write("\t".join(copy_text(v) for v in values))
        self._buf.write("\n")

    @property
    def copying(self) -> bool:
        return self._buf is not None

    def write_lines(self, text: str, rows: int) -> None:
        """Append pre-formatted COPY text lines (values already escaped with copy_text)."""
        self.rows += rows
        self._buf.write(text)

    def load(self) -> int:
        """Send the buffered rows to the database; returns the row count."""
        with connection.cursor() as cur:
            if self._buf is not None:
                data = self._buf.getvalue()
                self._buf = io.StringIO()
                names = ", ".join(c for c, _ in self.columns)
                with cur.cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                    view = memoryview(data.encode())
                    for start in range(0, len(view), 1 << 20):
                        copy.write(view[start:start + (1 << 20)])
            elif self._tuples:
                marks = ", ".join(["%s"] * len(self.columns))
                cur.executemany(f"INSERT INTO {self.name} VALUES ({marks})", self._tuples)
                self._tuples = []
            if is_pg():
                cur.execute(f"ANALYZE {self.name}")
        return self.rows


def copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return str(value)
    s = str(value)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.rowcount


def scalar(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        row = cur.fetchone()
        return row[0] if row else None


def fetch(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall()


#: Numbers tallies as they are started, across the importers of a file (`Tally`).
_tallies_started = itertools.count()


class Tally(dict):
    """One entity's counts (`{"created": n, ...}`), numbered as it is started: when the counts of several
    importers are added up (`result.ImportResult.combined`) the entities are listed in the order they were
    first counted, whichever importer counted them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = next(_tallies_started)


def tally() -> Tally:
    return Tally(created=0, updated=0, unchanged=0, rejected=0)


#: Bulk-load mode kicks in for at least this many incoming rows, when the table holds fewer rows than come in.
BULK_LOAD_MIN_ROWS = 100_000


def wants_bulk_load(table: str, incoming: int, cursor=None) -> bool:
    """Whether `incoming` rows make a big first load of `table`: at least BULK_LOAD_MIN_ROWS, into a table
    holding fewer than half as many. `cursor` defaults to Django's connection (the merge thread passes
    its own)."""
    if not is_pg() or incoming < BULK_LOAD_MIN_ROWS:
        return False
    # An exact bounded count (statistics may be missing right after a load): stop at incoming / 2 rows.
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) x"
    if cursor is None:
        return scalar(sql, [incoming // 2]) < incoming // 2
    cursor.execute(sql, [incoming // 2])
    return cursor.fetchone()[0] < incoming // 2


def bulk_load_begin(table: str, cursor=None) -> list[str]:
    """Drop the foreign keys and plain indexes of `table` for a big first load (base.bulkload); returns the
    statements that recreate them, for `bulk_load_end`. Unique constraints stay (ON CONFLICT needs them).
    The table is locked exclusively until the transaction ends, so this is only for loads into a (nearly)
    empty table, never the regular every-5-minutes run. `cursor` defaults to Django's connection."""
    if cursor is not None:
        return indexes_drop(cursor, [table], keep_unique=True)
    with connection.cursor() as cur:
        return indexes_drop(cur, [table], keep_unique=True)


def bulk_load_end(restore: list[str]) -> None:
    with connection.cursor() as cur:
        indexes_restore(cur, restore)
