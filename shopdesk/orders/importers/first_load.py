"""`--first-load`: load empty order tables the way pg_restore does, indexes and foreign keys last.

Before the load, the secondary indexes (not unique, not primary) and the FOREIGN KEY constraints
of the order and order-item tables are read from the catalog and dropped; primary keys, UNIQUE
constraints and CHECK constraints stay (`ON CONFLICT` needs the unique ones). After the load,
also when it failed, every index is rebuilt from its recorded `pg_get_indexdef` and every foreign
key re-added from its recorded `pg_get_constraintdef`, which validates all rows in one pass
instead of one deferred check per row at each COMMIT. A key that no longer validates is reported
with the statement to run once the offending rows are fixed: the schema is never left short
silently.

On SQLite the mode only checks that the tables are empty (no indexes are dropped there).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, Error, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from shopdesk.orders.importers.pipeline import ImportFileError
from shopdesk.orders.models import Order, OrderItem

FIRST_LOAD_TABLES = (Order._meta.db_table, OrderItem._meta.db_table)

# pg_try_advisory_lock(int, int) key: "orders first load". Two first loads never overlap.
_LOCK_KEY = (0x5D0D, 0x0F1A)

# Rebuilding an index sorts the whole table: more memory, fewer passes (per transaction only).
_INDEX_BUILD_MEMORY = "256MB"

_SECONDARY_INDEXES = """
    SELECT c.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.oid = ANY(%s::regclass[])
      AND NOT i.indisunique AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY 1, 2
"""

_FOREIGN_KEYS = """
    SELECT k.conrelid::regclass::text, quote_ident(k.conname), pg_get_constraintdef(k.oid)
    FROM pg_constraint k
    WHERE k.conrelid = ANY(%s::regclass[]) AND k.contype = 'f'
    ORDER BY 1, 2
"""


class FirstLoadError(Exception):
    """Indexes or foreign keys could not be put back after a first load."""


@dataclass(frozen=True)
class SavedObject:
    """One dropped index or foreign key, as the catalog described it."""

    table: str
    name: str
    definition: str
    is_index: bool

    @property
    def drop_sql(self) -> str:
        if self.is_index:
            return f"DROP INDEX {self.name}"
        return f"ALTER TABLE {self.table} DROP CONSTRAINT {self.name}"

    @property
    def create_sql(self) -> str:
        if self.is_index:
            return self.definition
        return f"ALTER TABLE {self.table} ADD CONSTRAINT {self.name} {self.definition}"


def saved_objects(
    connection: BaseDatabaseWrapper, tables: Sequence[str] = FIRST_LOAD_TABLES
) -> list[SavedObject]:
    """The secondary indexes and foreign keys of `tables`, indexes first."""
    with connection.cursor() as cursor:
        cursor.execute(_SECONDARY_INDEXES, [list(tables)])
        indexes = [SavedObject(t, n, d, is_index=True) for t, n, d in cursor.fetchall()]
        cursor.execute(_FOREIGN_KEYS, [list(tables)])
        keys = [SavedObject(t, n, d, is_index=False) for t, n, d in cursor.fetchall()]
    return indexes + keys


@contextmanager
def first_load(
    connection: BaseDatabaseWrapper, *, enabled: bool = True
) -> Iterator[list[SavedObject]]:
    """Run the body with the order tables' secondary indexes and foreign keys dropped.

    Raises ImportFileError before touching anything when the tables hold rows or another
    first load runs, and FirstLoadError when something could not be recreated afterwards.
    """
    if not enabled:
        yield []
        return
    _refuse_unless_empty(connection)
    if connection.vendor != "postgresql":
        yield []
        return
    with _advisory_lock(connection):
        saved = saved_objects(connection)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # Foreign keys first: the item -> order key does not depend on secondary indexes.
            for obj in sorted(saved, key=lambda o: o.is_index):
                cursor.execute(obj.drop_sql)
        try:
            yield saved
        finally:
            try:
                failures = restore(connection, saved)
            except Error as exc:  # e.g. the connection is gone: list every statement to run
                failures = [(obj, str(exc).strip()) for obj in saved]
            if failures:
                raise FirstLoadError(_failure_message(failures))


def restore(
    connection: BaseDatabaseWrapper, saved: Sequence[SavedObject]
) -> list[tuple[SavedObject, str]]:
    """Recreate every saved object that is missing, each in its own transaction, then ANALYZE.

    Returns the objects that failed with the database's reason; the others are back.
    """
    present = {(o.table, o.name) for o in saved_objects(connection)}
    failures: list[tuple[SavedObject, str]] = []
    for obj in saved:  # indexes first, so that validating a key can use them
        if (obj.table, obj.name) in present:
            continue
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{_INDEX_BUILD_MEMORY}'")
                cursor.execute(obj.create_sql)
        except DatabaseError as exc:
            failures.append((obj, str(exc).strip()))
    with connection.cursor() as cursor:
        for table in FIRST_LOAD_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return failures


def _refuse_unless_empty(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in FIRST_LOAD_TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - model table
            row = cursor.fetchone()
            if row is not None and row[0]:
                raise ImportFileError(
                    _(
                        "--first-load needs empty order tables, but %(table)s already has rows: "
                        "import without --first-load (the normal import is idempotent)."
                    )
                    % {"table": table}
                )


@contextmanager
def _advisory_lock(connection: BaseDatabaseWrapper) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _LOCK_KEY)
        row = cursor.fetchone()
    if row is None or not row[0]:
        raise ImportFileError(
            _("Another --first-load import is running on this database: wait for it to finish.")
        )
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _LOCK_KEY)
        except Error:
            pass  # a lost session released its advisory locks; keep the load's own error


def _failure_message(failures: Sequence[tuple[SavedObject, str]]) -> str:
    lines = [
        _(
            "The first load finished, but %(count)d index(es) or foreign key(s) could not be "
            "recreated. Fix or delete the rows named below, then run each statement:"
        )
        % {"count": len(failures)}
    ]
    for obj, reason in failures:
        lines.append(
            _("- %(name)s on %(table)s: %(reason)s")
            % {"name": obj.name, "table": obj.table, "reason": reason}
        )
        lines.append(f"  {obj.create_sql};")
    return "\n".join(lines)
