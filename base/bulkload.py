"""Big loads the way pg_restore does them (PostgreSQL): drop a table's secondary indexes and constraints,
load, then recreate them from their definitions.

Inserting a million rows into a table with several indexes and deferred foreign keys costs a B-tree
insertion per index and a key lookup per foreign key and row; building each index once afterwards
and checking each foreign key with one join is several times faster. Primary keys and CHECK
constraints stay in place. The definitions are read from the catalog and recreated verbatim in the
same transaction, so a duplicate or a dangling reference still fails the load (when the constraint
is added back), and an error anywhere rolls the drops back with everything else.

The one helper for the ERP importers (sync) and the demo seeder (portal/demo). Both take a cursor:
the importers' merge thread uses the raw driver connection, not Django's thread-local one.
"""

from collections.abc import Sequence

_CONSTRAINTS_SQL = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
    FROM pg_constraint c
    WHERE c.conrelid = ANY(%s::regclass[]) AND (c.contype = 'f' OR (%s AND c.contype = 'u'))
      -- keep a unique constraint that a foreign key points at
      AND NOT (c.contype = 'u' AND EXISTS (SELECT 1 FROM pg_constraint f
                                           WHERE f.contype = 'f' AND f.conindid = c.conindid))
    ORDER BY c.contype DESC, c.conname
"""
_INDEXES_SQL = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND (%s OR NOT i.indisunique)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
"""


def _quote(name: str) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def indexes_drop(cursor, tables: Sequence[str], *, keep_unique: bool) -> list[str]:
    """Drop the foreign keys and secondary indexes of `tables`; return the statements that recreate them
    (indexes first, then unique constraints, then foreign keys), for `indexes_restore`.

    With `keep_unique` every unique constraint and unique index stays (an upsert's ON CONFLICT needs
    them); without it unique constraints go too, except one a foreign key points at. The tables are
    locked exclusively until the transaction ends. Raises the database's error when the tables may
    not be altered (not their owner); what was dropped before it is rolled back with the caller's
    savepoint or transaction.
    """
    tables = list(tables)
    cursor.execute(_CONSTRAINTS_SQL, [tables, not keep_unique])
    constraints = cursor.fetchall()
    cursor.execute(_INDEXES_SQL, [tables, not keep_unique])
    indexes = cursor.fetchall()
    # PostgreSQL refuses to alter a table with deferred foreign-key checks queued: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, name, _, _ in constraints:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
    for name, _ in indexes:  # regclass text: already quoted where needed
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # Unique constraints before foreign keys ('u' sorts after 'f', hence DESC above).
    return [definition for _, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}" for table, name, definition, _ in constraints]


def indexes_restore(cursor, statements: Sequence[str]) -> None:
    """Recreate what `indexes_drop` dropped, from the statements it returned."""
    if not statements:
        return
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in statements:
        cursor.execute(statement)
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
