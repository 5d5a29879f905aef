"""The light tail probabilities and tests agree with scipy.stats."""

import numpy as np
import pytest
from scipy import stats

from shopdesk.surveys.analysis.distributions import (
    chi2_independence,
    chi2_sf,
    f_sf,
    norm_ppf,
    t_sf,
    welch,
)


def test_tails_and_quantile_match_scipy_stats():
    assert norm_ppf(0.975) == pytest.approx(stats.norm.ppf(0.975))
    assert float(t_sf(2.1, 17)) == pytest.approx(stats.t.sf(2.1, 17))
    assert f_sf(3.4, 3, 40) == pytest.approx(stats.f.sf(3.4, 3, 40))
    assert chi2_sf(7.8, 3) == pytest.approx(stats.chi2.sf(7.8, 3))


def test_welch_matches_scipy_from_summary_statistics():
    t, p, _ = welch(4.2, 0.9, 30, 3.7, 1.3, 45)
    expected = stats.ttest_ind_from_stats(4.2, 0.9, 30, 3.7, 1.3, 45, equal_var=False)
    assert float(t) == pytest.approx(expected.statistic)
    assert float(p) == pytest.approx(expected.pvalue)


def test_chi_square_of_independence_matches_scipy():
    table = np.array([[30, 45, 12], [20, 15, 28]])
    statistic, p, df = chi2_independence(table)
    expected = stats.chi2_contingency(table, correction=False)
    assert statistic == pytest.approx(expected[0])
    assert p == pytest.approx(expected[1])
    assert df == expected[2]
