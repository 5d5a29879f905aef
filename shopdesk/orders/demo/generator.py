"""The demo data set: shops, customers and orders with shipments and logistics scans.

Orders are generated and written in batches (bulk_create, one transaction per batch), so a
million orders need no more memory than one batch plus the customers' primary keys.
"""

import random
import time
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from shopdesk.core.progress import Progress
from shopdesk.orders.demo.logins import DemoLogin, demo_logins_create
from shopdesk.orders.demo.parties import (
    DEMO_SOURCE,
    Shop,
    customer_count,
    customers_create,
    merchant_count,
    shops_create,
)
from shopdesk.orders.demo.timeline import DayPicker, OrderLife, simulate_order
from shopdesk.orders.demo.tracking import tracking_number
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Shipment

# A fixed end date keeps the data identical from one day to the next for a given seed.
DEMO_UNTIL = date(2026, 11, 20)
REMOTE_CITIES = frozenset({"乌鲁木齐"})
_FREIGHT = (Decimal("0.00"),) * 8 + (Decimal("6.00"), Decimal("10.00"))


@dataclass(frozen=True)
class DemoConfig:
    orders: int = 3000
    seed: int = 2024
    until: date = DEMO_UNTIL
    days: int = 365
    batch_size: int = 5000


@dataclass
class DemoResult:
    merchants: int = 0
    products: int = 0
    customers: int = 0
    orders: int = 0
    order_items: int = 0
    shipments: int = 0
    logistics_events: int = 0
    seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)


@dataclass
class _Customers:
    pks: array  # type: ignore[type-arg]
    cities: list[str]


def demo_generate(*, config: DemoConfig, show_progress: bool = True) -> DemoResult:
    """Write the whole demo data set; the same config always gives the same data."""
    if config.orders < 0 or config.days < 1 or config.batch_size < 1:
        raise ValueError("orders must be ≥ 0, days and batch_size ≥ 1.")
    started = time.monotonic()
    result = DemoResult()
    shops = shops_create(
        rng=random.Random(f"{config.seed}:shops"), count=merchant_count(config.orders)
    )
    result.merchants = len(shops)
    result.products = sum(len(s.products) for s in shops)
    customers = _Customers(pks=array("q"), cities=[])
    count = customer_count(config.orders)
    with Progress("customers", count, enabled=show_progress, unit="customers") as progress:
        rng = random.Random(f"{config.seed}:customers")
        for pk, city in customers_create(
            rng=rng, count=count, batch_size=config.batch_size, progress=progress
        ):
            customers.pks.append(pk)
            customers.cities.append(city)
    result.customers = count
    with Progress("orders", config.orders, enabled=show_progress, unit="orders") as progress:
        _orders_create(config, shops, customers, result, progress)
    result.logins = demo_logins_create(
        rng=random.Random(f"{config.seed}:logins"),
        merchant_ids=[s.merchant_id for s in shops[:2]],
        customer_ids=list(customers.pks[:3]),
    )
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _orders_create(
    config: DemoConfig,
    shops: list[Shop],
    customers: _Customers,
    result: DemoResult,
    progress: Progress,
) -> None:
    rng = random.Random(f"{config.seed}:orders")
    tz = timezone.get_default_timezone()
    picker = DayPicker.build(until=config.until, days=config.days)
    now = datetime.combine(config.until + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    for start in range(0, config.orders, config.batch_size):
        stop = min(start + config.batch_size, config.orders)
        plans = [_plan(rng, n, picker, now, tz, shops, customers) for n in range(start, stop)]
        with transaction.atomic():
            _write_batch(plans, result)
        # With DEBUG on, Django keeps every SQL string: a million orders' worth would not fit.
        connection.queries_log.clear()
        progress.advance(len(plans))


@dataclass
class _Plan:
    order: Order
    life: OrderLife
    items: list[OrderItem]
    tracking: str = ""


def _plan(
    rng: random.Random,
    n: int,
    picker: DayPicker,
    now: datetime,
    tz: object,
    shops: list[Shop],
    customers: _Customers,
) -> _Plan:
    placed = picker.placed_at(rng, tz)  # type: ignore[arg-type]
    # Returning customers: a few buy often, most buy once or twice.
    who = int(len(customers.pks) * rng.random() ** 1.6)
    city = customers.cities[who]
    life = simulate_order(rng, placed_at=placed, now=now, city=city, remote=city in REMOTE_CITIES)
    shop = shops[int(len(shops) * rng.random() ** 1.3)]
    lines = 1 if rng.random() < 0.65 else (2 if rng.random() < 0.7 else 3)
    items = []
    for line_no, entry in enumerate(rng.sample(shop.products, min(lines, len(shop.products))), 1):
        quantity = 1 if rng.random() < 0.85 else rng.randrange(2, 4)
        items.append(
            OrderItem(
                line_no=line_no,
                product_id=entry.product_id,
                merchant_id=shop.merchant_id,
                sku=entry.sku,
                quantity=quantity,
                unit_price=entry.price,
                freight=_FREIGHT[rng.randrange(len(_FREIGHT))] if line_no == 1 else Decimal("0"),
            )
        )
    total = sum((i.unit_price * i.quantity + i.freight for i in items), Decimal("0"))
    order = Order(
        source=DEMO_SOURCE,
        external_id=f"{placed:%Y%m%d}{n + 1:09d}",
        status=life.status,
        merchant_id=shop.merchant_id,
        customer_id=customers.pks[who],
        total_amount=total,
        has_freight_insurance=rng.random() < 0.3,
        placed_at=life.placed_at,
        paid_at=life.paid_at,
        approved_at=life.approved_at,
        shipped_at=life.shipped_at,
        delivered_at=life.delivered_at,
        completed_at=life.completed_at,
        cancelled_at=life.cancelled_at,
        promised_delivery_at=life.promised_delivery_at,
    )
    tracking = tracking_number(life.carrier, n) if life.carrier and life.shipped_at else ""
    return _Plan(order=order, life=life, items=items, tracking=tracking)


def _write_batch(plans: list[_Plan], result: DemoResult) -> None:
    Order.objects.bulk_create([p.order for p in plans])
    items = []
    for plan in plans:
        for item in plan.items:
            item.order_id = plan.order.pk
            items.append(item)
    OrderItem.objects.bulk_create(items)
    shipped = [p for p in plans if p.tracking]
    shipments = [
        Shipment(
            order_id=p.order.pk,
            carrier=p.life.carrier or "",
            tracking_number=p.tracking,
            shipped_at=p.life.shipped_at,
            delivered_at=p.life.delivered_at,
        )
        for p in shipped
    ]
    Shipment.objects.bulk_create(shipments)
    events = [
        LogisticsEvent(
            shipment_id=shipment.pk,
            event_id=f"demo-{plan.tracking}-{k}",
            type=scan.type,
            occurred_at=scan.at,
            location=scan.location,
            description=scan.description,
        )
        for plan, shipment in zip(shipped, shipments, strict=True)
        for k, scan in enumerate(plan.life.scans, 1)
    ]
    LogisticsEvent.objects.bulk_create(events)
    result.orders += len(plans)
    result.order_items += len(items)
    result.shipments += len(shipments)
    result.logistics_events += len(events)
