"""Every write of orders, shipments and logistics events.

Orders come from shop systems, which own them: an upsert replaces the order's fields and items
with what the shop sent. Logistics events are appended once and never changed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.accounts.services import CustomerContact, customer_upsert, merchant_upsert
from shopdesk.core.errors import DomainError
from shopdesk.orders.errors import OrdersErrorCode
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment
from shopdesk.orders.states import LogisticsEventType, OrderStatus


@dataclass(frozen=True)
class CustomerData:
    external_id: str
    contact: CustomerContact = field(default_factory=CustomerContact)
    tier: str = Customer.Tier.REGULAR
    language: str = "zh-hans"
    city: str = ""
    region: str = ""


@dataclass(frozen=True)
class ItemData:
    sku: str
    unit_price: Decimal
    quantity: int = 1
    freight: Decimal = Decimal("0")
    product_name: str = ""
    category: str = ""
    is_returnable: bool = True


@dataclass(frozen=True)
class ShipmentData:
    carrier: str
    tracking_number: str
    shipped_at: datetime | None = None


@dataclass(frozen=True)
class OrderData:
    status: OrderStatus
    placed_at: datetime
    merchant_external_id: str = ""
    merchant_name: str = ""
    customer: CustomerData | None = None
    items: tuple[ItemData, ...] = ()
    shipments: tuple[ShipmentData, ...] = ()
    currency: str = "CNY"
    has_freight_insurance: bool = False
    paid_at: datetime | None = None
    approved_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    promised_delivery_at: datetime | None = None


def _check(data: OrderData) -> None:
    problems = [
        f"item {i.sku}: negative amount" for i in data.items if min(i.unit_price, i.freight) < 0
    ]
    problems += [f"item {i.sku}: quantity must be at least 1" for i in data.items if i.quantity < 1]
    problems += [
        f"item {n}: SKU is missing" for n, i in enumerate(data.items, 1) if not i.sku.strip()
    ]
    if problems:
        raise DomainError("; ".join(problems), code=OrdersErrorCode.INVALID_ORDER)


def _order_fields(
    data: OrderData, merchant: Merchant | None, customer: Customer | None
) -> dict[str, object]:
    total = sum((i.unit_price * i.quantity + i.freight for i in data.items), Decimal("0"))
    return {
        "status": data.status,
        "merchant": merchant,
        "customer": customer,
        "total_amount": total.quantize(Decimal("0.01")),
        "currency": data.currency,
        "has_freight_insurance": data.has_freight_insurance,
        "placed_at": data.placed_at,
        "paid_at": data.paid_at,
        "approved_at": data.approved_at,
        "shipped_at": data.shipped_at,
        "delivered_at": data.delivered_at,
        "completed_at": data.completed_at,
        "cancelled_at": data.cancelled_at,
        "promised_delivery_at": data.promised_delivery_at,
    }


def _lock_or_create(source: str, external_id: str, fields: dict[str, object]) -> tuple[Order, bool]:
    """Lock the order row, creating it if needed; concurrent creators meet at the unique key."""
    order = Order.objects.select_for_update().filter(source=source, external_id=external_id).first()
    if order is not None:
        return order, False
    try:
        with transaction.atomic():
            return Order.objects.create(source=source, external_id=external_id, **fields), True
    except IntegrityError:
        return Order.objects.select_for_update().get(source=source, external_id=external_id), False


def order_upsert(*, source: str, external_id: str, data: OrderData) -> tuple[Order, bool]:
    """Create or replace an order from a shop system; idempotent on (source, external_id).

    Returns (order, created). Raises DomainError(invalid_order) for negative amounts or empty SKUs.
    """
    _check(data)
    with transaction.atomic():
        merchant = None
        if data.merchant_external_id:
            merchant = merchant_upsert(
                source=source, external_id=data.merchant_external_id, name=data.merchant_name
            )
        customer = None
        if data.customer is not None:
            c = data.customer
            customer = customer_upsert(
                source=source,
                external_id=c.external_id,
                contact=c.contact,
                tier=c.tier,
                language=c.language,
                city=c.city,
                region=c.region,
            )
        fields = _order_fields(data, merchant, customer)
        order, created = _lock_or_create(source, external_id, fields)
        if not created:
            _update_changed(order, fields)
        _sync_items(order, source, merchant, data.items)
        for shipment in data.shipments:
            shipment_upsert(order=order, data=shipment)
    # Callers get what was stored (normalised amounts, UTC timestamps), whichever path ran.
    order.refresh_from_db()
    return order, created


def _update_changed(order: Order, fields: dict[str, object]) -> None:
    """Write only the fields that differ, so an identical upsert leaves the row untouched."""
    changed = [name for name, value in fields.items() if getattr(order, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(order, name, fields[name])
    order.save(update_fields=[*changed, "updated_at"])


def _item_key(item: OrderItem) -> tuple[object, ...]:
    return (
        item.line_no,
        item.product_id,
        item.merchant_id,
        item.sku,
        item.quantity,
        item.unit_price,
        item.freight,
    )


def _sync_items(
    order: Order, source: str, merchant: Merchant | None, items: tuple[ItemData, ...]
) -> None:
    """Make the order's items exactly `items`; nothing is written when they already are."""
    rows = []
    for line_no, item in enumerate(items, start=1):
        product, _ = Product.objects.get_or_create(
            source=source,
            sku=item.sku.strip(),
            defaults={
                "name": item.product_name,
                "category": item.category,
                "merchant": merchant,
                "is_returnable": item.is_returnable,
            },
        )
        rows.append(
            OrderItem(
                order=order,
                line_no=line_no,
                product=product,
                merchant=merchant,
                sku=product.sku,
                quantity=item.quantity,
                unit_price=item.unit_price.quantize(Decimal("0.01")),
                freight=item.freight.quantize(Decimal("0.01")),
            )
        )
    existing = list(OrderItem.objects.filter(order=order).order_by("line_no"))
    if [_item_key(i) for i in existing] == [_item_key(i) for i in rows]:
        return
    OrderItem.objects.filter(order=order).delete()
    OrderItem.objects.bulk_create(rows)


def shipment_upsert(*, order: Order, data: ShipmentData) -> Shipment:
    """Attach a parcel (carrier + tracking number) to an order; idempotent."""
    shipment, _ = Shipment.objects.get_or_create(
        carrier=data.carrier,
        tracking_number=data.tracking_number.strip(),
        defaults={"order": order, "shipped_at": data.shipped_at},
    )
    return shipment


@dataclass(frozen=True)
class LogisticsEventData:
    event_id: str
    type: LogisticsEventType
    occurred_at: datetime
    location: str = ""
    description: str = ""


_OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.APPROVED, OrderStatus.SHIPPED)


def logistics_event_append(
    *, shipment: Shipment, data: LogisticsEventData
) -> tuple[LogisticsEvent, bool]:
    """Append one carrier scan; idempotent on event_id. A delivery scan marks the parcel and,
    if it is still open, the order delivered (compare-and-set, so a newer status is never undone).

    Returns (event, created).
    """
    with transaction.atomic():
        existing = LogisticsEvent.objects.filter(event_id=data.event_id).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                event = LogisticsEvent.objects.create(
                    shipment=shipment,
                    event_id=data.event_id,
                    type=data.type,
                    occurred_at=data.occurred_at,
                    location=data.location,
                    description=data.description,
                )
        except IntegrityError:
            return LogisticsEvent.objects.get(event_id=data.event_id), False
        if data.type == LogisticsEventType.DELIVERED:
            Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=True).update(
                delivered_at=data.occurred_at, updated_at=timezone.now()
            )
            Order.objects.filter(pk=shipment.order_id, status__in=_OPEN_STATUSES).update(
                status=OrderStatus.DELIVERED,
                delivered_at=data.occurred_at,
                updated_at=timezone.now(),
            )
        elif data.type in (LogisticsEventType.PICKED_UP, LogisticsEventType.IN_TRANSIT):
            Order.objects.filter(pk=shipment.order_id, status__in=_OPEN_STATUSES[:3]).update(
                status=OrderStatus.SHIPPED, shipped_at=data.occurred_at, updated_at=timezone.now()
            )
    return event, True


@dataclass(frozen=True)
class LogisticsAppendResult:
    created: list[LogisticsEvent]
    existing: list[LogisticsEvent]


def logistics_events_append(
    *, shipment: Shipment, events: Sequence[LogisticsEventData]
) -> LogisticsAppendResult:
    """Append a batch of carrier scans in one transaction; each is idempotent on event_id.

    An event id sent twice in one batch is created once and then reported as existing.
    """
    created: list[LogisticsEvent] = []
    existing: list[LogisticsEvent] = []
    with transaction.atomic():
        for data in events:
            event, is_new = logistics_event_append(shipment=shipment, data=data)
            (created if is_new else existing).append(event)
    return LogisticsAppendResult(created=created, existing=existing)
