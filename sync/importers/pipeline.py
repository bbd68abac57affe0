"""Overlap parsing with merging (PostgreSQL): rows of known products go to the database in chunks
while the next chunk is being parsed.

The parser (main thread) formats COPY lines with resolved ids; a worker thread sends each chunk
to a temporary table and merges it with `INSERT ... ON CONFLICT DO UPDATE ... WHERE <differs>`
on the same connection and transaction (psycopg serialises the two threads' statements), so the
database works on one core while Python parses on the other. All-or-nothing is unchanged: one
transaction; an error in either thread fails the run and rolls everything back. An error of the merge
thread is raised in the parsing thread as it was, with a note saying so (`from_merge_thread`).

A first load into an empty table (bulk-load mode, see `bulk.bulk_load_begin`) appends with a plain
`INSERT ... SELECT`: nothing can conflict (an offer listing a warehouse or price type twice is
refused while parsing; the unique constraint stays as the backstop). Regular runs merge.
"""

from __future__ import annotations

import io
import queue
import threading
from concurrent.futures import Future

from django.db import connection
from psycopg import errors

from ..commerceml.xml import ExchangeError
from . import bulk
from .merges import Merge

CHUNK_ROWS = 100_000
#: The note an error of the merge thread carries when the parsing thread raises it.
MERGE_THREAD_NOTE = "raised by the merge thread (a chunk of rows merged while the file was being read)"


def from_merge_thread(exc: BaseException) -> bool:
    """Whether `exc` came from the merge thread: it happened writing an earlier chunk, not at the record at hand."""
    return MERGE_THREAD_NOTE in getattr(exc, "__notes__", ())


class Channel:
    """One target table: its chunk buffer and its merge statement."""

    def __init__(self, entity: str, table: str, columns: list[tuple[str, str]], merge: Merge):
        self.entity, self.table, self.columns, self.keys = entity, table, columns, merge.keys
        self.stage = f"sync_chunk_{entity}"
        select = f"SELECT {', '.join(c for c, _ in columns)}, %s FROM {self.stage}"  # the run's time last
        self.merge, self.append = merge.upsert(table, select), merge.append(table, select)
        self.append_only = False
        self.buf, self.rows, self.total = io.StringIO(), 0, 0
        self.created = self.written = 0
        self.restore: list[str] | None = None
        self.first = True
        self.keep_keys = False
        with connection.cursor() as cur:
            cols = ", ".join(f"{c} {t}" for c, t in columns)
            cur.execute(f"DROP TABLE IF EXISTS {self.stage}")
            cur.execute(f"CREATE TEMP TABLE {self.stage} ({cols}) ON COMMIT DROP")
            cur.execute(f"DROP TABLE IF EXISTS {self.stage}_keys")
            cur.execute(f"CREATE TEMP TABLE {self.stage}_keys ({', '.join(f'{k} integer' for k in self.keys)}) "
                        "ON COMMIT DROP")


class Pipeline:
    def __init__(self, *, now):
        self.now = now
        self.raw = connection.connection
        self.jobs: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="sync-merge", daemon=True)
        self.thread.start()

    def write(self, channel: Channel, text: str, rows: int) -> None:
        channel.buf.write(text)
        channel.rows += rows
        if channel.rows >= CHUNK_ROWS:
            self.flush(channel)

    def flush(self, channel: Channel) -> None:
        if self.error is not None:
            raise self.error
        if channel.rows:
            data, rows = channel.buf.getvalue(), channel.rows
            channel.buf, channel.rows = io.StringIO(), 0
            self.jobs.put((channel, data, rows))

    def call(self, query) -> Future:
        """Run `query(cursor)` on the worker, before the chunks queued after it; its result comes as a future
        (the caller reads it while parsing goes on)."""
        future = Future()
        self.jobs.put((query, future))
        return future

    def close(self) -> None:
        """Wait for the merges in flight; re-raise a worker error in the caller."""
        if self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if len(job) == 2:
                self._call(*job)
                continue
            if self.error is not None:
                continue
            try:
                self._merge(*job)
            except BaseException as exc:  # handed to the main thread by flush()/close()
                exc.add_note(MERGE_THREAD_NOTE)
                self.error = exc

    def _call(self, query, future: Future) -> None:
        if self.error is not None:
            future.set_exception(self.error)
            return
        try:
            with self.raw.cursor() as cur:
                future.set_result(query(cur))
        except BaseException as exc:  # the caller's future.result() raises it
            future.set_exception(exc)

    def _merge(self, channel: Channel, data: str, rows: int) -> None:
        names = ", ".join(c for c, _ in channel.columns)
        with self.raw.cursor() as cur:
            cur.execute(f"TRUNCATE {channel.stage}")
            with cur.copy(f"COPY {channel.stage} ({names}) FROM STDIN") as copy:
                copy.write(data.encode())
            if channel.first:
                channel.first = False
                self._first_chunk(cur, channel, rows)
            if channel.keep_keys:
                cur.execute(f"INSERT INTO {channel.stage}_keys SELECT {', '.join(channel.keys)} FROM {channel.stage}")
            try:
                if channel.append_only:
                    cur.execute(channel.append, [self.now])
                    created = written = cur.rowcount
                else:
                    cur.execute(f"WITH w AS ({channel.merge} RETURNING (xmax = 0) AS created) "
                                "SELECT count(*) FILTER (WHERE created), count(*) FROM w", [self.now])
                    created, written = cur.fetchone()
            except (errors.UniqueViolation, errors.CardinalityViolation):
                raise ExchangeError(f"the same {channel.entity} row appears twice in the package") from None
        channel.created += created
        channel.written += written
        channel.total += rows

    def _first_chunk(self, cur, channel: Channel, rows: int) -> None:
        """Bulk-load mode for a big first load; appending when the table is empty under its lock."""
        if bulk.wants_bulk_load(channel.table, rows, cur):
            channel.restore = bulk.bulk_load_begin(channel.table, cur)  # the table's exclusive lock from here on
            cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {channel.table})")
            channel.append_only = cur.fetchone()[0]


def finish_channel(channel: Channel) -> dict:
    """End a channel whose merges are done (a bulk load's indexes rebuilt); returns its counts."""
    if channel.restore is not None:
        bulk.bulk_load_end(channel.restore)
    if not channel.total:
        return {}
    tally = bulk.tally()
    tally.update(created=channel.created, updated=channel.written - channel.created,
                 unchanged=channel.total - channel.written)
    if channel.restore is not None:
        tally["bulk_load"] = 1
    return {channel.entity: tally}
