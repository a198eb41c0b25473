"""The Wilson interval against values computed by hand, and the -o extension rule."""

import pytest

from gtmplan.engine.stats import fits, wilson
from gtmplan.errors import InputError
from gtmplan.output.outputs import choose_format


def test_wilson_by_hand():
    # p = 0.18, n = 100, z² = 3.8416: centre 0.199208, spread 1.96 * sqrt(0.00157204) = 0.077712,
    # denominator 1.038416 -> (0.11700, 0.26668)
    low, high = wilson(18, 100)
    assert low == pytest.approx(0.11700, abs=5e-5)
    assert high == pytest.approx(0.26668, abs=5e-5)


def test_wilson_edges_stay_in_zero_one():
    assert wilson(0, 5)[0] == 0.0
    assert wilson(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        wilson(1, 0)


def test_fits_is_inclusive_and_unknown_when_missing():
    assert fits(0.117, (0.117, 0.2667)) is True
    assert fits(0.1169, (0.117, 0.2667)) is False
    assert fits(None, (0.1, 0.2)) is None


def test_output_extension_chooses_format_and_unknown_is_refused():
    assert choose_format("render", None, "plan.HTML", ["md", "html", "ics"], "md") == "html"
    assert choose_format("render", "md", "plan.html", ["md", "html", "ics"], "md") == "md"
    assert choose_format("funnel", None, "f.txt", ["table", "json", "csv"], "table") == "table"
    with pytest.raises(InputError) as e:
        choose_format("render", None, "plan.pdf", ["md", "html", "ics"], "md")
    assert ".html" in str(e.value) and "PDF" in str(e.value)


def test_plan_value_is_the_rounder_number_the_interval_allows():
    from gtmplan.engine.stats import plan_value

    # review's suggestion and calibrate's proposal for 151 of 489 (95% interval 26.9% to 35.1%)
    assert plan_value(151 / 489, *wilson(151, 489)) == 0.31
    # a narrow interval that 0.31 would leave: three decimals
    assert plan_value(0.3094, 0.3088, 0.3097) == 0.309
    assert plan_value(0.30941, 0.30938, 0.30944) == 0.3094
    assert plan_value(0.309412, 0.309411, 0.309413) == 0.309412  # no rounder value fits: as measured
