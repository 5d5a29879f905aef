"""The Olist e-commerce data set's folder layout: sellers, products, customers, items, orders.

Olist's files are normalised, so they are read one after another, each in batches:
1. sellers -> merchants, products -> products;
2. customers -> customers keyed by customer_unique_id, plus a TEMP map from the per-order
   customer_id to it, so one person is one customer;
3. items -> a TEMP table, from which each order's total and first seller are computed in SQL;
4. orders -> orders, resolving customer, merchant and total from those TEMP tables;
5. items -> order items, from the TEMP table, in line ranges; items of unknown orders are
   reported with their line numbers.
Nothing but one batch is ever held in Python.
"""

from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext as _

from shopdesk.orders.importers.olist_layout import FILES
from shopdesk.orders.importers.pipeline import (
    ImportContext,
    ImportFileError,
    csv_rows,
    last_by_key,
    parsed_batches,
    prefetched,
)
from shopdesk.orders.importers.records import (
    CustomerRow,
    ItemRow,
    MerchantRow,
    OrderRow,
    ProductRow,
    RowRejected,
    clip,
    key,
    parse_amount,
    parse_positive_int,
    parse_timestamp,
)
from shopdesk.orders.importers.staging import ITEMS, ORDERS, StageSpec
from shopdesk.orders.importers.writer import TARGET_TABLES
from shopdesk.orders.states import OLIST_STATUS

T = TypeVar("T")

CURRENCY = "BRL"
_ZERO = Decimal("0.00")
_ALL_ITEMS = "import_olist_item"
_TOTALS = "import_olist_total"
_CUSTOMER_MAP = StageSpec(
    "import_olist_customer_map",
    (("customer_id", "text"), ("unique_id", "text")),
    indexes=(("customer_id",),),
)
_CUSTOMER_LINK = "import_olist_customer_link"
_ALL_ITEMS_INDEXES = (("line",), ("order_ext", "line_no"))
_ORDER_COLUMNS = ", ".join(f"s.{name}" for name in ORDERS.column_names[5:])
# The order stage with Olist's per-order customer id swapped for the person's unique id, and
# the total and first seller computed from the staged items.
_ORDERS_RESOLVED = (
    "(SELECT s.external_id, s.status, COALESCE(l.unique_id, '') AS customer_ext, "  # noqa: S608 - fixed names
    "COALESCE(t.merchant_ext, '') AS merchant_ext, COALESCE(t.total, 0) AS total_amount, "
    f"{_ORDER_COLUMNS} FROM {ORDERS.name} s "
    f"LEFT JOIN {_CUSTOMER_LINK} l ON l.customer_id = s.customer_ext "
    f"LEFT JOIN {_TOTALS} t ON t.order_ext = s.external_id)"
)
_EMPTY_CONTACT = ("",) * 7


def olist_files(folder: Path) -> dict[str, Path]:
    """The five files of the layout; raises ImportFileError naming the missing ones."""
    if not folder.is_dir():
        raise ImportFileError(_("%(path)s is not a folder.") % {"path": folder})
    paths = {name: folder / file for name, file in FILES.items()}
    missing = [path.name for path in paths.values() if not path.is_file()]
    if missing:
        raise ImportFileError(
            _("%(path)s has no %(files)s.") % {"path": folder, "files": ", ".join(missing)}
        )
    return paths


def import_olist(folder: Path, ctx: ImportContext) -> None:
    paths = olist_files(folder)
    stager = ctx.writer.stager
    stager.create(_CUSTOMER_MAP)
    stager.create(ITEMS, name=_ALL_ITEMS)
    with stager.connection.cursor() as cursor:
        for number, columns in enumerate(_ALL_ITEMS_INDEXES):
            cursor.execute(
                f"CREATE INDEX {_ALL_ITEMS}_ix{number} ON {_ALL_ITEMS} ({', '.join(columns)})"
            )
    try:
        _merchants(paths["sellers"], ctx)
        _products(paths["products"], ctx)
        _customers(paths["customers"], ctx)
        ctx.in_transaction(lambda: _link_customers(ctx))
        ctx.analyze(*TARGET_TABLES)
        ranges = _stage_items(paths["items"], ctx)
        ctx.in_transaction(lambda: _compute_totals(ctx))
        _orders(paths["orders"], ctx)
        ctx.analyze(*TARGET_TABLES)
        _items(paths["items"].name, ranges, ctx)
    finally:
        stager.drop(_CUSTOMER_MAP.name, _CUSTOMER_LINK, _ALL_ITEMS, _TOTALS)


def _batches(
    path: Path,
    ctx: ImportContext,
    columns: tuple[str, ...],
    make_parser: Callable[[dict[str, int]], Callable[[list[str], int], T]],
) -> Iterator[list[T]]:
    positions, rows = csv_rows(path, encoding=ctx.encoding, columns=columns)
    return prefetched(parsed_batches(ctx, rows, make_parser(positions), file=path.name))


def _merchant_parser(at: dict[str, int]) -> Callable[[list[str], int], MerchantRow]:
    seller, city, state = at["seller_id"], at["seller_city"], at["seller_state"]

    def parse(cells: list[str], line: int) -> MerchantRow:
        seller_id = key(cells[seller], "seller_id")
        return MerchantRow(
            seller_id, seller_id, clip(cells[city], 100), clip(cells[state], 100), line
        )

    return parse


def _merchants(path: Path, ctx: ImportContext) -> None:
    columns = ("seller_id", "seller_city", "seller_state")
    for batch in _batches(path, ctx, columns, _merchant_parser):
        rows = last_by_key(batch, lambda row: row.external_id)
        changed = ctx.in_transaction(partial(ctx.writer.merchants, rows))
        ctx.report.add("merchants", count=len(rows), changed=changed)
        ctx.progress.advance(len(batch))


def _product_parser(at: dict[str, int]) -> Callable[[list[str], int], ProductRow]:
    product, category = at["product_id"], at["product_category_name"]

    def parse(cells: list[str], line: int) -> ProductRow:
        # Olist leaves the category empty for about 2% of products.
        return ProductRow(key(cells[product], "product_id"), "", clip(cells[category], 100), line)

    return parse


def _products(path: Path, ctx: ImportContext) -> None:
    for batch in _batches(path, ctx, ("product_id", "product_category_name"), _product_parser):
        rows = last_by_key(batch, lambda row: row.sku)
        changed = ctx.in_transaction(partial(ctx.writer.products, rows))
        ctx.report.add("products", count=len(rows), changed=changed)
        ctx.progress.advance(len(batch))


def _customer_parser(
    at: dict[str, int],
) -> Callable[[list[str], int], tuple[str, CustomerRow]]:
    per_order, unique = at["customer_id"], at["customer_unique_id"]
    city, state = at["customer_city"], at["customer_state"]

    def parse(cells: list[str], line: int) -> tuple[str, CustomerRow]:
        unique_id = key(cells[unique], "customer_unique_id")
        customer = CustomerRow(
            unique_id, *_EMPTY_CONTACT, clip(cells[city], 100), clip(cells[state], 100), line
        )
        return key(cells[per_order], "customer_id"), customer

    return parse


def _customers(path: Path, ctx: ImportContext) -> None:
    columns = ("customer_id", "customer_unique_id", "customer_city", "customer_state")
    stager = ctx.writer.stager
    for batch in _batches(path, ctx, columns, _customer_parser):
        rows = last_by_key((customer for _id, customer in batch), lambda row: row.external_id)
        links = [(customer_id, customer.external_id) for customer_id, customer in batch]

        def write(rows: list[CustomerRow] = rows, links: list[tuple[str, str]] = links) -> int:
            stager.load(_CUSTOMER_MAP, links, clear=False)
            return ctx.writer.customers(rows)

        changed = ctx.in_transaction(write)
        ctx.report.add("customers", count=len(rows), changed=changed)
        ctx.progress.advance(len(batch))


def _link_customers(ctx: ImportContext) -> None:
    """One unique id per per-order customer id, indexed, for the order phase's join."""
    with ctx.writer.stager.connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_CUSTOMER_LINK}")
        cursor.execute(
            f"CREATE TEMP TABLE {_CUSTOMER_LINK} AS "  # noqa: S608 - fixed names
            f"SELECT customer_id, MAX(unique_id) AS unique_id FROM {_CUSTOMER_MAP.name} "
            "GROUP BY customer_id"
        )
        cursor.execute(f"CREATE UNIQUE INDEX {_CUSTOMER_LINK}_id ON {_CUSTOMER_LINK} (customer_id)")
    ctx.writer.stager.analyze(_CUSTOMER_LINK)


def _item_parser(at: dict[str, int]) -> Callable[[list[str], int], ItemRow]:
    order, item, product = at["order_id"], at["order_item_id"], at["product_id"]
    seller, price, freight = at["seller_id"], at["price"], at["freight_value"]

    def parse(cells: list[str], line: int) -> ItemRow:
        return ItemRow(
            key(cells[order], "order_id"),
            parse_positive_int(cells[item], "order_item_id"),
            key(cells[product], "product_id"),
            key(cells[seller], "seller_id"),
            1,
            parse_amount(cells[price], "price"),
            parse_amount(cells[freight], "freight_value", default=_ZERO),
            line,
        )

    return parse


def _stage_items(path: Path, ctx: ImportContext) -> list[tuple[int, int, int]]:
    """Load every valid item into the TEMP table; returns (first line, last line, rows) of
    each batch, so items are later upserted in the same slices."""
    columns = ("order_id", "order_item_id", "product_id", "seller_id", "price", "freight_value")
    ranges = []
    stager = ctx.writer.stager
    for batch in _batches(path, ctx, columns, _item_parser):
        rows = last_by_key(batch, lambda row: (row.order_ext, row.line_no))
        ctx.in_transaction(partial(stager.load, ITEMS, rows, name=_ALL_ITEMS, clear=False))
        ranges.append((batch[0].line, batch[-1].line, len(rows)))
        ctx.progress.advance(len(batch))
    return ranges


def _compute_totals(ctx: ImportContext) -> None:
    """Per order: the sum of price * quantity + freight, and the seller of the lowest line."""
    ctx.writer.stager.analyze(_ALL_ITEMS)
    with ctx.writer.stager.connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_TOTALS}")
        cursor.execute(
            f"CREATE TEMP TABLE {_TOTALS} AS "  # noqa: S608 - fixed names
            "SELECT i.order_ext, ROUND(SUM(i.unit_price * i.quantity + i.freight), 2) AS total, "
            f"(SELECT f.merchant_ext FROM {_ALL_ITEMS} f WHERE f.order_ext = i.order_ext "
            "ORDER BY f.line_no LIMIT 1) AS merchant_ext "
            f"FROM {_ALL_ITEMS} i GROUP BY i.order_ext"
        )
        cursor.execute(f"CREATE UNIQUE INDEX {_TOTALS}_order ON {_TOTALS} (order_ext)")
    ctx.writer.stager.analyze(_TOTALS)


_TIMESTAMPS = (
    ("order_purchase_timestamp", "placed_at"),
    ("order_approved_at", "approved_at"),
    ("order_delivered_carrier_date", "shipped_at"),
    ("order_delivered_customer_date", "delivered_at"),
    ("order_estimated_delivery_date", "promised_delivery_at"),
)


def _order_parser(
    ctx: ImportContext,
) -> Callable[[dict[str, int]], Callable[[list[str], int], OrderRow]]:
    tz = ctx.tz

    def make(at: dict[str, int]) -> Callable[[list[str], int], OrderRow]:
        order, customer, status = at["order_id"], at["customer_id"], at["order_status"]
        placed, approved, shipped, delivered, promised = (at[column] for column, _f in _TIMESTAMPS)

        def parse(cells: list[str], line: int) -> OrderRow:
            raw_status = cells[status].strip().lower()
            if raw_status not in OLIST_STATUS:
                raise RowRejected(_("unknown status %(status)r") % {"status": cells[status]})
            placed_at = parse_timestamp(cells[placed], "order_purchase_timestamp", tz=tz)
            if placed_at is None:
                raise RowRejected(_("missing %(field)s") % {"field": "order_purchase_timestamp"})
            return OrderRow(
                key(cells[order], "order_id"),
                OLIST_STATUS[raw_status].value,
                key(cells[customer], "customer_id"),
                "",
                _ZERO,
                CURRENCY,
                False,
                placed_at,
                None,
                parse_timestamp(cells[approved], "order_approved_at", tz=tz),
                parse_timestamp(cells[shipped], "order_delivered_carrier_date", tz=tz),
                parse_timestamp(cells[delivered], "order_delivered_customer_date", tz=tz),
                None,
                None,
                parse_timestamp(cells[promised], "order_estimated_delivery_date", tz=tz),
                line,
            )

        return parse

    return make


def _orders(path: Path, ctx: ImportContext) -> None:
    columns = ("order_id", "customer_id", "order_status", *(c for c, _f in _TIMESTAMPS))
    for batch in _batches(path, ctx, columns, _order_parser(ctx)):
        rows = last_by_key(batch, lambda row: row.external_id)
        changed = ctx.in_transaction(partial(ctx.writer.orders, rows, staged=_ORDERS_RESOLVED))
        ctx.report.add("orders", count=len(rows), changed=changed)
        ctx.progress.advance(len(batch))


def _items(file: str, ranges: list[tuple[int, int, int]], ctx: ImportContext) -> None:
    """Upsert the staged items slice by slice through the per-batch stage and the same SQL
    as the other formats, then report every item whose order, product or seller is unknown."""
    writer = ctx.writer
    columns = ", ".join(ITEMS.column_names)
    select = f"SELECT {columns} FROM {_ALL_ITEMS} WHERE line BETWEEN %s AND %s"  # noqa: S608
    copy_slice = f"INSERT INTO {ITEMS.name} ({columns}) {select}"  # noqa: S608
    staged = 0
    for first, last, count in ranges:

        def write(lines: tuple[int, int] = (first, last)) -> int:
            with writer.stager.connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {ITEMS.name}")  # noqa: S608
                cursor.execute(copy_slice, lines)
            return writer.items()

        ctx.report.add("items", count=0, changed=ctx.in_transaction(write))
        ctx.progress.advance(count)
        staged += count
    rejected = ctx.report.reject_many(file, writer.item_rejections(table=_ALL_ITEMS))
    ctx.report.add("items", count=staged - rejected, changed=0)
