"""Which SLA policy applies to a ticket and on which business calendar its clocks run.

Policies and calendars are read through a snapshot of a few seconds
(`SHOPDESK_SLA_CACHE_SECONDS`, 0 in tests), and each calendar row is converted to a
`WorkingCalendar` once per change (keyed by id and updated_at), so creating a ticket costs no
extra query. Use through `shopdesk.tickets.sla`.
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from shopdesk.accounts.models import BusinessCalendar, Team
from shopdesk.core.business_time import (
    ALWAYS_OPEN,
    OFFICE_HOURS,
    WorkingCalendar,
    add_business_minutes,
    china_days,
    weekly_from_spec,
)
from shopdesk.tickets.models import SlaPolicy, Ticket

logger = logging.getLogger(__name__)

WARN_SHARE: Final = 0.8


@dataclass(frozen=True)
class _Rows:
    expires: float
    active: tuple[SlaPolicy, ...]
    by_id: Mapping[int, SlaPolicy]
    calendars: Mapping[int, BusinessCalendar]


_rows: _Rows = _Rows(expires=0.0, active=(), by_id={}, calendars={})
_converted: dict[tuple[int, datetime, int], WorkingCalendar] = {}


def sla_cache_clear() -> None:
    """Forget cached policies and calendars (after editing them in a script or a test)."""
    global _rows  # one immutable snapshot, swapped whole: safe across threads
    _rows = _Rows(expires=0.0, active=(), by_id={}, calendars={})
    _converted.clear()


def _cached_rows() -> _Rows:
    global _rows
    now = time.monotonic()
    if now < _rows.expires:
        return _rows
    policies = tuple(SlaPolicy.objects.order_by("position", "id"))
    _rows = _Rows(
        expires=now + float(getattr(settings, "SHOPDESK_SLA_CACHE_SECONDS", 5)),
        active=tuple(p for p in policies if p.is_active),
        by_id={p.pk: p for p in policies},
        calendars={c.pk: c for c in BusinessCalendar.objects.all()},
    )
    return _rows


def _to_working(row: BusinessCalendar, year: int) -> WorkingCalendar:
    tz = ZoneInfo(row.timezone)
    if row.is_24x7:
        return WorkingCalendar(tz=tz, weekly={}, always_open=True)
    weekly = weekly_from_spec(row.weekly_hours)
    extra_off = frozenset(date.fromisoformat(str(d)) for d in row.extra_holidays)
    extra_on = frozenset(date.fromisoformat(str(d)) for d in row.extra_workdays)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    if row.uses_china_holidays:
        holidays, workdays = china_days(range(year - 1, year + 3))
    # A make-up workday (调休上班日) keeps the hours of an ordinary weekday.
    workday_hours = next((weekly[d] for d in range(5) if weekly.get(d)), OFFICE_HOURS)
    return WorkingCalendar(
        tz=tz,
        weekly=weekly,
        holidays=(holidays | extra_off) - extra_on,
        workdays=(workdays | extra_on) - extra_off,
        workday_hours=workday_hours,
    )


def working_calendar_of(row: BusinessCalendar) -> WorkingCalendar:
    """The row as business-time arithmetic, converted once per version of the row."""
    year = timezone.now().year  # only picks which years of holidays to load
    key = (row.pk, row.updated_at, year)
    found = _converted.get(key)
    if found is None:
        try:
            found = _to_working(row, year)
        except (ValueError, KeyError):
            # A mistyped calendar must not stop tickets being created: count round the clock.
            logger.exception("Business calendar %s is invalid; using 24x7", row.pk)
            found = ALWAYS_OPEN
        if len(_converted) > 256:
            _converted.clear()
        _converted[key] = found
    return found


def working_calendar_for(*, policy: SlaPolicy | None, team: Team | None) -> WorkingCalendar:
    """The policy's calendar, else the team's, else 24x7."""
    calendar_id = (policy.calendar_id if policy else None) or (team.calendar_id if team else None)
    if calendar_id is None:
        return ALWAYS_OPEN
    row = _cached_rows().calendars.get(calendar_id)
    if row is None:  # created after the cache was filled
        row = BusinessCalendar.objects.filter(pk=calendar_id).first()
    return ALWAYS_OPEN if row is None else working_calendar_of(row)


def policy_for_party(ticket: Ticket, *, party: str) -> SlaPolicy | None:
    # Facts that need a related row are read only when some policy asks for them.
    facts: tuple[tuple[str, Callable[[], str]], ...] = (
        ("priorities", lambda: ticket.priority),
        ("channels", lambda: ticket.channel),
        ("category_codes", lambda: ticket.category.code),
        ("customer_tiers", lambda: ticket.customer.tier),
        ("parties", lambda: party),
    )
    for policy in _cached_rows().active:
        conditions: list[Any]
        if all(
            not (conditions := getattr(policy, attr)) or fact() in conditions
            for attr, fact in facts
        ):
            return policy
    return None


def policy_match(*, ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by position) whose non-empty conditions all hold."""
    return policy_for_party(ticket, party=ticket.responsible_party)


def ticket_policy(ticket: Ticket) -> SlaPolicy | None:
    if ticket.sla_policy_id is None:
        return None
    return _cached_rows().by_id.get(ticket.sla_policy_id) or ticket.sla_policy


def compute_deadlines(
    *, calendar: WorkingCalendar, start: datetime, minutes: int
) -> tuple[datetime, datetime]:
    """(warning at 80 % of the target, deadline), in business time from `start`."""
    return (
        add_business_minutes(calendar, start, minutes * WARN_SHARE),
        add_business_minutes(calendar, start, minutes),
    )
