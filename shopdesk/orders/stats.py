"""Order-processing speed: status counts, stage durations and the on-time delivery rate.

Stages, in hours: review = approved − placed, outbound = shipped − approved,
delivery = delivered − shipped, cycle = delivered − placed. An order counts in a stage when both
of its timestamps are set. Each stage reports the mean, the median and the 90th percentile.

Percentiles use one definition on every database, that of PostgreSQL's `percentile_cont`:
sort the n durations x[0] ≤ … ≤ x[n−1], take h = (n − 1)·p; the percentile is
x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (linear interpolation between the two neighbours).
PostgreSQL computes it in SQL; elsewhere the two neighbours are read with ORDER BY … LIMIT 2.

On-time delivery rate (准时送达率): of the orders with both delivered_at and
promised_delivery_at, the share with delivered_at ≤ promised_delivery_at, as stored.
"""

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shopdesk.core.errors import DomainError
from shopdesk.orders.errors import OrdersErrorCode
from shopdesk.orders.models import Order
from shopdesk.orders.selectors import AnyUser, order_scope_for_user
from shopdesk.orders.states import OrderStatus

ON_TIME_TARGET: Final = 0.95
# (key, start column, end column, label)
STAGES: Final[tuple[tuple[str, str, str, Promise], ...]] = (
    ("review", "placed_at", "approved_at", _("Review (placed → reviewed)")),
    ("outbound", "approved_at", "shipped_at", _("Outbound (reviewed → shipped)")),
    ("delivery", "shipped_at", "delivered_at", _("Delivery (shipped → delivered)")),
    ("cycle", "placed_at", "delivered_at", _("Whole cycle (placed → delivered)")),
)


@dataclass(frozen=True)
class StageStats:
    key: str
    label: str
    count: int
    mean_hours: float | None
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class OrderProcessingStats:
    date_from: date | None
    date_to: date | None
    merchant_id: int | None
    order_count: int
    status_counts: dict[str, int]
    stages: tuple[StageStats, ...]
    delivered_with_promise: int
    delivered_on_time: int
    on_time_rate: float | None
    on_time_target: float = ON_TIME_TARGET

    @property
    def meets_on_time_target(self) -> bool | None:
        return None if self.on_time_rate is None else self.on_time_rate >= self.on_time_target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        data["meets_on_time_target"] = self.meets_on_time_target
        return data


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """The percentile of already sorted values by linear interpolation (see the module doc)."""
    if not values:
        return None
    h = (len(values) - 1) * fraction
    low = math.floor(h)
    high = min(low + 1, len(values) - 1)
    return values[low] + (h - low) * (values[high] - values[low])


class _EpochSeconds(Func):
    """Seconds from the second timestamp to the first (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
    arg_joiner = " - "
    output_field = FloatField()


class _PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(fraction)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, *, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def order_processing_stats(
    *,
    user: AnyUser | None,
    date_from: date | None = None,
    date_to: date | None = None,
    merchant_id: int | None = None,
) -> OrderProcessingStats:
    """Speed figures of the orders placed in [date_from, date_to] (local days, inclusive)
    that `user` may see. `user=None` means every order: for the CLI only, never for a request.

    Raises DomainError(invalid_filter) when date_from is after date_to.
    """
    if date_from and date_to and date_from > date_to:
        raise DomainError(
            f"The start date {date_from} is after the end date {date_to}: swap them.",
            code=OrdersErrorCode.INVALID_FILTER,
        )
    qs = Order.objects.all() if user is None else order_scope_for_user(user=user)
    if date_from is not None:
        qs = qs.filter(placed_at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(placed_at__lt=_day_start(date_to + timedelta(days=1)))
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    status_counts = {status.value: counts.get(status.value, 0) for status in OrderStatus}
    on_time = qs.aggregate(
        with_promise=Count(
            "id", filter=Q(delivered_at__isnull=False, promised_delivery_at__isnull=False)
        ),
        on_time=Count("id", filter=Q(delivered_at__lte=F("promised_delivery_at"))),
    )
    with_promise, punctual = on_time["with_promise"], on_time["on_time"]
    postgres = connection.vendor == "postgresql"
    return OrderProcessingStats(
        date_from=date_from,
        date_to=date_to,
        merchant_id=merchant_id,
        order_count=sum(status_counts.values()),
        status_counts=status_counts,
        stages=_stages_postgres(qs) if postgres else _stages_portable(qs),
        delivered_with_promise=with_promise,
        delivered_on_time=punctual,
        on_time_rate=punctual / with_promise if with_promise else None,
    )


def _stages_postgres(qs: QuerySet[Order]) -> tuple[StageStats, ...]:
    aggregates: dict[str, Any] = {}
    for key, start, end, _label in STAGES:
        seconds = _EpochSeconds(F(end), F(start))
        aggregates[f"{key}_n"] = Count(seconds)
        aggregates[f"{key}_mean"] = Avg(seconds)
        aggregates[f"{key}_p50"] = _PercentileCont(seconds, fraction=0.5)
        aggregates[f"{key}_p90"] = _PercentileCont(seconds, fraction=0.9)
    row = qs.aggregate(**aggregates)
    return tuple(
        StageStats(
            key=key,
            label=str(label),
            count=row[f"{key}_n"],
            mean_hours=_hours(row[f"{key}_mean"]),
            median_hours=_hours(row[f"{key}_p50"]),
            p90_hours=_hours(row[f"{key}_p90"]),
        )
        for key, _start, _end, label in STAGES
    )


def _stages_portable(qs: QuerySet[Order]) -> tuple[StageStats, ...]:
    stages = []
    for key, start, end, label in STAGES:
        duration = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
        rows = qs.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).annotate(
            duration=duration
        )
        summary = rows.aggregate(n=Count("id"), mean=Avg("duration"))
        n, mean = summary["n"], summary["mean"]
        ordered = rows.order_by("duration", "id").values_list("duration", flat=True)
        stages.append(
            StageStats(
                key=key,
                label=str(label),
                count=n,
                mean_hours=_hours(mean.total_seconds()) if mean is not None else None,
                median_hours=_hours(_percentile_by_offset(ordered, n, 0.5)),
                p90_hours=_hours(_percentile_by_offset(ordered, n, 0.9)),
            )
        )
    return tuple(stages)


def _percentile_by_offset(ordered: QuerySet[Any, Any], n: int, fraction: float) -> float | None:
    """percentile_cont from the two neighbouring rows, read with ORDER BY … LIMIT 2."""
    if n == 0:
        return None
    h = (n - 1) * fraction
    low = math.floor(h)
    neighbours = [d.total_seconds() for d in ordered[low : low + 2]]
    return percentile_cont(neighbours, h - low)
