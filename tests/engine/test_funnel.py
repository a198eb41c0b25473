"""The demand waterfall and capacity against numbers computed by hand."""

import datetime as dt

import pytest
from conftest import apply_patch, base_plan, write_plan

from gtmplan.engine.capacity import productivity
from gtmplan.engine.funnel import compute, lag_quarters
from gtmplan.plan.model import TeamRow
from gtmplan.read.loader import load_plan


def funnel_of(tmp_path, patch=None):
    path = write_plan(tmp_path, apply_patch(base_plan(), patch or {}))
    return compute(load_plan(str(path)).plan)


def test_waterfall_of_the_base_plan(tmp_path):
    f = funnel_of(tmp_path)
    row = f.rows[0]
    # 100,000 / 10,000 = 10 deals; / 0.25 = 40 opps; / 0.5 = 80 SQLs; / 0.4 = 200 MQLs; / 0.25 = 800 leads
    assert (row.deals, row.opportunities, row.sqls) == pytest.approx((10, 40, 80))
    assert (row.mqls_needed, row.leads_needed) == pytest.approx((200, 800))
    # webinars 100 MQLs + seo 400 leads * 0.25 + events 20 MQLs
    assert row.mqls_planned == pytest.approx(220)
    assert row.program_cost == 20000 and row.budget == 25000
    # 2 sellers * 240,000 / 12 * 3 months * attainment 1.0
    assert row.capacity == pytest.approx(120000)
    assert f.lag == 0 and row.created_in == row.quarter
    assert row.mqls_demanded == pytest.approx(200)


@pytest.mark.parametrize("days,lag", [(0, 0), (45, 0), (46, 1), (91, 1), (136, 1), (137, 2), (200, 2), (None, 0)])
def test_sales_cycle_lag(days, lag):
    assert lag_quarters(days) == lag


def test_lag_shifts_demand_earlier_and_leaves_the_last_quarters_without(tmp_path):
    f = funnel_of(tmp_path, {"sales": {"assumptions": {"sales_cycle_days": 200},
                                       "targets": {"2027Q3": 150000}}})
    assert f.lag == 2
    assert [str(r.created_in) for r in f.rows] == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    # 2027Q1's MQLs serve 2027Q3's target: 150,000 -> 300 MQLs
    assert f.rows[0].mqls_demanded == pytest.approx(300)
    assert f.rows[1].mqls_demanded == pytest.approx(200)
    assert f.rows[2].mqls_demanded is None and f.rows[3].mqls_demanded is None


def test_missing_assumption_makes_steps_uncomputable(tmp_path):
    f = funnel_of(tmp_path, {"sales": {"assumptions": {"win_rate": "__delete__"}},
                             "marketing": {"assumptions": {"lead_to_mql": "__delete__"}}})
    row = f.rows[0]
    assert row.deals == pytest.approx(10)
    assert row.opportunities is None and row.mqls_needed is None and row.leads_needed is None
    assert row.mqls_planned is None  # seo forecasts leads only


def test_hire_ramping_mid_quarter(tmp_path):
    # One seller, 480,000 a year (40,000 a month), 3-month ramp, starts 15 Feb 2027:
    # Jan 0, Feb 1/3, Mar 2/3 -> 40,000 in 2027Q1; Apr 3/3 ... -> 120,000 in 2027Q2.
    f = funnel_of(tmp_path, {"sales": {"team": [{"role": "AE", "count": 1, "annual_quota": 480000,
                                                 "ramp_months": 3, "start": dt.date(2027, 2, 15)}]}})
    assert [r.capacity for r in f.rows] == pytest.approx([40000, 120000, 120000, 120000])


def test_capacity_in_a_fiscal_year_starting_in_april(tmp_path):
    # FY2027 Q1 = Apr-Jun 2027. A seller starting 2027-05-10 with a 2-month ramp:
    # Apr 0, May 1/2, Jun 2/2 -> 1.5 months of 20,000 = 30,000 in fiscal 2027Q1.
    f = funnel_of(tmp_path, {"fiscal_year_start_month": 4,
                             "sales": {"team": [{"role": "AE", "count": 1, "annual_quota": 240000,
                                                 "ramp_months": 2, "start": dt.date(2027, 5, 10)}],
                                       "expected_attainment": 0.5}})
    assert [r.capacity for r in f.rows] == pytest.approx([15000, 30000, 30000, 30000])


def test_productivity_ramp():
    row = TeamRow(role="AE", count=1, annual_quota=1, ramp_months=4, start=dt.date(2027, 3, 31))
    assert [productivity(row, 2027, m) for m in (2, 3, 4, 5, 6, 7)] == [0, 0.25, 0.5, 0.75, 1, 1]
    assert productivity(TeamRow(role="AE", count=1, annual_quota=1, start=dt.date(2027, 3, 1)), 2027, 3) == 1
    assert productivity(TeamRow(role="AE", count=1, annual_quota=1), 1999, 1) == 1


def test_owner_side_wins_and_other_side_fills_in(tmp_path):
    f = funnel_of(tmp_path, {"sales": {"assumptions": {"mql_to_sql": "__delete__", "lead_to_mql": 0.5}},
                             "marketing": {"assumptions": {"mql_to_sql": 0.2}}})
    a = f.assumptions
    assert (a["mql_to_sql"].value, a["mql_to_sql"].side) == (0.2, "marketing")
    assert (a["lead_to_mql"].value, a["lead_to_mql"].side) == (0.25, "marketing")
    assert f.rows[0].mqls_needed == pytest.approx(400)


def test_program_cost_counts_only_quarters_it_runs(tmp_path):
    f = funnel_of(tmp_path, {"marketing": {"programs": {2: {"quarters": ["2027Q2"]}}}})
    assert [r.program_cost for r in f.rows] == [18000, 20000, 18000, 18000]
    assert [r.mqls_planned for r in f.rows] == pytest.approx([200, 220, 200, 200])
