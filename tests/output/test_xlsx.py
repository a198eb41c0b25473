"""`gtmplan render -o plan.xlsx`: a workbook of live formulas finance can change and trust
(docs/reference/cli.md, "A spreadsheet with live formulas").

Two proofs: (1) opened without recalculation (openpyxl), every formula cell holds the
figure gtmplan computed; (2) a real spreadsheet engine (LibreOffice's headless Calc)
recalculating the workbook after an input cell was changed gives the figures of
`gtmplan funnel --set PATH=VALUE`, for every funnel, capacity and program figure.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import BRIGHTWATER, DATA, LUMEN, SDR, apply_patch, base_plan, run_child, write_plan

SEGMENTS = DATA / "segments_plan.yaml"  # two segments: a target and a share, their own assumptions and sellers
FUNNEL_KEYS = ("quarter", "target", "deals", "opportunities", "other_opportunities", "sqls", "mqls_needed",
               "leads_needed", "created_in", "mqls_planned", "mqls_demanded", "capacity", "program_cost", "budget")


def rich_plan() -> dict:
    """The base plan with what the examples lack: other pipeline as one share and as a share
    per quarter, a ramp curve with a start date, a seller who leaves (end), a 100-day cycle
    (lag 1), and no lead_to_mql on either side (so leads needed and the MQLs of programs
    stating only leads are unknown: empty cells)."""
    return apply_patch(base_plan(), {
        "sales": {"assumptions": {"sales_cycle_days": 100},
                  "other_pipeline": [{"id": "partners", "name": "Partner referrals", "share": 0.1},
                                     {"id": "outbound", "share": {"2027Q1": 0.15, "2027Q3": 0.2}}],
                  "team": [{"role": "AE", "count": 2, "annual_quota": 240000, "end": dt.date(2027, 10, 20)},
                           {"role": "New AE", "count": 1, "annual_quota": 300000, "ramp": [0, 0.25, 0.5],
                            "start": dt.date(2027, 2, 10)}]},
        "marketing": {"assumptions": "__delete__"}})


def segments_pipeline_plan() -> dict:
    """tests/data/segments_plan.yaml with other pipeline of each segment's own: an SDR motion
    (its team, its cost) for smb, a share for enterprise."""
    import yaml

    plan = yaml.safe_load(SEGMENTS.read_text(encoding="utf-8"))
    smb, enterprise = plan["sales"]["segments"]
    smb["other_pipeline"] = [{"id": "sdr", "cost": 9000, "capacity": {"opportunities_per_month": 2, "team": [
        {"role": "SDR", "count": 1, "start": dt.date(2027, 3, 1), "ramp_months": 2}]}}]
    enterprise["other_pipeline"] = [{"id": "partners", "share": 0.2}]
    return plan


def render_xlsx(gtm, plan, out: Path, *args) -> Path:
    r = gtm("render", plan, "-o", out, *args)
    assert r.code == 0, r.err
    assert r.err == ""
    return out


def funnel_json(gtm, plan, sets=()) -> dict:
    r = gtm("funnel", plan, "--format", "json", *[a for s in sets for a in ("--set", s)])
    assert r.code == 0, r.err
    return json.loads(r.out)


def same(got, want) -> bool:
    """A cell against gtmplan's figure: null is an empty cell; numbers to 1e-12 (LibreOffice
    writes 15 significant digits); no rounding anywhere."""
    if want is None:
        return got in (None, "")
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9)


def named(wb, name: str):
    """The cell a defined name points at (one cell)."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")]


def named_range(wb, name: str):
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return [row[0] for row in wb[sheet.strip("'")][ref.replace("$", "")]]


def assert_figures(values, plan, sets=(), gtm=None) -> int:
    """Every figure of the Funnel, Capacity and Programs sheets (and the values the engine
    uses on Inputs) against gtmplan's own computation of ``plan`` with ``sets``; returns
    how many figures were compared."""
    from gtmplan.engine.capacity import capacity, productivity
    from gtmplan.engine.funnel import (
        compute,
        program_leads,
        program_mqls,
        program_mqls_in_segments,
        segment_lead_to_mql,
    )
    from gtmplan.engine.pipeline import motion_opportunities
    from gtmplan.read.loader import load_plan

    loaded = load_plan(str(plan), None, list(sets))
    p = loaded.plan
    f = compute(p)
    doc = funnel_json(gtm, plan, sets)
    n = 0
    # Funnel: laid out like funnel's table, the JSON keys as columns; with segments a block
    # per segment, then the company's (the JSON's order)
    ws = values["Funnel"]
    headers = [r[0].row for r in ws.iter_rows() if r[0].value == "Quarter"]
    sheet_rows = [[c.value for c in ws[h + 1 + i]] for h in headers for i in range(len(f.rows))]
    assert [c.value for c in ws[headers[0]]][:len(FUNNEL_KEYS)] == [
        "Quarter", "Target", "Deals", "Opportunities", "Other opportunities", "SQLs", "MQLs needed", "Leads needed",
        "MQLs created in", "MQLs planned", "MQLs demanded", "Capacity", "Program cost", "Budget"]
    assert len(sheet_rows) == len(doc["quarters"])
    for cells, row in zip(sheet_rows, doc["quarters"]):
        for j, key in enumerate(FUNNEL_KEYS):
            assert same(cells[j], row[key]), (sets, row["quarter"], row["segment"], key, cells[j], row[key])
            n += 1
        if "other_pipeline_cost" in row:  # then the other pipeline's cost and each item's opportunities
            want = [row["other_pipeline_cost"], *row["other_by_source"].values()]
            got = cells[len(FUNNEL_KEYS):len(FUNNEL_KEYS) + len(want)]
            assert all(same(g, w) for g, w in zip(got, want)), (sets, row["segment"], got, want)
            n += len(want)
        else:
            assert all(x is None for x in cells[len(FUNNEL_KEYS):]), (sets, row["segment"], cells)
    items = p.sales.other_pipeline or []
    segs = p.sales.segments or []
    for seg in segs:
        sub = f.segments[seg.id]
        suffix = "__" + seg.id.replace("-", "_")
        for key, a in sub.assumptions.items():
            assert same(named(values, key + suffix).value, a.value), (sets, seg.id, key)
        assert named(values, "lag_quarters" + suffix).value == doc["lags"][seg.id]
    # Inputs: the values the engine uses, and the lag
    for key, a in f.assumptions.items():
        assert same(named(values, key).value, a.value), (sets, key)
    assert same(named(values, "lag_quarters").value, doc["lag_quarters"])
    # Inputs: each team row's attrition factor (funnel JSON's attrition_factors, 1 without attrition)
    factors = doc.get("attrition_factors", [1.0] * len(p.sales.team))
    for t, factor in enumerate(factors):
        assert same(named(values, f"team_{t + 1}_attrition_factor").value, factor), (sets, t)
    # Capacity: each team row's part, each motion's opportunities, productivity month by month
    ws = values["Capacity"]
    motions = [s for s in [*items, *(x for seg in segs for x in seg.other_pipeline or [])] if s.capacity is not None]
    for i, row in enumerate(f.rows):
        cells = [c.value for c in ws[5 + i]]
        assert cells[0] == str(row.quarter)
        assert same(cells[2], row.capacity)
        assert same(cells[3], row.capacity / row.target if row.target else None)
        months = row.quarter.months(p.calendar)
        for t, team_row in enumerate(p.sales.team):
            ramped = sum(productivity(team_row, y, m) for y, m in months)
            want = team_row.count * team_row.annual_quota / 12 * ramped * factors[t]
            assert same(cells[4 + t], want), (sets, row.quarter, t)
            n += 1
        for k, s in enumerate(motions):
            assert same(cells[4 + len(p.sales.team) + k], motion_opportunities(p, s.capacity, row.quarter)), sets
            n += 1
        for k, seg in enumerate(segs):  # each segment's dedicated sellers
            dedicated = [t for t in p.sales.team if t.segment == seg.id]
            assert same(cells[4 + len(p.sales.team) + len(motions) + k], capacity(p, row.quarter, rows=dedicated))
            n += 1
    month_rows = [r for r in ws.iter_rows(min_row=5 + len(f.rows)) if isinstance(r[0].value, dt.datetime)]
    assert len(month_rows) == 3 * len(f.rows)
    people = [*p.sales.team, *(row for s in motions for row in s.capacity.team)]
    for r in month_rows:
        for t, team_row in enumerate(people):
            assert same(r[1 + t].value, productivity(team_row, r[0].value.year, r[0].value.month)), (sets, t)
            n += 1
    # Programs: per quarter each runs, and over the plan
    ws = values["Programs"]
    l2m = f.assumptions["lead_to_mql"].value
    horizon = {r.quarter for r in f.rows}
    for i, prog in enumerate(p.marketing.programs):
        cells = [c.value for c in ws[5 + i]]
        runs = len(set(prog.quarters) & horizon)
        mqls = program_mqls_in_segments(p, prog, segment_lead_to_mql(p)) if segs else program_mqls(prog, l2m)
        want = [prog.id, prog.name, prog.channel, prog.cost, program_leads(prog, l2m), mqls, runs,
                prog.cost * runs, None if mqls is None else mqls * runs]
        for got, w in zip(cells, want):
            assert same(got, w), (sets, prog.id, cells, want)
            n += 1
    return n


# -- (1) the cached values: what a viewer that does not recalculate shows ---------------------

@pytest.mark.parametrize("which", ["lumen", "rich", "brightwater", "sdr", "segments"])
def test_every_formula_cell_caches_gtmplans_figure(gtm, tmp_path, which):
    plan = {"lumen": LUMEN, "brightwater": BRIGHTWATER, "sdr": SDR, "segments": SEGMENTS,
            "rich": write_plan(tmp_path, rich_plan())}[which]
    out = render_xlsx(gtm, plan, tmp_path / "plan.xlsx")
    formulas = openpyxl.load_workbook(out)
    values = openpyxl.load_workbook(out, data_only=True)
    assert formulas.sheetnames[:5] == ["Inputs", "Funnel", "Capacity", "Programs", "Findings"]
    assert ("Plan vs actual" in formulas.sheetnames) == (which == "lumen")  # only lumen has actuals/
    # the figures are formulas, not pasted values
    ws = formulas["Funnel"]
    if which == "segments":  # smb's block first: its own names
        assert [ws["A4"].value, ws["B6"].value, ws["C6"].value] == [
            "Segment smb", "=target_2027Q1__smb", '=IFERROR(B6/average_deal_size__smb,"")']
    else:
        assert ws["C5"].value == '=IFERROR(B5/average_deal_size,"")'
        assert ws["D5"].value == '=IFERROR(C5/win_rate,"")'
        assert ws["B5"].value == "=target_2027Q1"
    assert assert_figures(values, plan, gtm=gtm) > 50
    # every formula cell has a cached result, except where gtmplan has no figure (null)
    empty = [(s.title, c.coordinate) for s in formulas.worksheets for row in s.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")
             and values[s.title][c.coordinate].value is None]
    if which == "lumen":  # 2027Q4's MQLs would be demanded by a quarter past the plan
        assert empty == [("Funnel", "K8")]
    if which == "rich":  # no lead_to_mql: leads needed, MQLs planned and seo's MQLs are unknown
        assert {("Funnel", "H5"), ("Funnel", "J5"), ("Inputs", _ref(formulas, "lead_to_mql"))} <= set(empty)
        assert not any("#" in str(values[s][c].value) for s, c in empty)


def _ref(wb, name):
    return wb.defined_names[name].attr_text.split("!")[1].replace("$", "")


def test_the_rich_plan_worked_by_hand(gtm, tmp_path):
    values = openpyxl.load_workbook(render_xlsx(gtm, write_plan(tmp_path, rich_plan()), tmp_path / "p.xlsx"),
                                    data_only=True)
    q1 = [c.value for c in values["Funnel"][5]]
    # 100,000 / 10,000 = 10 deals / 0.25 = 40 opportunities; other pipeline 40 x 0.1 + 40 x 0.15 = 10;
    # SQLs (40 - 10) / 0.5 = 60; MQLs 60 / 0.4 = 150; leads: no lead_to_mql, empty
    assert q1[:9] == ["2027Q1", 100000, 10, 40, 10, 60, 150, None, "2026Q4"]
    # capacity 2027Q1: 2 x 240,000 / 12 x 3 months = 120,000; the new AE starts 2027-02-10:
    # January 0, February ramp[0] = 0, March ramp[1] = 0.25: 300,000 / 12 x 0.25 = 6,250
    assert values["Capacity"]["C5"].value == 126250
    assert named(values, "lead_to_mql").value is None  # neither side states it: an empty cell, not #DIV/0!


# -- (2) a real spreadsheet engine ---------------------------------------------------------------

def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("soffice (Debian's libreoffice-calc-nogui) is missing on CI: .ci/run installs it")
        pytest.skip("soffice is not installed (apt-get install libreoffice-calc-nogui)")
    return found


_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(files: list[Path], out: Path, work: Path) -> list[Path]:
    """LibreOffice opens each workbook, recalculates every formula, and saves it as xlsx
    (a private profile per run, so that parallel runs do not collide)."""
    exe = soffice()
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE, encoding="utf-8")
    out.mkdir(exist_ok=True)
    r = subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                       capture_output=True, text=True, timeout=300)
    done = [out / f.name for f in files]
    assert r.returncode == 0 and all(p.exists() for p in done), r.stdout + r.stderr
    return done


def set_input(wb, name: str, value) -> None:
    named(wb, name).value = value


def set_program(wb, column: str, program: str, value) -> None:
    """A program's input on sheet Inputs: its row found by the id in column B, its column by name."""
    ws = wb["Inputs"]
    cells = named_range(wb, column)
    row = next(c.row for c in cells if ws.cell(row=c.row, column=2).value == program)
    ws.cell(row=row, column=cells[0].column).value = value


def set_flag(wb, program: str, quarter: str, value: int) -> None:
    set_program(wb, f"runs_{quarter}", program, value)


# (plan, what a user changes in the workbook, the same change as --set)
CHANGES = [
    ("lumen", lambda wb: None, []),
    ("lumen", lambda wb: set_input(wb, "sales_win_rate", 0.2), ["sales.assumptions.win_rate=0.2"]),
    ("lumen", lambda wb: set_input(wb, "target_2027Q2", 950000), ["sales.targets.2027Q2=950000"]),
    ("lumen", lambda wb: set_program(wb, "program_expected_leads", "paid-search", 900),
     ["marketing.programs[paid-search].expected_leads=900"]),
    ("lumen", lambda wb: set_input(wb, "sales_sales_cycle_days", 200),  # the lag moves from 1 to 2 quarters
     ["sales.assumptions.sales_cycle_days=200"]),
    ("lumen", lambda wb: set_input(wb, "team_1_count", 7), ["sales.team[0].count=7"]),
    ("lumen", lambda wb: set_input(wb, "team_2_start", dt.datetime(2027, 6, 15)), ["sales.team[1].start=2027-06-15"]),
    ("lumen", lambda wb: set_flag(wb, "saas-connect-conference", "2027Q3", 1),
     ["marketing.programs[saas-connect-conference].quarters=[2027Q2, 2027Q3]"]),
    ("lumen", lambda wb: set_input(wb, "sales_mql_to_sql", None),  # the owner states none: marketing's 0.40
     ["sales.assumptions.mql_to_sql=null"]),
    ("rich", lambda wb: None, []),
    ("rich", lambda wb: set_input(wb, "marketing_lead_to_mql", 0.3), ["marketing.assumptions.lead_to_mql=0.3"]),
    ("rich", lambda wb: set_input(wb, "team_2_ramp_m1", 0.6), ["sales.team[1].ramp=[0, 0.6, 0.5]"]),
    ("rich", lambda wb: set_input(wb, "other_partners_share", 0.2), ["sales.other_pipeline[partners].share=0.2"]),
    ("rich", lambda wb: set_input(wb, "other_outbound_share_2027Q2", 0.05),
     ["sales.other_pipeline[outbound].share.2027Q2=0.05"]),
    ("rich", lambda wb: set_input(wb, "team_1_end", dt.datetime(2027, 5, 31)), ["sales.team[0].end=2027-05-31"]),
    ("sdr", lambda wb: None, []),
    ("sdr", lambda wb: set_input(wb, "other_sdr_outbound_opportunities_per_month", 4),
     ["sales.other_pipeline[sdr-outbound].capacity.opportunities_per_month=4"]),
    ("sdr", lambda wb: set_input(wb, "other_sdr_outbound_team_2_start", dt.datetime(2027, 7, 1)),
     ["sales.other_pipeline[sdr-outbound].capacity.team[1].start=2027-07-01"]),
    ("sdr", lambda wb: set_input(wb, "attrition_annual_rate", 0.3), ["sales.attrition.annual_rate=0.3"]),
    ("sdr", lambda wb: set_input(wb, "team_1_end", dt.datetime(2027, 8, 15)), ["sales.team[0].end=2027-08-15"]),
    ("sdr", lambda wb: set_input(wb, "other_sdr_outbound_cost_2027Q3", 50000),
     ["sales.other_pipeline[sdr-outbound].cost.2027Q3=50000"]),
    ("segments", lambda wb: None, []),
    ("segments", lambda wb: set_input(wb, "sales_win_rate__enterprise", 0.3),
     ["sales.segments[enterprise].assumptions.win_rate=0.3"]),
    ("segments", lambda wb: set_input(wb, "marketing_lead_to_mql__smb", 0.2),
     ["marketing.segments[smb].assumptions.lead_to_mql=0.2"]),
    ("segments", lambda wb: set_input(wb, "target_share__enterprise", 0.5), ["sales.segments[enterprise].share=0.5"]),
    ("segments", lambda wb: set_input(wb, "target_2027Q2__smb", 50000), ["sales.segments[smb].targets.2027Q2=50000"]),
    ("segments", lambda wb: (set_program(wb, "program_split__smb", "webinars", 0.7),
                             set_program(wb, "program_split__enterprise", "webinars", 0.3)),
     ["marketing.programs[webinars].split={smb: 0.7, enterprise: 0.3}"]),
    ("segments", lambda wb: set_input(wb, "sales_sales_cycle_days__enterprise", 200),
     ["sales.segments[enterprise].assumptions.sales_cycle_days=200"]),
    ("segments", lambda wb: set_input(wb, "team_2_count", 2), ["sales.team[1].count=2"]),
    ("segments_pipeline", lambda wb: None, []),
    ("segments_pipeline", lambda wb: set_input(wb, "other_sdr_opportunities_per_month__smb", 3),
     ["sales.segments[smb].other_pipeline[sdr].capacity.opportunities_per_month=3"]),
    ("segments_pipeline", lambda wb: set_input(wb, "other_partners_share__enterprise", 0.3),
     ["sales.segments[enterprise].other_pipeline[partners].share=0.3"]),
    ("sdr", lambda wb: set_input(wb, "sales_win_rate", 0.5),  # the motion brings more than the target needs:
     ["sales.assumptions.win_rate=0.5"]),                     # marketing is asked for 0, never a negative count
]


def test_changes_recalculated_by_a_spreadsheet_equal_funnel_set(gtm, tmp_path):
    """Each change of CHANGES made with openpyxl in a workbook gtmplan wrote, all of them
    recalculated by LibreOffice in one run (one test, so that one worker pays its start-up),
    then every figure compared with `gtmplan funnel --set`."""
    soffice()
    plans = {"lumen": LUMEN, "rich": write_plan(tmp_path, rich_plan()), "sdr": SDR, "segments": SEGMENTS,
             "segments_pipeline": write_plan(tmp_path, segments_pipeline_plan(), "segments_pipeline.yaml")}
    written = {key: render_xlsx(gtm, plan, tmp_path / f"{key}.xlsx") for key, plan in plans.items()}
    changed = []
    for i, (key, change, _) in enumerate(CHANGES):
        wb = openpyxl.load_workbook(written[key])
        change(wb)
        path = tmp_path / f"change-{i}.xlsx"
        wb.save(path)  # openpyxl keeps the formulas and drops every cached value
        changed.append(path)
    done = recalculate(changed, tmp_path / "out", tmp_path)
    for (key, _, sets), path in zip(CHANGES, done):
        values = openpyxl.load_workbook(path, data_only=True)
        assert assert_figures(values, plans[key], sets, gtm=gtm) > 50, sets
        if sets == ["sales.assumptions.sales_cycle_days=200"]:
            # lag floor(200 / 91 + 1/2) = 2 (it was 1): 2027Q1's MQLs are demanded by 2027Q3's
            # target, and 2027Q3, 2027Q4 demand nothing inside the plan
            ws = values["Funnel"]
            assert [ws[f"I{r}"].value for r in range(5, 9)] == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
            # 800,000 / 30,000 / 0.25 / 0.55 / 0.30 = 646.46... MQLs
            assert ws["K5"].value == pytest.approx(800000 / 30000 / 0.25 / 0.55 / 0.30, rel=1e-12)
            assert ws["K7"].value is None and ws["K8"].value is None


# -- the document: same bytes, text stays text ----------------------------------------------------

def test_the_same_plan_gives_the_same_bytes(gtm, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a = render_xlsx(gtm, LUMEN, tmp_path / "a.xlsx").read_bytes()
    b = render_xlsx(gtm, LUMEN, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2027-01-01T00:00:00Z</dcterms:created>" in core  # horizon
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798848000")  # 2027-01-02T00:00:00Z
    c = render_xlsx(gtm, LUMEN, tmp_path / "c.xlsx").read_bytes()
    d = render_xlsx(gtm, LUMEN, tmp_path / "d.xlsx").read_bytes()
    assert c == d != a
    with zipfile.ZipFile(tmp_path / "c.xlsx") as z:
        assert "2027-01-02T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_plan_text_that_looks_like_a_formula_stays_text(gtm, tmp_path):
    hostile = apply_patch(base_plan(), {
        "company": "=HYPERLINK(\"http://example.com\",\"x\")",
        "sales": {"team": {0: {"role": "+1+1"}}},
        "marketing": {"programs": {0: {"name": "@SUM(A1:A9)", "channel": "-2+3"},
                                   1: {"name": "tab\tand \x07bell"}}}})
    out = render_xlsx(gtm, write_plan(tmp_path, hostile), tmp_path / "h.xlsx")
    wb = openpyxl.load_workbook(out)
    texts = {c.value: c for s in wb.worksheets for row in s.iter_rows() for c in row
             if isinstance(c.value, str) and c.data_type == "s"}
    for text in ("@SUM(A1:A9)", "-2+3", "Row 1: +1+1"):
        assert text in texts
    programs = wb["Programs"]
    assert programs["B5"].value == "@SUM(A1:A9)" and programs["B5"].data_type == "s"
    assert programs["B5"].quotePrefix and programs["C5"].quotePrefix  # stays text when the cell is edited
    inputs = wb["Inputs"]
    assert any(c.value == "-2+3" and c.quotePrefix for row in inputs.iter_rows() for c in row)
    # a control character is written as Excel writes it (_xHHHH_: XML cannot hold it), a tab as itself
    assert wb["Programs"]["B6"].value == "tab\tand _x0007_bell"
    assert wb["Funnel"]["A1"].value.startswith("=HYPERLINK") and wb["Funnel"]["A1"].quotePrefix  # the title
    assert wb["Funnel"]["A1"].font.b
    # no cell outside gtmplan's own formulas is a formula
    formulas = [c.value for s in wb.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert not any("HYPERLINK" in f or "SUM(A1" in f for f in formulas)


# -- flags and files --------------------------------------------------------------------------------

def test_format_from_the_extension_and_the_flag(gtm, tmp_path):
    render_xlsx(gtm, LUMEN, tmp_path / "plan.xlsx")
    r = gtm("render", LUMEN, "--format", "xlsx", "-o", tmp_path / "plan.bin")
    assert r.code == 0
    assert (tmp_path / "plan.bin").read_bytes()[:2] == b"PK"


def test_xlsx_to_a_terminal_is_refused(gtm):
    r = gtm("render", LUMEN, "--format", "xlsx", terminal=True)
    assert r.code == 2 and r.out == ""
    assert r.err == ("gtmplan: render --format xlsx writes a binary workbook, not text for the terminal: "
                     "give -o FILE.xlsx\n")


def test_quarter_and_templates_do_not_apply(gtm, tmp_path):
    r = gtm("render", LUMEN, "-o", tmp_path / "p.xlsx", "--quarter", "2027Q2")
    assert (r.code, r.err) == (2, "--quarter: the workbook covers the whole horizon; --quarter applies to md, "
                                  "html and ics\n")
    assert not (tmp_path / "p.xlsx").exists()


def test_into_a_missing_directory_is_one_line_and_nothing_is_left(gtm, tmp_path):
    target = tmp_path / "nowhere" / "plan.xlsx"
    r = gtm("render", LUMEN, "-o", target)
    assert r.code == 2
    assert r.err == f"{target}: cannot write: directory '{target.parent}' does not exist\n"
    assert list(tmp_path.iterdir()) == []


def test_into_an_unwritable_place_is_one_line_and_nothing_is_left(gtm, tmp_path):
    # /proc takes no new files, even from root (a read-only folder would not stop root)
    r = gtm("render", LUMEN, "-o", "/proc/plan.xlsx")
    assert r.code == 2 and r.err.count("\n") == 1
    assert r.err.startswith("/proc/plan.xlsx: cannot write: ")
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        (folder / "plan.xlsx").write_bytes(b"old")
        folder.chmod(0o555)
        try:
            r = gtm("render", LUMEN, "-o", folder / "plan.xlsx")
            assert r.code == 2 and r.err.count("\n") == 1 and "cannot write" in r.err
            assert [p.name for p in folder.iterdir()] == ["plan.xlsx"]
            assert (folder / "plan.xlsx").read_bytes() == b"old"
        finally:
            folder.chmod(0o755)


def test_check_does_not_import_xlsxwriter():
    code = ("import sys\nfrom gtmplan.__main__ import main\n"
            f"try:\n    main(['check', {str(LUMEN)!r}])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('xlsxwriter', 'openpyxl') "
            "or m == 'gtmplan.output.xlsx'), file=sys.stderr)\n")
    r = run_child(python=("-c", code), timeout=60)
    assert r.stderr.strip() == "[]"


def test_the_how_to_runs_as_written(gtm, tmp_path, monkeypatch):
    """docs/how-to/spreadsheets.md: its command, run from the repository, writes the workbook."""
    from conftest import ROOT

    text = (ROOT / "docs" / "how-to" / "spreadsheets.md").read_text(encoding="utf-8")
    command = text.split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    assert command == "gtmplan render examples/lumen-analytics -o plan.xlsx"
    assert (ROOT / "docs" / "how-to" / "spreadsheets.png").stat().st_size < 300_000
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    args = command.split()[1:]
    r = gtm(*args)
    assert r.code == 0 and r.err == ""
    values = openpyxl.load_workbook(tmp_path / "plan.xlsx", data_only=True)
    assert [c.value for c in values["Funnel"][5]][:3] == ["2027Q1", 600000, 20]


def test_findings_are_checks_findings(gtm, tmp_path):
    values = openpyxl.load_workbook(render_xlsx(gtm, LUMEN, tmp_path / "p.xlsx"), data_only=True)
    doc = json.loads(gtm("check", LUMEN, "-f", "json").out)
    rows = [[c.value for c in row] for row in values["Findings"].iter_rows(min_row=4)]
    assert rows == [[f["severity"], f["code"], f["name"], f["quarter"], f"{f['file']}:{f['line']}:{f['column']}",
                     f["path"] or None, f["message"]] for f in doc["findings"]]


def test_plan_vs_actual_for_recorded_quarters(gtm, tmp_path):
    plan = tmp_path / "lumen"
    shutil.copytree(LUMEN, plan)
    (plan / "actuals" / "2027Q1.yaml").write_text(
        "quarter: 2027Q1\nrecorded_on: 2027-04-02\n"
        "metrics: {leads: 2000, mqls: 400, won: 18, bookings: 560000}\n", encoding="utf-8")
    values = openpyxl.load_workbook(render_xlsx(gtm, plan, tmp_path / "p.xlsx"), data_only=True)
    rows = {row[0].value: [c.value for c in row] for row in values["Plan vs actual"].iter_rows(min_row=5)}
    assert list(rows) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1"]
    # before the horizon: the actuals alone (actuals/2026Q4.yaml)
    assert rows["2026Q4"] == ["2026Q4", dt.datetime(2027, 1, 2), None, 2100, None, 429, None, 9, None, 234000]
    # 2027Q1 planned: leads 600 + 700 + 450 + 300 = 2,050 (the four programs running then);
    # MQLs 2,050 x 0.20 = 410; deals 600,000 / 30,000 = 20; bookings the target, 600,000
    assert rows["2027Q1"] == ["2027Q1", dt.datetime(2027, 4, 2), 2050, 2000, 410, 400, 20, 18, 600000, 560000]
    formulas = openpyxl.load_workbook(tmp_path / "p.xlsx")["Plan vs actual"]
    assert formulas["G9"].value == "=Funnel!$C$5"  # live: the Funnel's deals


@pytest.mark.parametrize("patch", [{"marketing": {"programs": []}}, {"sales": {"team": []}}],
                         ids=["no programs", "no team"])
def test_a_plan_without_programs_or_team(gtm, tmp_path, patch):
    plan = write_plan(tmp_path, apply_patch(base_plan(), patch))
    values = openpyxl.load_workbook(render_xlsx(gtm, plan, tmp_path / "p.xlsx"), data_only=True)
    assert assert_figures(values, plan, gtm=gtm) > 40


def test_forecast_sheet_has_the_forecasts_figures(gtm, tmp_path):
    """lumen-analytics has recorded actuals: the workbook has gtmplan forecast's figures (values)."""
    values = openpyxl.load_workbook(render_xlsx(gtm, LUMEN, tmp_path / "p.xlsx"), data_only=True)
    doc = json.loads(gtm("forecast", LUMEN, "-f", "json").out)
    ws = values["Forecast"]
    got = [[c.value for c in row][:6] for row in ws.iter_rows(min_row=5, max_row=9)]
    want = [[r["quarter"], r["target"], r["p_target"], r["p10"], r["median"], r["p90"]] for r in doc["quarters"]]
    h = doc["horizon"]
    want.append(["Whole plan", h["target"], h["p_target"], h["p10"], h["median"], h["p90"]])
    # numbers as XlsxWriter stores them: 16 significant digits
    assert [[x if isinstance(x, str) else pytest.approx(x, rel=1e-15) for x in row] for row in want] == got
    assert "Forecast" not in openpyxl.load_workbook(
        render_xlsx(gtm, BRIGHTWATER, tmp_path / "b.xlsx")).sheetnames  # neither actuals nor forecast:
