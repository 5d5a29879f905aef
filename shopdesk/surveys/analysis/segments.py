"""Compare a score across the groups of a segment (channel, merchant, region, agent...).

Per group: n, mean, top-2 share. Across groups: Welch's t (two groups) or one-way ANOVA (more),
and a chi-square test of the top-2 share. Each group against the rest of the rows: Welch's t,
with Holm's correction over the groups tested. Groups with fewer than 5 answers are listed but
not tested. Everything is computed from per-group sums, so 100,000 rows cost a few bincounts.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from shopdesk.surveys.analysis.distributions import chi2_independence, f_sf, welch
from shopdesk.surveys.analysis.scores import FloatArray, Scale, Values, as_values, guess_scale

MIN_GROUP_N = 5
ALPHA = 0.05


@dataclass
class GroupStat:
    name: str
    n: int
    mean: float
    top2: float
    tested: bool
    p_vs_rest: float | None = None  # Welch's t, this group vs every other row
    p_holm: float | None = None
    significant: bool | None = None  # p_holm < 0.05


@dataclass
class SegmentComparison:
    groups: list[GroupStat]
    test: str | None = None  # "welch_t" or "anova"
    statistic: float | None = None
    df: float | None = None
    p: float | None = None
    chi2: float | None = None
    chi2_df: int | None = None
    chi2_p: float | None = None
    notes: list[str] = field(default_factory=list)


def _clean(p: float) -> float | None:
    return None if np.isnan(p) else float(p)


def holm(p_values: Values) -> FloatArray:
    """Holm's step-down adjusted p-values (same order as given)."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p)
    m = p.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def segment_compare(
    values: Values, groups: npt.ArrayLike, *, scale: Scale | None = None
) -> SegmentComparison:
    """Group statistics and significance tests of a score across a segment's groups.

    Rows without a score or without a group are left out. Top-2 is the top two values of
    `scale` (guessed from the answers when not given).
    """
    y = as_values(values)
    labels = np.asarray(groups, dtype=str)
    keep = ~np.isnan(y) & (labels != "") & (labels != "None")
    y, labels = y[keep], labels[keep]
    scale = scale or guess_scale(y)
    cut = scale[1] if scale[1] - scale[0] <= 1 else scale[1] - 1
    names, codes = np.unique(labels, return_inverse=True)
    n = np.bincount(codes, minlength=names.size).astype(np.float64)
    total = np.bincount(codes, weights=y, minlength=names.size).astype(np.float64)
    squares = np.bincount(codes, weights=y * y, minlength=names.size).astype(np.float64)
    tops = np.bincount(codes, weights=(y >= cut).astype(np.float64), minlength=names.size).astype(
        np.float64
    )
    result = segment_compare_sums(
        [str(name) for name in names], n=n, total=total, squares=squares, tops=tops
    )
    if int(keep.size - keep.sum()):
        result.notes.insert(
            0,
            _("%(count)d rows without a score or a group left out.")
            % {"count": int(keep.size - keep.sum())},
        )
    return result


def segment_compare_sums(
    names: Sequence[str],
    *,
    n: Values,
    total: Values,
    squares: Values,
    tops: Values,
) -> SegmentComparison:
    """The same comparison from each group's count, sum, sum of squares and top-2 count (what
    the survey report keeps as running tallies)."""
    n = np.asarray(n, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    squares = np.asarray(squares, dtype=np.float64)
    tops = np.asarray(tops, dtype=np.float64)
    result = SegmentComparison(
        groups=[
            GroupStat(
                name=str(names[g]),
                n=int(n[g]),
                mean=float(total[g] / n[g]),
                top2=float(tops[g] / n[g]),
                tested=bool(n[g] >= MIN_GROUP_N),
            )
            for g in range(len(names))
        ]
    )
    small = [g.name for g in result.groups if not g.tested]
    if small:
        result.notes.append(
            _("Fewer than %(min)d answers, reported but not tested: %(names)s")
            % {"min": MIN_GROUP_N, "names": ", ".join(small)}
        )
    tested = np.flatnonzero(n >= MIN_GROUP_N)
    if tested.size < 2:
        result.notes.append(_("Fewer than two groups with 5 answers or more: nothing to test."))
        return result
    var = (squares - total * total / n) / np.maximum(n - 1, 1)
    _test_across(result, n[tested], total[tested] / n[tested], var[tested])
    _test_top2(result, n[tested], tops[tested])
    _test_vs_rest(result, tested, n, total, squares)
    return result


def _test_across(
    result: SegmentComparison, n: FloatArray, mean: FloatArray, var: FloatArray
) -> None:
    std = np.sqrt(np.clip(var, 0.0, None))
    if n.size == 2:
        t, p, df = welch(mean[0], std[0], n[0], mean[1], std[1], n[1])
        result.test, result.statistic, result.p = "welch_t", _clean(float(t)), _clean(float(p))
        result.df = _clean(float(df))
        return
    k, big_n = n.size, n.sum()
    grand = (n * mean).sum() / big_n
    between = (n * (mean - grand) ** 2).sum() / (k - 1)
    within = ((n - 1) * var).sum() / (big_n - k)
    f = between / within if within > 0 else np.nan
    result.test, result.statistic, result.df = "anova", _clean(float(f)), float(k - 1)
    result.p = _clean(f_sf(f, k - 1, big_n - k))


def _test_top2(result: SegmentComparison, n: FloatArray, tops: FloatArray) -> None:
    table = np.vstack([tops, n - tops])
    if (table.sum(axis=1) == 0).any():
        result.notes.append(_("Every answer is on the same side of the top-2 line: no chi-square."))
        return
    chi2, p, df = chi2_independence(table)
    result.chi2, result.chi2_df, result.chi2_p = chi2, df, p


def _test_vs_rest(
    result: SegmentComparison,
    tested: npt.NDArray[np.intp],
    n: FloatArray,
    total: FloatArray,
    squares: FloatArray,
) -> None:
    n_rest = n.sum() - n[tested]
    sum_rest, sq_rest = total.sum() - total[tested], squares.sum() - squares[tested]
    var_g = (squares[tested] - total[tested] ** 2 / n[tested]) / (n[tested] - 1)
    var_r = (sq_rest - sum_rest**2 / n_rest) / np.maximum(n_rest - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        _, p_values, _ = welch(
            total[tested] / n[tested],
            np.sqrt(np.clip(var_g, 0.0, None)),
            n[tested],
            sum_rest / n_rest,
            np.sqrt(np.clip(var_r, 0.0, None)),
            n_rest,
        )
    p = np.atleast_1d(np.asarray(p_values, dtype=np.float64))
    valid = ~np.isnan(p)
    adjusted = np.full(p.size, np.nan)
    adjusted[valid] = holm(p[valid])
    for g, p_raw, p_adj in zip(tested, p, adjusted, strict=True):
        group = result.groups[int(g)]
        group.p_vs_rest, group.p_holm = _clean(p_raw), _clean(p_adj)
        group.significant = None if np.isnan(p_adj) else bool(p_adj < ALPHA)
