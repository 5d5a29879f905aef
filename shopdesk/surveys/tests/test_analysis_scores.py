"""Scores against hand-computed values."""

import math

import numpy as np
import pytest

from shopdesk.surveys.analysis.scores import (
    csat,
    dimension_score,
    distribution,
    effort_score,
    nps,
    satisfaction_index,
    score_100,
    top2_share,
)


def test_nps_of_a_small_list_computed_by_hand():
    # given: promoters 10,10,9,9,10 (5); passives 8,7 (2); detractors 6,2,5 (3); one missing
    answers = [10, 10, 9, 8, 7, 6, 2, 9, 10, 5, None]

    # when
    result = nps(answers)

    # then: (5 - 3) / 10 = +20 points
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 5, 2, 3)
    assert result.nps == pytest.approx(20.0)


def test_nps_all_detractors_is_minus_100_and_empty_is_none():
    assert nps([0, 3, 6]).nps == pytest.approx(-100.0)
    assert nps([]).nps is None


def test_csat_is_the_share_of_4_and_5():
    # given: 7 answers, 4 of them 4 or 5
    answers = [5, 4, 3, 2, 5, None, 1, 4]

    # then
    assert csat(answers) == pytest.approx(4 / 7)


def test_top2_box_takes_the_top_two_values_of_each_scale():
    assert top2_share([7, 6, 5, 1], scale=(1, 7)) == pytest.approx(0.5)
    assert top2_share([5, 4, 3, 3], scale=(1, 5)) == pytest.approx(0.5)
    assert top2_share([10, 9, 8, 0, 1], scale=(0, 10)) == pytest.approx(0.4)
    # a two-point scale: the top box
    assert top2_share([1, 0, 0, 1, 1], scale=(0, 1)) == pytest.approx(0.6)
    assert top2_share([None], scale=(1, 5)) is None


def test_score_100_maps_a_mean_on_its_scale():
    assert score_100(4.0, scale=(1, 5)) == pytest.approx(75.0)
    assert score_100(1.0, scale=(1, 7)) == pytest.approx(0.0)
    assert score_100(None, scale=(1, 5)) is None


def test_distribution_lists_every_value_of_the_scale():
    # when
    dist = distribution([5, 5, 4, 1, np.nan], scale=(1, 5))

    # then
    assert dist.n == 4
    assert dist.counts == {1.0: 1, 2.0: 0, 3.0: 0, 4.0: 1, 5.0: 2}
    assert dist.shares[5.0] == pytest.approx(0.5)


def test_effort_score_is_the_mean():
    assert effort_score([1, 2, 6, None]) == pytest.approx(3.0)


def test_dimension_score_pools_the_items():
    # given: logistics = on time (5, 4) + packaging (3, None, 2)
    dim = dimension_score("logistics", {"on_time": [5, 4], "packaging": [3, None, 2]}, scale=(1, 5))

    # then: mean 14/4 = 3.5 -> (3.5-1)/4*100 = 62.5; top-2 2/4
    assert dim.n == 4
    assert dim.mean == pytest.approx(3.5)
    assert dim.score == pytest.approx(62.5)
    assert dim.top2 == pytest.approx(0.5)


def test_satisfaction_index_weights_are_normalised():
    # when: weights 1 and 3 -> 0.25 and 0.75
    index = satisfaction_index({"a": 80.0, "b": 60.0}, weights={"a": 1, "b": 3})

    # then
    assert index.value == pytest.approx(0.25 * 80 + 0.75 * 60)
    assert index.weights == pytest.approx({"a": 0.25, "b": 0.75})
    assert index.dropped == []


def test_satisfaction_index_drops_a_dimension_without_answers_and_says_so():
    # when
    index = satisfaction_index({"a": 90.0, "b": None, "c": 70.0})

    # then: equal weights over the two left
    assert index.value == pytest.approx(80.0)
    assert index.dropped == ["b"]
    assert "b" in index.note
    assert math.isclose(sum(index.weights.values()), 1.0)


def test_satisfaction_index_without_any_answer_is_none():
    index = satisfaction_index({"a": None})
    assert index.value is None
    assert index.note


def test_satisfaction_index_refuses_negative_weights():
    with pytest.raises(ValueError, match="positive"):
        satisfaction_index({"a": 1.0}, weights={"a": -1})
