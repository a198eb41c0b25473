"""Pipeline motions as capacity, shares per quarter, sellers who leave, expected attrition
(docs/reference/plan-format.md, "Pipeline sources as capacity, shares per quarter" and
"Sellers who leave, and expected attrition").

The base plan (tests/data/base_plan.yaml): targets of 100,000 a quarter at 10,000 a deal
and a 0.25 win rate need 40 opportunities a quarter; sql_to_opportunity 0.5, mql_to_sql
0.4, lead_to_mql 0.25; two AEs at 240,000 a year carry 120,000 a quarter; the programs
plan 220 MQLs a quarter; horizon 2027Q1-2027Q4 (calendar quarters).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import apply_patch, base_plan, write_plan

D = dt.date


def sdr(count=2, opm=2, **row) -> dict:
    """An other_pipeline item whose team of SDRs creates ``opm`` opportunities a month each."""
    return {"id": "sdr", "name": "SDR outbound",
            "capacity": {"team": [{"role": "SDR", "count": count, **row}], "opportunities_per_month": opm}}


def funnel_json(gtm, tmp_path, patch) -> dict:
    r = gtm("funnel", write_plan(tmp_path, apply_patch(base_plan(), patch)), "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def quarters(doc, key):
    return [q[key] for q in doc["quarters"]]


# -- capacity motions ------------------------------------------------------------------

def test_two_ramped_sdrs_at_two_a_month_bring_twelve_a_quarter(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"other_pipeline": [sdr(count=2, opm=2)]}})
    q1 = doc["quarters"][0]
    # 2 SDRs x 3 months x 2 opportunities = 12 (6 per SDR), whatever the target needs
    assert q1["other_opportunities"] == pytest.approx(12)
    assert q1["other_by_source"] == {"sdr": pytest.approx(12)}
    # marketing is asked for the rest: (40 - 12) / 0.5 = 56 SQLs / 0.4 = 140 MQLs / 0.25 = 560 leads
    assert (q1["sqls"], q1["mqls_needed"], q1["leads_needed"]) == (pytest.approx(56), pytest.approx(140),
                                                                   pytest.approx(560))
    assert quarters(doc, "other_opportunities") == [pytest.approx(12)] * 4
    assert quarters(doc, "other_pipeline_cost") == [0, 0, 0, 0]  # no cost stated


def test_an_sdr_starting_mid_quarter_on_a_ramp_curve(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"other_pipeline": [
        sdr(count=1, opm=4, start=D(2027, 2, 15), ramp=[0, 0.5])]}})
    # 2027Q1: January before the start month 0; February (month 0) 0; March (month 1) 0.5:
    # 1 x 0.5 x 4 = 2. 2027Q2: full from April: 1 x 3 x 4 = 12.
    assert quarters(doc, "other_opportunities") == [pytest.approx(2), pytest.approx(12), pytest.approx(12),
                                                    pytest.approx(12)]
    # 2027Q1: (40 - 2) / 0.5 = 76 SQLs / 0.4 = 190 MQLs
    assert doc["quarters"][0]["mqls_needed"] == pytest.approx(190)


def test_capacity_above_the_need_asks_marketing_for_nothing(gtm, tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"other_pipeline": [sdr(count=10, opm=2)]}}))
    doc = json.loads(gtm("funnel", path, "-f", "json").out)
    q1 = doc["quarters"][0]
    # 10 SDRs x 3 months x 2 = 60 opportunities against the 40 needed: not capped, and
    # marketing's part is max(0, 40 - 60) = 0, never negative
    assert q1["other_opportunities"] == pytest.approx(60)
    assert (q1["sqls"], q1["mqls_needed"], q1["leads_needed"]) == (0, 0, 0)
    assert quarters(doc, "mqls_demanded") == [0, 0, 0, 0]
    table = gtm("funnel", path).out
    row = next(line for line in table.splitlines() if line.startswith("│ 2027Q1") and "$100,000" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[3:8] == ["40", "60", "0", "0", "0"]  # Opps, Other opps, SQLs, MQLs needed, Leads needed
    md = gtm("render", path, "-f", "md").out
    assert "| 2027Q1 | 40 | 0 | 60 |" in md  # opportunities needed; marketing's MQLs 0; SDR outbound 60
    # A102 has nothing to ask of marketing
    assert "A102" not in gtm("check", path).out


def test_a_share_per_quarter_is_zero_in_a_quarter_it_does_not_list(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"other_pipeline": [
        {"id": "partners", "share": {"2027Q2": 0.25, "2027Q4": 0.1}}]}})
    # 2027Q1 and 2027Q3 are not listed: share 0. 2027Q2: 40 x 0.25 = 10; 2027Q4: 40 x 0.1 = 4.
    assert quarters(doc, "other_opportunities") == [0, pytest.approx(10), 0, pytest.approx(4)]
    # 2027Q1: 40 / 0.5 = 80 SQLs / 0.4 = 200 MQLs, as without other pipeline; 2027Q2: 30 / 0.5 / 0.4 = 150
    assert quarters(doc, "mqls_needed")[:2] == [pytest.approx(200), pytest.approx(150)]


def test_a_single_cost_is_charged_in_every_quarter_a_map_where_it_lists(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"other_pipeline": [
        {**sdr(), "cost": 30000}, {"id": "partners", "share": 0.1, "cost": {"2027Q3": 5000}}]}})
    # 30,000 every quarter; 5,000 more in 2027Q3 only
    assert quarters(doc, "other_pipeline_cost") == [30000, 30000, 35000, 30000]
    assert quarters(doc, "program_cost") == [20000] * 4  # marketing's spend is unchanged
    # 12 from the SDRs + 40 x 0.1 = 4 from partners = 16
    assert doc["quarters"][0]["other_by_source"] == {"sdr": pytest.approx(12), "partners": pytest.approx(4)}


def test_render_shows_each_motion_beside_marketings_programs(gtm, tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"other_pipeline": [
        {**sdr(count=2, opm=2), "cost": 30000}]}}))
    md = gtm("render", path, "-f", "md").out
    # programs: 220 MQLs x 0.4 x 0.5 = 44 opportunities for 20,000 = 454.5 a piece;
    # the SDRs: 12 opportunities for 30,000 = 2,500 a piece, 2 people
    assert "| 2027Q1 | Marketing's programs (MQLs planned) | 44 | – | $20,000 | $455 |" in md
    assert "| 2027Q1 | SDR outbound | 12 | 2 | $30,000 | $2,500 |" in md
    # opportunities needed by source: 40 = 28 from marketing's MQLs + 12 from the SDRs
    assert "| 2027Q1 | 40 | 28 | 12 |" in md
    html = gtm("render", path, "-f", "html").out
    assert "<td>SDR outbound</td><td class=\"num\">12</td><td class=\"num\">2</td>" in html
    table = gtm("funnel", path).out
    assert ("Other pipeline cost: what sales.other_pipeline's motions cost (not marketing's budget)."
            in " ".join(table.split())) and "$30,000" in table


def test_a105_counts_what_a_motion_brings_and_names_it(gtm, tmp_path):
    # 44 from the programs + 12 from two SDRs = 56 against 2 sellers x 25 = 50: above 50 x 1.1 = 55
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {
        "max_opportunities_per_rep": 25, "other_pipeline": [sdr(count=2, opm=2)]}}))
    out = gtm("check", path, "--select", "A105").out
    assert ("A105 warning: 2027Q1 plans about 56 opportunities: 44 from marketing's programs "
            "(220 MQLs x 0.40 x 0.50) and 12 from other sources (sales.other_pipeline: SDR outbound 12); "
            "2 sellers can work 50 (2 x 25)") in out
    # near miss: one SDR brings 6: 44 + 6 = 50, within 55
    quiet = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {
        "max_opportunities_per_rep": 25, "other_pipeline": [sdr(count=1, opm=2)]}}), "quiet.yaml")
    assert "A105" not in gtm("check", quiet, "--select", "A105").out


def test_a102_says_the_quarters_share_with_a_share_map(gtm, tmp_path):
    # 2027Q2: 40 x 0.25 = 10 from partners, (40 - 10) / 0.5 / 0.4 = 150 MQLs; the programs bring 120
    path = write_plan(tmp_path, apply_patch(base_plan(), {
        "sales": {"other_pipeline": [{"id": "partners", "share": {"2027Q2": 0.25}}]},
        "marketing": {"programs": {0: {"expected_mqls": 0}}}}))
    out = gtm("check", path, "--select", "A102").out
    assert ("A102 error: marketing plans 120 MQLs in 2027Q2; sales' target for 2027Q2 ($100,000) needs 150 in the "
            "same quarter (short by 30, 20%); other sources (sales.other_pipeline) bring 10 of its 40 "
            "opportunities (25%), marketing the rest") in out
    # 2027Q1 lists no share: 200 needed, no other-sources clause
    assert ("marketing plans 120 MQLs in 2027Q1; sales' target for 2027Q1 ($100,000) needs 200 in the same "
            "quarter (short by 80, 40%)\n") in out


# -- sellers who leave -----------------------------------------------------------------

def test_a_row_that_ends_mid_quarter_counts_only_its_months(gtm, tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"team": [
        {"role": "AE", "count": 2, "annual_quota": 240000, "end": D(2027, 2, 10)}]}}))
    doc = json.loads(gtm("funnel", path, "-f", "json").out)
    # 2 x 240,000 / 12 = 40,000 a month; they leave after 10 February: January and February
    # count, from March nothing: 80,000 in 2027Q1, 0 after
    assert quarters(doc, "capacity") == [pytest.approx(80000), 0, 0, 0]
    out = gtm("check", path, "--select", "A104").out
    # head count: on the team during 2027Q1 (2), gone in 2027Q2 (0);
    # worth 2 x 2/3 = 1.3 fully ramped sellers in 2027Q1
    assert ("A104 error: sales capacity in 2027Q1 is $80,000 (2 sellers, 2 of them leaving during 2027Q1: "
            "worth 1.3 fully ramped sellers, at 100% attainment); the target is $100,000 "
            "(short by $20,000, 20%)") in out
    assert "sales capacity in 2027Q2 is $0 (no sellers on the team, at 100% attainment)" in out
    md = gtm("render", path, "-f", "md").out
    assert "| 2027Q1 | $100,000 | $80,000 | ⚠ 80% | 2 |" in md and "| 2027Q2 | $100,000 | $0 | ⚠ 0% | 0 |" in md
    assert "| AE | 2 | $240,000 | already on board | none | 10 Feb 2027 |" in md


def test_an_sdr_who_leaves_stops_creating_opportunities_the_next_month(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"other_pipeline": [sdr(count=2, opm=2, end=D(2027, 1, 31))]}})
    # January only: 2 x 1 x 2 = 4
    assert quarters(doc, "other_opportunities") == [pytest.approx(4), 0, 0, 0]


def test_end_before_start_is_a_located_error(gtm, tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"team": [
        {"role": "AE", "count": 2, "annual_quota": 240000, "start": D(2027, 4, 1), "end": D(2027, 3, 1)}]}}))
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "end: 2027-03-01" in text)
    col = lines[line - 1].index("2027-03-01") + 1
    r = gtm("check", path)
    assert r.code == 2 and r.out == ""
    assert r.err == (f"{path}:{line}:{col}: sales.team[0].end: end (2027-03-01) is before start (2027-04-01): "
                     "the sellers leave after end, so it must be on or after start\n")


def test_end_on_the_start_day_is_valid(gtm, plan_file):
    path = plan_file({"sales": {"team": {0: {"start": D(2027, 4, 1), "end": D(2027, 4, 1)}}}})
    doc = json.loads(gtm("funnel", path, "-f", "json").out)
    # one month (April) of 40,000
    assert quarters(doc, "capacity") == [0, pytest.approx(40000), 0, 0]


# -- attrition -------------------------------------------------------------------------

@pytest.mark.parametrize("row,factor", [
    # ramp_months 3: R = (3 - 1) / 2 = 1; 1 - 0.2 x (2 + 1) / 12 = 1 - 0.05 = 0.95
    ({"ramp_months": 3}, 0.95),
    # a curve [0, 0.25, 0.5, 0.75]: R = 1 + 0.75 + 0.5 + 0.25 = 2.5; 1 - 0.2 x 4.5 / 12 = 0.925
    ({"ramp": [0, 0.25, 0.5, 0.75]}, 0.925),
    # no ramp: R = 0; 1 - 0.2 x 2 / 12 = 0.9667
    ({}, 1 - 0.2 * 2 / 12),
])
def test_the_attrition_factor(gtm, tmp_path, row, factor):
    doc = funnel_json(gtm, tmp_path, {"sales": {"attrition": {"annual_rate": 0.2, "backfill_months": 2},
                                                "team": {0: row}}})
    assert doc["attrition_factors"] == [pytest.approx(factor)]
    # the AEs are on board before the horizon (fully ramped): 120,000 x factor
    assert quarters(doc, "capacity") == [pytest.approx(120000 * factor)] * 4


def test_attrition_is_said_in_funnel_and_render_and_a104(gtm, tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {
        "attrition": {"annual_rate": 0.2, "backfill_months": 2}, "team": {0: {"ramp_months": 3}},
        "targets": {"2027Q1": 130000}}}))
    table = " ".join(gtm("funnel", path).out.split())
    assert ("Capacity is multiplied by an attrition factor of 0.95 (20% of sellers leave a year and a seat "
            "stays empty 2 months, plus the new seller's ramp).") in table
    md = gtm("render", path, "-f", "md").out
    assert ("Ramped capacity at 100% expected attainment. Capacity is multiplied by an attrition factor of 0.95 "
            "(20% of sellers leave a year and a seat stays empty 2 months, plus the new seller's ramp).") in md
    # 120,000 x 0.95 = 114,000 against 130,000: short by 16,000 (12.3%, beyond the 10% tolerance)
    out = gtm("check", path, "--select", "A104").out
    assert ("sales capacity in 2027Q1 is $114,000 (2 sellers, all fully ramped, at 100% attainment and an "
            "attrition factor of 0.95 (20% a year leave; 2 months to backfill, plus the ramp)); the target is "
            "$130,000 (short by $16,000,") in out


def test_attrition_is_clamped_at_zero_and_never_applied_to_a_motion(gtm, tmp_path):
    doc = funnel_json(gtm, tmp_path, {"sales": {"attrition": {"annual_rate": 1, "backfill_months": 13},
                                                "other_pipeline": [sdr(count=2, opm=2)]}})
    # 1 - 1 x 13 / 12 < 0: clamped at 0, no capacity
    assert doc["attrition_factors"] == [0]
    assert quarters(doc, "capacity") == [0, 0, 0, 0]
    # the SDRs still bring 2 x 3 x 2 = 12
    assert quarters(doc, "other_opportunities") == [pytest.approx(12)] * 4


def test_attrition_values_are_checked(gtm, plan_file):
    r = gtm("check", plan_file({"sales": {"attrition": {"annual_rate": 1.5, "backfill_months": -1}}}))
    assert r.code == 2
    assert "sales.attrition.annual_rate: must be at most 1, got 1.5 (a fraction: write 30% as 0.30)" in r.err
    assert "sales.attrition.backfill_months: must be at least 0, got -1" in r.err


# -- what a plan may not say -----------------------------------------------------------

def _err(gtm, tmp_path, patch) -> str:
    r = gtm("check", write_plan(tmp_path, apply_patch(base_plan(), patch)))
    assert r.code == 2 and r.out == ""
    return r.err


def test_an_item_with_both_share_and_capacity_or_neither(gtm, tmp_path):
    err = _err(gtm, tmp_path, {"sales": {"other_pipeline": [{**sdr(), "share": 0.1}, {"id": "partners"}]}})
    assert ("sales.other_pipeline[0].capacity: sdr gives both share and capacity: give one, share (a fraction of "
            "each quarter's opportunities) or capacity (a team that creates them)") in err
    assert ("sales.other_pipeline[1]: partners gives neither share nor capacity: give one, share (a fraction of "
            "each quarter's opportunities) or capacity (a team that creates them)") in err


def test_share_map_quarters_lie_in_the_horizon_and_each_quarters_shares_sum_below_one(gtm, tmp_path):
    err = _err(gtm, tmp_path, {"sales": {"other_pipeline": [
        {"id": "a", "share": {"2027Q2": 0.6, "2028Q1": 0.1}}, {"id": "b", "share": 0.4}]}})
    assert ("sales.other_pipeline[0].share.2028Q1: quarter 2028Q1 is outside the horizon 2027Q1-2027Q4: "
            "extend the horizon or remove it") in err
    # 2027Q2: 0.6 + 0.4 = 1; the other quarters 0 + 0.4
    assert ("sales.other_pipeline: the shares of other_pipeline for 2027Q2 add up to 1 (0.6 + 0.4): they must "
            "be below 1, since the rest of the opportunities come from marketing's MQLs") in err
    assert "for 2027Q1" not in err


def test_a_share_map_value_is_said_in_plain_words(gtm, tmp_path):
    lines = _err(gtm, tmp_path, {"sales": {"other_pipeline": [{"id": "a", "share": {"2027Q2": "25%"}}]}})
    assert lines.count("\n") == 1  # one problem, one line (not one per way of writing a share)
    assert "sales.other_pipeline[0].share.2027Q2: expected a number, got '25%' (a fraction: write 30% as 0.30)" in lines


def test_a_plan_without_the_new_keys_has_no_new_json_keys(gtm, plan_file):
    doc = json.loads(gtm("funnel", plan_file(), "-f", "json").out)
    assert set(doc) == {"lag_quarters", "currency", "quarters"}
    assert all("other_by_source" not in q and "other_pipeline_cost" not in q for q in doc["quarters"])


@pytest.mark.parametrize("patch,valid", [
    ({"sales": {"attrition": {"annual_rate": 0.2, "backfill_months": 2}, "team": {0: {"end": D(2027, 6, 30)}},
                "other_pipeline": [{**sdr(start=D(2027, 2, 1), ramp_months=2), "cost": {"2027Q1": 1000}},
                                   {"id": "p", "share": {"2027Q2": 0.2}, "cost": 500}]}}, True),
    ({"sales": {"other_pipeline": [{**sdr(), "share": 0.1}]}}, False),  # both
    ({"sales": {"other_pipeline": [{"id": "p", "cost": 500}]}}, False),  # neither
    ({"sales": {"other_pipeline": [{"id": "p", "share": {"2027Q2": 1.2}}]}}, False),
    ({"sales": {"attrition": {"annual_rate": 0.2}}}, False),  # backfill_months missing
])
def test_the_schema_agrees_with_the_validator_on_the_new_keys(tmp_path, patch, valid):
    import jsonschema

    from gtmplan.errors import InputError
    from gtmplan.plan.schema import plan_schema
    from gtmplan.read.loader import read_plan_data, validate

    path = write_plan(tmp_path, apply_patch(base_plan(), patch))
    data, source = read_plan_data(str(path))
    as_json = json.loads(json.dumps(data, default=lambda d: d.isoformat()))
    try:
        validate(data, source)
        accepted = True
    except InputError:
        accepted = False
    assert accepted is valid
    validator = jsonschema.Draft202012Validator(plan_schema(), format_checker=jsonschema.FormatChecker())
    assert (not list(validator.iter_errors(as_json))) is valid
