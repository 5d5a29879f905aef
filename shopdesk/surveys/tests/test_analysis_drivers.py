"""Key drivers against hand-computed and textbook values."""

import math

import numpy as np
import pytest
from scipy import stats

from shopdesk.surveys.analysis.drivers import (
    FIX_FIRST,
    KEEP_UP,
    LOWER_PRIORITY,
    POSSIBLE_OVERKILL,
    key_drivers,
    ols,
    pearson,
    relative_weights,
    shapley_r2,
)

X5 = [1, 2, 3, 4, 5]
Y5 = [2, 4, 5, 4, 5]


def test_pearson_matches_the_hand_computed_r_and_scipy():
    # given: Sxy = 6, Sxx = 10, Syy = 6 -> r = 6 / sqrt(60); twice the rows to reach n = 10
    x, y = X5 * 2, Y5 * 2

    # when
    c = pearson(x, y)

    # then
    assert c.enough
    assert c.n == 10
    assert c.r == pytest.approx(6 / math.sqrt(60))
    expected = stats.pearsonr(x, y)
    assert c.r == pytest.approx(expected.statistic)
    assert c.p == pytest.approx(expected.pvalue)


def test_pearson_fisher_confidence_interval():
    # given
    x, y = X5 * 2, Y5 * 2
    r = 6 / math.sqrt(60)

    # when
    c = pearson(x, y)

    # then: tanh(atanh(r) ± 1.959964 / sqrt(n - 3))
    half = 1.959964 / math.sqrt(7)
    assert c.ci_low == pytest.approx(math.tanh(math.atanh(r) - half), abs=1e-6)
    assert c.ci_high == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-6)
    ci = stats.pearsonr(x, y).confidence_interval(0.95)
    assert (c.ci_low, c.ci_high) == pytest.approx((ci.low, ci.high))


def test_pearson_below_10_pairs_says_how_many_are_needed():
    # when: 5 complete pairs (the missing ones are left out)
    c = pearson([*X5, None, 3], [*Y5, 4, None])

    # then
    assert not c.enough
    assert c.needed == 10
    assert c.n == 5
    assert c.r is None


def test_ols_r2_on_a_tiny_dataset():
    # when: simple regression -> R² = r² = 36/60, slope 6/10, intercept 4 - 0.6*3
    fit = ols(np.array(X5, dtype=float).reshape(-1, 1), np.array(Y5, dtype=float))

    # then
    assert fit.r2 == pytest.approx(0.6)
    assert fit.coefficients[0] == pytest.approx(0.6)
    assert fit.intercept == pytest.approx(2.2)
    assert fit.adj_r2 == pytest.approx(1 - 0.4 * 4 / 3)


def _correlated(n=2000, seed=7):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    a = base + rng.normal(scale=0.8, size=n)
    b = base + rng.normal(scale=1.0, size=n)
    c = rng.normal(size=n)
    d = 0.5 * a + rng.normal(size=n)
    y = 0.6 * a + 0.3 * b + 0.2 * c + 0.1 * d + rng.normal(size=n)
    return {"a": a, "b": b, "c": c, "d": d}, y


def _corr(items, y):
    m = np.corrcoef(np.column_stack([*items.values(), y]), rowvar=False)
    return m[:-1, :-1], m[:-1, -1]


def test_relative_weights_sum_to_r2():
    # given
    items, y = _correlated()
    rxx, rxy = _corr(items, y)

    # when
    raw = relative_weights(rxx, rxy)

    # then
    r2 = ols(np.column_stack(list(items.values())), y).r2
    assert raw.sum() == pytest.approx(r2)


def test_relative_weights_with_orthogonal_predictors_are_squared_correlations():
    # given: identity predictor correlations
    rxx = np.eye(3)
    rxy = np.array([0.5, 0.3, -0.2])

    # then
    assert relative_weights(rxx, rxy) == pytest.approx(rxy**2)
    assert shapley_r2(rxx, rxy) == pytest.approx(rxy**2)


def test_shapley_with_two_predictors_averages_the_two_orderings_by_hand():
    # given: r1 = .5, r2 = .4, r12 = .3
    rxx = np.array([[1.0, 0.3], [0.3, 1.0]])
    rxy = np.array([0.5, 0.4])
    r2_full = (0.25 + 0.16 - 2 * 0.5 * 0.4 * 0.3) / (1 - 0.09)

    # when
    shares = shapley_r2(rxx, rxy)

    # then: LMG_1 = (r1² + (R²₁₂ − r2²)) / 2
    assert shares[0] == pytest.approx((0.25 + (r2_full - 0.16)) / 2)
    assert shares[1] == pytest.approx((0.16 + (r2_full - 0.25)) / 2)
    assert shares.sum() == pytest.approx(r2_full)


def test_shapley_and_relative_weights_agree_on_correlated_data():
    # given
    items, y = _correlated()
    rxx, rxy = _corr(items, y)

    # when
    rw, lmg = relative_weights(rxx, rxy), shapley_r2(rxx, rxy)

    # then
    assert lmg.sum() == pytest.approx(rw.sum())
    assert np.abs(rw - lmg).max() < 0.02


def test_key_drivers_ranks_quadrants_and_fix_first():
    # given: "a" drives most; shift the means so that "a" performs worst
    items, y = _correlated(n=500)
    scaled = {k: 3 + v for k, v in items.items()}
    scaled["a"] = scaled["a"] - 1.5
    scaled["c"] = scaled["c"] + 1.0

    # when
    result = key_drivers(scaled, y, scale=(1, 5))

    # then
    assert result.enough
    assert result.n == 500
    by_name = {it.name: it for it in result.items}
    assert by_name["a"].rank == 1
    assert sum(it.importance for it in result.items) == pytest.approx(100.0)
    assert sum(it.raw_weight for it in result.items) == pytest.approx(result.r2)
    assert sum(it.shapley for it in result.items) == pytest.approx(result.r2)
    assert by_name["a"].quadrant == FIX_FIRST
    assert result.fix_first[0] == "a"
    assert {it.quadrant for it in result.items} <= {
        FIX_FIRST,
        KEEP_UP,
        LOWER_PRIORITY,
        POSSIBLE_OVERKILL,
    }
    assert (
        by_name["a"].correlation.ci_low
        < by_name["a"].correlation.r
        < by_name["a"].correlation.ci_high
    )


def test_key_drivers_drops_incomplete_rows_and_reports_n():
    # given: two rows lose an item, one row loses the overall score
    items, y = _correlated(n=100)
    items["a"][[0, 1]] = np.nan
    y[5] = np.nan

    # when
    result = key_drivers(items, y)

    # then
    assert result.n == 97
    assert result.n_dropped == 3
    assert result.enough


def test_key_drivers_with_too_few_rows_says_how_many_are_needed():
    # given: 8 items need max(30, 40) = 40 rows; 35 are given
    rng = np.random.default_rng(1)
    items = {f"q{i}": rng.integers(1, 6, size=35).astype(float) for i in range(8)}
    y = rng.integers(1, 6, size=35).astype(float)

    # when
    result = key_drivers(items, y)

    # then
    assert not result.enough
    assert result.needed == 40
    assert "40" in result.message
    assert all(it.importance is None for it in result.items)
    assert result.r2 is None


def test_a_constant_item_is_left_out_with_a_note():
    # given
    items, y = _correlated(n=100)
    items["same"] = np.full(100, 4.0)

    # when
    result = key_drivers(items, y)

    # then
    assert result.enough
    same = next(it for it in result.items if it.name == "same")
    assert same.importance is None
    assert any("same" in note for note in result.notes)
