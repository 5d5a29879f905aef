"""Business-time arithmetic for SLA clocks: working hours, Chinese holidays, make-up workdays.

Pure Python: no ORM, no domain app. Every function takes aware datetimes (any zone) and returns
aware datetimes in the calendar's zone (`cal.tz`); results compare equal to the same instant in
UTC. Durations are real elapsed time, so an interval that spans a DST change counts the hours
that actually passed. Warnings at 80 % of a target are `add_business_minutes(cal, t, 0.8 * m)`.

Days are walked one at a time and a day wholly inside the count is added as one precomputed
total, so a 30-day target costs ~100 cheap steps, never a minute-by-minute scan.
"""

import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext
from holidays import country_holidays

Interval = tuple[time, time]
# Offsets from local midnight, end exclusive; timedelta(days=1) is the next midnight.
Span = tuple[timedelta, timedelta]
DaySpans = tuple[tuple[Span, ...], timedelta]  # spans and their total length

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS: tuple[Interval, ...] = ((time(9), time(18)),)
SEARCH_CAP_DAYS = 366  # consecutive closed days after which a calendar counts as never open

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_NO_SPANS: DaySpans = ((), timedelta(0))
_HHMM = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")


@dataclass(frozen=True)
class WorkingCalendar:
    """When the clock runs: weekly hours, closed holidays, make-up workdays, or 24x7.

    A date in `holidays` is closed even if it is also in `workdays`; a date in `workdays` uses
    `workday_hours` instead of its weekday's hours. Raises ValueError on malformed intervals.
    """

    tz: ZoneInfo
    # weekday 0=Mon..6=Sun -> intervals, end exclusive; time(0) or time.max as end is midnight.
    weekly: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    workday_hours: tuple[Interval, ...] = OFFICE_HOURS
    always_open: bool = False
    _weekly_spans: tuple[DaySpans, ...] = field(init=False, repr=False, compare=False)
    _workday_spans: DaySpans = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for weekday in self.weekly:
            if weekday not in range(7):
                raise ValueError(
                    gettext("Weekday must be 0 (Monday) to 6 (Sunday), not %r.") % weekday
                )
        weekly = tuple(
            _day_spans(self.weekly.get(weekday, ()), where=f"weekday {weekday}")
            for weekday in range(7)
        )
        workday = _day_spans(self.workday_hours, where="workday_hours")
        object.__setattr__(self, "_weekly_spans", weekly)
        object.__setattr__(self, "_workday_spans", workday)
        has_hours = any(spans for spans, _ in weekly) or bool(self.workdays and workday[0])
        if not self.always_open and not has_hours:
            raise ValueError(gettext("The calendar has no working time at all."))

    def spans_on(self, day: date) -> DaySpans:
        """The local working spans of one date, with their total length."""
        if self.always_open:
            return ((timedelta(0), _DAY),), _DAY
        if day in self.holidays:
            return _NO_SPANS
        if day in self.workdays:
            return self._workday_spans
        return self._weekly_spans[day.weekday()]


def _offset(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _day_spans(intervals: Iterable[Sequence[time]], *, where: str) -> DaySpans:
    """Validated, sorted spans; adjacent intervals (12:00-13:00, 13:00-18:00) are merged."""
    spans: list[Span] = []
    for interval in intervals:
        start, end = interval
        lo = _offset(start)
        hi = _DAY if end in (time(0), time.max) else _offset(end)
        if hi <= lo:
            message = gettext("%(where)s: interval %(start)s-%(end)s ends before it starts.")
            hours = {"start": start.isoformat("minutes"), "end": end.isoformat("minutes")}
            raise ValueError(message % {"where": where, **hours})
        spans.append((lo, hi))
    spans.sort()
    merged: list[Span] = []
    for lo, hi in spans:
        if merged and lo < merged[-1][1]:
            message = gettext("%(where)s: intervals overlap.")
            raise ValueError(message % {"where": where})
        if merged and lo == merged[-1][1]:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged), sum((hi - lo for lo, hi in merged), timedelta(0))


def _parse_time(value: object, *, where: str, is_end: bool) -> time:
    if is_end and value == "24:00":
        return time(0)
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        message = gettext("%(where)s: %(value)r is not a time in HH:MM form.")
        raise ValueError(message % {"where": where, "value": value})
    return time(int(match["h"]), int(match["m"]))


def weekly_from_spec(
    spec: Mapping[str, Sequence[Sequence[str]]],
) -> dict[int, tuple[Interval, ...]]:
    """Weekly hours from their stored JSON form: {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}.

    Keys are weekdays "0" (Monday) to "6" (Sunday); an end of "24:00" or "00:00" is midnight.
    Raises ValueError naming the weekday on a bad key or time, an end not after its start, or
    overlapping intervals.
    """
    if not isinstance(spec, Mapping):
        raise ValueError(gettext("Working hours must be an object keyed by weekday."))
    weekly: dict[int, tuple[Interval, ...]] = {}
    for key, intervals in spec.items():
        if str(key) not in {str(n) for n in range(7)}:
            message = gettext("Weekday must be 0 (Monday) to 6 (Sunday), not %r.")
            raise ValueError(message % key)
        where = gettext("weekday %s") % key
        parsed: list[Interval] = []
        for item in intervals:
            if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
                message = gettext("%(where)s: %(value)r is not a [start, end] pair.")
                raise ValueError(message % {"where": where, "value": item})
            start = _parse_time(item[0], where=where, is_end=False)
            parsed.append((start, _parse_time(item[1], where=where, is_end=True)))
        _day_spans(parsed, where=where)
        weekly[int(key)] = tuple(parsed)
    return weekly


ALWAYS_OPEN = WorkingCalendar(tz=DEFAULT_TZ, weekly={}, always_open=True)


@functools.lru_cache(maxsize=64)
def _china_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    cn = country_holidays("CN", years=year)
    # weekend_workdays also holds cross-year make-up days of every year; keep this year's.
    workdays = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return frozenset(d for d in cn if d.year == year), workdays


def china_days(years: Iterable[int]) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, make-up workdays 调休上班日) of mainland China from `holidays`.

    The package keeps make-up workdays in `China.weekend_workdays` (no WORKDAY category), and
    knows them only for years the State Council has announced.
    """
    days_off: set[date] = set()
    days_on: set[date] = set()
    for year in years:
        off, on = _china_year(year)
        days_off |= off
        days_on |= on
    return frozenset(days_off), frozenset(days_on)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(gettext("A timezone-aware datetime is required."))
    return moment.astimezone(UTC)


def _local_utc(tz: ZoneInfo, day: date, offset: timedelta) -> datetime:
    # Wall-clock addition on an aware datetime: offset is a local position, not elapsed time.
    return (datetime.combine(day, time(0), tzinfo=tz) + offset).astimezone(UTC)


def _days(
    cal: WorkingCalendar, moment: datetime, *, capped: bool
) -> Iterator[tuple[date, datetime, datetime, DaySpans]]:
    """(local date, its UTC start, next day's UTC start, spans) from the date of `moment` on."""
    day = moment.astimezone(cal.tz).date()
    day_start = _local_utc(cal.tz, day, timedelta(0))
    closed = 0
    while True:
        next_day = day + _DAY
        next_start = _local_utc(cal.tz, next_day, timedelta(0))
        spans = cal.spans_on(day)
        closed = 0 if spans[0] else closed + 1
        if capped and closed > SEARCH_CAP_DAYS:
            message = gettext("The calendar has no working time in %d days.")
            raise ValueError(message % SEARCH_CAP_DAYS)
        yield day, day_start, next_start, spans
        day, day_start = next_day, next_start


def _utc_spans(
    cal: WorkingCalendar, day: date, day_start: datetime, next_start: datetime, spans: DaySpans
) -> Iterator[tuple[datetime, datetime]]:
    if next_start - day_start == _DAY:  # no DST change today: offsets are elapsed time
        for lo, hi in spans[0]:
            yield day_start + lo, day_start + hi
    else:
        for lo, hi in spans[0]:
            yield _local_utc(cal.tz, day, lo), _local_utc(cal.tz, day, hi)


def add_business_minutes(cal: WorkingCalendar, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of working time after `start`, in `cal.tz`.

    Outside working time the count starts at the next opening; a count that ends exactly at a
    closing returns that closing. Raises ValueError on a naive `start`, negative or non-finite
    `minutes`, or a calendar closed for more than SEARCH_CAP_DAYS days in a row.
    """
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(gettext("Minutes must be a finite number >= 0, not %r.") % minutes)
    moment = _as_utc(start)
    remaining = timedelta(minutes=minutes)
    if cal.always_open:
        return (moment + remaining).astimezone(cal.tz)
    for day, day_start, next_start, spans in _days(cal, moment, capped=True):
        if not spans[0]:
            continue
        whole_day = day_start >= moment and next_start - day_start == _DAY
        if whole_day and remaining > spans[1]:
            remaining -= spans[1]
            continue
        for lo, hi in _utc_spans(cal, day, day_start, next_start, spans):
            if hi <= moment:
                continue
            lo = max(lo, moment)
            if remaining <= hi - lo:
                return (lo + remaining).astimezone(cal.tz)
            remaining -= hi - lo
    raise AssertionError("unreachable: _days() is endless or raises")


def business_minutes_between(cal: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Working minutes in [start, end); 0 if end <= start. Raises ValueError on naive input."""
    lo_bound, hi_bound = _as_utc(start), _as_utc(end)
    if hi_bound <= lo_bound:
        return 0.0
    if cal.always_open:
        return (hi_bound - lo_bound) / _MINUTE
    total = timedelta(0)
    for day, day_start, next_start, spans in _days(cal, lo_bound, capped=False):
        if day_start >= hi_bound:
            break
        if not spans[0]:
            continue
        if lo_bound <= day_start and next_start <= hi_bound and next_start - day_start == _DAY:
            total += spans[1]
            continue
        for lo, hi in _utc_spans(cal, day, day_start, next_start, spans):
            overlap = min(hi, hi_bound) - max(lo, lo_bound)
            if overlap > timedelta(0):
                total += overlap
    return total / _MINUTE


def is_open(cal: WorkingCalendar, at: datetime) -> bool:
    """Whether the clock runs at `at`. Raises ValueError on a naive datetime."""
    moment = _as_utc(at)
    if cal.always_open:
        return True
    day, day_start, next_start, spans = next(_days(cal, moment, capped=False))
    return any(lo <= moment < hi for lo, hi in _utc_spans(cal, day, day_start, next_start, spans))


def next_open(cal: WorkingCalendar, at: datetime) -> datetime:
    """The first working moment at or after `at` (the same instant if open), in `cal.tz`.

    Raises ValueError on a naive datetime or a calendar closed for SEARCH_CAP_DAYS days in a row.
    """
    moment = _as_utc(at)
    if cal.always_open:
        return moment.astimezone(cal.tz)
    for day, day_start, next_start, spans in _days(cal, moment, capped=True):
        for lo, hi in _utc_spans(cal, day, day_start, next_start, spans):
            if hi > moment:
                return max(lo, moment).astimezone(cal.tz)
    raise AssertionError("unreachable: _days() is endless or raises")
