"""Scores by period (day, ISO week, month): n, mean, top-2, CSAT (1–5) and NPS (0–10)."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from shopdesk.surveys.analysis.scores import (
    CSAT_SCALE,
    NPS_SCALE,
    Scale,
    Values,
    as_values,
    guess_scale,
    nps,
    top2_share,
)

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class PeriodStat:
    period: str  # 2024-05-06, 2024-W19 or 2024-05
    start: str  # the first day, ISO
    n: int
    mean: float
    top2: float | None
    csat: float | None  # only on a 1–5 scale
    nps: float | None  # only on a 0–10 scale


def parse_days(dates: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """ISO dates or date-times (the first 10 characters are read); blank or bad → NaT."""
    text = [str(v).strip()[:10] for v in np.asarray(dates, dtype=str)]
    try:  # the fast path: every value a date ("" and "NaT" read as NaT)
        return np.array([t or "NaT" for t in text], dtype="datetime64[D]")
    except ValueError:
        pass
    days = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[D]")
    for i, value in enumerate(text):
        try:
            days[i] = np.datetime64(value or "NaT", "D")
        except ValueError:
            continue
    return days


def _period_start(days: npt.NDArray[np.datetime64], period: str) -> npt.NDArray[np.datetime64]:
    if period == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    if period == "week":  # Monday: 1970-01-01 was a Thursday
        offset = (days.astype(np.int64) + 3) % 7
        monday: npt.NDArray[np.datetime64] = days - offset.astype("timedelta64[D]")
        return monday
    return days


def _label(start: date, period: str) -> str:
    if period == "month":
        return start.strftime("%Y-%m")
    if period == "week":
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def trend(
    dates: npt.ArrayLike,
    values: Values,
    *,
    period: str = "month",
    scale: Scale | None = None,
) -> list[PeriodStat]:
    """One row per period that has answers, oldest first; rows without a date are left out."""
    if period not in PERIODS:
        raise ValueError(_("The period must be day, week or month."))
    days = dates if np.asarray(dates).dtype.kind == "M" else parse_days(dates)
    days = np.asarray(days, dtype="datetime64[D]")
    y = as_values(values)
    keep = ~np.isnat(days) & ~np.isnan(y)
    starts, y = _period_start(days[keep], period), y[keep]
    scale = scale or guess_scale(y)
    keys, codes = np.unique(starts, return_inverse=True)
    rows = []
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(keys.size + 1))
    for g, key in enumerate(keys):
        chunk = y[order[bounds[g] : bounds[g + 1]]]
        start = key.astype(date)
        rows.append(
            PeriodStat(
                period=_label(start, period),
                start=start.isoformat(),
                n=int(chunk.size),
                mean=float(chunk.mean()),
                top2=top2_share(chunk, scale=scale),
                csat=top2_share(chunk, scale=CSAT_SCALE) if scale == CSAT_SCALE else None,
                nps=nps(chunk).nps if scale == NPS_SCALE else None,
            )
        )
    return rows
