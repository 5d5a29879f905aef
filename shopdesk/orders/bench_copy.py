"""The COPY references of the orders benchmark: what loading the same bytes costs PostgreSQL
with no importer in between, into bare tables and into the real indexed tables."""

import tempfile
import time
from pathlib import Path
from typing import Any

from django.db import connection

from shopdesk.orders.importers.olist_layout import FILES
from shopdesk.orders.models import Order, OrderItem


def copy_reference(folder: Path) -> dict[str, Any]:
    """COPY every CSV into a plain all-text table (dropped afterwards): the physical floor."""
    rows = 0
    started = time.monotonic()
    tables = []
    with connection.cursor() as cursor:
        for kind, name in FILES.items():
            path = folder / name
            with path.open(encoding="utf-8") as handle:
                header = handle.readline().strip().split(",")
            table = f"bench_copy_{kind}"
            tables.append(table)
            columns = ", ".join(f'"{c.strip().strip(chr(34))}" text' for c in header)
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({columns})")
            sql = f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(sql) as copy, path.open("rb") as data:  # type: ignore[attr-defined]
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table name
            rows += cursor.fetchone()[0]
        seconds = time.monotonic() - started
        for table in tables:
            cursor.execute(f"DROP TABLE {table}")
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds, 1) if seconds else None,
    }


def copy_into_schema() -> dict[str, Any]:
    """The imported orders and items COPYed (binary) into clones of their tables with every
    index and check constraint: what the schema alone costs, the floor for any importer."""
    pairs = [
        (Order._meta.db_table, "bench_schema_order"),
        (OrderItem._meta.db_table, "bench_schema_item"),
    ]
    rows = 0
    seconds = 0.0
    with connection.cursor() as cursor, tempfile.TemporaryDirectory() as tmp:
        pg = cursor.cursor  # type: ignore[attr-defined]
        for source, clone in pairs:
            dump = Path(tmp) / f"{clone}.bin"
            with (
                dump.open("wb") as out,
                pg.copy(f"COPY {source} TO STDOUT (FORMAT binary)") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            cursor.execute(f"DROP TABLE IF EXISTS {clone}")
            cursor.execute(f"CREATE TABLE {clone} (LIKE {source} INCLUDING ALL)")
            started = time.monotonic()
            with (
                pg.copy(f"COPY {clone} FROM STDIN (FORMAT binary)") as copy,
                dump.open("rb") as data,
            ):
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
            seconds += time.monotonic() - started
            cursor.execute(f"SELECT count(*) FROM {clone}")  # noqa: S608 - our own table name
            rows += cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {clone}")
    orders = Order.objects.count()
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "orders_per_second": round(orders / seconds, 1) if seconds else None,
    }
