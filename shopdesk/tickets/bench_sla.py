"""SLA state of benchmark tickets, computed by the real clock functions of `tickets.sla`, and the
SLA-scan stage of the benchmark.

A seeded ticket walks the life its status implies (created, first reply, customer message,
hand-off, resolved, reopened) through `sla_start`, `sla_on_public_reply`, `sla_on_status`...
so its deadlines, pauses and summary columns are exactly what the services would have left.
Warnings and deadlines already past are recorded in `sla_marks` as earlier scans would have,
except on the tickets picked as "due", whose marks are left empty: those are what one scan at
`now` has to record.
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from shopdesk.accounts.models import Customer, Team
from shopdesk.tickets import sla
from shopdesk.tickets.bench_copy import copy_update
from shopdesk.tickets.models import Category, Ticket
from shopdesk.tickets.services.sla_scan import ticket_sla_scan
from shopdesk.tickets.states import ACTIVE_STATUSES, Party, Priority, SlaClock, TicketStatus

S = TicketStatus
# Columns the lifecycle writes (the SLA-scan stage rewrites these on the active tickets).
SLA_COLUMNS: Final = (
    "status_changed_at",
    "responsible_party",
    "handoff_count",
    "last_handoff_from",
    "reopen_count",
    "customer_last_message_at",
    "resolved_at",
    "closed_at",
    "sla_policy_id",
    "first_reply_warn_at",
    "first_reply_due_at",
    "first_replied_at",
    "next_reply_warn_at",
    "next_reply_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "merchant_warn_at",
    "merchant_due_at",
    "sla_next_at",
    "sla_due_at",
    "sla_paused_at",
    "sla_breached_at",
    "sla_marks",
)
LATE_SHARE: Final = 0.07  # replies and resolutions after their deadline
PRIORITIES: Final = (
    (Priority.URGENT, 2),
    (Priority.HIGH, 13),
    (Priority.NORMAL, 75),
    (Priority.LOW, 10),
)


def pick(rng: random.Random, mix: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights)[0]


@dataclass(frozen=True)
class SlaContext:
    """In-memory rows the clock functions read, so computing costs no query per ticket."""

    categories: dict[int, Category]
    customers: dict[int, Customer]
    teams: dict[int, Team]

    @classmethod
    def load(cls, *, customer_ids: list[int]) -> "SlaContext":
        return cls(
            categories={c.pk: c for c in Category.objects.all()},
            customers={c.pk: c for c in Customer.objects.filter(pk__in=customer_ids).only("tier")},
            teams={t.pk: t for t in Team.objects.all()},
        )


def _target(ticket: Ticket, attr: str, default: int) -> float:
    policy = sla.ticket_policy(ticket)
    return float(getattr(policy, attr, None) or default)


def _answer_time(ticket: Ticket, start: datetime, minutes: float, rng: random.Random) -> datetime:
    factor = rng.uniform(1.05, 2.5) if rng.random() < LATE_SHARE else rng.uniform(0.1, 0.95)
    return start + timedelta(minutes=minutes * factor)


def _status(ticket: Ticket, new: TicketStatus, at: datetime) -> None:
    sla.sla_on_status(ticket, old=ticket.status, new=new, now=at)
    ticket.status, ticket.status_changed_at = new, at
    if new == S.RESOLVED:
        ticket.resolved_at = at


def _walk(ticket: Ticket, final: TicketStatus, now: datetime, rng: random.Random) -> None:
    """Replay the life that leads to `final`; every moment stays before `now`."""
    created = ticket.created_at
    sla.sla_start(ticket, now=created)
    if final == S.NEW:
        return
    first = _answer_time(ticket, created, _target(ticket, "first_reply_minutes", 15), rng)
    first = min(first, now - timedelta(seconds=rng.uniform(1, 60)))
    sla.sla_on_public_reply(ticket, now=first)
    _status(ticket, S.OPEN, first)

    def later(after: datetime) -> datetime:
        return after + (now - after) * rng.uniform(0.05, 0.95)

    if final in (S.RESOLVED, S.CLOSED):
        resolution = _target(ticket, "resolution_minutes", 1440)
        resolved: datetime = max(_answer_time(ticket, created, resolution, rng), first)
        resolved = min(resolved, now)
        _status(ticket, S.RESOLVED, resolved)
        if final == S.CLOSED:
            closed: datetime = min(resolved + timedelta(days=3), now)
            ticket.status, ticket.status_changed_at, ticket.closed_at = S.CLOSED, closed, closed
        return
    if final == S.REOPENED:
        _status(ticket, S.RESOLVED, later(first))
        ticket.reopen_count = 1
        ticket.customer_last_message_at = later(ticket.status_changed_at)  # type: ignore[arg-type]
        _status(ticket, S.REOPENED, ticket.customer_last_message_at)
        return
    if final == S.PENDING_MERCHANT:
        at = later(first)
        ticket.responsible_party, ticket.handoff_count = Party.MERCHANT, 1
        ticket.last_handoff_from = Party.PLATFORM
        sla.sla_on_party_change(ticket, now=at)
        _status(ticket, S.PENDING_MERCHANT, at)
        return
    if rng.random() < 0.5:
        ticket.customer_last_message_at = later(first)
        sla.sla_on_customer_message(ticket, now=ticket.customer_last_message_at)
    if final != S.OPEN:
        _status(ticket, final, later(ticket.customer_last_message_at or first))


def _stop_moment(ticket: Ticket, clock: SlaClock) -> datetime | None:
    if clock == SlaClock.FIRST_REPLY:
        return ticket.first_replied_at
    if clock == SlaClock.RESOLUTION and ticket.status not in ACTIVE_STATUSES:
        return ticket.resolved_at
    return None


def _fire(ticket: Ticket, cutoff: datetime) -> None:
    """Record, as earlier scans would have, every warning and deadline before `cutoff` (and
    before the clock was met or paused)."""
    marks: dict[str, dict[str, str]] = {}
    breaches = []
    for clock, (warn_field, due_field) in sla.CLOCK_FIELDS.items():
        warn_at, due_at = getattr(ticket, warn_field), getattr(ticket, due_field)
        if due_at is None:
            continue
        limits = [cutoff, _stop_moment(ticket, clock), ticket.sla_paused_at]
        limit = min(x for x in limits if x is not None)
        if due_at < limit:
            marks[clock.value] = {sla.BREACHED: due_at.isoformat()}
            breaches.append(due_at)
        elif warn_at is not None and warn_at < limit:
            marks[clock.value] = {sla.WARNED: warn_at.isoformat()}
    ticket.sla_marks = marks
    ticket.sla_breached_at = min(breaches, default=None)
    sla.sla_summary(ticket)


_TEMPLATE: Final = Ticket(responsible_party=Party.PLATFORM)


def _blank_ticket() -> Ticket:
    """A fresh unsaved ticket, copied from a template: Model.__init__ costs a third of the
    seed's time at a million tickets."""
    ticket = Ticket.__new__(Ticket)
    ticket.__dict__.update(_TEMPLATE.__dict__)
    ticket._state = ModelState()
    return ticket


def sla_columns(
    row: dict[str, Any], *, ctx: SlaContext, now: datetime, due: bool, rng: random.Random
) -> dict[str, Any]:
    """The SLA columns of a ticket row (id, created_at, status, priority, channel, category_id,
    customer_id, team_id) as the services would have left them by `now`. With `due`, the
    warnings and deadlines already past are left for the next scan to record."""
    ticket = _blank_ticket()
    ticket.id, ticket.created_at, ticket.status = row["id"], row["created_at"], S.NEW
    ticket.priority, ticket.channel = row["priority"], row["channel"]
    ticket.category = ctx.categories[row["category_id"]]
    ticket.customer = ctx.customers[row["customer_id"]]
    ticket.team = ctx.teams.get(row["team_id"]) if row["team_id"] else None
    ticket.status_changed_at = ticket.created_at
    _walk(ticket, TicketStatus(row["status"]), now, rng)
    _fire(ticket, ticket.created_at if due else now)
    return {name: getattr(ticket, name) for name in SLA_COLUMNS}


# --- the scan stage -----------------------------------------------------------------------------

_ACTIVE_FIELDS: Final = (
    "id",
    "created_at",
    "status",
    "priority",
    "channel",
    "category_id",
    "customer_id",
    "team_id",
)


def bench_sla_scan(*, tickets: Any, now: datetime, due_share: float, seed: int) -> dict[str, Any]:
    """Re-anchor the SLA state of the active bench tickets at `now` (a share of them due), then
    time one `ticket_sla_scan(now=now)`.

    Priorities are drawn again too: each scan raises the priority of breached tickets, and an
    urgent breach is reassigned (routing), so without this every rerun would cost more."""
    started = time.monotonic()
    rows = list(tickets.filter(status__in=list(ACTIVE_STATUSES)).values(*_ACTIVE_FIELDS))
    ctx = SlaContext.load(customer_ids=sorted({r["customer_id"] for r in rows}))
    updates = []
    for row in rows:
        rng = random.Random(seed * 1_000_003 + row["id"])  # noqa: S311 - test data
        due = rng.random() < due_share
        row["priority"] = pick(rng, PRIORITIES)
        values = sla_columns(row, ctx=ctx, now=now, due=due, rng=rng)
        updates.append((row["id"], {**values, "priority": row["priority"]}))
    _write_sla(updates)
    prepared = time.monotonic() - started
    open_count = Ticket.objects.filter(status__in=list(ACTIVE_STATUSES)).count()
    due_count = Ticket.objects.filter(
        sla_next_at__lte=now, status__in=list(ACTIVE_STATUSES)
    ).count()
    started = time.monotonic()
    counts = ticket_sla_scan(now=now)
    seconds = time.monotonic() - started
    return {
        "open_tickets": open_count,
        "bench_open_tickets": len(rows),
        "due_before_scan": due_count,
        "prepare_seconds": round(prepared, 3),
        "seconds": round(seconds, 3),
        **counts,
    }


def _write_sla(updates: list[tuple[int, dict[str, Any]]]) -> None:
    if not updates:
        return
    columns = (*SLA_COLUMNS, "priority")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_update(model=Ticket, columns=columns, rows=updates, now=timezone.now())
            return
        objects = [Ticket(id=pk, **values) for pk, values in updates]
        Ticket.objects.bulk_update(objects, list(columns), batch_size=500)
