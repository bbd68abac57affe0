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

from base.bulkload import indexes_drop, indexes_restore


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


@contextmanager
def indexes_deferred(tables: Sequence[str], progress: Callable[[str], None]):
    """Load `tables` without their secondary indexes, unique and foreign-key constraints, then rebuild them
    (PostgreSQL; base.bulkload, as the ERP importers' big first loads).

    An error anywhere rolls the drops back with everything else: there is no `finally` on purpose.
    Without the privilege to alter the tables (not their owner) it loads with everything in place.
    Elsewhere than on PostgreSQL it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    restore: list[str] = []
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                restore = indexes_drop(cursor, tables, keep_unique=False)
        except DatabaseError as error:
            progress(f"  (loading with indexes in place: {error})")
    yield
    if not restore:
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        indexes_restore(cursor, restore)
    progress(f"  {len(restore)} indexes and constraints rebuilt: {time.monotonic() - started:.1f} s")


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
