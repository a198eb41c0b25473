"""Rule messages whose numbers add up: a shortfall is the difference of the counts shown, a
difference just over the tolerance is not shown as equal to it, one of a thing is singular
(issue 16, a newcomer's first hour)."""

from __future__ import annotations

import datetime as dt

# -- 3: numbers that add up -------------------------------------------------------------------

def test_a102_shortfall_is_the_difference_of_the_counts_shown(gtm, plan_file):
    # needs 200.9 MQLs (shown 201), plans 170.1 (shown 171): short by 30, not ceil(30.8) = 31
    path = plan_file({"sales": {"targets": {"2027Q1": 100450}},
                      "marketing": {"assumptions": {"lead_to_mql": 0.2505},
                                    "programs": {1: {"expected_leads": 200}}}})
    r = gtm("check", path, "--select", "A102")
    assert ("marketing plans 171 MQLs in 2027Q1; sales' target for 2027Q1 ($100,450) needs 201 in the same "
            "quarter (short by 30, 15%)") in r.out


def test_a_difference_just_over_the_tolerance_is_not_shown_as_equal_to_it(gtm, plan_file):
    path = plan_file({"sales": {"assumptions": {"mql_to_sql": 0.4}},
                      "marketing": {"assumptions": {"mql_to_sql": 0.3588}}})
    r = gtm("check", path, "--select", "A101")
    assert "(differ by 10.3%, tolerance 10%)" in r.out


def test_a104_says_how_many_sellers_join_mid_quarter_and_what_they_are_worth(gtm, plan_file):
    path = plan_file({"sales": {"targets": {"2027Q1": 200000},
                                "team": [{"role": "AE", "count": 2, "annual_quota": 240000},
                                         {"role": "AE", "count": 2, "annual_quota": 240000,
                                          "start": dt.date(2027, 3, 1)}]}})
    r = gtm("check", path, "--select", "A104")
    assert ("sales capacity in 2027Q1 is $160,000 (4 sellers, 2 of them starting during 2027Q1: worth 2.7 "
            "fully ramped sellers, at 100% attainment); the target is $200,000 (short by $40,000, 20%)") in r.out


def test_one_of_a_thing_is_singular_and_a_tiny_overrun_is_not_0_percent(gtm, plan_file):
    path = plan_file({"marketing": {"budget": {"2027Q1": 9990},
                                    "programs": {1: "__delete__", 2: "__delete__"}},
                      "sales": {"max_opportunities_per_rep": 1, "team": {0: {"count": 1}}}})
    out = gtm("check", path, "--select", "B401,A105").out
    assert "the 1 program running in 2027Q1 cost $10,000; the budget is $9,990 (over by $10, 0.1%)" in out
    assert "1 seller can work 1 (1 x 1)" in out
