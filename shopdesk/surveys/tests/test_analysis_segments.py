"""Segments and trend: group figures and tests against scipy."""

import numpy as np
import pytest
from scipy import stats

from shopdesk.surveys.analysis.segments import holm, segment_compare
from shopdesk.surveys.analysis.trend import trend

A = [5, 4, 4, 5, 3, 5, 4]
B = [2, 3, 4, 3, 2, 1, 3, 4]
C = [4, 4, 3, 5, 4, 2]


def _rows(**groups):
    values, labels = [], []
    for name, vals in groups.items():
        values += vals
        labels += [name] * len(vals)
    return values, labels


def test_two_groups_use_welch_t_like_scipy():
    # given
    values, labels = _rows(app=A, web=B)

    # when
    result = segment_compare(values, labels, scale=(1, 5))

    # then
    expected = stats.ttest_ind(A, B, equal_var=False)
    assert result.test == "welch_t"
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    app = result.groups[0]
    assert (app.name, app.n) == ("app", 7)
    assert app.mean == pytest.approx(np.mean(A))
    assert app.top2 == pytest.approx(6 / 7)


def test_more_groups_use_anova_like_scipy():
    # given
    values, labels = _rows(a=A, b=B, c=C)

    # when
    result = segment_compare(values, labels, scale=(1, 5))

    # then
    expected = stats.f_oneway(A, B, C)
    assert result.test == "anova"
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert result.df == 2


def test_chi_square_of_the_top2_share_like_scipy():
    # given
    values, labels = _rows(a=A, b=B, c=C)
    table = [[6, 1], [2, 6], [4, 2]]  # (top-2, other) per group

    # when
    result = segment_compare(values, labels, scale=(1, 5))

    # then
    expected = stats.chi2_contingency(np.array(table).T, correction=False)
    assert result.chi2 == pytest.approx(expected[0])
    assert result.chi2_p == pytest.approx(expected[1])
    assert result.chi2_df == 2


def test_each_group_vs_the_rest_with_holm_correction():
    # given
    values, labels = _rows(a=A, b=B, c=C)

    # when
    result = segment_compare(values, labels, scale=(1, 5))

    # then: b vs (a + c) is the scipy Welch test
    b = next(g for g in result.groups if g.name == "b")
    expected = stats.ttest_ind(B, A + C, equal_var=False)
    assert b.p_vs_rest == pytest.approx(expected.pvalue)
    raw = [g.p_vs_rest for g in result.groups]
    assert [g.p_holm for g in result.groups] == pytest.approx(list(holm(raw)))
    assert b.significant is (b.p_holm < 0.05)


def test_holm_by_hand():
    # sorted .01, .02, .04 -> x3, x2, x1 = .03, .04, .04 (kept monotone)
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])


def test_small_groups_are_reported_but_not_tested():
    # given
    values, labels = _rows(a=A, b=B, tiny=[1, 1])

    # when
    result = segment_compare(values, labels, scale=(1, 5))

    # then
    tiny = next(g for g in result.groups if g.name == "tiny")
    assert not tiny.tested
    assert tiny.p_vs_rest is None
    assert any("tiny" in n for n in result.notes)
    assert result.test == "welch_t"


def test_one_testable_group_says_nothing_to_test():
    result = segment_compare([5, 4, 5, 4, 3, 1], ["a"] * 5 + ["b"])
    assert result.test is None
    assert result.notes


def test_trend_by_month_and_week():
    # given: May 2024 (1–5 ratings) and June 2024
    dates = ["2024-05-06", "2024-05-07 10:00", "2024-05-31", "2024-06-01", "", "2024-06-03"]
    ratings = [5, 4, 1, 2, 5, None]

    # when
    months = trend(dates, ratings, period="month", scale=(1, 5))
    weeks = trend(dates, ratings, period="week", scale=(1, 5))

    # then
    assert [(m.period, m.n) for m in months] == [("2024-05", 3), ("2024-06", 1)]
    assert months[0].mean == pytest.approx(10 / 3)
    assert months[0].csat == pytest.approx(2 / 3)
    assert months[0].nps is None
    assert [(w.period, w.start, w.n) for w in weeks] == [
        ("2024-W19", "2024-05-06", 2),
        ("2024-W22", "2024-05-27", 2),
    ]


def test_trend_gives_nps_on_a_0_to_10_scale_by_day():
    # when
    days = trend(["2024-01-01"] * 4 + ["2024-01-02"], [10, 9, 3, 7, 10], period="day")

    # then
    assert days[0].period == "2024-01-01"
    assert days[0].nps == pytest.approx(25.0)
    assert days[1].nps == pytest.approx(100.0)
    assert days[0].csat is None


def test_trend_refuses_an_unknown_period():
    with pytest.raises(ValueError, match="day, week or month"):
        trend(["2024-01-01"], [1], period="year")
