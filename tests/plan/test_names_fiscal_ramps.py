"""Plan format 0.2 (docs/reference/plan-format.md, "Additions in gtmplan 0.2"): one name as a list,
fiscal years named by their end, ramp curves, sales.other_pipeline.

Rule behaviour is in tests/rule_cases/CODE.yaml; this file covers the models, the
loader's messages, funnel/render/review/init output, and the JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import BRIGHTWATER, apply_patch, as_json_data, base_plan, dump, write_plan

from gtmplan.errors import InputError
from gtmplan.plan.quarters import Quarter
from gtmplan.read.loader import load_plan, read_plan_data, validate

# -- one name where a list is expected ------------------------------------------------

# (patch with one value written alone, how to read the field back, the list it must equal)
ONE_NAME = [
    ({"goals": {0: {"owners": "sales"}}}, lambda p: p.goals[0].owners, ["sales"]),
    ({"icp": {"segments": {0: {"industries": "software"}}}}, lambda p: p.icp.segments[0].industries, ["software"]),
    ({"icp": {"segments": {0: {"regions": "US"}}}}, lambda p: p.icp.segments[0].regions, ["US"]),
    ({"icp": {"segments": {0: {"buyer_roles": "CFO"}}}}, lambda p: p.icp.segments[0].buyer_roles, ["CFO"]),
    ({"icp": {"segments": {0: {"pains": "churn"}}}}, lambda p: p.icp.segments[0].pains, ["churn"]),
    ({"lead_definition": {"agreed_by": "sales"}}, lambda p: p.lead_definition.agreed_by, ["sales"]),
    ({"lead_definition": {"mql": {"firmographics": {"industries": "software"}}}},
     lambda p: p.lead_definition.mql.firmographics.industries, ["software"]),
    ({"lead_definition": {"mql": {"firmographics": {"regions": "US"}}}},
     lambda p: p.lead_definition.mql.firmographics.regions, ["US"]),
    ({"lead_definition": {"sql": {"qualification": "budget"}}}, lambda p: p.lead_definition.sql.qualification, ["budget"]),
    ({"reviews": {0: {"attendees": "sales"}}}, lambda p: p.reviews[0].attendees, ["sales"]),
    ({"reviews": {0: {"agenda": "win-loss"}}}, lambda p: p.reviews[0].agenda, ["win-loss"]),
    ({"feedback": {"competitive_intel": {"shared_with": "marketing"}}},
     lambda p: p.feedback.competitive_intel.shared_with, ["marketing"]),
    ({"feedback": {"content_feedback": {"panel": "aes"}}}, lambda p: p.feedback.content_feedback.panel, ["aes"]),
    ({"check": {"ignore": "F6"}}, lambda p: p.check.ignore, ["F6"]),
    ({"marketing": {"programs": {0: {"segments": "core"}}}}, lambda p: p.marketing.programs[0].segments, ["core"]),
    ({"marketing": {"programs": {0: {"quarters": "2027Q3"}}}},
     lambda p: p.marketing.programs[0].quarters, [Quarter(2027, 3)]),
    ({"marketing": {"programs": {0: {"crm_sources": "Webinar"}}}},
     lambda p: p.marketing.programs[0].crm_sources, ["Webinar"]),
    ({"marketing": {"content": {0: {"segments": "core"}}}}, lambda p: p.marketing.content[0].segments, ["core"]),
]


@pytest.mark.parametrize("patch,get,expected", ONE_NAME, ids=[str(c[0])[:70] for c in ONE_NAME])
def test_one_name_reads_as_a_list_of_one(tmp_path, patch, get, expected):
    plan = load_plan(str(write_plan(tmp_path, apply_patch(base_plan(), patch)))).plan
    assert get(plan) == expected


def test_every_list_of_names_in_the_model_takes_one_name(tmp_path):
    """The table above covers every NameList field of the model (none forgotten)."""
    import typing

    from gtmplan.plan import model

    found = set()

    def walk(cls):
        for name, f in cls.model_fields.items():
            text = repr(f.annotation) + repr(f.metadata)
            if "one_or_many" in text:  # the parser (gtmplan.plan.modelparts.one_or_many)
                found.add(f"{cls.__name__}.{name}")
            for arg in typing.get_args(f.annotation) or (f.annotation,):
                for t in (arg, *typing.get_args(arg)):
                    if isinstance(t, type) and issubclass(t, model.BaseModel) and t is not cls:
                        walk(t)

    walk(model.Plan)
    assert len(found) == len(ONE_NAME), sorted(found)


def test_one_name_keeps_text_as_written(tmp_path):
    """`regions: NO` alone is the region NO, not false (as `regions: [NO]` is)."""
    text = dump(base_plan()).replace("    regions:\n    - US\n", "    regions: NO\n", 1)
    assert "regions: NO" in text
    plan = load_plan(str(write_plan(tmp_path, text))).plan
    assert plan.icp.segments[0].regions == ["NO"]


def test_one_unknown_segment_alone_is_located_at_it(tmp_path):
    path = write_plan(tmp_path, apply_patch(base_plan(), {"marketing": {"programs": {0: {"segments": "nope"}}}}))
    with pytest.raises(InputError) as e:
        load_plan(str(path))
    (problem,) = e.value.problems
    line = path.read_text().splitlines()[problem.line - 1]
    assert "segments: nope" in line and "segment 'nope' is not in icp.segments" in problem.message


# -- fiscal years named by their end ---------------------------------------------------

FEB_END = {"fiscal_year_start_month": 2, "fiscal_year_named_by": "end"}


def test_fiscal_year_named_by_end_moves_every_quarter_a_year_earlier(tmp_path, gtm):
    plan = load_plan(str(write_plan(tmp_path, apply_patch(base_plan(), FEB_END)))).plan
    assert plan.calendar.named_by == "end"
    assert Quarter(2027, 1).first_day(plan.calendar) == dt.date(2026, 2, 1)
    assert Quarter(2027, 4).last_day(plan.calendar) == dt.date(2027, 1, 31)


def test_fiscal_year_named_by_rejects_other_words(tmp_path, gtm):
    r = gtm("check", write_plan(tmp_path, apply_patch(base_plan(), {"fiscal_year_named_by": "middle"})))
    assert r.code == 2 and "fiscal_year_named_by: expected 'start' or 'end', got 'middle'" in r.err


def test_capacity_counts_the_months_of_a_fiscal_quarter_named_by_its_end(tmp_path, gtm):
    # A hire starting 2026-03-01 on ramp_months 3 is in fiscal 2027Q1 (Feb-Apr 2026): 0 + 1/3 + 2/3 months.
    patch = {**FEB_END, "sales": {"team": [{"role": "AE", "count": 1, "annual_quota": 480000,
                                            "ramp_months": 3, "start": dt.date(2026, 3, 1)}]}}
    doc = json.loads(gtm("funnel", write_plan(tmp_path, apply_patch(base_plan(), patch)), "-f", "json").out)
    assert doc["quarters"][0]["capacity"] == pytest.approx(40000 * (0 + 1 / 3 + 2 / 3))
    assert doc["quarters"][1]["capacity"] == pytest.approx(120000)


def test_render_says_how_fiscal_years_are_named(tmp_path, gtm):
    path = write_plan(tmp_path, apply_patch(base_plan(), FEB_END))
    out = gtm("render", path, "-f", "md").out
    assert "2027Q1–2027Q4 (1 Feb 2026 to 31 Jan 2027)" in out
    assert "Fiscal years start in February and are named by the calendar year in which they end" in out


def test_review_dates_follow_fiscal_years_named_by_their_end(tmp_path, gtm):
    deals = ("id,created,closed,stage,amount,source,loss_reason\n"
             "d1,2026-02-01,2026-04-30,won,10000,Webinar,\n"   # fiscal 2027Q1: counted
             "d2,2027-02-01,2027-03-01,won,10000,Webinar,\n")  # fiscal 2028Q1: left out
    (tmp_path / "deals.csv").write_text(deals)
    plan = write_plan(tmp_path, apply_patch(base_plan(), FEB_END))
    doc = json.loads(gtm("review", plan, "--quarter", "2027Q1", "--deals", tmp_path / "deals.csv", "-f", "json").out)
    assert doc["metrics"]["won"]["actual"] == 1 and doc["metrics"]["bookings"]["actual"] == 10000
    md = gtm("review", plan, "--quarter", "2027Q1", "--deals", tmp_path / "deals.csv", "-f", "md").out
    assert "Fiscal 2027Q1: 1 Feb 2026 to 30 Apr 2026" in md


# -- ramp curves ---------------------------------------------------------------------

def _bad(tmp_path, patch) -> str:
    path = write_plan(tmp_path, apply_patch(base_plan(), patch))
    data, source = read_plan_data(str(path))
    with pytest.raises(InputError) as e:
        validate(data, source)
    return str(e.value)


def test_ramp_and_ramp_months_together_is_an_error_at_the_ramp(tmp_path):
    msg = _bad(tmp_path, {"sales": {"team": {0: {"ramp": [0, 0.5], "ramp_months": 3}}}})
    assert "sales.team[0].ramp: give either ramp (a curve) or ramp_months, not both" in msg
    assert "(m + 1) / 3" in msg


@pytest.mark.parametrize("ramp,message", [([0, 1.5], "must be at most 1"), ([], "needs at least one entry"),
                                          ([-0.1], "must be at least 0"), (0.5, "expected a list")])
def test_ramp_values_are_fractions(tmp_path, ramp, message):
    assert message in _bad(tmp_path, {"sales": {"team": {0: {"ramp": ramp}}}})


def test_rules_a104_documents_ramp_months_with_a_worked_example(gtm):
    out = gtm("rules", "A104").out
    assert "`ramp_months: k` is `(m + 1) / k` for m < k" in out
    assert "1/3, 2/3 and 1: 200,000 x 2 = 400,000" in out
    assert "0 + 0.25 + 0.5 = 0.75: 150,000" in out


def test_team_table_in_the_document_shows_the_ramp_curve(gtm):
    out = gtm("render", BRIGHTWATER, "-f", "md").out
    assert "0%, 20%, 40%, 60%, 80% of full, then full" in out


# -- other_pipeline --------------------------------------------------------------------

OTHER = {"sales": {"other_pipeline": [{"id": "outbound", "name": "SDR outbound", "share": 0.15},
                                      {"id": "partners", "share": 0.10}]}}


def test_a_share_written_as_a_percentage_gets_the_fraction_hint(tmp_path):
    msg = _bad(tmp_path, {"sales": {"other_pipeline": [{"id": "a", "share": "15%"}]}})
    assert "sales.other_pipeline[0].share: expected a number, got '15%' (a fraction: write 30% as 0.30)" in msg


def test_other_pipeline_shares_must_sum_below_one(tmp_path):
    msg = _bad(tmp_path, {"sales": {"other_pipeline": [{"id": "a", "share": 0.6}, {"id": "b", "share": 0.4}]}})
    assert "sales.other_pipeline: the shares of other_pipeline add up to 1 (0.6 + 0.4): they must be below 1" in msg


def test_other_pipeline_ids_are_unique(tmp_path):
    msg = _bad(tmp_path, {"sales": {"other_pipeline": [{"id": "a", "share": 0.1}, {"id": "a", "share": 0.1}]}})
    assert ("sales.other_pipeline[1].id: id 'a' is used twice in sales.other_pipeline "
            "(first as sales.other_pipeline[0]): ids must be unique") in msg


def test_funnel_json_other_opportunities_hand_computed(tmp_path, gtm):
    doc = json.loads(gtm("funnel", write_plan(tmp_path, apply_patch(base_plan(), OTHER)), "-f", "json").out)
    q = doc["quarters"][0]
    # 100,000 / 10,000 = 10 deals / 0.25 = 40 opportunities; 25% from other sources = 10;
    # (40 - 10) / 0.5 = 60 SQLs / 0.4 = 150 MQLs / 0.25 = 600 leads.
    assert (q["opportunities"], q["other_opportunities"]) == (pytest.approx(40), pytest.approx(10))
    assert (q["sqls"], q["mqls_needed"], q["leads_needed"]) == (pytest.approx(60), pytest.approx(150),
                                                                 pytest.approx(600))


def test_funnel_without_other_pipeline_has_zero_other_opportunities(tmp_path, gtm):
    doc = json.loads(gtm("funnel", write_plan(tmp_path, base_plan()), "-f", "json").out)
    assert [q["other_opportunities"] for q in doc["quarters"]] == [0, 0, 0, 0]
    assert "Other opps" not in gtm("funnel", write_plan(tmp_path, base_plan())).out


def test_funnel_table_and_csv_show_other_opportunities(tmp_path, gtm):
    path = write_plan(tmp_path, apply_patch(base_plan(), OTHER))
    table = gtm("funnel", path).out
    assert "Other opps" in table
    row = next(line for line in table.splitlines() if "2027Q1 " in line)
    assert [c.strip() for c in row.split("│")][1:8] == ["2027Q1", "$100,000", "10", "40", "10",
                                                                         "60", "150"]
    csv = gtm("funnel", path, "-f", "csv").out.splitlines()
    assert csv[0].split(",")[3:6] == ["opportunities", "other_opportunities", "sqls"]
    assert csv[1].split(",")[3:6] == ["40.0", "10.0", "60.0"]


def test_render_shows_the_pipeline_by_source_adding_up(tmp_path, gtm):
    path = write_plan(tmp_path, apply_patch(base_plan(), OTHER))
    md = gtm("render", path, "-f", "md").out
    assert "### Pipeline by source" in md
    assert "| Quarter | Opportunities needed | marketing's MQLs | SDR outbound | partners |" in md
    assert "| 2027Q1 | 40 | 30 | 6 | 4 |" in md
    assert "Sales expects 25% of each quarter's opportunities from other sources (SDR outbound 15%, partners 10%)" in md
    html = gtm("render", path, "-f", "html").out
    assert '<div id="pipeline-by-source">\n<h3>Pipeline by source</h3>' in html
    assert "### Pipeline by source" not in gtm("render", write_plan(tmp_path, base_plan(), "b.yaml"), "-f", "md").out


def test_pipeline_by_source_parts_add_up_when_fractional(tmp_path, gtm):
    # 47.06 opportunities (Brightwater 2027Q1): 15% = 7.06 from the installed base, 40.00 from marketing.
    md = gtm("render", BRIGHTWATER, "-f", "md").out
    row = next(l for l in md.splitlines() if l.startswith("| 2027Q1 | 48 |"))
    total, *parts = [int(c) for c in row.strip("|").split("|")[1:]]
    assert sum(parts) == total == 48


def test_review_plans_opportunities_from_every_source(tmp_path, gtm):
    deals = "id,created,closed,stage,amount,source,loss_reason\nd1,2027-01-05,,open,10000,Outbound,\n"
    (tmp_path / "deals.csv").write_text(deals)
    plan = write_plan(tmp_path, apply_patch(base_plan(), OTHER))
    doc = json.loads(gtm("review", plan, "--quarter", "2027Q1", "--deals", tmp_path / "deals.csv", "-f", "json").out)
    # marketing: 220 MQLs x 0.4 x 0.5 = 44; other sources: 25% of 40 = 10.
    assert doc["metrics"]["opportunities"]["plan"] == pytest.approx(54)


# -- init --------------------------------------------------------------------------------

def test_init_asks_for_fiscal_naming_and_other_pipeline_and_stays_clean(tmp_path, gtm):
    r = gtm("init", tmp_path / "p", "-y", "--agreed", "--fiscal-year-start-month", "2", "--fiscal-year-named-by", "end",
            "--other-pipeline", "0.3", "--start", "2027Q1")
    assert r.code == 0, r.err
    plan = load_plan(str(tmp_path / "p")).plan
    assert (plan.fiscal_year_start_month, plan.fiscal_year_named_by) == (2, "end")
    assert [(s.id, s.share) for s in plan.sales.other_pipeline] == [("sales-sourced", 0.3)]
    assert plan.reviews[0].date < dt.date(2026, 5, 1)  # fiscal 2027Q1 is Feb-Apr 2026
    assert gtm("check", "--strict", tmp_path / "p").code == 0


@pytest.mark.parametrize("flags,message", [
    (["--fiscal-year-named-by", "middle"], "--fiscal-year-named-by: 'middle' is neither start nor end"),
    (["--other-pipeline", "1"], "--other-pipeline: 1 is not a share from 0 to below 1"),
])
def test_init_rejects_bad_answers(tmp_path, gtm, flags, message):
    r = gtm("init", tmp_path / "p", "-y", *flags)
    assert r.code == 2 and message in r.err and not (tmp_path / "p").exists()


def test_init_without_other_pipeline_leaves_a_commented_example(tmp_path, gtm):
    assert gtm("init", tmp_path / "p", "-y").code == 0
    text = (tmp_path / "p" / "sales.yaml").read_text()
    assert "  # other_pipeline:" in text and "# ramp: [0, 0.25, 0.5, 0.75]" in text
    assert "fiscal_year_named_by: start" in (tmp_path / "p" / "gtmplan.yaml").read_text()
    assert load_plan(str(tmp_path / "p")).plan.sales.other_pipeline is None


# -- the JSON Schema -------------------------------------------------------------------

ALL_ADDITIONS = {
    "fiscal_year_start_month": 2, "fiscal_year_named_by": "end",
    "feedback": {"competitive_intel": {"shared_with": "sales"}},
    "lead_definition": {"agreed_by": ["sales", "marketing"], "sql": {"qualification": "budget"}},
    "sales": {"other_pipeline": [{"id": "outbound", "name": "SDR outbound", "share": 0.2}],
              "team": [{"role": "AE", "count": 2, "annual_quota": 240000},
                       {"role": "New AE", "count": 1, "annual_quota": 240000, "ramp": [0, 0.25, 0.5, 0.75],
                        "start": dt.date(2026, 3, 1)}]},
    "marketing": {"programs": {0: {"quarters": "2027Q1", "segments": "core"}}},
}


def test_schema_command_validates_a_plan_using_every_addition(tmp_path, gtm):
    import jsonschema

    schema = json.loads(gtm("schema").out)
    path = write_plan(tmp_path, apply_patch(base_plan(), ALL_ADDITIONS))
    load_plan(str(path))  # the validator accepts it
    jsonschema.Draft202012Validator(schema).validate(as_json_data(read_plan_data(str(path))[0]))


@pytest.mark.parametrize("ramp,expected", [({"ramp_months": 3}, 400000), ({"ramp": [0, 0.25, 0.5, 0.75]}, 150000)])
def test_the_a104_worked_example_is_what_the_funnel_computes(tmp_path, gtm, ramp, expected):
    team = [{"role": "AE", "count": 4, "annual_quota": 600000, "start": dt.date(2027, 4, 1), **ramp}]
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"team": team}}))
    doc = json.loads(gtm("funnel", path, "-f", "json").out)
    assert [q["capacity"] for q in doc["quarters"]][1:] == pytest.approx(
        [expected, 600000 if "ramp_months" in ramp else 0.75 * 200000 + 2 * 200000, 600000])


def test_init_questions_for_fiscal_naming_and_sales_sourced_pipeline(monkeypatch):
    import typer

    from gtmplan.commands import init as scaffold

    asked = []
    answers = {"Company name": "Acme", "Currency (ISO 4217)": "USD", "Fiscal year start month (1-12)": 2,
               "Are fiscal years named by the calendar year they start or end in? (start/end)": "end",
               "First quarter of the plan": "2027Q1", "Number of quarters": 4,
               "New bookings target for a year": 1200000, "Average deal size": 20000,
               "Share of opportunities sales sources itself (0.3 = 30%)": 0.25,
               "Segments, comma-separated": "smb:0.4:8k,enterprise:0.6:90k"}

    def prompt(text, default=None, type=None, value_proc=None):  # init checks each answer as it is typed
        asked.append(text)
        value = answers[next(k for k in answers if text.startswith(k.removesuffix(")")))]
        return value_proc(value) if value_proc else value

    def confirm(text, default=False):
        asked.append(text)
        return True

    monkeypatch.setattr(typer, "prompt", prompt)
    monkeypatch.setattr(typer, "confirm", confirm)
    a = scaffold.ask(scaffold.Answers())
    assert (a.fy_start, a.fy_named_by, a.other_share) == (2, "end", 0.25)
    assert [(x.id, x.share, x.deal_size) for x in a.segments] == [("smb", 0.4, 8000), ("enterprise", 0.6, 90000)]
    assert "Does sales source pipeline itself (outbound, partners, existing customers)?" in asked
    files = scaffold.render_files(a, single_file=True)["gtmplan.yaml"]
    assert "fiscal_year_named_by: end" in files and "      share: 0.25\n" in files


def test_funnel_and_render_show_the_same_split_at_a_share_near_one(tmp_path, gtm):
    # 40 opportunities, 0.999 from other sources: marketing's part 0.04 is rounded up to 1 (its 1 SQL,
    # 3 MQLs), so the others show 39 in both outputs and 40 = 1 + 39; the share reads 99.9%, never 100%.
    path = write_plan(tmp_path, apply_patch(base_plan(), {"sales": {"other_pipeline": [
        {"id": "installed-base", "name": "Installed base", "share": 0.999}]}}))
    table = gtm("funnel", path).out
    row = next(line for line in table.splitlines() if "2027Q1 " in line)
    assert [c.strip() for c in row.split("│")][4:7] == ["40", "39", "1"]
    doc = gtm("render", path, "-f", "md").out
    assert "| 2027Q1 | 40 | 1 | 39 |" in doc
    assert "Sales expects 99.9% of each quarter's opportunities from other sources (Installed base 99.9%)" in doc
    assert "100%" not in doc.split("Sales expects", 1)[1].split("\n", 1)[0]


@pytest.mark.parametrize("row,message", [
    ({"ramp": [0.5] * 121}, "ramp: has 121 entries; at most 120 are allowed (one per month: ten years)"),
    ({"ramp_months": 121}, "ramp_months: must be at most 120, got 121"),
])
def test_a_ramp_is_at_most_ten_years(tmp_path, row, message):
    msg = _bad(tmp_path, {"sales": {"team": {0: row}}})
    assert message in msg, msg
