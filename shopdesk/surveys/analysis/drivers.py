"""Key-driver analysis: which items move overall satisfaction, and which to fix first.

For each item: Pearson r with the overall score (n, 95 % CI by Fisher's z), its share of the
explained variance of the regression of overall on all items (Johnson's relative weights, and
for ≤ 12 items the exact Shapley/LMG decomposition of R²), and its importance–performance
quadrant. Rows missing the overall score or any item are left out (listwise); `n` says how many
rows were used.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from shopdesk.surveys.analysis.distributions import norm_ppf, t_sf
from shopdesk.surveys.analysis.scores import (
    FloatArray,
    Scale,
    Values,
    as_values,
    safe_mean,
    score_100,
    top2_share,
)

MIN_CORRELATION_N = 10
SHAPLEY_MAX_ITEMS = 12

FIX_FIRST = "fix_first"
KEEP_UP = "keep_up"
LOWER_PRIORITY = "lower_priority"
POSSIBLE_OVERKILL = "possible_overkill"


def regression_needed(item_count: int) -> int:
    """Rows a regression on `item_count` items needs: max(30, 5 per item)."""
    return max(30, 5 * item_count)


@dataclass(frozen=True)
class Correlation:
    n: int
    enough: bool
    needed: int
    r: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p: float | None = None


def pearson(x: Values, y: Values, *, confidence: float = 0.95) -> Correlation:
    """Pearson r of the rows where both are answered, with a Fisher-z confidence interval.

    Below 10 pairs the result says how many are needed instead of giving r.
    """
    xs, ys = as_values(x), as_values(y)
    both = ~np.isnan(xs) & ~np.isnan(ys)
    xs, ys = xs[both], ys[both]
    n = int(xs.size)
    if n < MIN_CORRELATION_N:
        return Correlation(n=n, enough=False, needed=MIN_CORRELATION_N)
    if xs.std() == 0 or ys.std() == 0:
        return Correlation(n=n, enough=True, needed=MIN_CORRELATION_N)  # constant: r undefined
    r = float(np.clip(np.corrcoef(xs, ys)[0, 1], -1.0, 1.0))
    return _with_interval(r, n, confidence)


def _with_interval(r: float, n: int, confidence: float) -> Correlation:
    z_crit = norm_ppf(0.5 + confidence / 2)
    if abs(r) >= 1.0:
        low = high = r
        p = 0.0
    else:
        z, se = math.atanh(r), 1.0 / math.sqrt(n - 3)
        low, high = math.tanh(z - z_crit * se), math.tanh(z + z_crit * se)
        t = r * math.sqrt((n - 2) / (1.0 - r * r))
        p = float(2 * t_sf(abs(t), n - 2))
    return Correlation(
        n=n, enough=True, needed=MIN_CORRELATION_N, r=r, ci_low=low, ci_high=high, p=p
    )


@dataclass(frozen=True)
class Ols:
    n: int
    r2: float
    adj_r2: float
    intercept: float
    coefficients: FloatArray


def ols(x: FloatArray, y: FloatArray) -> Ols:
    """Least squares of y on the columns of x with an intercept (no missing values)."""
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    coef, *_rest = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / ss_tot if ss_tot else 0.0
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1) if n - k - 1 > 0 else r2
    return Ols(
        n=n, r2=r2, adj_r2=adj, intercept=float(coef[0]), coefficients=coef[1:].astype(np.float64)
    )


def relative_weights(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """Johnson's (2000) raw relative weights from the predictors' correlations; they sum to R².

    Rxx = P Λ Pᵀ; Λ* = P Λ^½ Pᵀ links the predictors to their closest orthogonal counterparts;
    β* = Λ*⁻¹ rxy regresses y on those; weight_j = Σ_k Λ*_jk² β*_k².
    """
    eigvals, eigvecs = np.linalg.eigh(rxx)
    lam = eigvecs @ np.diag(np.sqrt(np.clip(eigvals, 0.0, None))) @ eigvecs.T
    beta = np.linalg.pinv(lam) @ rxy
    weights: FloatArray = (lam**2) @ (beta**2)
    return weights


def _subset_r2(rxx: FloatArray, rxy: FloatArray, mask: int) -> float:
    idx = [j for j in range(rxy.size) if mask >> j & 1]
    sub = rxy[idx]
    return float(sub @ np.linalg.pinv(rxx[np.ix_(idx, idx)]) @ sub)


def shapley_r2(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """Exact Shapley (LMG) shares of R²: each item's R² increment averaged over all orderings.

    Computed over all 2^k subsets (k ≤ 12), weighting an increment to a subset of size s by
    s!(k−s−1)!/k!; the shares sum to the full model's R².
    """
    k = rxy.size
    if k > SHAPLEY_MAX_ITEMS:
        raise ValueError(_("The exact Shapley decomposition is limited to 12 items."))
    masks = np.arange(1 << k)
    r2 = np.array([0.0] + [_subset_r2(rxx, rxy, int(m)) for m in masks[1:]])
    sizes = np.array([bin(int(m)).count("1") for m in masks])
    fact = [math.factorial(i) for i in range(k + 1)]
    weight = np.array([fact[s] * fact[k - s - 1] / fact[k] if s < k else 0.0 for s in sizes])
    shares = np.empty(k)
    for j in range(k):
        without = masks[(masks >> j & 1) == 0]
        shares[j] = float((weight[without] * (r2[without | (1 << j)] - r2[without])).sum())
    return shares


@dataclass
class DriverItem:
    name: str
    n_answers: int
    mean: float | None
    top2: float | None
    score: float | None  # 0–100 on the item's scale: the performance
    correlation: Correlation
    coefficient: float | None = None
    raw_weight: float | None = None  # Johnson; the items' raw weights sum to R²
    importance: float | None = None  # raw weight as % of R² (the items sum to 100)
    shapley: float | None = None  # LMG share of R² (sums to R²)
    shapley_pct: float | None = None
    rank: int | None = None
    quadrant: str | None = None


@dataclass
class KeyDrivers:
    n: int  # rows used (listwise)
    n_dropped: int  # rows left out for a missing value
    enough: bool
    needed: int
    items: list[DriverItem]
    r2: float | None = None
    adj_r2: float | None = None
    intercept: float | None = None
    fix_first: list[str] = field(default_factory=list)
    message: str = ""
    notes: list[str] = field(default_factory=list)


def key_drivers(
    items: Mapping[str, Values], overall: Values, *, scale: Scale | None = None
) -> KeyDrivers:
    """Correlation, relative importance, Shapley share and quadrant of every item vs overall.

    `scale` is the items' common scale; without it the lowest and highest value seen over all
    items is used. Too few complete rows: `enough` is False, `needed` says how many, and only
    the items' means and correlations are given.
    """
    names = list(items)
    columns = np.column_stack([as_values(items[n]) for n in names]) if names else np.empty((0, 0))
    y_all = as_values(overall)
    scale = scale or _observed_scale(columns)
    complete = ~np.isnan(y_all) & ~np.isnan(columns).any(axis=1)
    x, y = columns[complete], y_all[complete]
    n = int(y.size)
    result_items = [
        _describe_item(name, columns[:, j], x[:, j], y, scale) for j, name in enumerate(names)
    ]
    result = KeyDrivers(
        n=n,
        n_dropped=int(y_all.size - n),
        enough=False,
        needed=regression_needed(len(names)),
        items=result_items,
    )
    usable = [j for j, it in enumerate(result_items) if it.correlation.r is not None]
    constant = [
        it.name for it in result_items if it.correlation.enough and it.correlation.r is None
    ]
    if constant:
        result.notes.append(
            _("Left out of the regression, the same answer everywhere: %(names)s")
            % {"names": ", ".join(constant)}
        )
    if n < result.needed or not usable or y.std() == 0:
        result.message = _(
            "Too few complete responses for a key-driver regression on %(k)d items: %(n)d, "
            "at least %(needed)d needed."
        ) % {"k": len(names), "n": n, "needed": result.needed}
        return result
    result.enough = True
    _regress(result, x[:, usable], y, [result_items[j] for j in usable])
    return result


def _observed_scale(columns: FloatArray) -> Scale:
    if not columns.size or np.isnan(columns).all():
        return (0.0, 1.0)
    low, high = float(np.nanmin(columns)), float(np.nanmax(columns))
    return (low, high if high > low else low + 1.0)


def _describe_item(
    name: str, column: FloatArray, x: FloatArray, y: FloatArray, scale: Scale
) -> DriverItem:
    mean = safe_mean(column)
    return DriverItem(
        name=name,
        n_answers=int(np.count_nonzero(~np.isnan(column))),
        mean=mean,
        top2=top2_share(column, scale=scale),
        score=score_100(mean, scale=scale),
        correlation=pearson(x, y),
    )


def _regress(result: KeyDrivers, x: FloatArray, y: FloatArray, used: list[DriverItem]) -> None:
    fit = ols(x, y)
    result.r2, result.adj_r2, result.intercept = fit.r2, fit.adj_r2, fit.intercept
    corr = np.atleast_2d(np.corrcoef(np.column_stack([x, y]), rowvar=False))
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    raw = relative_weights(rxx, rxy)
    total = float(raw.sum())
    shap = shapley_r2(rxx, rxy) if len(used) <= SHAPLEY_MAX_ITEMS else None
    for j, item in enumerate(used):
        item.coefficient = float(fit.coefficients[j])
        item.raw_weight = float(raw[j])
        item.importance = float(raw[j] / total * 100.0) if total > 0 else 0.0
        if shap is not None:
            item.shapley = float(shap[j])
            item.shapley_pct = float(shap[j] / shap.sum() * 100.0) if shap.sum() > 0 else 0.0
    for rank, item in enumerate(sorted(used, key=lambda it: -(it.importance or 0.0)), start=1):
        item.rank = rank
    result.fix_first = assign_quadrants(used)


def assign_quadrants(items: list[DriverItem]) -> list[str]:
    """Quadrant of each item by the medians of importance and performance (score 0–100).

    High importance is ≥ the median importance; low performance is < the median score.
    Returns the "fix first" items ordered by importance × gap, the gap being 100 − score.
    """
    imp = np.array([it.importance or 0.0 for it in items])
    perf = np.array([it.score if it.score is not None else np.nan for it in items])
    imp_cut, perf_cut = float(np.median(imp)), float(np.nanmedian(perf))
    for it, i, p in zip(items, imp, perf, strict=True):
        high, low = bool(i >= imp_cut), bool(p < perf_cut)
        it.quadrant = {
            (True, True): FIX_FIRST,
            (True, False): KEEP_UP,
            (False, True): LOWER_PRIORITY,
            (False, False): POSSIBLE_OVERKILL,
        }[(high, low)]
    fix = [it for it in items if it.quadrant == FIX_FIRST]
    fix.sort(key=lambda it: -(it.importance or 0.0) * (100.0 - (it.score or 0.0)))
    return [it.name for it in fix]


def correlation_as_dict(c: Correlation) -> dict[str, Any]:
    return {"r": c.r, "n": c.n, "ci_low": c.ci_low, "ci_high": c.ci_high, "p": c.p}
