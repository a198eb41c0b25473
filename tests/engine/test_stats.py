"""The Wilson interval and the plan values it allows, against values computed by hand."""

import pytest

from gtmplan.engine.stats import fits, wilson


def test_wilson_by_hand():
    # p = 0.18, n = 100, z² = 3.8416: centre 0.199208, spread 1.96 * sqrt(0.00157204) = 0.077712,
    # denominator 1.038416 -> (0.11700, 0.26668)
    low, high = wilson(18, 100)
    assert low == pytest.approx(0.11700, abs=5e-5)
    assert high == pytest.approx(0.26668, abs=5e-5)


def test_wilson_edges_stay_in_zero_one():
    assert wilson(0, 5)[0] == 0.0
    assert wilson(5, 5)[1] == 1.0
    with pytest.raises(ValueError, match="^a rate needs at least one trial$"):
        wilson(1, 0)
    with pytest.raises(ValueError, match="^3 successes out of 2 trials$"):
        wilson(3, 2)


def test_wilson_of_one_win_in_one_closed_deal():
    # n = 1 is a measurement, however thin: p = 1, z² = 3.8416, centre 1 + 3.8416/2 = 2.9208,
    # spread 1.96 * sqrt(0 + 3.8416/4) = 1.96 * 0.98 = 1.9208, denominator 1 + 3.8416 = 4.8416
    # -> low (2.9208 - 1.9208) / 4.8416 = 0.20654, high 4.8416 / 4.8416 = 1.0
    low, high = wilson(1, 1)
    assert low == pytest.approx(0.20654, abs=5e-6)
    assert high == 1.0


def test_fits_is_inclusive_and_unknown_when_missing():
    assert fits(0.117, (0.117, 0.2667)) is True
    assert fits(0.1169, (0.117, 0.2667)) is False
    assert fits(None, (0.1, 0.2)) is None
    # a stated rate exactly at the upper edge fits too (E701 stays quiet, calibrate keeps it)
    assert fits(0.2667, (0.117, 0.2667)) is True
    assert fits(0.2668, (0.117, 0.2667)) is False
    assert fits(0.2, None) is None


def test_plan_value_is_the_rounder_number_the_interval_allows():
    from gtmplan.engine.stats import plan_value

    # review's suggestion and calibrate's proposal for 151 of 489 (95% interval 26.9% to 35.1%)
    assert plan_value(151 / 489, *wilson(151, 489)) == 0.31
    # a narrow interval that 0.31 would leave: three decimals
    assert plan_value(0.3094, 0.3088, 0.3097) == 0.309
    assert plan_value(0.30941, 0.30938, 0.30944) == 0.3094
    assert plan_value(0.309412, 0.309411, 0.309413) == 0.309412  # no rounder value fits: as measured
    # the two-decimal value exactly on an edge of the interval is inside it: kept
    assert plan_value(0.2996, 0.28, 0.30) == 0.3  # round(0.2996, 2) = 0.30, the upper edge
    assert plan_value(0.2004, 0.20, 0.23) == 0.2  # round(0.2004, 2) = 0.20, the lower edge
