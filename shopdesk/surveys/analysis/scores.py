"""Scores of one question or dimension: distribution, mean, top-2-box, CSAT, NPS, effort, index.

Pure functions over numpy arrays: a missing answer is NaN and is left out of every figure (each
result says how many answers it used in `n`). A scale is `(lowest, highest)` as in
`surveys.states.SCALES`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

FloatArray = npt.NDArray[np.float64]
Scale = tuple[float, float]
# Answers as numpy or a plain list; None (like NaN) is a missing answer.
Values = npt.ArrayLike | Sequence[float | None]

CSAT_SCALE: Scale = (1, 5)
NPS_SCALE: Scale = (0, 10)
EFFORT_SCALE: Scale = (1, 7)


def as_values(values: Values) -> FloatArray:
    """A float array with None turned into NaN (the missing answer)."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values
    if isinstance(values, Sequence) and not isinstance(values, str):
        values = [np.nan if v is None else v for v in values]
    return np.asarray(values, dtype=np.float64)


def answered(values: Values) -> FloatArray:
    arr = as_values(values)
    return arr[~np.isnan(arr)]


def safe_mean(values: Values) -> float | None:
    arr = answered(values)
    return float(arr.mean()) if arr.size else None


@dataclass(frozen=True)
class Distribution:
    n: int
    counts: dict[float, int]
    shares: dict[float, float]


def distribution(values: Values, *, scale: Scale | None = None) -> Distribution:
    """Counts and shares per value; with a scale every whole value of the scale is listed."""
    arr = answered(values)
    keys, counts = np.unique(arr, return_counts=True)
    found = {float(k): int(c) for k, c in zip(keys, counts, strict=True)}
    if scale is not None:
        for v in range(int(scale[0]), int(scale[1]) + 1):
            found.setdefault(float(v), 0)
    ordered = dict(sorted(found.items()))
    n = int(arr.size)
    shares = {k: (c / n if n else 0.0) for k, c in ordered.items()}
    return Distribution(n=n, counts=ordered, shares=shares)


def top2_share(values: Values, *, scale: Scale) -> float | None:
    """Share of answers in the top two values of the scale (4–5 of 1–5, 6–7 of 1–7, 9–10 of 0–10).

    A two-point scale (0/1, a yes/no question) has no "top two": its top box (share of the
    highest value) is returned instead.
    """
    arr = answered(values)
    if not arr.size:
        return None
    low, high = scale
    cut = high if high - low <= 1 else high - 1
    return float(np.count_nonzero(arr >= cut) / arr.size)


def score_100(mean: float | None, *, scale: Scale) -> float | None:
    """A mean on its scale as 0–100: (mean − lowest) / (highest − lowest) × 100."""
    if mean is None:
        return None
    low, high = scale
    return (mean - low) / (high - low) * 100.0


def csat(values: Values) -> float | None:
    """CSAT: share of 4–5 among the answers of a 1–5 rating."""
    return top2_share(values, scale=CSAT_SCALE)


@dataclass(frozen=True)
class Nps:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None  # points, −100..100


def nps(values: Values) -> Nps:
    """NPS: % promoters (9–10) − % detractors (0–6) of the 0–10 answers, in points."""
    arr = answered(values)
    n = int(arr.size)
    promoters = int(np.count_nonzero(arr >= 9))
    detractors = int(np.count_nonzero(arr <= 6))
    score = (promoters - detractors) / n * 100.0 if n else None
    return Nps(
        n=n,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        nps=score,
    )


def effort_score(values: Values) -> float | None:
    """Customer effort score: the mean of the 1–7 effort answers."""
    return safe_mean(values)


@dataclass(frozen=True)
class DimensionScore:
    name: str
    n: int  # answers over all the dimension's items
    mean: float | None
    top2: float | None
    score: float | None  # 0–100


def dimension_score(
    name: str, items: Mapping[str, Values] | Sequence[Values], *, scale: Scale
) -> DimensionScore:
    """Mean, top-2-box and 0–100 score of a dimension over all the answers to its items."""
    columns = list(items.values()) if isinstance(items, Mapping) else list(items)
    pooled = np.concatenate([answered(c) for c in columns]) if columns else np.empty(0)
    mean = safe_mean(pooled)
    return DimensionScore(
        name=name,
        n=int(pooled.size),
        mean=mean,
        top2=top2_share(pooled, scale=scale),
        score=score_100(mean, scale=scale),
    )


@dataclass(frozen=True)
class SatisfactionIndex:
    value: float | None  # 0–100
    weights: dict[str, float]  # normalised weights actually used
    dropped: list[str] = field(default_factory=list)
    note: str = ""


def satisfaction_index(
    scores: Mapping[str, float | None], *, weights: Mapping[str, float] | None = None
) -> SatisfactionIndex:
    """The weighted mean of dimension scores (0–100); weights default equal and are normalised.

    A dimension without answers (score None) drops out and the others' weights are renormalised;
    the result names the dropped dimensions.
    """
    raw = {name: float(weights.get(name, 0.0)) if weights else 1.0 for name in scores}
    if any(w < 0 for w in raw.values()):
        raise ValueError(_("Weights must be zero or positive."))
    dropped = [name for name, s in scores.items() if s is None]
    used = {name: w for name, w in raw.items() if scores[name] is not None and w > 0}
    total = sum(used.values())
    if not total:
        return SatisfactionIndex(
            value=None, weights={}, dropped=dropped, note=_("No dimension has answers.")
        )
    norm = {name: w / total for name, w in used.items()}
    value = sum(norm[name] * float(scores[name] or 0.0) for name in norm)
    note = ""
    if dropped:
        note = _("Without answers, left out (the other weights renormalised): %(names)s") % {
            "names": ", ".join(dropped)
        }
    return SatisfactionIndex(value=value, weights=norm, dropped=dropped, note=note)


_KNOWN_SCALES: tuple[Scale, ...] = ((0, 1), (1, 5), (1, 7), (0, 10))


def guess_scale(values: Values) -> Scale:
    """The smallest usual scale (0–1, 1–5, 1–7, 0–10) holding every answer, else (min, max)."""
    arr = answered(values)
    if not arr.size:
        return (0.0, 1.0)
    low, high = float(arr.min()), float(arr.max())
    whole = bool(np.all(arr == np.round(arr)))
    for scale in _KNOWN_SCALES:
        if whole and scale[0] <= low and high <= scale[1]:
            return (float(scale[0]), float(scale[1]))
    return (low, high if high > low else low + 1.0)
