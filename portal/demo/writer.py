"""Fast bulk inserts for the seed: COPY on PostgreSQL, multi-row INSERT elsewhere."""

import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import Model


class BulkWriter:
    """Writes rows of plain values into a model's table, bypassing model instances.

    Rows are tuples in the order of `fields` (attribute names, so "product_id" for a foreign key).
    Values go in as given: `auto_now`/`auto_now_add` fields must be in `fields` with explicit
    values — which is also why this is not `bulk_create`, which would overwrite them with "now".
    On PostgreSQL rows stream through COPY (psycopg 3); on other databases they go in batches
    through `executemany`, each value prepared by its field as the ORM would.
    """

    def __init__(self, batch_size: int = 2000, use_copy: bool | None = None):
        self.batch_size = batch_size
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy

    def insert(self, model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Insert the rows and return how many there were.

        Raises django.db.IntegrityError (or psycopg's, on COPY) when a row breaks a constraint.
        """
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        if self.use_copy:
            return self._copy(meta.db_table, columns, rows)
        return self._execute_many(model, fields, columns, rows)

    def _copy(self, table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def _execute_many(self, model: type[Model], fields: Sequence[str], columns: list[str], rows) -> int:
        quote = connection.ops.quote_name
        model_fields = [model._meta.get_field(name) for name in fields]
        # Table and column names come from the model's meta and are quoted; values are parameters.
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(f.get_db_prep_save(v, connection) for f, v in zip(model_fields, row, strict=True)))
                if len(batch) >= self.batch_size:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


_CONSTRAINTS_SQL = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
    FROM pg_constraint c
    WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
      -- keep a unique constraint that a foreign key points at
      AND NOT (c.contype = 'u' AND EXISTS (SELECT 1 FROM pg_constraint f
                                           WHERE f.contype = 'f' AND f.conindid = c.conindid))
    ORDER BY c.contype DESC, c.conname
"""
_INDEXES_SQL = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
"""


def _flush_deferred_checks(cursor) -> None:
    """Run the foreign-key checks queued so far: PostgreSQL refuses to alter a table that has some.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; the caller sets them back to
    deferred when done.
    """
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@contextmanager
def indexes_deferred(tables: Sequence[str], progress: Callable[[str], None]):
    """Load `tables` without their secondary indexes and foreign keys, then rebuild them (PostgreSQL).

    Inserting a million rows into a table with seven indexes and three deferred foreign keys
    costs a B-tree insertion per index and a key lookup per foreign key and row; building each
    index once afterwards and checking each foreign key with one join is several times faster —
    the way pg_restore loads data. Primary keys and CHECK constraints stay in place. The
    definitions are read from the catalog and recreated verbatim, in the same transaction, so a
    duplicate or a dangling reference still fails the seed (when the constraint is re-added), and
    an error anywhere rolls the drops back with everything else: there is no `finally` on purpose.
    Without the privilege to alter the tables (not their owner) it loads with everything in place.
    Elsewhere than on PostgreSQL it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # Table and index names come back from regclass, already quoted where needed; constraint names do not.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_CONSTRAINTS_SQL, [list(tables)])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES_SQL, [list(tables)])
        indexes = cursor.fetchall()
        try:
            with transaction.atomic():
                _flush_deferred_checks(cursor)
                for table, name, _, _ in constraints:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {name}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except DatabaseError as error:
            progress(f"  (loading with indexes in place: {error})")
            constraints = indexes = []
    yield
    if not (indexes or constraints):
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        _flush_deferred_checks(cursor)
        for _, definition in indexes:
            cursor.execute(definition)
        # Unique constraints before foreign keys ('u' sorts after 'f', hence DESC above).
        for table, name, definition, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    progress(f"  {len(indexes)} indexes and {len(constraints)} constraints rebuilt: {time.monotonic() - started:.1f} s")


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class SeedContext:
    """What every seeding step shares: the seed, the fixed "now", the writer, progress and counts.

    Each step draws from its own `Random`, named after the step, so adding rows to one step
    never shifts the random numbers of another.
    """

    seed: int
    now: datetime
    writer: BulkWriter
    progress: Callable[[str], None] = stderr_progress
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        return random.Random(f"portal-demo:{self.seed}:{step}")

    def count(self, entity: str, number: int) -> None:
        self.counts[entity] = self.counts.get(entity, 0) + number

    @contextmanager
    def step(self, title: str):
        started = time.monotonic()
        yield
        self.progress(f"  {title}: {time.monotonic() - started:.1f} s")
