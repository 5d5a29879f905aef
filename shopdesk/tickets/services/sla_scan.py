"""The SLA scan: turn every warning or deadline that has come into exactly one timeline event,
and escalate breaches as the ticket's policy says.

Run every 30 seconds (Celery beat, or the in-process scheduler), so an event lands within a
minute of its moment. One indexed query (`ticket_sla_next_idx`) finds the due tickets; each is
written by compare-and-set on its version, in the same transaction as its events, so a second
scanner or an agent writing at the same moment makes the write fail and the ticket is simply
looked at again on the next pass: a warning or breach is never recorded twice.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.notifications.services import notification_enqueue
from shopdesk.tickets import sla
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.routing import route_ticket
from shopdesk.tickets.services.assignment import ticket_assign
from shopdesk.tickets.services.base import event_add, ticket_save
from shopdesk.tickets.services.handoff import ticket_take_back
from shopdesk.tickets.states import (
    ACTIVE_STATUSES,
    EventType,
    Party,
    Priority,
    SlaClock,
    priority_raised,
)

logger = logging.getLogger(__name__)

MAX_ROUNDS: Final = 50
COUNTS: Final = ("selected", "warnings", "breaches", "conflicts", "escalations")


@dataclass
class _Fired:
    """What one pass found due on one ticket."""

    events: list[tuple[EventType, SlaClock, datetime]] = field(default_factory=list)
    breached: list[SlaClock] = field(default_factory=list)


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


def ticket_sla_mark(*, ticket: Ticket, now: datetime) -> Counter[str]:
    """Record the warnings and breaches due on one ticket read by the scan, then escalate.

    Raises:
        ConcurrentUpdate: the ticket changed since it was read; nothing was written.
    """
    fired = _due(ticket, now)
    fields = ["sla_marks"]
    if fired.breached and ticket.sla_breached_at is None:
        ticket.sla_breached_at = now
        fields.append("sla_breached_at")
    old_priority, priority_fields = _raise_priority(ticket, fired, now)
    fields += priority_fields
    fields += sla.sla_summary(ticket)
    ticket_save(ticket, fields, now=now)  # the compare-and-set that makes this exactly-once
    counts: Counter[str] = Counter()
    for kind, clock, due_at in fired.events:
        event_add(
            ticket=ticket,
            type=kind,
            data={"clock": clock.value, "due_at": due_at.isoformat()},
            now=now,
        )
        counts["breaches" if kind == EventType.SLA_BREACH else "warnings"] += 1
    if old_priority:
        event_add(
            ticket=ticket,
            type=EventType.PRIORITY_CHANGED,
            data={"from": old_priority, "to": ticket.priority, "rule": "sla_breach"},
            now=now,
        )
        counts["escalations"] += 1
    for clock in fired.breached:
        counts["escalations"] += _escalate(ticket, clock=clock, now=now)
    return counts


def _escalate(ticket: Ticket, *, clock: SlaClock, now: datetime) -> int:
    """Notify the supervisor, reassign, or take the ticket back from the merchant."""
    done = 0
    policy = ticket.sla_policy
    actions = []
    if clock == SlaClock.MERCHANT:
        actions.append(("take_back", _take_back))
    else:
        has_supervisor = ticket.team is not None and ticket.team.supervisor_id is not None
        if has_supervisor and (policy is None or policy.escalate_notify_supervisor):
            actions.append(("notify_supervisor", _notify_supervisor))
        if policy is not None and policy.escalate_reassign:
            actions.append(("reassign", _reassign))
    for name, action in actions:
        try:
            with transaction.atomic():  # a failed escalation must not undo the breach
                if action(ticket, clock, now):
                    event_add(
                        ticket=ticket,
                        type=EventType.ESCALATED,
                        data={"clock": clock.value, "action": name},
                        now=now,
                    )
                    done += 1
        except (DomainError, ConcurrentUpdate):
            logger.warning("SLA escalation %s of ticket %s failed", name, ticket.pk, exc_info=True)
    return done


def _notify_supervisor(ticket: Ticket, clock: SlaClock, now: datetime) -> bool:
    supervisor = ticket.team.supervisor if ticket.team_id and ticket.team else None
    if supervisor is None:
        return False
    label = ticket.number or f"#{ticket.pk}"
    due_at = getattr(ticket, sla.CLOCK_FIELDS[clock][1]) or now
    notification_enqueue(
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
        dedupe_key=f"sla-breach:{ticket.pk}:{clock.value}:{due_at.isoformat()}",
    )
    return True


def _reassign(ticket: Ticket, clock: SlaClock, now: datetime) -> bool:
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
        assignee=decision.assignee,
        actor=None,
        reason=decision.reason,
        rule=decision.rule,
        team=decision.team,
        now=now,
    )
    return True


def _take_back(ticket: Ticket, clock: SlaClock, now: datetime) -> bool:
    if ticket.responsible_party != Party.MERCHANT:
        return False
    reason = gettext("The merchant did not reply in time, so the platform handles it again.")
    ticket_take_back(ticket=ticket, reason=reason, actor=None, now=now)
    return ticket.responsible_party == Party.PLATFORM


def _select_due(now: datetime, batch: int) -> list[Ticket]:
    query = Ticket.objects.filter(sla_next_at__lte=now, status__in=ACTIVE_STATUSES)
    if connection.features.has_select_for_update_skip_locked:
        # Two scanners share the work instead of queueing behind each other's rows.
        query = query.select_for_update(skip_locked=True, of=("self",))
    return list(query.select_related("team", "sla_policy").order_by("sla_next_at")[:batch])


def tickets_sla_mark(*, tickets: list[Ticket], now: datetime) -> Counter[str]:
    """Mark each of `tickets` (read earlier); a ticket changed since is counted a conflict."""
    counts: Counter[str] = Counter(selected=len(tickets))
    for ticket in tickets:
        try:
            with transaction.atomic():
                counts.update(ticket_sla_mark(ticket=ticket, now=now))
        except ConcurrentUpdate:
            counts["conflicts"] += 1
    return counts


def ticket_sla_scan(*, now: datetime | None = None, batch: int = 1000) -> dict[str, int]:
    """Record every SLA warning and breach due by `now`, in batches, and escalate breaches.

    Returns counts: selected, warnings, breaches, conflicts (retried on the next pass),
    escalations. Safe to run in several workers at once.
    """
    now = now or timezone.now()
    totals: Counter[str] = Counter()
    for _ in range(MAX_ROUNDS):
        with transaction.atomic():
            counts = tickets_sla_mark(tickets=_select_due(now, batch), now=now)
        totals.update(counts)
        progressed = counts["selected"] - counts["conflicts"]
        if counts["selected"] < batch or progressed <= 0:
            break
    return {name: totals[name] for name in COUNTS}
