"""SLA clocks of a ticket: which policy applies, when each clock warns and is due, pauses.

Every `sla_on_*` function changes an in-memory Ticket and returns the names of the fields it
changed, so the calling service writes them in its one compare-and-set save; nothing here writes
to the database. Policies and calendars are read through a cache of a few seconds
(`SHOPDESK_SLA_CACHE_SECONDS`, 0 in tests), so creating a ticket costs no extra query.

Clocks: first reply (creation -> first public reply by a person), next reply (customer message
-> reply), resolution (creation or reopening -> resolved), merchant (hand-off -> merchant reply).
`sla_marks` records which warning/breach of each clock has fired; a clock that restarts loses
its marks.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from shopdesk.core.business_time import (
    WorkingCalendar,
    add_business_minutes,
    business_minutes_between,
)
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.sla_policies import WARN_SHARE as WARN_SHARE
from shopdesk.tickets.sla_policies import compute_deadlines as compute_deadlines
from shopdesk.tickets.sla_policies import policy_for_party as policy_for_party
from shopdesk.tickets.sla_policies import policy_match as policy_match
from shopdesk.tickets.sla_policies import sla_cache_clear as sla_cache_clear
from shopdesk.tickets.sla_policies import ticket_policy as ticket_policy
from shopdesk.tickets.sla_policies import working_calendar_for as working_calendar_for
from shopdesk.tickets.states import (
    ACTIVE_STATUSES,
    PAUSED_STATUSES,
    Party,
    SlaClock,
    TicketStatus,
)

WARNED: Final = "warned"
BREACHED: Final = "breached"
# clock -> (warn field, due field)
CLOCK_FIELDS: Final[Mapping[SlaClock, tuple[str, str]]] = {
    SlaClock.FIRST_REPLY: ("first_reply_warn_at", "first_reply_due_at"),
    SlaClock.NEXT_REPLY: ("next_reply_warn_at", "next_reply_due_at"),
    SlaClock.RESOLUTION: ("resolution_warn_at", "resolution_due_at"),
    SlaClock.MERCHANT: ("merchant_warn_at", "merchant_due_at"),
}
_TRACKED: Final = (
    "sla_policy_id",
    *(name for pair in CLOCK_FIELDS.values() for name in pair),
    "first_replied_at",
    "sla_next_at",
    "sla_due_at",
    "sla_paused_at",
    "sla_marks",
)
_STOPPED: Final = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


# --- Clock helpers ----------------------------------------------------------------------------


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    state = {name: getattr(ticket, name) for name in _TRACKED}
    state["sla_marks"] = {k: dict(v) for k, v in (ticket.sla_marks or {}).items()}
    return state


def _changed(ticket: Ticket, before: Mapping[str, Any]) -> list[str]:
    names = [name for name in _TRACKED if getattr(ticket, name) != before[name]]
    return ["sla_policy" if name == "sla_policy_id" else name for name in names]


def _marks(ticket: Ticket, clock: SlaClock) -> Mapping[str, str]:
    value = (ticket.sla_marks or {}).get(clock.value, {})
    return value if isinstance(value, Mapping) else {}


def _clock_set(
    ticket: Ticket,
    clock: SlaClock,
    *,
    calendar: WorkingCalendar,
    start: datetime,
    minutes: int | None,
) -> None:
    """(Re)start a clock: new deadlines, and its earlier warnings/breaches forgotten."""
    warn_field, due_field = CLOCK_FIELDS[clock]
    warn_at, due_at = (
        compute_deadlines(calendar=calendar, start=start, minutes=minutes)
        if minutes is not None
        else (None, None)
    )
    setattr(ticket, warn_field, warn_at)
    setattr(ticket, due_field, due_at)
    ticket.sla_marks = {k: v for k, v in (ticket.sla_marks or {}).items() if k != clock.value}


def _clock_stop(ticket: Ticket, clock: SlaClock) -> None:
    warn_field, due_field = CLOCK_FIELDS[clock]
    setattr(ticket, warn_field, None)
    setattr(ticket, due_field, None)


def running_clocks(ticket: Ticket) -> list[SlaClock]:
    """Clocks with a deadline that is not met yet."""
    clocks = []
    for clock, (_, due_field) in CLOCK_FIELDS.items():
        if getattr(ticket, due_field) is None:
            continue
        if clock == SlaClock.FIRST_REPLY and ticket.first_replied_at is not None:
            continue
        if clock == SlaClock.MERCHANT and ticket.responsible_party != Party.MERCHANT:
            continue
        clocks.append(clock)
    return clocks


def _start_time(ticket: Ticket, now: datetime) -> datetime:
    # A clock started while paused starts counting at the pause: resuming pushes it forward.
    return ticket.sla_paused_at or now


def _merchant_start(ticket: Ticket, *, now: datetime) -> None:
    policy = policy_for_party(ticket, party=Party.MERCHANT)
    if policy is None:
        _clock_stop(ticket, SlaClock.MERCHANT)
        return
    calendar = working_calendar_for(policy=policy, team=None)
    _clock_set(
        ticket,
        SlaClock.MERCHANT,
        calendar=calendar,
        start=_start_time(ticket, now),
        minutes=policy.first_reply_minutes,
    )


def _summarise(ticket: Ticket) -> None:
    if ticket.status not in ACTIVE_STATUSES or ticket.sla_paused_at is not None:
        ticket.sla_next_at = ticket.sla_due_at = None
        return
    pending: list[datetime] = []
    dues: list[datetime] = []
    for clock in running_clocks(ticket):
        warn_field, due_field = CLOCK_FIELDS[clock]
        marks = _marks(ticket, clock)
        warn_at, due_at = getattr(ticket, warn_field), getattr(ticket, due_field)
        if warn_at is not None and WARNED not in marks and BREACHED not in marks:
            pending.append(warn_at)
        dues.append(due_at)
        if BREACHED not in marks:
            pending.append(due_at)
    ticket.sla_next_at = min(pending, default=None)
    ticket.sla_due_at = min(dues, default=None)


# --- Events of the ticket's life ---------------------------------------------------------------


def sla_summary(ticket: Ticket) -> list[str]:
    """Recompute sla_next_at (next warning or deadline to fire) and sla_due_at (earliest
    deadline); both None while paused or once the ticket no longer needs work."""
    before = (ticket.sla_next_at, ticket.sla_due_at)
    _summarise(ticket)
    after = (ticket.sla_next_at, ticket.sla_due_at)
    return [
        name
        for name, b, a in zip(("sla_next_at", "sla_due_at"), before, after, strict=True)
        if a != b
    ]


def sla_start(ticket: Ticket, *, now: datetime) -> list[str]:
    """At creation: match the policy, start the first-reply and resolution clocks (and the
    merchant's, if the merchant holds the ticket)."""
    before = _snapshot(ticket)
    policy = policy_match(ticket=ticket)
    ticket.sla_policy = policy
    ticket.sla_marks = {}
    calendar = working_calendar_for(policy=policy, team=ticket.team if ticket.team_id else None)
    for clock, minutes in (
        (SlaClock.FIRST_REPLY, policy.first_reply_minutes if policy else None),
        (SlaClock.RESOLUTION, policy.resolution_minutes if policy else None),
    ):
        _clock_set(ticket, clock, calendar=calendar, start=now, minutes=minutes)
    _clock_stop(ticket, SlaClock.NEXT_REPLY)
    if ticket.status in PAUSED_STATUSES and ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
    if ticket.responsible_party == Party.MERCHANT:
        _merchant_start(ticket, now=now)
    _summarise(ticket)
    return _changed(ticket, before)


def sla_on_public_reply(ticket: Ticket, *, now: datetime) -> list[str]:
    """A person's public reply: meets the first-reply clock (once) and the next-reply clock."""
    before = _snapshot(ticket)
    if ticket.first_replied_at is None:
        ticket.first_replied_at = now
    _clock_stop(ticket, SlaClock.NEXT_REPLY)
    _summarise(ticket)
    return _changed(ticket, before)


def _main_calendar(ticket: Ticket) -> WorkingCalendar:
    team = ticket.team if ticket.team_id else None
    return working_calendar_for(policy=ticket_policy(ticket), team=team)


def sla_on_customer_message(ticket: Ticket, *, now: datetime) -> list[str]:
    """The customer wrote: once the first reply was given, an answer is owed again (the
    next-reply clock runs from the first unanswered message)."""
    before = _snapshot(ticket)
    policy = ticket_policy(ticket)
    if (
        ticket.first_replied_at is not None
        and ticket.next_reply_due_at is None
        and policy is not None
        and policy.next_reply_minutes is not None
    ):
        _clock_set(
            ticket,
            SlaClock.NEXT_REPLY,
            calendar=_main_calendar(ticket),
            start=_start_time(ticket, now),
            minutes=policy.next_reply_minutes,
        )
    _summarise(ticket)
    return _changed(ticket, before)


def _resume(ticket: Ticket, *, now: datetime) -> None:
    """Push every deadline not yet met or fired by the business time spent paused."""
    paused_at, ticket.sla_paused_at = ticket.sla_paused_at, None
    if paused_at is None:
        return
    main = _main_calendar(ticket)
    for clock in running_clocks(ticket):
        calendar = main
        if clock == SlaClock.MERCHANT:
            merchant_policy = policy_for_party(ticket, party=Party.MERCHANT)
            calendar = working_calendar_for(policy=merchant_policy, team=None)
        minutes = business_minutes_between(calendar, paused_at, now)
        if minutes <= 0:
            continue
        marks = _marks(ticket, clock)
        for mark, name in zip((WARNED, BREACHED), CLOCK_FIELDS[clock], strict=True):
            value = getattr(ticket, name)
            if value is not None and mark not in marks and BREACHED not in marks:
                setattr(ticket, name, add_business_minutes(calendar, value, minutes))


def sla_on_status(ticket: Ticket, *, old: str, new: str, now: datetime) -> list[str]:
    """Waiting on the customer pauses every clock and leaving it resumes them; resolving or
    closing stops them; reopening starts new next-reply and resolution clocks."""
    before = _snapshot(ticket)
    was_paused, is_paused = old in PAUSED_STATUSES, new in PAUSED_STATUSES
    if is_paused and not was_paused:
        ticket.sla_paused_at = ticket.sla_paused_at or now
    elif was_paused and not is_paused:
        _resume(ticket, now=now)
    if new in _STOPPED:
        ticket.sla_paused_at = None
        _clock_stop(ticket, SlaClock.NEXT_REPLY)
        _clock_stop(ticket, SlaClock.MERCHANT)
    elif new == TicketStatus.REOPENED and old in _STOPPED:
        policy = ticket_policy(ticket)
        calendar = _main_calendar(ticket)
        for clock, minutes in (
            (SlaClock.NEXT_REPLY, policy.next_reply_minutes if policy else None),
            (SlaClock.RESOLUTION, policy.resolution_minutes if policy else None),
        ):
            _clock_set(ticket, clock, calendar=calendar, start=now, minutes=minutes)
        if ticket.responsible_party == Party.MERCHANT:
            _merchant_start(ticket, now=now)
    _summarise(ticket)
    return _changed(ticket, before)


def sla_on_party_change(ticket: Ticket, *, now: datetime) -> list[str]:
    """After `responsible_party` changed: the merchant's own clock starts (policy matching
    party=merchant, its first-reply target, its calendar) or, back at the platform, stops."""
    before = _snapshot(ticket)
    if ticket.responsible_party == Party.MERCHANT:
        _merchant_start(ticket, now=now)
    else:
        _clock_stop(ticket, SlaClock.MERCHANT)
    _summarise(ticket)
    return _changed(ticket, before)


def _retarget(
    ticket: Ticket,
    clock: SlaClock,
    *,
    start: datetime,
    old: tuple[WorkingCalendar, int | None],
    new: tuple[WorkingCalendar, int | None],
) -> None:
    """New deadlines from `start` for the new target, keeping any paused time already added."""
    warn_field, due_field = CLOCK_FIELDS[clock]
    (old_calendar, old_minutes), (calendar, minutes) = old, new
    old_due = getattr(ticket, due_field)
    if minutes is None:
        _clock_stop(ticket, clock)
        return
    carried = 0.0
    if old_due is not None and old_minutes is not None:
        carried = max(0.0, business_minutes_between(old_calendar, start, old_due) - old_minutes)
    setattr(
        ticket, warn_field, add_business_minutes(calendar, start, minutes * WARN_SHARE + carried)
    )
    setattr(ticket, due_field, add_business_minutes(calendar, start, minutes + carried))


def sla_on_priority_change(ticket: Ticket, *, now: datetime) -> list[str]:
    """Re-match the policy and move the deadlines of clocks not yet met to its targets,
    counted from when each clock started (creation for first reply and resolution)."""
    before = _snapshot(ticket)
    old_policy, old_calendar = ticket_policy(ticket), _main_calendar(ticket)
    policy = policy_match(ticket=ticket)
    ticket.sla_policy = policy
    calendar = _main_calendar(ticket)
    created = ticket.created_at or now
    next_start = ticket.customer_last_message_at or ticket.status_changed_at or created
    for clock, start, attr, owed in (
        (SlaClock.FIRST_REPLY, created, "first_reply_minutes", ticket.first_replied_at is None),
        (SlaClock.RESOLUTION, created, "resolution_minutes", True),
        (SlaClock.NEXT_REPLY, next_start, "next_reply_minutes", ticket.next_reply_due_at),
    ):
        if not owed or ticket.status not in ACTIVE_STATUSES:
            continue
        _retarget(
            ticket,
            clock,
            start=start,
            old=(old_calendar, getattr(old_policy, attr, None)),
            new=(calendar, getattr(policy, attr, None)),
        )
    _summarise(ticket)
    return _changed(ticket, before)
