"""Any shop's CSV or JSONL export, one row per order line, read through a mapping file.

The order's fields repeat on each of its lines, and an order's lines are adjacent in the file
(as shop systems export them), so a batch never splits an order: its total and merchant (the
merchant of its first line) are computed from its lines. Without a line_no column, lines are
numbered in file order within the order.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from shopdesk.accounts.services import CustomerContact, customer_contact_columns
from shopdesk.orders.importers.mapping import Mapping
from shopdesk.orders.importers.pipeline import (
    ImportContext,
    csv_rows,
    last_by_key,
    prefetched,
)
from shopdesk.orders.importers.records import (
    CustomerRow,
    ItemRow,
    MerchantRow,
    OrderRow,
    ProductRow,
    RowRejected,
    ShipmentRow,
    clip,
    key,
    parse_amount,
    parse_positive_int,
    parse_timestamp,
)
from shopdesk.orders.importers.staging import ITEMS, ORDER_TIMESTAMPS
from shopdesk.orders.states import Carrier, OrderStatus

Values = dict[str, str]
_ZERO = Decimal("0.00")


class Contact(NamedTuple):
    external_id: str
    name: str
    phone: str
    email: str
    address: str
    city: str
    region: str
    line: int


class Line(NamedTuple):
    order: OrderRow
    item: ItemRow
    product: ProductRow
    merchant: MerchantRow | None
    contact: Contact | None
    shipment: ShipmentRow | None
    explicit_line_no: bool


@dataclass
class LineParser:
    """Turns one row's mapped values into canonical records; raises RowRejected."""

    mapping: Mapping
    tz: tzinfo
    status_map: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.status_map = {k.casefold(): v for k, v in (self.mapping.status_map or {}).items()}
        self.status_map.update({value: value for value in OrderStatus.values})

    def _status(self, raw: str) -> str:
        text = raw.strip()
        if not text:
            return OrderStatus.PLACED.value
        status = self.status_map.get(text.casefold())
        if status is None:
            raise RowRejected(_("unknown status %(status)r") % {"status": text})
        return status

    def _timestamps(self, values: Values) -> dict[str, Any]:
        formats = self.mapping.datetime_formats
        stamps = {
            name: parse_timestamp(values.get(name), name, tz=self.tz, formats=formats)
            for name in ORDER_TIMESTAMPS
        }
        if stamps["placed_at"] is None:
            raise RowRejected(_("missing %(field)s") % {"field": "placed_at"})
        return stamps

    def order(self, values: Values, line: int, merchant_ext: str) -> OrderRow:
        insured = values.get("freight_insurance", "").strip().casefold()
        return OrderRow(
            external_id=key(values.get("order_number"), "order_number"),
            status=self._status(values.get("status", "")),
            customer_ext=clip(values.get("customer_id"), 64),
            merchant_ext=merchant_ext,
            total_amount=_ZERO,
            currency=clip(values.get("currency"), 3).upper() or self.mapping.currency,
            has_freight_insurance=insured in self.mapping.true_values,
            line=line,
            **self._timestamps(values),
        )

    def __call__(self, values: Values, line: int) -> Line:
        merchant_ext = clip(values.get("merchant_id"), 64)
        order = self.order(values, line, merchant_ext)
        sku = key(values.get("sku"), "sku")
        item = ItemRow(
            order.external_id,
            parse_positive_int(values.get("line_no"), "line_no", default=0),
            sku,
            merchant_ext,
            parse_positive_int(values.get("quantity"), "quantity", default=1),
            parse_amount(values.get("unit_price"), "unit_price"),
            parse_amount(values.get("freight"), "freight", default=_ZERO),
            line,
        )
        product = ProductRow(
            sku, clip(values.get("product_name"), 200), clip(values.get("category"), 100), line
        )
        return Line(
            order,
            item,
            product,
            self._merchant(values, merchant_ext, line),
            self._contact(values, order.customer_ext, line),
            self._shipment(values, order, line),
            bool(values.get("line_no", "").strip()),
        )

    def _merchant(self, values: Values, external_id: str, line: int) -> MerchantRow | None:
        if not external_id:
            return None
        name = clip(values.get("merchant_name"), 200) or external_id
        city, region = (
            clip(values.get("merchant_city"), 100),
            clip(values.get("merchant_region"), 100),
        )
        return MerchantRow(external_id, name, city, region, line)

    def _contact(self, values: Values, external_id: str, line: int) -> Contact | None:
        if not external_id:
            return None

        def get(part: str) -> str:
            return clip(values.get(f"customer_{part}"), 1000)

        return Contact(
            external_id,
            get("name"),
            get("phone"),
            get("email"),
            get("address"),
            get("city"),
            get("region"),
            line,
        )

    def _shipment(self, values: Values, order: OrderRow, line: int) -> ShipmentRow | None:
        tracking = values.get("tracking_number", "").strip()
        if not tracking:
            return None
        raw = values.get("carrier", "").strip()
        carrier = (self.mapping.carrier_map or {}).get(raw) or (
            raw.upper() if raw.upper() in Carrier.values else Carrier.OTHER.value
        )
        return ShipmentRow(
            order.external_id, carrier, key(tracking, "tracking_number"), order.shipped_at, line
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _dig(obj: Any, path: str) -> Any:
    """Follow a dotted path ("buyer.address.city", "items.0.sku") through a JSON object."""
    for part in path.split("."):
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def csv_values(path: Path, mapping: Mapping, ctx: ImportContext) -> Iterator[tuple[int, Values]]:
    columns = list(mapping.fields.values())
    positions, rows = csv_rows(
        path, encoding=ctx.encoding, columns=columns, delimiter=mapping.delimiter
    )
    at = {target: positions[column] for target, column in mapping.fields.items()}
    defaults = mapping.defaults or {}
    for line, cells in rows:
        values = dict(defaults)
        for target, position in at.items():
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                values[target] = cell
        yield line, values


def jsonl_values(path: Path, mapping: Mapping, ctx: ImportContext) -> Iterator[tuple[int, Values]]:
    defaults = mapping.defaults or {}
    with path.open(encoding=ctx.encoding) as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                ctx.report.reject(path.name, line, _("not valid JSON: %(error)s") % {"error": exc})
                continue
            if not isinstance(obj, dict):
                ctx.report.reject(path.name, line, _("not a JSON object"))
                continue
            values = dict(defaults)
            for target, json_path in mapping.fields.items():
                cell = _cell(_dig(obj, json_path)).strip()
                if cell:
                    values[target] = cell
            yield line, values


def import_mapped(
    path: Path,
    ctx: ImportContext,
    mapping: Mapping,
    read: Callable[[Path, Mapping, ImportContext], Iterator[tuple[int, Values]]],
) -> None:
    parser = LineParser(mapping, ctx.tz)
    for batch in prefetched(_order_batches(path, ctx, read(path, mapping, ctx), parser)):
        _write(batch, ctx)
        ctx.progress.advance(len(batch))


def _order_batches(
    path: Path, ctx: ImportContext, values: Iterator[tuple[int, Values]], parser: LineParser
) -> Iterator[list[Line]]:
    """Batches of valid lines, cut only where the order number changes; numbers the lines."""
    batch: list[Line] = []
    previous, number = "", 0
    for line, row in values:
        try:
            parsed = parser(row, line)
        except RowRejected as exc:
            ctx.report.reject(path.name, line, str(exc))
            continue
        order_ext = parsed.order.external_id
        number = number + 1 if order_ext == previous else 1
        if order_ext != previous and len(batch) >= ctx.batch_size:
            yield batch
            batch = []
        previous = order_ext
        if not parsed.explicit_line_no:
            parsed = parsed._replace(item=parsed.item._replace(line_no=number))
        batch.append(parsed)
    if batch:
        yield batch


def _orders_with_totals(batch: list[Line]) -> list[OrderRow]:
    """Each order from its last line, with the total of its lines and its first line's merchant."""
    totals: dict[str, Decimal] = {}
    first: dict[str, ItemRow] = {}
    for entry in batch:
        item = entry.item
        totals[item.order_ext] = totals.get(item.order_ext, _ZERO) + (
            item.unit_price * item.quantity + item.freight
        )
        if item.order_ext not in first or item.line_no < first[item.order_ext].line_no:
            first[item.order_ext] = item
    orders = last_by_key((entry.order for entry in batch), lambda order: order.external_id)
    return [
        order._replace(
            total_amount=totals[order.external_id],
            merchant_ext=first[order.external_id].merchant_ext,
        )
        for order in orders
    ]


def _customer(contact: Contact) -> CustomerRow:
    columns = customer_contact_columns(
        CustomerContact(contact.name, contact.phone, contact.email, contact.address)
    )
    return CustomerRow(
        external_id=contact.external_id,
        city=contact.city[:100],
        region=contact.region[:100],
        line=contact.line,
        **columns,
    )


def _write(batch: list[Line], ctx: ImportContext) -> None:
    merchants = last_by_key((e.merchant for e in batch if e.merchant), lambda m: m.external_id)
    products = last_by_key((e.product for e in batch), lambda p: p.sku)
    contacts = last_by_key((e.contact for e in batch if e.contact), lambda c: c.external_id)
    customers = [_customer(contact) for contact in contacts]
    orders = _orders_with_totals(batch)
    items = last_by_key((e.item for e in batch), lambda i: (i.order_ext, i.line_no))
    shipments = last_by_key(
        (e.shipment for e in batch if e.shipment), lambda s: (s.carrier, s.tracking_number)
    )
    writer = ctx.writer

    def work() -> dict[str, int]:
        changed = {
            "merchants": writer.merchants(merchants),
            "products": writer.products(products),
            "customers": writer.customers(customers),
            "orders": writer.orders(orders),
        }
        writer.stager.load(ITEMS, items)
        changed["items"] = writer.items()
        changed["shipments"] = writer.shipments(shipments)
        return changed

    changed = ctx.in_transaction(work)
    counts = {
        "merchants": len(merchants),
        "products": len(products),
        "customers": len(customers),
        "orders": len(orders),
        "items": len(items),
        "shipments": len(shipments),
    }
    for entity, count in counts.items():
        ctx.report.add(entity, count=count, changed=changed[entity])
