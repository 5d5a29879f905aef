"""One demo order's life, simulated without the database: when it was placed, paid, reviewed,
shipped and delivered, which carrier took it and which scans the carrier made.

Everything is drawn from the `random.Random` passed in, so a seed gives the same orders.
"""

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import accumulate

from shopdesk.orders.demo.catalogue import EXCEPTION_NOTES, HOUR_WEIGHTS, HUBS
from shopdesk.orders.states import Carrier, LogisticsEventType, OrderStatus

# Carrier mix and the median door-to-door hours of each.
CARRIER_WEIGHTS = (
    (Carrier.ZTO, 30),
    (Carrier.YTO, 25),
    (Carrier.SF, 20),
    (Carrier.JD, 15),
    (Carrier.EMS, 10),
)
TRANSIT_MEDIAN_HOURS = {
    Carrier.SF: 30,
    Carrier.JD: 26,
    Carrier.ZTO: 52,
    Carrier.YTO: 56,
    Carrier.EMS: 72,
}
# Delivery promised to the customer, counted from the order: express carriers promise 4 days.
PROMISE_HOURS = {
    Carrier.SF: 96,
    Carrier.JD: 96,
    Carrier.ZTO: 144,
    Carrier.YTO: 144,
    Carrier.EMS: 168,
}
CANCEL_SHARE = 0.04
DELAY_SHARE = 0.07
EXCEPTION_SHARE = 0.02
STALL_SHARE = 0.015
_CARRIERS = [c for c, _ in CARRIER_WEIGHTS]
_CARRIER_CUM = list(accumulate(w for _, w in CARRIER_WEIGHTS))
_HOUR_CUM = list(accumulate(HOUR_WEIGHTS))


def day_weight(day: date) -> float:
    """Relative order volume of a day: weekends, the 双11 and 618 festivals, and their run-up."""
    weight = 1.35 if day.weekday() >= 5 else 1.0
    if day.month == 11 and day.day == 11:
        weight *= 8.0
    elif day.month == 11 and 1 <= day.day <= 10:
        weight *= 1.6
    elif day.month == 11 and day.day in (12, 13):
        weight *= 2.0
    elif day.month == 6 and day.day == 18:
        weight *= 3.0
    elif day.month == 12 and day.day == 12:
        weight *= 2.0
    return weight


def is_peak(day: date) -> bool:
    """Warehouses and carriers run slow for a few days after 双11."""
    return day.month == 11 and 11 <= day.day <= 15


@dataclass(frozen=True)
class DayPicker:
    """Draws order days over [until - days + 1, until] in proportion to `day_weight`."""

    days: tuple[date, ...]
    cum: tuple[float, ...]

    @classmethod
    def build(cls, *, until: date, days: int) -> "DayPicker":
        span = tuple(until - timedelta(days=days - 1 - i) for i in range(days))
        # A gentle growth trend: the shop sells more at the end of the year than at the start.
        weights = (day_weight(d) * (0.8 + 0.4 * i / max(days - 1, 1)) for i, d in enumerate(span))
        return cls(days=span, cum=tuple(accumulate(weights)))

    def placed_at(self, rng: random.Random, tz: tzinfo) -> datetime:
        day = self.days[bisect.bisect(self.cum, rng.random() * self.cum[-1])]
        hour = bisect.bisect(_HOUR_CUM, rng.random() * _HOUR_CUM[-1])
        start = datetime.combine(day, time(hour), tzinfo=tz)
        return start + timedelta(seconds=rng.randrange(3600))


@dataclass
class Scan:
    type: LogisticsEventType
    at: datetime
    location: str = ""
    description: str = ""


@dataclass
class OrderLife:
    status: OrderStatus
    placed_at: datetime
    paid_at: datetime | None = None
    approved_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    promised_delivery_at: datetime | None = None
    carrier: Carrier | None = None
    scans: list[Scan] = field(default_factory=list)


def _hours(rng: random.Random, median: float, sigma: float) -> timedelta:
    return timedelta(hours=median * math.exp(rng.gauss(0.0, sigma)))


def _review_done(rng: random.Random, paid: datetime, peak: float) -> datetime:
    approved = paid + _hours(rng, 1.2 * peak, 0.9)
    # Reviewers work 9-22h: a night order waits for the morning shift.
    if approved.hour < 9:
        approved = approved.replace(hour=9, minute=0) + timedelta(minutes=rng.randrange(150))
    return approved


def _cancelled(rng: random.Random, life: OrderLife, now: datetime) -> OrderLife:
    """Some buyers pay first, then all cancel within twelve hours."""
    if rng.random() < 0.6:
        life.paid_at = life.placed_at + timedelta(seconds=rng.randrange(20, 600))
    cancelled = life.placed_at + timedelta(minutes=rng.randrange(10, 720))
    if cancelled <= now:
        life.status, life.cancelled_at = OrderStatus.CANCELLED, cancelled
    return life


def simulate_order(
    rng: random.Random, *, placed_at: datetime, now: datetime, city: str, remote: bool
) -> OrderLife:
    """The milestones of one order placed at `placed_at`, cut off at `now`."""
    life = OrderLife(status=OrderStatus.PLACED, placed_at=placed_at)
    if rng.random() < CANCEL_SHARE:
        return _cancelled(rng, life, now)
    peak = 2.0 if is_peak(placed_at.date()) else 1.0
    carrier = _CARRIERS[bisect.bisect(_CARRIER_CUM, rng.random() * _CARRIER_CUM[-1])]
    life.carrier = carrier
    life.promised_delivery_at = placed_at + timedelta(
        hours=PROMISE_HOURS[carrier] + (48 if peak > 1 else 0)
    )
    paid = placed_at + timedelta(seconds=int(rng.expovariate(1 / 180)) + 5)
    approved = _review_done(rng, paid, peak)
    shipped = approved + _hours(rng, 16 * peak, 0.6)
    transit = TRANSIT_MEDIAN_HOURS[carrier] * (1.5 if peak > 1 else 1.0) * (1.8 if remote else 1.0)
    delivered = shipped + _hours(rng, transit, 0.35)
    kind = rng.random()
    stalled = kind < STALL_SHARE
    exception = STALL_SHARE <= kind < STALL_SHARE + EXCEPTION_SHARE
    if STALL_SHARE + EXCEPTION_SHARE <= kind < STALL_SHARE + EXCEPTION_SHARE + DELAY_SHARE:
        delivered += timedelta(hours=rng.uniform(24, 96))
    if exception:
        delivered += timedelta(hours=rng.uniform(48, 120))
    # Buyers confirm within a few days, or the platform confirms automatically after 7.
    confirm_days = rng.uniform(1, 3) if rng.random() < 0.4 else 7.0
    completed = delivered + timedelta(days=confirm_days)
    steps = [
        (OrderStatus.PAID, "paid_at", paid),
        (OrderStatus.APPROVED, "approved_at", approved),
        (OrderStatus.SHIPPED, "shipped_at", shipped),
    ]
    if not stalled:
        steps += [
            (OrderStatus.DELIVERED, "delivered_at", delivered),
            (OrderStatus.COMPLETED, "completed_at", completed),
        ]
    for status, attr, at in steps:
        if at > now:
            break
        life.status = status
        setattr(life, attr, at)
    if life.shipped_at is not None:
        life.scans = _scans(rng, life, delivered, city=city, stalled=stalled, exception=exception)
        life.scans = [s for s in life.scans if s.at <= now]
    return life


def _scans(
    rng: random.Random,
    life: OrderLife,
    delivered: datetime,
    *,
    city: str,
    stalled: bool,
    exception: bool,
) -> list[Scan]:
    assert life.shipped_at is not None  # noqa: S101 - the caller checked
    shipped = life.shipped_at
    hub = HUBS[rng.randrange(len(HUBS))]
    picked = shipped + timedelta(minutes=rng.randrange(20, 180))
    scans = [
        Scan(LogisticsEventType.PICKED_UP, picked, hub, "快件已揽收"),
        Scan(
            LogisticsEventType.IN_TRANSIT,
            picked + timedelta(hours=rng.uniform(2, 6)),
            hub,
            "运输中",
        ),
    ]
    if stalled:
        return scans
    span = delivered - picked
    arrived = picked + span * 0.7
    scans.append(Scan(LogisticsEventType.ARRIVED, arrived, f"{city}分拨中心", "到达目的地分拨中心"))
    if exception:
        note = EXCEPTION_NOTES[rng.randrange(len(EXCEPTION_NOTES))]
        scans.append(Scan(LogisticsEventType.EXCEPTION, arrived + span * 0.1, city, note))
    out = delivered - timedelta(minutes=rng.randrange(30, 240))
    scans.append(Scan(LogisticsEventType.OUT_FOR_DELIVERY, max(out, arrived), city, "派送中"))
    scans.append(Scan(LogisticsEventType.DELIVERED, delivered, city, "已签收"))
    return scans
