"""Set-based upserts from the staging tables: one INSERT ... SELECT ... ON CONFLICT per entity.

Every upsert updates a row only WHERE a column actually differs, so a second import of the same
data writes nothing, and the statement's row count is the number of rows inserted or changed.
Foreign keys are resolved in SQL by joining on (source, external_id); rows are inserted in key
order so that concurrent imports take row locks in the same order. The SQL is the same on
PostgreSQL and SQLite (>= 3.33) except for the null-safe "differs" operator.

Callers stage rows deduplicated by key (last one wins): PostgreSQL refuses an upsert that
touches the same row twice in one statement.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.orders.importers.records import (
    CustomerRow,
    MerchantRow,
    OrderRow,
    ProductRow,
    ShipmentRow,
)
from shopdesk.orders.importers.staging import (
    CUSTOMERS,
    ITEMS,
    MERCHANTS,
    ORDER_TIMESTAMPS,
    ORDERS,
    PRODUCTS,
    SHIPMENTS,
    Stager,
)
from shopdesk.orders.models import Order, OrderItem, Product, Shipment

_MERCHANT = Merchant._meta.db_table
_CUSTOMER = Customer._meta.db_table
_PRODUCT = Product._meta.db_table
_ORDER = Order._meta.db_table
_ITEM = OrderItem._meta.db_table
_SHIPMENT = Shipment._meta.db_table
TARGET_TABLES = (_MERCHANT, _CUSTOMER, _PRODUCT, _ORDER, _ITEM, _SHIPMENT)

# (line, reason) for a staged row the database side refused.
Rejection = tuple[int, str]


def upsert_sql(
    *,
    table: str,
    columns: Sequence[tuple[str, str]],
    from_sql: str,
    conflict: Sequence[str],
    update: Sequence[str],
    order_by: str,
    differs: str,
    timestamps: bool = True,
) -> str:
    """INSERT INTO table AS t (...) SELECT ... FROM ... ON CONFLICT DO UPDATE ... WHERE changed.

    `columns` pairs each target column with its SELECT expression.
    """
    pairs = list(columns)
    if timestamps:
        pairs += [("created_at", "%s"), ("updated_at", "%s")]
    sets = [f"{col} = excluded.{col}" for col in update]
    if timestamps:
        sets.append("updated_at = excluded.updated_at")
    changed = " OR ".join(f"t.{col} {differs} excluded.{col}" for col in update)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint.
    return (
        f"INSERT INTO {table} AS t ({', '.join(c for c, _e in pairs)}) "  # noqa: S608
        f"SELECT {', '.join(e for _c, e in pairs)} FROM {from_sql} "
        f"ORDER BY {order_by} "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(sets)} WHERE {changed}"
    )


def _same_columns(names: Sequence[str], prefix: str = "s.") -> list[tuple[str, str]]:
    return [(name, f"{prefix}{name}") for name in names]


class BulkWriter:
    """Writes one import's batches for one `source`. Each method returns rows changed."""

    def __init__(self, *, source: str, stager: Stager, now: datetime) -> None:
        self.source = source
        self.stager = stager
        self.differs = "IS DISTINCT FROM" if stager.is_postgres else "IS NOT"
        self.now = stager.connection.ops.adapt_datetimefield_value(now)

    def create_stages(self) -> None:
        for spec in (MERCHANTS, PRODUCTS, CUSTOMERS, ORDERS, ITEMS, SHIPMENTS):
            self.stager.create(spec)

    def drop_stages(self) -> None:
        self.stager.drop(MERCHANTS.name, PRODUCTS.name, CUSTOMERS.name, ORDERS.name)
        self.stager.drop(ITEMS.name, SHIPMENTS.name)

    def _run(self, sql: str, params: Sequence[Any]) -> int:
        with self.stager.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return max(int(cursor.rowcount), 0)

    def merchants(self, rows: Sequence[MerchantRow]) -> int:
        if not rows:
            return 0
        self.stager.load(MERCHANTS, rows)
        update = ["name", "city", "region"]
        sql = upsert_sql(
            table=_MERCHANT,
            columns=[("source", "%s"), *_same_columns(["external_id", *update])],
            from_sql=f"{MERCHANTS.name} s WHERE true",
            conflict=["source", "external_id"],
            update=update,
            order_by="s.external_id",
            differs=self.differs,
        )
        return self._run(sql, [self.source, self.now, self.now])

    def products(self, rows: Sequence[ProductRow]) -> int:
        if not rows:
            return 0
        self.stager.load(PRODUCTS, rows)
        update = ["name", "category"]
        sql = upsert_sql(
            table=_PRODUCT,
            columns=[
                ("source", "%s"),
                *_same_columns(["sku", *update]),
                ("is_returnable", "%s"),
            ],
            from_sql=f"{PRODUCTS.name} s WHERE true",
            conflict=["source", "sku"],
            update=update,
            order_by="s.sku",
            differs=self.differs,
        )
        return self._run(sql, [self.source, True, self.now, self.now])

    def customers(self, rows: Sequence[CustomerRow]) -> int:
        """Fernet output differs on every encryption, so "changed" is judged on the keyed
        hashes and clear columns; an encrypted column is replaced only when its hash changed."""
        if not rows:
            return 0
        self.stager.load(CUSTOMERS, rows)
        plain = ["name_hash", "phone_hash", "email_hash", "city", "region"]
        encrypted = ["name_enc", "phone_enc", "email_enc", "address_enc"]
        sql = upsert_sql(
            table=_CUSTOMER,
            columns=[
                ("source", "%s"),
                *_same_columns(["external_id", *encrypted, *plain]),
                ("tier", "%s"),
                ("language", "%s"),
            ],
            from_sql=f"{CUSTOMERS.name} s WHERE true",
            conflict=["source", "external_id"],
            update=plain,
            order_by="s.external_id",
            differs=self.differs,
        )
        keep = [
            f"{enc} = CASE WHEN t.{enc.replace('_enc', '_hash')} {self.differs} "
            f"excluded.{enc.replace('_enc', '_hash')} THEN excluded.{enc} ELSE t.{enc} END"
            for enc in encrypted[:3]
        ]
        # The address has no hash: it is rewritten with the other contact data, or when empty.
        contact_changed = " OR ".join(
            f"t.{h} {self.differs} excluded.{h}" for h in ("name_hash", "phone_hash", "email_hash")
        )
        keep.append(
            f"address_enc = CASE WHEN t.address_enc = '' OR {contact_changed} "
            "THEN excluded.address_enc ELSE t.address_enc END"
        )
        sql = sql.replace("DO UPDATE SET ", f"DO UPDATE SET {', '.join(keep)}, ", 1)
        sql += " OR (t.address_enc = '' AND excluded.address_enc <> '')"
        params = [self.source, Customer.Tier.REGULAR, "zh-hans", self.now, self.now]
        return self._run(sql, params)

    def orders(self, rows: Sequence[OrderRow], *, staged: str = ORDERS.name) -> int:
        """Upsert orders. `staged` may name a query over the order stage with the same
        columns (Olist resolves per-order customer ids and item totals in one)."""
        if not rows:
            return 0
        self.stager.load(ORDERS, rows)
        plain = ["status", "total_amount", "currency", "has_freight_insurance", *ORDER_TIMESTAMPS]
        sql = upsert_sql(
            table=_ORDER,
            columns=[
                ("source", "%s"),
                ("external_id", "s.external_id"),
                ("merchant_id", "m.id"),
                ("customer_id", "c.id"),
                *_same_columns(plain),
            ],
            from_sql=(
                f"{staged} s "
                f"LEFT JOIN {_MERCHANT} m ON m.source = %s AND m.external_id = s.merchant_ext "
                f"LEFT JOIN {_CUSTOMER} c ON c.source = %s AND c.external_id = s.customer_ext "
                "WHERE true"
            ),
            conflict=["source", "external_id"],
            update=["merchant_id", "customer_id", *plain],
            order_by="s.external_id",
            differs=self.differs,
        )
        return self._run(sql, [self.source, self.now, self.now, self.source, self.source])

    def items(self) -> int:
        """Upsert the staged items whose order, product and merchant exist; see
        `item_rejections` for the others."""
        where = "(s.merchant_ext = '' OR m.id IS NOT NULL)"
        params = [self.source, self.source, self.source]
        update = ["product_id", "merchant_id", "sku", "quantity", "unit_price", "freight"]
        sql = upsert_sql(
            table=_ITEM,
            columns=[
                ("order_id", "o.id"),
                ("line_no", "s.line_no"),
                ("product_id", "p.id"),
                ("merchant_id", "m.id"),
                *_same_columns(["sku", "quantity", "unit_price", "freight"]),
            ],
            from_sql=f"{ITEMS.name} s {self._item_joins('JOIN')} WHERE {where}",
            conflict=["order_id", "line_no"],
            update=update,
            order_by="o.id, s.line_no",
            differs=self.differs,
            timestamps=False,
        )
        return self._run(sql, params)

    def _item_joins(self, kind: str) -> str:
        return (
            f"{kind} {_ORDER} o ON o.source = %s AND o.external_id = s.order_ext "
            f"{kind} {_PRODUCT} p ON p.source = %s AND p.sku = s.sku "
            f"LEFT JOIN {_MERCHANT} m ON m.source = %s AND m.external_id = s.merchant_ext"
        )

    def item_rejections(self, *, table: str = ITEMS.name) -> Iterator[Rejection]:
        """Staged items that `items` skips: unknown order, product or merchant. One query
        for the whole table (hash joins), read in chunks so memory stays flat."""
        where = "o.id IS NULL OR p.id IS NULL OR (s.merchant_ext <> '' AND m.id IS NULL)"
        sql = (
            "SELECT s.line, s.order_ext, s.sku, s.merchant_ext, o.id, p.id "  # noqa: S608
            f"FROM {table} s {self._item_joins('LEFT JOIN')} WHERE {where} ORDER BY s.line"
        )
        with self.stager.connection.cursor() as cursor:
            cursor.execute(sql, [self.source, self.source, self.source])
            while found := cursor.fetchmany(1000):
                for line, order_ext, sku, merchant_ext, order_id, product_id in found:
                    yield line, _item_reason(order_ext, sku, merchant_ext, order_id, product_id)

    def shipments(self, rows: Sequence[ShipmentRow]) -> int:
        """Attach parcels to their orders; delivery is left to logistics events."""
        if not rows:
            return 0
        self.stager.load(SHIPMENTS, rows)
        sql = upsert_sql(
            table=_SHIPMENT,
            columns=[
                ("order_id", "o.id"),
                *_same_columns(["carrier", "tracking_number", "shipped_at"]),
            ],
            from_sql=(
                f"{SHIPMENTS.name} s JOIN {_ORDER} o "
                "ON o.source = %s AND o.external_id = s.order_ext WHERE true"
            ),
            conflict=["carrier", "tracking_number"],
            update=["order_id", "shipped_at"],
            order_by="s.carrier, s.tracking_number",
            differs=self.differs,
        )
        return self._run(sql, [self.now, self.now, self.source])


def _item_reason(
    order_ext: str, sku: str, merchant_ext: str, order_id: int | None, product_id: int | None
) -> str:
    if order_id is None:
        return _("unknown order %(order)s for an item") % {"order": order_ext}
    if product_id is None:
        return _("unknown product %(sku)s") % {"sku": sku}
    return _("unknown merchant %(merchant)s") % {"merchant": merchant_ext}
