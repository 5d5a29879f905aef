"""Session-local TEMP staging tables, loaded with COPY on PostgreSQL and executemany elsewhere.

The column lists follow the row tuples in records.py, so a row goes in as it is.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# Column kinds -> SQL type per vendor. SQLite only uses them for type affinity.
_TYPES = {
    "postgresql": {
        "text": "text",
        "int": "integer",
        "num": "numeric(12,2)",
        "ts": "timestamptz",
        "bool": "boolean",
    },
    "sqlite": {
        "text": "text",
        "int": "integer",
        "num": "decimal",
        "ts": "datetime",
        "bool": "bool",
    },
}


# Column kinds -> PostgreSQL type names for binary COPY: psycopg's C adapters then write each
# value without formatting it as text first (timestamps and numerics are the costly ones).
_BINARY_TYPES = {
    "text": "text",
    "int": "int4",
    "num": "numeric",
    "ts": "timestamptz",
    "bool": "bool",
}


@dataclass(frozen=True)
class StageSpec:
    name: str
    columns: tuple[tuple[str, str], ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _kind in self.columns)


_LINE = ("line", "int")

MERCHANTS = StageSpec(
    "import_stage_merchant",
    (("external_id", "text"), ("name", "text"), ("city", "text"), ("region", "text"), _LINE),
)
PRODUCTS = StageSpec(
    "import_stage_product", (("sku", "text"), ("name", "text"), ("category", "text"), _LINE)
)
CUSTOMERS = StageSpec(
    "import_stage_customer",
    (
        ("external_id", "text"),
        *((f"{part}_enc", "text") for part in ("name", "phone", "email", "address")),
        *((f"{part}_hash", "text") for part in ("name", "phone", "email")),
        ("city", "text"),
        ("region", "text"),
        _LINE,
    ),
)
ORDER_TIMESTAMPS = (
    "placed_at",
    "paid_at",
    "approved_at",
    "shipped_at",
    "delivered_at",
    "completed_at",
    "cancelled_at",
    "promised_delivery_at",
)
ORDERS = StageSpec(
    "import_stage_order",
    (
        ("external_id", "text"),
        ("status", "text"),
        ("customer_ext", "text"),
        ("merchant_ext", "text"),
        ("total_amount", "num"),
        ("currency", "text"),
        ("has_freight_insurance", "bool"),
        *((name, "ts") for name in ORDER_TIMESTAMPS),
        _LINE,
    ),
)
ITEMS = StageSpec(
    "import_stage_item",
    (
        ("order_ext", "text"),
        ("line_no", "int"),
        ("sku", "text"),
        ("merchant_ext", "text"),
        ("quantity", "int"),
        ("unit_price", "num"),
        ("freight", "num"),
        _LINE,
    ),
)
SHIPMENTS = StageSpec(
    "import_stage_shipment",
    (
        ("order_ext", "text"),
        ("carrier", "text"),
        ("tracking_number", "text"),
        ("shipped_at", "ts"),
        _LINE,
    ),
)
ALL_STAGES = (MERCHANTS, PRODUCTS, CUSTOMERS, ORDERS, ITEMS, SHIPMENTS)


class Stager:
    """Creates, clears and loads TEMP tables on one database connection."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        if self.vendor not in _TYPES:
            raise NotImplementedError(
                f"Bulk import supports PostgreSQL and SQLite, not {self.vendor}."
            )
        self.is_postgres = self.vendor == "postgresql"
        adapt = connection.ops.adapt_datetimefield_value
        # PostgreSQL takes aware datetimes as they are; SQLite stores them as UTC text.
        self._adapt_ts: Callable[[Any], Any] | None = None if self.is_postgres else adapt

    def create(self, spec: StageSpec, *, name: str | None = None) -> None:
        table = name or spec.name
        types = _TYPES[self.vendor]
        columns = ", ".join(f"{col} {types[kind]}" for col, kind in spec.columns)
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
            for number, index in enumerate(spec.indexes):
                cursor.execute(f"CREATE INDEX {table}_ix{number} ON {table} ({', '.join(index)})")

    def analyze(self, *tables: str) -> None:
        """Refresh planner statistics (PostgreSQL): autovacuum never analyses TEMP tables and
        lags behind a bulk load on real ones, and stale counts turn index joins into scans."""
        if not self.is_postgres:
            return
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    def drop(self, *tables: str) -> None:
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def load(
        self,
        spec: StageSpec,
        rows: Sequence[tuple[Any, ...]],
        *,
        name: str | None = None,
        clear: bool = True,
    ) -> None:
        """Put `rows` (tuples in the spec's column order) into the table, emptying it first."""
        table = name or spec.name
        with self.connection.cursor() as cursor:
            if clear:
                cursor.execute(f"{'TRUNCATE' if self.is_postgres else 'DELETE FROM'} {table}")
            if not rows:
                return
            columns = ", ".join(spec.column_names)
            if self.is_postgres:
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
                with cursor.copy(sql) as copy:
                    copy.set_types([_BINARY_TYPES[kind] for _name, kind in spec.columns])
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(spec.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - fixed names
                    list(self._adapted(spec, rows)),
                )

    def _adapted(
        self, spec: StageSpec, rows: Iterable[tuple[Any, ...]]
    ) -> Iterable[tuple[Any, ...]]:
        adapt = self._adapt_ts
        ts_positions = [n for n, (_c, kind) in enumerate(spec.columns) if kind == "ts"]
        if adapt is None or not ts_positions:
            yield from rows
            return
        for row in rows:
            values = list(row)
            for position in ts_positions:
                values[position] = adapt(values[position])
            yield tuple(values)
