"""The original risk score, kept exactly."""

import pytest

from analytics.scoring import risk_score


def test_worked_example_from_the_original_scores_55():
    assert risk_score([0, 60, 400], [4, 9, 14]) == 55.0


def test_incidents_are_capped_at_fifty_points():
    # 8 recent cases of toddlers: 50 (not 80) + 20 + 15, the highest score the formula can give
    assert risk_score([1] * 8, [2] * 8) == 85.0


def test_five_cases_reach_the_incident_cap():
    assert risk_score([1] * 5, [2] * 5) == risk_score([1] * 6, [2] * 6)


def test_old_cases_of_teenagers_score_the_minimum_per_case():
    assert risk_score([1000], [17]) == 20.0


def test_recency_bands_are_inclusive_at_their_bounds():
    assert [risk_score([d], [17]) for d in (30, 31, 90, 91, 365, 366)] == [35.0, 30.0, 30.0, 25.0, 25.0, 20.0]


def test_age_bands_are_inclusive_at_their_bounds():
    assert [risk_score([1000], [a]) for a in (5, 6, 10, 11, 15, 16)] == [30.0, 27.0, 27.0, 23.0, 23.0, 20.0]


def test_score_is_rounded_to_one_decimal():
    # 30 + mean(20, 15, 5) + mean(5, 5, 5) = 48.333...
    assert risk_score([0, 60, 400], [17, 17, 17]) == 48.3


def test_no_cases_score_zero():
    assert risk_score([], []) == 0.0


def test_mismatched_lists_are_rejected():
    with pytest.raises(ValueError):
        risk_score([1, 2], [5])
