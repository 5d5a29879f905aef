"""Seed N benchmark tickets with their timelines in batches: COPY on PostgreSQL, bulk_create on
SQLite. Going through the services would take hours for a million tickets; the rows written
here are what the services would have left (SLA columns come from the real clock functions).

Tickets belong to the benchmark's customers (source "bench") and have no `created_by`; tickets
opened later through the API by the bench have `created_by` set. Seeding is resumable: each
batch commits on its own and a rerun continues from the number of seeded tickets found.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, Customer, Merchant
from shopdesk.orders.models import Order
from shopdesk.tickets.bench_copy import copy_rows
from shopdesk.tickets.bench_people import BENCH, BenchCustomer, BenchPeople
from shopdesk.tickets.bench_sla import PRIORITIES, SlaContext, pick, sla_columns
from shopdesk.tickets.models import Attachment, Category, Compensation, Ticket, TicketEvent
from shopdesk.tickets.states import ACTIVE_STATUSES, Channel, TicketStatus

S = TicketStatus
HISTORY_DAYS: Final = 365  # closed and resolved tickets
ACTIVE_DAYS: Final = 14  # tickets still being worked on were opened recently
ACTIVE_MIX: Final = ((S.NEW, 20), (S.OPEN, 35), (S.PENDING_CUSTOMER, 20))
ACTIVE_MIX_REST: Final = ((S.PENDING_MERCHANT, 10), (S.ON_HOLD, 5), (S.REOPENED, 10))
DONE_MIX: Final = ((S.CLOSED, 70), (S.RESOLVED, 30))
CHANNELS: Final = (
    (Channel.PORTAL, 45),
    (Channel.API, 20),
    (Channel.PHONE, 15),
    (Channel.EMAIL, 10),
    (Channel.CHAT, 10),
)
CATEGORY_WEIGHTS: Final = {
    "logistics_delay": 22,
    "return_refund": 20,
    "product_quality": 12,
    "not_as_described": 8,
    "wrong_or_missing_item": 8,
    "damaged_in_transit": 8,
    "payment": 5,
    "price_promotion": 4,
    "other": 4,
    "stock_out": 3,
    "account_invoice": 3,
    "suggestion": 2,
    "service_complaint": 2,
}
DESCRIPTIONS: Final = (
    "快递三天没有更新了，请帮我查一下包裹到哪里了。",
    "收到的商品有破损，外包装也压坏了，希望退货退款。",
    "颜色和详情页描述不一致，申请换货。",
    "少发了一件配件，订单里写的是两件。",
    "优惠券没有生效，多付了二十元，请退差价。",
    "The parcel says delivered but I never received it.",
    "The item stopped working after two days, I would like a replacement.",
    "请问发票什么时候可以开好？",
)
REPLIES: Final = (
    "您好，已为您联系快递核实，预计24小时内给您答复。",
    "非常抱歉给您带来不便，已为您登记退货，请按页面提示寄回。",
    "您好，差价已原路退回，预计1-3个工作日到账。",
    "Hello, we have asked the carrier and will come back to you within 24 hours.",
    "Sorry about that: a replacement is on its way, tracking number to follow.",
)
RATINGS: Final = ((5, 55), (4, 25), (3, 10), (2, 5), (1, 5))
EVENT_COLUMNS: Final = (
    "created_at",
    "updated_at",
    "ticket_id",
    "type",
    "is_public",
    "author_id",
    "author_kind",
    "body",
    "data",
)


@dataclass(frozen=True)
class SeedConfig:
    tickets: int
    active: int
    seed: int = 42
    batch: int = 50_000


def seeded_tickets() -> QuerySet[Ticket]:
    """The tickets this seed made (the bench's API creates have `created_by` set)."""
    return bench_tickets_all().filter(created_by__isnull=True)


def bench_tickets_all() -> QuerySet[Ticket]:
    """Every ticket of the bench's customers: seeded, or opened through the API by the bench."""
    return Ticket.objects.filter(customer__source=BENCH)


class _Generator:
    """Rows of tickets and events for index i of N: the last `active` indexes are active."""

    def __init__(self, *, config: SeedConfig, people: BenchPeople, now: datetime) -> None:
        self.config, self.people, self.now = config, people, now
        self.ctx = SlaContext.load(customer_ids=[c.pk for c in people.customers])
        codes = dict(Category.objects.filter(is_active=True).values_list("code", "pk"))
        self.categories = tuple(
            (pk, CATEGORY_WEIGHTS.get(code, 1)) for code, pk in sorted(codes.items())
        )
        self.blank = {
            f.attname: f.get_default() for f in Ticket._meta.concrete_fields if f.attname != "id"
        }
        self.done = config.tickets - config.active

    def created_at(self, i: int, rng: random.Random) -> datetime:
        if i < self.done:
            span = timedelta(days=HISTORY_DAYS - ACTIVE_DAYS)
            start = self.now - timedelta(days=HISTORY_DAYS)
            return start + span * (i / max(self.done, 1)) + timedelta(minutes=rng.uniform(0, 5))
        span = timedelta(days=ACTIVE_DAYS) - timedelta(minutes=20)
        start = self.now - timedelta(days=ACTIVE_DAYS)
        position = (i - self.done) / max(self.config.active, 1)
        return start + span * position + timedelta(minutes=rng.uniform(0, 10))

    def status(self, i: int, rng: random.Random) -> TicketStatus:
        if i < self.done:
            return TicketStatus(pick(rng, DONE_MIX))
        return TicketStatus(pick(rng, ACTIVE_MIX + ACTIVE_MIX_REST))

    def ticket(self, i: int, pk: int) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        rng = random.Random(self.config.seed * 1_000_003 + i)  # noqa: S311 - test data
        customer: BenchCustomer = rng.choice(self.people.customers)
        status = self.status(i, rng)
        assignee = None
        if status != S.PENDING_MERCHANT and not (status == S.NEW and rng.random() < 0.5):
            assignee = rng.choice(self.people.agent_ids)
        team = self.people.agent_team[assignee] if assignee else None
        if assignee is None and status != S.PENDING_MERCHANT:
            team = self.people.service_team_id
        row: dict[str, Any] = {
            "id": pk,
            "created_at": self.created_at(i, rng),
            "status": status,
            "priority": pick(rng, PRIORITIES),
            "channel": pick(rng, CHANNELS),
            "category_id": pick(rng, self.categories),
            "customer_id": customer.pk,
            "team_id": team,
        }
        row.update(sla_columns(row, ctx=self.ctx, now=self.now, due=False, rng=rng))
        description = rng.choice(DESCRIPTIONS)
        with_order = rng.random() < 0.7
        row.update(
            number=f"AS-{timezone.localtime(row['created_at']):%Y%m%d}-{pk:06d}",
            subject=description[:60],
            language=customer.language,
            order_id=customer.order_id if with_order else None,
            merchant_id=customer.merchant_id if with_order else None,
            assignee_id=assignee,
            updated_at=row["status_changed_at"] or row["created_at"],
        )
        if status == S.CLOSED and rng.random() < 0.4:
            row.update(rating=pick(rng, RATINGS), rated_at=row["closed_at"])
        return {**self.blank, **row}, self.events(row, description, rng)

    def events(
        self, row: dict[str, Any], description: str, rng: random.Random
    ) -> list[tuple[Any, ...]]:
        """created + the customer's message, then the first reply and the last status change:
        2 to 4 lines, as the services write them."""
        pk, created = row["id"], row["created_at"]
        events: list[tuple[Any, ...]] = [
            (
                created,
                created,
                pk,
                "created",
                True,
                None,
                "system",
                "",
                {"channel": row["channel"]},
            ),
            (created, created, pk, "message", True, None, "customer", description, {}),
        ]
        replied = row["first_replied_at"]
        if replied is not None:
            author = row["assignee_id"] or rng.choice(self.people.agent_ids)
            events.append(
                (replied, replied, pk, "message", True, author, "agent", rng.choice(REPLIES), {})
            )
        status, changed = row["status"], row["status_changed_at"]
        if status not in (S.NEW, S.OPEN) and changed is not None:
            before = S.RESOLVED if status == S.CLOSED else S.OPEN
            data = {"from": before.value, "to": status.value}
            events.append((changed, changed, pk, "status_changed", True, None, "system", "", data))
        return events


def _write(tickets: list[dict[str, Any]], events: list[tuple[Any, ...]]) -> None:
    if connection.vendor == "postgresql":
        fields = Ticket._meta.concrete_fields
        copy_rows(
            table=Ticket._meta.db_table,
            columns=[f.column for f in fields],
            rows=([t[f.attname] for f in fields] for t in tickets),
        )
        copy_rows(table=TicketEvent._meta.db_table, columns=EVENT_COLUMNS, rows=events)
        return
    Ticket.objects.bulk_create([Ticket(**t) for t in tickets], batch_size=500)
    TicketEvent.objects.bulk_create(
        [TicketEvent(**dict(zip(EVENT_COLUMNS, e, strict=True))) for e in events], batch_size=500
    )


def bench_seed(
    *, config: SeedConfig, people: BenchPeople, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Add seeded tickets until there are `config.tickets`; returns counts and seconds."""
    existing = seeded_tickets().count()
    started = time.monotonic()
    generator = _Generator(config=config, people=people, now=timezone.now())
    made = events = 0
    for start in range(existing, config.tickets, config.batch):
        end = min(start + config.batch, config.tickets)
        with transaction.atomic():
            base = (Ticket.objects.aggregate(top=Max("id"))["top"] or 0) + 1
            tickets, lines = [], []
            for i in range(start, end):
                row, row_events = generator.ticket(i, base + i - start)
                tickets.append(row)
                lines += row_events
            _write(tickets, lines)
        made, events = made + len(tickets), events + len(lines)
        if progress:
            progress(
                f"seeded {end:,} / {config.tickets:,} tickets ({time.monotonic() - started:.0f} s)"
            )
    _sync_sequence()
    seconds = time.monotonic() - started
    _agent_loads(people)
    return {
        "existing_before": existing,
        "created": made,
        "events": events,
        "seconds": round(seconds, 3),
        "tickets_per_second": round(made / seconds, 1) if made and seconds else None,
    }


def _sync_sequence() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id inserted
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - our own table
            f"(SELECT COALESCE(MAX(id), 1) FROM {Ticket._meta.db_table}))",
            [Ticket._meta.db_table],
        )


def _agent_loads(people: BenchPeople) -> None:
    """Agent profiles count their active tickets (what routing reads instead of COUNTing)."""
    counts = dict(
        Ticket.objects.filter(assignee_id__in=people.agent_ids, status__in=list(ACTIVE_STATUSES))
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    for user_id in people.agent_ids:
        AgentProfile.objects.filter(user_id=user_id).update(
            active_ticket_count=counts.get(user_id, 0)
        )


def tables_vacuum_analyze() -> float | None:
    """VACUUM ANALYZE the ticket tables: the steady state autovacuum reaches after a while.
    Right after a bulk load the planner knows nothing of the new rows, and without a visibility
    map every COUNT reads the table instead of an index only (measured: 60 ms vs 11 ms for the
    breaching queue's count at 1M tickets). Inside a transaction only ANALYZE can run."""
    if connection.vendor != "postgresql":
        return None
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    started = time.monotonic()
    with connection.cursor() as cursor:
        for model in (Ticket, TicketEvent):
            cursor.execute(f"{command} {model._meta.db_table}")
    return round(time.monotonic() - started, 3)


def bench_reset() -> dict[str, int]:
    """Delete every ticket of the bench's customers (seeded or opened through the API), their
    timelines, and the bench's orders, customers and merchants. Bench logins and teams stay."""
    tickets = bench_tickets_all()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            deleted = _raw_reset(tickets)
        else:
            deleted = tickets.count()
            tickets.delete()
        Order.objects.filter(source=BENCH).delete()
        Customer.objects.filter(source=BENCH).delete()
        Merchant.objects.filter(source=BENCH).delete()
        AgentProfile.objects.filter(user__username__startswith="bench-").update(
            active_ticket_count=0
        )
    return {"tickets_deleted": deleted}


def _raw_reset(tickets: QuerySet[Ticket]) -> int:
    """One DELETE per table: the ORM would load a million tickets to cascade."""
    ids_sql, params = tickets.values("id").query.sql_with_params()
    children = (
        (
            Attachment,
            f"event_id IN (SELECT id FROM {TicketEvent._meta.db_table} "  # noqa: S608
            f"WHERE ticket_id IN ({ids_sql}))",
        ),
        (Ticket.tags.through, f"ticket_id IN ({ids_sql})"),
        (Compensation, f"ticket_id IN ({ids_sql})"),
        (TicketEvent, f"ticket_id IN ({ids_sql})"),
    )
    with connection.cursor() as cursor:
        for model, where in children:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)  # noqa: S608
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET parent_id = NULL "  # noqa: S608
            f"WHERE parent_id IN ({ids_sql})",
            params,
        )
        cursor.execute(
            f"DELETE FROM {Ticket._meta.db_table} WHERE id IN ({ids_sql})",  # noqa: S608
            params,
        )
        return int(cursor.rowcount)
