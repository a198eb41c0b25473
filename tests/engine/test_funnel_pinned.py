"""The demand waterfall pinned where mutation testing found it loose (issue 21).

Each test is a plan a user could write, with the figure worked by hand in a comment:
a key stated on the other side only, a segment that states its own value, a quarter just
past the horizon, a program without a forecast, a segment whose waterfall is unknown, a
company-wide other pipeline summed over the segments, attrition in a segmented plan.
The plans are tests/data/base_plan.yaml and tests/data/segments_plan.yaml, patched.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gtmplan.engine.funnel import (
    Assumption,
    Funnel,
    compute,
    planned_opportunities,
    program_leads,
    program_mqls,
    program_mqls_in_segments,
    segment_lead_to_mql,
    stated,
)
from gtmplan.plan.quarters import Quarter
from gtmplan.read.loader import load_plan

DATA = Path(__file__).resolve().parents[1] / "data"
Q1, Q2, Q3, Q4 = (Quarter(2027, n) for n in (1, 2, 3, 4))


@functools.cache
def _read(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _merge(base: Any, patch: Any) -> Any:
    """Mappings merge key by key; None removes a key; anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = _merge(out.get(k), v)
        return out
    return copy.deepcopy(patch)


def _plan(tmp_path: Path, base: str, patch: dict | None = None) -> Path:
    data = _merge(copy.deepcopy(_read(base)), patch or {})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def loaded(tmp_path: Path, base: str = "base_plan.yaml", patch: dict | None = None) -> Any:
    return load_plan(str(_plan(tmp_path, base, patch))).plan


def funnel(tmp_path: Path, base: str = "base_plan.yaml", patch: dict | None = None) -> Funnel:
    return compute(loaded(tmp_path, base, patch))


def funnel_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], base: str, patch: dict | None = None) -> dict:
    from gtmplan.cli import run

    path = _plan(tmp_path, base, patch)
    capsys.readouterr()
    code = run(["funnel", str(path), "-f", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


SEG = "segments_plan.yaml"


# -- which side's value the waterfall uses ---------------------------------------------------

def test_lead_to_mql_stated_by_sales_only_is_used(tmp_path: Path) -> None:
    """lead_to_mql is marketing's; when only sales states it, the funnel falls back to sales'."""
    f = funnel(tmp_path, patch={"marketing": {"assumptions": {"lead_to_mql": None}},
                                "sales": {"assumptions": {"lead_to_mql": 0.5}}})
    assert f.assumptions["lead_to_mql"] == Assumption("lead_to_mql", 0.5, "sales", None)
    # 200 MQLs needed / 0.5 = 400 leads; planned: webinars 100 + seo 400 leads x 0.5 + events 20 = 320
    assert f.rows[0].leads_needed == 400
    assert f.rows[0].mqls_planned == 320


def test_marketing_without_any_assumptions_section(tmp_path: Path) -> None:
    """A marketing half that has no `assumptions:` at all: sales' values are used, nothing breaks."""
    f = funnel(tmp_path, patch={"marketing": {"assumptions": None},
                                "sales": {"assumptions": {"lead_to_mql": 0.25}}})
    assert f.assumptions["lead_to_mql"] == Assumption("lead_to_mql", 0.25, "sales", None)
    assert f.rows[0].leads_needed == 800  # 200 MQLs / 0.25
    assert stated(loaded(tmp_path, patch={"marketing": {"assumptions": None}}), "marketing", "win_rate") == (None, None)


def test_a_segments_own_value_is_attributed_to_that_segment(tmp_path: Path) -> None:
    plan = loaded(tmp_path, SEG)
    f = compute(plan)
    smb, ent = f.segments["smb"].assumptions, f.segments["enterprise"].assumptions
    # smb states its own deal size (5,000) and marketing its own lead_to_mql (0.30); its win rate is the company's
    assert smb["average_deal_size"] == Assumption("average_deal_size", 5000.0, "sales", "smb")
    assert smb["lead_to_mql"] == Assumption("lead_to_mql", 0.3, "marketing", "smb")
    assert smb["win_rate"] == Assumption("win_rate", 0.25, "sales", None)
    assert ent["win_rate"] == Assumption("win_rate", 0.2, "sales", "enterprise")
    assert ent["lead_to_mql"] == Assumption("lead_to_mql", 0.25, "marketing", None)
    # where each value is written (what A101's findings point at)
    assert stated(plan, "sales", "win_rate", "enterprise") == (0.2, ("sales", "segments", 1, "assumptions", "win_rate"))
    assert stated(plan, "sales", "win_rate", "smb") == (0.25, ("sales", "assumptions", "win_rate"))
    assert stated(plan, "marketing", "lead_to_mql", "smb") == (0.3, ("marketing", "segments", 0, "assumptions",
                                                                       "lead_to_mql"))


def test_every_assumption_names_its_key_even_when_unknown(tmp_path: Path) -> None:
    f = funnel(tmp_path, patch={"sales": {"assumptions": {"win_rate": None}}})
    assert f.assumptions["win_rate"] == Assumption("win_rate", None, None, None)
    assert all(a.key == k for k, a in f.assumptions.items())


# -- rows and the quarters around the horizon ------------------------------------------------

def test_no_row_just_outside_the_horizon(tmp_path: Path) -> None:
    f = funnel(tmp_path)
    assert f.row(Q4).quarter == Q4
    assert f.row(Quarter(2028, 1)) is None  # the quarter right after 2027Q4
    assert f.row(Quarter(2026, 4)) is None  # the quarter right before 2027Q1
    assert planned_opportunities(f, Quarter(2028, 1)) is None


def test_planned_opportunities_by_hand(tmp_path: Path) -> None:
    f = funnel(tmp_path)
    # MQLs planned 220 (webinars 100 + seo 400 x 0.25 + events 20) x 0.4 x 0.5 = 44, no other pipeline
    assert planned_opportunities(f, Q1) == pytest.approx(44)
    assert f.rows[0].other_pipeline_cost is None and f.rows[0].other_by_source is None


@pytest.mark.parametrize("patch", [
    {"sales": {"assumptions": {"sql_to_opportunity": None}}},  # one of the two rates unknown
    {"sales": {"assumptions": {"mql_to_sql": None}}},
    {"marketing": {"assumptions": {"lead_to_mql": None}}},  # seo's leads: MQLs planned unknown
])
def test_planned_opportunities_unknown_when_a_step_is(tmp_path: Path, patch: dict) -> None:
    f = funnel(tmp_path, patch=patch)
    assert planned_opportunities(f, Q1) is None


# -- programs --------------------------------------------------------------------------------

def test_a_program_without_a_forecast_brings_no_mqls_or_leads(tmp_path: Path) -> None:
    """A brand program with a cost but neither expected_mqls nor expected_leads."""
    brand = {"id": "brand", "channel": "events", "segments": ["core"], "quarters": ["2027Q1"], "cost": 1000}
    plan = loaded(tmp_path, patch={"marketing": {"programs": [*_read("base_plan.yaml")["marketing"]["programs"],
                                                               brand]}})
    p = plan.marketing.programs[3]
    assert (program_mqls(p, 0.25), program_leads(p, 0.25)) == (0.0, 0.0)
    row = compute(plan).rows[0]
    assert (row.mqls_planned, row.program_cost) == (220, 21000)  # unchanged MQLs; 20,000 + 1,000


def test_program_leads_by_hand(tmp_path: Path) -> None:
    webinars, seo, _ = loaded(tmp_path).marketing.programs
    assert program_leads(webinars, 0.25) == 400  # 100 MQLs stated / 0.25
    assert program_leads(seo, 0.25) == 400  # stated
    assert program_leads(webinars, None) is None and program_leads(webinars, 0) is None


def test_program_mqls_in_segments_by_hand(tmp_path: Path) -> None:
    plan = loaded(tmp_path, SEG)
    webinars, seo = plan.marketing.programs
    l2m = segment_lead_to_mql(plan)
    assert l2m == {"smb": 0.3, "enterprise": 0.25}
    assert program_mqls_in_segments(plan, webinars, l2m) == 100  # 100 x 0.5 + 100 x 0.5
    assert program_mqls_in_segments(plan, seo, l2m) == pytest.approx(120)  # 400 leads all to smb x 0.30
    programs = copy.deepcopy(_read(SEG)["marketing"]["programs"])
    del programs[1]["segments"]
    (tmp_path / "b").mkdir()
    plan_b = loaded(tmp_path / "b", SEG, {"marketing": {"programs": programs}})
    # seo naming no segment: 200 leads to smb x 0.30 + 200 to enterprise x 0.25 = 60 + 50
    assert program_mqls_in_segments(plan_b, plan_b.marketing.programs[1], l2m) == pytest.approx(110)
    assert program_mqls_in_segments(plan, seo, {"smb": None, "enterprise": 0.25}) is None


def test_programs_running_each_quarter(tmp_path: Path) -> None:
    f = funnel(tmp_path, SEG)
    assert f.by_quarter[Q1].programs == [0, 1]
    assert f.segments["smb"].by_quarter[Q1].programs == [0, 1]
    assert f.segments["enterprise"].by_quarter[Q1].programs == [0]  # seo is smb's only


def test_a_quarter_with_a_program_of_one_segment_only(tmp_path: Path) -> None:
    """2027Q1: one smb program; 2027Q2 to Q4: no program at all."""
    launch = {"id": "launch", "channel": "events", "segments": ["smb"], "quarters": ["2027Q1"],
              "cost": 5000, "expected_mqls": 40}
    f = funnel(tmp_path, SEG, {"marketing": {"programs": [launch]}})
    assert f.by_quarter[Q1].mqls == 40  # smb 40 + enterprise nothing (0, not unknown)
    assert Q1 not in f.segments["enterprise"].by_quarter
    assert (f.rows[0].mqls_planned, f.rows[0].program_cost) == (40, 5000)
    assert (f.rows[1].mqls_planned, f.rows[1].program_cost) == (0, 0)


def test_a_segment_without_any_lead_to_mql_makes_the_company_mqls_unknown(tmp_path: Path) -> None:
    """No lead_to_mql anywhere: seo's leads cannot become smb MQLs; enterprise's stay known."""
    f = funnel(tmp_path, SEG, {"marketing": {"assumptions": None, "segments": None}})
    assert f.segments["smb"].rows[0].mqls_planned is None
    assert f.segments["enterprise"].rows[0].mqls_planned == 50  # webinars' half
    assert f.rows[0].mqls_planned is None and f.by_quarter[Q1].mqls is None


# -- the company of a segmented plan ---------------------------------------------------------

def test_the_company_lag_of_a_segmented_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = funnel_json(tmp_path, capsys, SEG, {"sales": {"assumptions": {"sales_cycle_days": 91}}})
    assert doc["lag_quarters"] == 1  # floor(91 / 91 + 1/2)
    assert doc["lags"] == {"smb": 0, "enterprise": 1}
    company = doc["quarters"][8]
    assert "other_by_source" not in company and "other_pipeline_cost" not in company


def test_company_rows_without_other_pipeline_have_none(tmp_path: Path) -> None:
    f = funnel(tmp_path, SEG)
    assert (f.rows[0].other_by_source, f.rows[0].other_pipeline_cost) == (None, None)


def test_company_other_pipeline_summed_over_the_segments(tmp_path: Path) -> None:
    f = funnel(tmp_path, SEG, {"sales": {"other_pipeline": [{"id": "sdr", "share": 0.25}]}})
    # smb 32 opps x 0.25 = 8; enterprise 10 opps x 0.25 = 2.5; the company's sdr: 10.5
    assert f.segments["smb"].rows[0].other_by_source == {"sdr": 8}
    assert f.segments["enterprise"].rows[0].other_by_source == {"sdr": 2.5}
    assert f.rows[0].other_by_source == {"sdr": 10.5}
    assert f.rows[0].other_pipeline_cost == 0  # the item states no cost


def test_company_other_pipeline_cost_summed(tmp_path: Path) -> None:
    f = funnel(tmp_path, SEG, {"sales": {"other_pipeline": [{"id": "sdr", "share": 0.25, "cost": 3000}]}})
    assert f.rows[0].other_pipeline_cost == 6000  # 3,000 in smb + 3,000 in enterprise


def test_an_unknown_segment_waterfall_leaves_its_other_pipeline_unknown(tmp_path: Path) -> None:
    """smb states no deal size and neither does the company: smb's opportunities, and so its
    other pipeline's, are unknown; the company's sum is unknown, never enterprise's alone."""
    seg_patch = copy.deepcopy(_read(SEG)["sales"]["segments"])
    del seg_patch[0]["assumptions"]["average_deal_size"]
    f = funnel(tmp_path, SEG, {"sales": {"assumptions": {"average_deal_size": None}, "segments": seg_patch,
                                         "other_pipeline": [{"id": "sdr", "share": 0.25}]}})
    assert f.segments["smb"].rows[0].other_by_source == {"sdr": None}
    assert f.segments["enterprise"].rows[0].other_by_source == {"sdr": 2.5}  # 10 opps x 0.25
    assert f.rows[0].other_by_source == {"sdr": None}
    assert f.rows[0].opportunities is None
    # smb demands nothing it can compute; enterprise (lag 1) demands in Q1..Q3 only: 2027Q4 demands none
    assert f.rows[3].mqls_demanded is None
    # enterprise's (10 - 2.5) / 0.5 = 15 SQLs / 0.4 = 37.5 MQLs for 2027Q2, demanded in 2027Q1
    assert f.rows[0].mqls_demanded == pytest.approx(37.5)


def test_attrition_in_a_segmented_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patch = {"sales": {"attrition": {"annual_rate": 0.2, "backfill_months": 3}}}
    f = funnel(tmp_path, SEG, patch)
    # 1 - 0.2 x (3 months + no ramp) / 12 = 0.95 for each of the two team rows
    assert f.attrition_factors == [pytest.approx(0.95), pytest.approx(0.95)]
    doc = funnel_json(tmp_path, capsys, SEG, patch)
    assert doc["attrition_factors"] == [pytest.approx(0.95), pytest.approx(0.95)]


def test_programs_running_each_quarter_without_segments(tmp_path: Path) -> None:
    f = funnel(tmp_path)
    assert f.by_quarter[Q1].programs == [0, 1, 2]  # webinars, seo, events: their places in marketing.programs


def test_a_program_without_a_forecast_in_a_segmented_plan(tmp_path: Path) -> None:
    brand = {"id": "brand", "channel": "events", "segments": ["smb"], "quarters": ["2027Q1"], "cost": 1000}
    f = funnel(tmp_path, SEG, {"marketing": {"programs": [*_read(SEG)["marketing"]["programs"], brand]}})
    # smb: webinars 50 + seo 120 (unchanged: brand brings no MQLs); cost 5,000 + 8,000 + 1,000
    assert (f.segments["smb"].rows[0].mqls_planned, f.segments["smb"].rows[0].program_cost) == (170, 14000)
    assert f.rows[0].mqls_planned == 220


def test_an_unknown_program_listed_first_keeps_the_segment_unknown(tmp_path: Path) -> None:
    """seo (leads, no lead_to_mql anywhere) before webinars: smb's MQLs stay unknown, not 50."""
    webinars, seo = _read(SEG)["marketing"]["programs"]
    f = funnel(tmp_path, SEG, {"marketing": {"assumptions": None, "segments": None, "programs": [seo, webinars]}})
    assert f.segments["smb"].rows[0].mqls_planned is None
    assert f.segments["enterprise"].rows[0].mqls_planned == 50


def test_needs_with_a_fixed_other_share() -> None:
    from gtmplan.engine.funnel import needs

    v = {"average_deal_size": 10000, "win_rate": 0.25, "sql_to_opportunity": 0.5, "mql_to_sql": 0.4, "lead_to_mql": 0.25}
    # 100,000 / 10,000 = 10 deals / 0.25 = 40 opps, 25% of them (10) sourced by sales;
    # (40 - 10) / 0.5 = 60 SQLs / 0.4 = 150 MQLs / 0.25 = 600 leads
    assert needs(100000, v, 0.25) == pytest.approx((10, 40, 10, 60, 150, 600))
    assert needs(100000, v) == pytest.approx((10, 40, 0, 80, 200, 800))  # no other share: marketing brings all
    assert needs(100000, {**v, "win_rate": None}, 0.25) == (10, None, None, None, None, None)
