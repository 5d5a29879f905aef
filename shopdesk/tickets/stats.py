"""Service figures of the tickets created in a window (DESIGN §5): counts, first-reply time,
resolution, SLA breaches, bounces, reopening and satisfaction.

Definitions (all over the tickets created in [date_from, date_to], local days, inclusive):

- first-reply time: first_replied_at − created_at in wall-clock minutes (what the customer
  waits), over the tickets with a first reply; mean, median, p90, sample standard deviation
  (n − 1) and coefficient of variation (std dev / mean).
- first reply within 15 minutes: replied within 15 wall-clock minutes / tickets whose answer is
  due, i.e. those with a first reply plus those still unanswered 15 minutes after creation
  (at `now`). A ticket opened 5 minutes ago without a reply counts in neither.
- peak vs off-peak: created at a local hour of 9, 10, 11 (09:00–11:59) or 19–22 (19:00–22:59),
  the morning and evening rushes of Chinese shoppers, vs every other hour.
- resolution rate: resolved or closed now / all; SLA breach rate: any clock breached
  (sla_breached_at set) / all; reopen rate: reopened at least once / all; hand-off and bounce
  shares: at least one hand-off / bounce; bounces per ticket: mean bounce_count.
- mean rating over the rated tickets; CSAT: ratings of 4 or 5 / ratings.

Percentiles follow PostgreSQL's `percentile_cont` on every database (linear interpolation,
see shopdesk/orders/stats.py). Cost: on PostgreSQL two queries (a GROUP BY for the counts, one
aggregate row for the rest, percentiles included; about 3.5 s for 1M tickets and 1 s for a
quarter of them on a busy 2-core machine); elsewhere a few more to read percentile neighbours
with ORDER BY … LIMIT 2.
"""

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.core.errors import DomainError
from shopdesk.orders.stats import percentile_cont
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.selectors import AnyUser, ticket_scope_for_user
from shopdesk.tickets.states import Channel, Party, TicketStatus

FIRST_REPLY_TARGET_MINUTES: Final = 15
FIRST_REPLY_TARGET_SHARE: Final = 0.9
PEAK_HOURS: Final = (9, 10, 11, 19, 20, 21, 22)
CSAT_MIN_RATING: Final = 4


@dataclass(frozen=True)
class ReplyTimeStats:
    """First-reply time in minutes over `count` tickets."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None = None
    std_dev: float | None = None

    @property
    def cv(self) -> float | None:
        if self.std_dev is None or not self.mean:
            return None
        return self.std_dev / self.mean


@dataclass(frozen=True)
class TicketStats:
    date_from: date | None
    date_to: date | None
    merchant_id: int | None
    ticket_count: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_party: dict[str, int]
    first_reply: ReplyTimeStats
    first_reply_peak: ReplyTimeStats
    first_reply_off_peak: ReplyTimeStats
    within_target: int
    within_target_due: int
    resolved: int
    breached: int
    reopened: int
    handed_off: int
    bounced: int
    bounces: int
    rated: int
    rating_sum: int
    satisfied: int
    target_minutes: int = FIRST_REPLY_TARGET_MINUTES
    target_share: float = FIRST_REPLY_TARGET_SHARE
    peak_hours: tuple[int, ...] = field(default=PEAK_HOURS)

    def _share(self, part: int, whole: int | None = None) -> float | None:
        whole = self.ticket_count if whole is None else whole
        return part / whole if whole else None

    @property
    def within_target_rate(self) -> float | None:
        return self._share(self.within_target, self.within_target_due)

    @property
    def meets_target(self) -> bool | None:
        rate = self.within_target_rate
        return None if rate is None else rate >= self.target_share

    @property
    def rates(self) -> dict[str, float | None]:
        return {
            "first_reply_within_target": self.within_target_rate,
            "resolution": self._share(self.resolved),
            "sla_breach": self._share(self.breached),
            "reopen": self._share(self.reopened),
            "handoff": self._share(self.handed_off),
            "bounce": self._share(self.bounced),
            "bounces_per_ticket": self._share(self.bounces),
            "mean_rating": self._share(self.rating_sum, self.rated),
            "csat": self._share(self.satisfied, self.rated),
        }

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        for key in ("first_reply", "first_reply_peak", "first_reply_off_peak"):
            data[key]["cv"] = getattr(self, key).cv
        data["rates"] = self.rates
        data["meets_target"] = self.meets_target
        data["peak_hours"] = list(self.peak_hours)
        return data


class _Seconds(Func):
    """Seconds from the second timestamp to the first, as a float, on either database."""

    arg_joiner = " - "
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ticket_stats(
    *,
    user: AnyUser | None,
    date_from: date | None = None,
    date_to: date | None = None,
    merchant_id: int | None = None,
    now: datetime | None = None,
) -> TicketStats:
    """Figures of the tickets created in [date_from, date_to] that `user` may see;
    `user=None` means every ticket (the CLI only, never a request).

    Raises:
        DomainError(invalid_filter): date_from is after date_to.
    """
    if date_from and date_to and date_from > date_to:
        raise DomainError(
            gettext("The start date %(start)s is after the end date %(end)s: swap them.")
            % {"start": date_from, "end": date_to},
            code="invalid_filter",
        )
    now = now or timezone.now()
    qs = Ticket.objects.all() if user is None else ticket_scope_for_user(user=user)
    if date_from is not None:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    qs = qs.order_by()
    by_status, by_category, by_channel, by_party = _counts(qs)
    row = _aggregate(qs, now=now)
    postgres = connection.vendor == "postgresql"
    peak = Q(created_at__hour__in=PEAK_HOURS)
    return TicketStats(
        date_from=date_from,
        date_to=date_to,
        merchant_id=merchant_id,
        ticket_count=row["total"],
        by_status=by_status,
        by_category=by_category,
        by_channel=by_channel,
        by_party=by_party,
        first_reply=_reply_stats(qs, row, "all", Q(), postgres=postgres),
        first_reply_peak=_reply_stats(qs, row, "peak", peak, postgres=postgres),
        first_reply_off_peak=_reply_stats(qs, row, "off", ~peak, postgres=postgres),
        within_target=row["within"],
        within_target_due=row["due"],
        resolved=row["resolved"],
        breached=row["breached"],
        reopened=row["reopened"],
        handed_off=row["handed_off"],
        bounced=row["bounced"],
        bounces=row["bounces"] or 0,
        rated=row["rated"],
        rating_sum=row["rating_sum"] or 0,
        satisfied=row["satisfied"],
    )


def _counts(qs: QuerySet[Ticket]) -> tuple[dict[str, int], ...]:
    """One GROUP BY over the four dimensions, folded into four tallies."""
    rows = qs.values_list("status", "category__code", "channel", "responsible_party").annotate(
        n=Count("id")
    )
    tallies: list[Counter[str]] = [Counter(), Counter(), Counter(), Counter()]
    for *keys, n in rows:
        for tally, key in zip(tallies, keys, strict=True):
            tally[key] += n
    by_status, by_category, by_channel, by_party = tallies
    return (
        {s.value: by_status.get(s.value, 0) for s in TicketStatus},
        dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))),
        {c.value: by_channel.get(c.value, 0) for c in Channel},
        {p.value: by_party.get(p.value, 0) for p in Party},
    )


def _flags(now: datetime) -> dict[str, Q]:
    """Per-ticket yes/no facts that are counted; `frs` is the first-reply time in seconds."""
    target = FIRST_REPLY_TARGET_MINUTES * 60
    return {
        "within": Q(frs__lte=target),
        "due": Q(first_replied_at__isnull=False)
        | Q(created_at__lte=now - timedelta(seconds=target)),
        "resolved": Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]),
        "breached": Q(sla_breached_at__isnull=False),
        "reopened": Q(reopen_count__gte=1),
        "handed_off": Q(handoff_count__gte=1),
        "bounced": Q(bounce_count__gte=1),
        "satisfied": Q(rating__gte=CSAT_MIN_RATING),
    }


def _aggregate(qs: QuerySet[Ticket], *, now: datetime) -> dict[str, Any]:
    if connection.vendor == "postgresql":
        return _aggregate_postgres(qs, now=now)
    seconds = _Seconds("first_replied_at", "created_at")
    peak = Q(created_at__hour__in=PEAK_HOURS)
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "bounces": Sum("bounce_count"),
        "rated": Count("rating"),
        "rating_sum": Sum("rating"),
    }
    for name, condition in _flags(now).items():
        aggregates[name] = Count("id", filter=condition)
    for key, group in (("all", Q()), ("peak", peak), ("off", ~peak)):
        replied = group & Q(first_replied_at__isnull=False)
        aggregates[f"{key}_n"] = Count("id", filter=replied)
        aggregates[f"{key}_sum"] = Sum("frs", filter=replied)
        aggregates[f"{key}_sq"] = Sum(seconds * seconds, filter=replied)
    return qs.annotate(frs=seconds).aggregate(**aggregates)


def _aggregate_postgres(qs: QuerySet[Ticket], *, now: datetime) -> dict[str, Any]:
    """One pass: the inner query (compiled by Django) computes each row's facts once; OFFSET 0
    keeps PostgreSQL from inlining them into every aggregate, which made a 1M-row run 4x
    slower. percentile_cont over an array of fractions sorts each group once."""
    flags = _flags(now)
    inner = (
        qs.annotate(frs=_Seconds("first_replied_at", "created_at"))
        .annotate(
            is_peak=ExpressionWrapper(Q(created_at__hour__in=PEAK_HOURS), BooleanField()),
            **{f"is_{name}": ExpressionWrapper(q, BooleanField()) for name, q in flags.items()},
        )
        .values("frs", "bounce_count", "rating", "is_peak", *(f"is_{name}" for name in flags))
    )
    sql, params = inner.query.sql_with_params()
    columns = [
        "count(*)",
        "sum(bounce_count)",
        "count(rating)",
        "sum(rating)",
        *(f"count(*) FILTER (WHERE is_{name})" for name in flags),
    ]
    keys = ["total", "bounces", "rated", "rating_sum", *flags]
    for key, where in (("all", "TRUE"), ("peak", "is_peak"), ("off", "NOT is_peak")):
        columns += [
            f"count(frs) FILTER (WHERE {where})",
            f"sum(frs) FILTER (WHERE {where})",
            f"sum(frs * frs) FILTER (WHERE {where})",
            f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY frs) FILTER (WHERE {where})",
        ]
        keys += [f"{key}_n", f"{key}_sum", f"{key}_sq", f"{key}_pct"]
    outer = f"SELECT {', '.join(columns)} FROM ({sql} OFFSET 0) AS facts"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        row = dict(zip(keys, cursor.fetchone(), strict=True))
    for key in ("all", "peak", "off"):
        row[f"{key}_p50"], row[f"{key}_p90"] = row.pop(f"{key}_pct") or (None, None)
    return row


def _reply_stats(
    qs: QuerySet[Ticket], row: dict[str, Any], key: str, condition: Q, *, postgres: bool
) -> ReplyTimeStats:
    n, total, squares = row[f"{key}_n"], row[f"{key}_sum"], row[f"{key}_sq"]
    if not n:
        return ReplyTimeStats(count=0, mean=None, median=None)
    mean = total / n
    std = None
    if n > 1:
        # Sample variance from the sums; clamp rounding noise below zero.
        std = math.sqrt(max(squares - total * total / n, 0.0) / (n - 1))
    if postgres:
        p50, p90 = row[f"{key}_p50"], row[f"{key}_p90"]
    else:
        p50, p90 = _portable_percentiles(qs.filter(condition), n)
    return ReplyTimeStats(
        count=n,
        mean=mean / 60,
        median=_minutes(p50),
        p90=_minutes(p90),
        std_dev=None if std is None else std / 60,
    )


def _portable_percentiles(qs: QuerySet[Ticket], n: int) -> tuple[float | None, float | None]:
    ordered = (
        qs.filter(first_replied_at__isnull=False)
        .annotate(frs=_Seconds("first_replied_at", "created_at"))
        .order_by("frs", "id")
        .values_list("frs", flat=True)
    )
    result = []
    for fraction in (0.5, 0.9):
        h = (n - 1) * fraction
        low = math.floor(h)
        result.append(percentile_cont(list(ordered[low : low + 2]), h - low))
    return result[0], result[1]


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60
