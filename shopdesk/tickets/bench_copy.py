"""PostgreSQL COPY helpers of the tickets benchmark: rows straight into a table, and an UPDATE of
many rows through a temporary table (one statement instead of one per row)."""

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from django.db import connection, models


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):  # psycopg would send a member's name, not its value
        return value.value
    # COPY's text format: the server parses JSON columns from their text.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def copy_rows(*, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` (tuples in `columns` order) into `table`; returns how many were sent."""
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        pg = cursor.cursor  # type: ignore[attr-defined]
        with pg.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_cell(v) for v in row])
                count += 1
    return count


def copy_update(
    *,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple[int, dict[str, Any]]],
    now: datetime,
) -> int:
    """Set `columns` of each (pk, values) row, bump `version` and `updated_at`; in the caller's
    transaction."""
    table = model._meta.db_table
    scratch = "bench_update_scratch"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(
            f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608 - our own names
            f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
    copy_rows(
        table=scratch,
        columns=("id", *columns),
        rows=((pk, *(values[c] for c in columns)) for pk, values in rows),
    )
    assignments = ", ".join(f"{c} = s.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} t SET {assignments}, version = t.version + 1, "  # noqa: S608
            f"updated_at = %s FROM {scratch} s WHERE t.id = s.id",
            [now],
        )
        return int(cursor.rowcount)
