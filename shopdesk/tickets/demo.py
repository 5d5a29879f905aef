"""Demo tickets: agents, teams and a stream of tickets on the demo orders, written only through
the ticket services (ticket_create with a past `now`, replies, hand-offs, ratings, the SLA
marking of the scan), so timelines, SLA clocks, breaches and agent loads are genuine.

Tickets fall on ~6.5 % of the orders (at most MAX_TICKETS), most about late parcels and
returns. Each one lives its life step by step; a step that would happen after `now` is not
taken, so the newest tickets are still waiting in the queues. The same seed and `now` give the
same tickets.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from shopdesk.core.progress import Progress
from shopdesk.orders.demo.logins import DemoLogin
from shopdesk.orders.models import Order
from shopdesk.tickets.demo_life import TicketLife
from shopdesk.tickets.demo_staff import DemoStaff, demo_staff_setup
from shopdesk.tickets.demo_texts import DESCRIPTIONS
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import TicketIntake, ticket_create, tickets_auto_close
from shopdesk.tickets.services.notify import customer_notifications_suppressed
from shopdesk.tickets.services.sla_scan import ticket_sla_scan
from shopdesk.tickets.states import Channel, Priority

TICKET_SHARE: Final = 0.065
MAX_TICKETS: Final = 1500
BATCH: Final = 50
# category code -> weight, by how far the order got
_WEIGHTS: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    "delivered": (
        ("return_refund", 28),
        ("logistics_delay", 20),
        ("product_quality", 11),
        ("not_as_described", 9),
        ("damaged_in_transit", 7),
        ("wrong_or_missing_item", 7),
        ("price_promotion", 5),
        ("account_invoice", 5),
        ("payment", 3),
        ("other", 3),
        ("suggestion", 2),
    ),
    "shipped": (("logistics_delay", 75), ("price_promotion", 10), ("other", 10), ("payment", 5)),
    "cancelled": (("payment", 45), ("return_refund", 35), ("stock_out", 20)),
    "open": (
        ("logistics_delay", 45),
        ("stock_out", 20),
        ("payment", 15),
        ("price_promotion", 10),
        ("other", 10),
    ),
}
_CHANNELS: Final = ((Channel.PORTAL, 60), (Channel.PHONE, 25), (Channel.API, 15))
# Local hour a customer writes at: morning and evening rushes, quiet nights.
_HOUR_WEIGHTS: Final = (
    2,
    1,
    0.5,
    0.3,
    0.3,
    0.5,
    1,
    2,
    4,
    7,
    8,
    7,
    5,
    5,
    6,
    6,
    6,
    5,
    5,
    7,
    9,
    9,
    6,
    3,
)


@dataclass
class _Plan:
    order: Order
    category: str
    created: datetime


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _plan(rng: random.Random, order: Order) -> _Plan:
    """What the customer complains about, and when, from how far the order got."""
    if order.delivered_at:
        stage, base = "delivered", order.delivered_at + timedelta(days=rng.expovariate(1 / 1.5))
    elif order.cancelled_at:
        stage, base = "cancelled", order.cancelled_at + timedelta(hours=rng.uniform(0.5, 24))
    elif order.shipped_at:
        stage, base = "shipped", order.shipped_at + timedelta(days=rng.uniform(2, 6))
    else:
        stage, base = "open", order.placed_at + timedelta(days=rng.uniform(1, 3))
    category = _weighted(rng, _WEIGHTS[stage])
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    local = timezone.localtime(base)
    created = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    if created < local:
        created += timedelta(days=1)
    return _Plan(order=order, category=category, created=created)


def _plans(rng: random.Random, *, now: datetime, orders: int | None) -> list[_Plan]:
    ids = list(Order.objects.order_by("id").values_list("id", flat=True)[:orders])
    count = min(MAX_TICKETS, round(len(ids) * TICKET_SHARE))
    chosen = sorted(rng.sample(ids, count)) if ids else []
    by_id = Order.objects.select_related("customer").in_bulk(chosen)
    plans = [_plan(rng, by_id[pk]) for pk in chosen]
    plans = sorted((p for p in plans if p.created < now), key=lambda p: p.created)
    # The newest few arrive in the last hours, a third in the last 12 minutes, so the console
    # has live queues with tickets about to breach.
    for n, plan in enumerate(plans[-max(4, len(plans) // 25) :]):
        minutes = (rng.uniform(1, 12), rng.uniform(12, 40), rng.uniform(40, 300))[n % 3]
        plan.created = now - timedelta(minutes=minutes)
    return sorted(plans, key=lambda p: (p.created, p.order.pk))


def _open(rng: random.Random, plan: _Plan, staff: DemoStaff) -> Ticket:
    customer = plan.order.customer
    assert customer is not None  # noqa: S101 - every demo order has a customer
    language = "en" if customer.language.startswith("en") else "zh-hans"
    channel = _weighted(rng, _CHANNELS)
    text = rng.choice(texts_for(plan.category, language)).format(
        order=plan.order.external_id, days=rng.randint(2, 7)
    )
    priority = Priority.HIGH if plan.category == "payment" or rng.random() < 0.06 else None
    intake = TicketIntake(
        channel=channel,
        customer=customer,
        category_code=plan.category,
        description=text,
        order=plan.order,
        priority=priority or Priority.NORMAL,
        language=language,
        actor=staff.agent_for(rng, language) if channel == Channel.PHONE else None,
        intake_key=f"demo:{plan.order.external_id}" if channel == Channel.API else "",
    )
    return ticket_create(intake=intake, now=plan.created).ticket


def texts_for(category: str, language: str) -> tuple[str, ...]:
    from_category = DESCRIPTIONS.get(category) or DESCRIPTIONS["other"]
    return from_category[language]


def demo_tickets(
    *,
    rng: random.Random,
    now: datetime,
    orders: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Agents, teams and tickets on the first `orders` demo orders (None: all of them).

    Returns counts, the tickets by status and the new logins (DemoLogin) to print.
    """
    staff, logins = demo_staff_setup(rng=rng, now=now)
    plans = _plans(rng, now=now, orders=orders)
    if progress is not None:
        progress.total = len(plans)
    for start in range(0, len(plans), BATCH):
        # Made-up history must not fill the outbox with a year of "your ticket changed"
        # e-mails (the local server would print each one).
        with transaction.atomic(), customer_notifications_suppressed():
            for plan in plans[start : start + BATCH]:
                ticket = _open(rng, plan, staff)
                TicketLife(ticket=ticket, rng=rng, staff=staff, now=now).run()
        connection.queries_log.clear()
        if progress is not None:
            progress.advance(len(plans[start : start + BATCH]))
    with customer_notifications_suppressed():
        while tickets_auto_close(now=now):
            pass
        ticket_sla_scan(now=now)
    return _summary(logins)


def _summary(logins: list[DemoLogin]) -> dict[str, Any]:
    by_status = dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "tickets": sum(by_status.values()),
        "by_status": by_status,
        "logins": logins,
    }


def demo_tickets_delete() -> None:
    """Remove every ticket and what hangs on it (events, attachments, compensation), e.g.
    before deleting the demo orders; notifications are left to their own retention."""
    with transaction.atomic():
        Ticket.objects.filter(parent__isnull=False).delete()
        Ticket.objects.all().delete()
