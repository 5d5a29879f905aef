"""The SLA scan: turn every warning or deadline that has come into exactly one timeline event,
and escalate breaches as the ticket's policy says.

Run every 30 seconds (Celery beat, or the in-process scheduler), so an event lands within a
minute of its moment. One indexed query (`ticket_sla_next_idx`) finds a batch of due tickets
with their team, supervisor and policy; each is written by compare-and-set on its version, and
the events and supervisor notifications of the tickets whose write won are inserted in bulk in
the same transaction. A second scanner or an agent writing at the same moment makes a ticket's
write fail: nothing of it is recorded and it is simply looked at again on the next pass, so a
warning or breach is never recorded twice.

Reassignments and take-backs (routing, a few queries each) run once the batch is committed,
one ticket at a time, each under its own savepoint: a failed one is logged and does not undo the
breach or the other escalations.
"""

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.notifications.services import OutboxMessage, notifications_enqueue_many
from shopdesk.tickets import sla
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.routing import route_ticket
from shopdesk.tickets.services.assignment import ticket_assign
from shopdesk.tickets.services.base import event_add
from shopdesk.tickets.services.handoff import ticket_take_back
from shopdesk.tickets.services.save_many import tickets_save_many
from shopdesk.tickets.states import (
    ACTIVE_STATUSES,
    AuthorKind,
    EventType,
    Party,
    Priority,
    SlaClock,
    priority_raised,
)

logger = logging.getLogger(__name__)

MAX_ROUNDS: Final = 50
COUNTS: Final = ("selected", "warnings", "breaches", "conflicts", "escalations")
NOTIFY: Final = "notify_supervisor"
REASSIGN: Final = "reassign"
ESCALATIONS_PER_COMMIT: Final = 10
TAKE_BACK: Final = "take_back"


@dataclass
class _Fired:
    """What one pass found due on one ticket."""

    events: list[tuple[EventType, SlaClock, datetime]] = field(default_factory=list)
    breached: list[SlaClock] = field(default_factory=list)


@dataclass
class _Batch:
    """What a batch wrote, and the escalations left for after its commit."""

    counts: Counter[str] = field(default_factory=Counter)
    events: list[TicketEvent] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    later: list[tuple[Ticket, SlaClock, str]] = field(default_factory=list)


def _due(ticket: Ticket, now: datetime) -> _Fired:
    fired = _Fired()
    marks = {k: dict(v) for k, v in (ticket.sla_marks or {}).items()}
    for clock in sla.running_clocks(ticket):
        warn_field, due_field = sla.CLOCK_FIELDS[clock]
        warn_at, due_at = getattr(ticket, warn_field), getattr(ticket, due_field)
        done = marks.setdefault(clock.value, {})
        if sla.BREACHED not in done and due_at <= now:
            # A breach found together with its warning records the breach only.
            done[sla.BREACHED] = now.isoformat()
            fired.events.append((EventType.SLA_BREACH, clock, due_at))
            fired.breached.append(clock)
        elif (
            warn_at is not None
            and sla.WARNED not in done
            and sla.BREACHED not in done
            and warn_at <= now
        ):
            done[sla.WARNED] = now.isoformat()
            fired.events.append((EventType.SLA_WARNING, clock, due_at))
    ticket.sla_marks = {k: v for k, v in marks.items() if v}
    return fired


def _raise_priority(ticket: Ticket, fired: _Fired, now: datetime) -> tuple[str, list[str]]:
    """On a platform clock's breach, one step up if the policy says so (in the same write)."""
    policy = ticket.sla_policy
    platform_breach = any(clock != SlaClock.MERCHANT for clock in fired.breached)
    if not (platform_breach and policy and policy.escalate_raise_priority):
        return "", []
    if ticket.priority == Priority.URGENT:
        return "", []
    old = ticket.priority
    ticket.priority = priority_raised(old)
    return old, ["priority", *sla.sla_on_priority_change(ticket, now=now)]


def _event(
    ticket: Ticket, kind: EventType, data: Mapping[str, object], now: datetime
) -> TicketEvent:
    """A system line of the timeline, as `event_add` makes it, for one bulk INSERT."""
    return TicketEvent(
        ticket=ticket,
        type=kind,
        author=None,
        author_kind=AuthorKind.SYSTEM,
        body="",
        is_public=False,
        data=dict(data),
        created_at=now,
    )


@dataclass
class _Write:
    """One ticket's write in a pass: every clock due at once, in one compare-and-set."""

    ticket: Ticket
    fired: _Fired
    fields: list[str]
    old_priority: str


def _plan(ticket: Ticket, now: datetime) -> _Write:
    """The warnings and breaches due on the ticket, applied in memory only."""
    fired = _due(ticket, now)
    fields = ["sla_marks"]
    if fired.breached and ticket.sla_breached_at is None:
        ticket.sla_breached_at = now
        fields.append("sla_breached_at")
    old_priority, priority_fields = _raise_priority(ticket, fired, now)
    fields += priority_fields
    fields += sla.sla_summary(ticket)
    return _Write(ticket, fired, fields, old_priority)


def _record(write: _Write, batch: _Batch, now: datetime) -> None:
    """Queue the events and escalations of a write that won."""
    ticket = write.ticket
    for kind, clock, due_at in write.fired.events:
        data = {"clock": clock.value, "due_at": due_at.isoformat()}
        batch.events.append(_event(ticket, kind, data, now))
        batch.counts["breaches" if kind == EventType.SLA_BREACH else "warnings"] += 1
    if write.old_priority:
        data = {"from": write.old_priority, "to": ticket.priority, "rule": "sla_breach"}
        batch.events.append(_event(ticket, EventType.PRIORITY_CHANGED, data, now))
        batch.counts["escalations"] += 1
    _plan_escalations(ticket, write.fired.breached, batch, now)


def _plan_escalations(
    ticket: Ticket, breached: list[SlaClock], batch: _Batch, now: datetime
) -> None:
    """Supervisor notifications go in the batch; a take-back per merchant breach and at most
    one reassignment per pass wait for the commit."""
    policy = ticket.sla_policy
    supervisor = ticket.team.supervisor if ticket.team is not None else None
    reassign = policy is not None and policy.escalate_reassign
    for clock in breached:
        if clock == SlaClock.MERCHANT:
            batch.later.append((ticket, clock, TAKE_BACK))
            continue
        if supervisor is not None and (policy is None or policy.escalate_notify_supervisor):
            batch.messages.append(_supervisor_message(ticket, supervisor, clock, now))
            data = {"clock": clock.value, "action": NOTIFY}
            batch.events.append(_event(ticket, EventType.ESCALATED, data, now))
            batch.counts["escalations"] += 1
        if reassign:
            batch.later.append((ticket, clock, REASSIGN))
            reassign = False


def _supervisor_message(
    ticket: Ticket, supervisor: User, clock: SlaClock, now: datetime
) -> OutboxMessage:
    label = ticket.number or f"#{ticket.pk}"
    due_at = getattr(ticket, sla.CLOCK_FIELDS[clock][1]) or now
    return OutboxMessage(
        channel="in_app",
        user=supervisor,
        subject=gettext("SLA breached: ticket %(number)s") % {"number": label},
        body=gettext("The %(clock)s target of ticket %(number)s was missed at %(due)s.")
        % {
            "clock": clock.label,
            "number": label,
            "due": f"{timezone.localtime(due_at):%Y-%m-%d %H:%M}",
        },
        language=supervisor.language,
        ref=f"ticket:{ticket.pk}",
        # In UTC: the same deadline read back from the database or recomputed in the calendar's
        # zone gives the same key.
        dedupe_key=f"sla-breach:{ticket.pk}:{clock.value}:{due_at.astimezone(UTC).isoformat()}",
    )


def _mark_batch(tickets: Sequence[Ticket], now: datetime) -> _Batch:
    """Mark `tickets` inside the caller's transaction: one compare-and-set write per ticket
    (a few UPDATEs for the lot), then one INSERT of all the events and one of the supervisor
    notifications of the writes that won."""
    batch = _Batch(counts=Counter(selected=len(tickets)))
    writes = [_plan(ticket, now) for ticket in tickets]
    # The compare-and-set that makes this exactly-once: a ticket that changed since it was
    # read writes nothing, and none of its events or notifications are inserted.
    won = tickets_save_many(writes=[(w.ticket, w.fields) for w in writes], now=now)
    for write, ok in zip(writes, won, strict=True):
        if ok:
            _record(write, batch, now)
        else:
            batch.counts["conflicts"] += 1
    TicketEvent.objects.bulk_create(batch.events)
    notifications_enqueue_many(messages=batch.messages)
    return batch


class _Assignees:
    """The agents routing picked during one scan, one instance each: their permissions are
    read once, not once per reassigned ticket."""

    def __init__(self) -> None:
        self._users: dict[int, User] = {}

    def get(self, user: User) -> User:
        return self._users.setdefault(user.pk, user)


def _reassign(ticket: Ticket, now: datetime, assignees: _Assignees) -> bool:
    """Give the ticket to another available agent; keep it where it is when nobody else can
    take it (an unassigned ticket would be worse off)."""
    if ticket.responsible_party != Party.PLATFORM:
        return False
    exclude = (ticket.assignee_id,) if ticket.assignee_id else ()
    decision = route_ticket(ticket=ticket, now=now, exclude_user_ids=exclude)
    if decision.assignee is None:
        return False
    ticket_assign(
        ticket=ticket,
        assignee=assignees.get(decision.assignee),
        actor=None,
        reason=decision.reason,
        rule=decision.rule,
        team=decision.team,
        now=now,
    )
    return True


def _take_back(ticket: Ticket, now: datetime, assignees: _Assignees) -> bool:
    if ticket.responsible_party != Party.MERCHANT:
        return False
    reason = gettext("The merchant did not reply in time, so the platform handles it again.")
    ticket_take_back(ticket=ticket, reason=reason, actor=None, now=now)
    return ticket.responsible_party == Party.PLATFORM


_ACTIONS: Final[dict[str, Callable[[Ticket, datetime, _Assignees], bool]]] = {
    REASSIGN: _reassign,
    TAKE_BACK: _take_back,
}


def _escalate_later(later: list[tuple[Ticket, SlaClock, str]], now: datetime) -> int:
    """Reassign or take back, one ticket at a time, after the breach is committed; a few
    tickets a transaction (one commit each, not one a ticket, while the agents' load rows they
    lock stay locked for a few milliseconds only)."""
    done = 0
    assignees = _Assignees()
    for start in range(0, len(later), ESCALATIONS_PER_COMMIT):
        with transaction.atomic():
            for ticket, clock, name in later[start : start + ESCALATIONS_PER_COMMIT]:
                done += _escalate_one(ticket, clock, name, now, assignees)
    return done


def _escalate_one(
    ticket: Ticket, clock: SlaClock, name: str, now: datetime, assignees: _Assignees
) -> int:
    try:
        with transaction.atomic():  # all of one escalation, or none of it
            if not _ACTIONS[name](ticket, now, assignees):
                return 0
            event_add(
                ticket=ticket,
                type=EventType.ESCALATED,
                data={"clock": clock.value, "action": name},
                now=now,
            )
    except (DomainError, ConcurrentUpdate):
        logger.warning("SLA escalation %s of ticket %s failed", name, ticket.pk, exc_info=True)
        return 0
    return 1


def _select_due(now: datetime, batch: int) -> list[Ticket]:
    query = Ticket.objects.filter(sla_next_at__lte=now, status__in=ACTIVE_STATUSES)
    if connection.features.has_select_for_update_skip_locked:
        # Two scanners share the work instead of queueing behind each other's rows.
        query = query.select_for_update(skip_locked=True, of=("self",))
    query = query.select_related("team__supervisor", "sla_policy").order_by("sla_next_at")
    return list(query[:batch])


def tickets_sla_mark(*, tickets: list[Ticket], now: datetime) -> Counter[str]:
    """Mark each of `tickets` (read earlier), then escalate; a ticket changed since is counted
    a conflict and left for the next pass."""
    with transaction.atomic():
        batch = _mark_batch(tickets, now)
    batch.counts["escalations"] += _escalate_later(batch.later, now)
    return batch.counts


def ticket_sla_mark(*, ticket: Ticket, now: datetime) -> Counter[str]:
    """Record the warnings and breaches due on one ticket read by the scan, then escalate.

    Raises:
        ConcurrentUpdate: the ticket changed since it was read; nothing was written.
    """
    with transaction.atomic():
        batch = _mark_batch([ticket], now)
    if batch.counts["conflicts"]:
        raise ConcurrentUpdate(
            gettext("Ticket %(number)s changed while its SLA was being checked.")
            % {"number": ticket.number}
        )
    batch.counts["escalations"] += _escalate_later(batch.later, now)
    del batch.counts["selected"]
    return batch.counts


def ticket_sla_scan(*, now: datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Record every SLA warning and breach due by `now`, in batches, and escalate breaches.

    Returns counts: selected, warnings, breaches, conflicts (retried on the next pass),
    escalations. Safe to run in several workers at once.
    """
    now = now or timezone.now()
    totals: Counter[str] = Counter()
    for _ in range(MAX_ROUNDS):
        with transaction.atomic():
            marked = _mark_batch(_select_due(now, batch), now)
        marked.counts["escalations"] += _escalate_later(marked.later, now)
        totals.update(marked.counts)
        progressed = marked.counts["selected"] - marked.counts["conflicts"]
        if marked.counts["selected"] < batch or progressed <= 0:
            break
    return {name: totals[name] for name in COUNTS}
