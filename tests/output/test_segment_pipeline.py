"""Other pipeline stated inside a segment (``sales.segments[].other_pipeline``): the
segment's own figures in render (its "Other opps" column, its pipeline by source with
each motion's head count and cost), funnel's "Other pipeline cost" column in the segment's
and the company's blocks, and compare's "Other pipeline cost" row
(docs/reference/plan-format.md, "Pipeline sources as capacity, shares per quarter";
docs/concepts/other-pipeline.md).

The plan: tests/data/segments_plan.yaml (enterprise needs 60,000 / 30,000 = 2 deals / 0.2
= 10 opportunities a quarter; smb 32) with, inside enterprise, a team of 2 ramped SDRs
creating 1 opportunity a month each (2 x 3 months x 1 = 6 a quarter, costing 12,000 a
quarter) and partners bringing 10% (0.1 x 10 = 1). Enterprise's other opportunities:
6 + 1 = 7; marketing's part: 10 - 7 = 3 opportunities / 0.5 = 6 SQLs / 0.4 = 15 MQLs.
"""

from __future__ import annotations

import copy
import json

from conftest import _segments_plan, apply_patch, write_plan

SDR = {"id": "sdr", "name": "SDR outbound", "cost": 12000,
       "capacity": {"opportunities_per_month": 1, "team": [{"role": "SDR", "count": 2}]}}
PARTNERS = {"id": "partners", "name": "Partners", "share": 0.1}


def plan_with_sdrs(tmp_path, name="plan.yaml"):
    data = apply_patch(copy.deepcopy(_segments_plan()),
                       {"sales": {"segments": {1: {"other_pipeline": [SDR, PARTNERS]}}}})
    return write_plan(tmp_path, data, name)


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_funnel_json_enterprise_rows(gtm, tmp_path):
    doc = json.loads(gtm("funnel", plan_with_sdrs(tmp_path), "-f", "json").out)
    ent = [q for q in doc["quarters"] if q["segment"] == "enterprise"][0]
    assert ent["other_by_source"] == {"sdr": 6.0, "partners": 1.0}  # 2 x 3 x 1; 0.1 x 10
    assert ent["other_pipeline_cost"] == 12000
    assert ent["mqls_needed"] == 15  # (10 - 7) / 0.5 / 0.4


def test_render_md_segment_section_shows_its_other_opps_and_sources(gtm, tmp_path):
    out = tmp_path / "plan.md"
    assert gtm("render", plan_with_sdrs(tmp_path), "-o", out).code == 0
    text = out.read_text(encoding="utf-8")
    ent = _section(text, "## Segment: enterprise", "### Capacity: enterprise")
    # Target 60,000, 2 deals, 10 opps, 7 from other sources, 3 from MQLs -> 6 SQLs, 15 MQLs, 60 leads (/0.25);
    # enterprise's lag is 1 quarter (120 days), so 2027Q1's MQLs are created in 2026Q4
    assert "| Quarter | Target | Deals | Opportunities | Other opps | SQLs | MQLs needed | Leads needed | Created in |" in ent
    assert "| 2027Q1 | $60,000 | 2 | 10 | 7 | 6 | 15 | 60 | 2026Q4 |" in ent
    assert "### Pipeline by source: enterprise" in ent
    assert "| Quarter | Opportunities needed | marketing's MQLs | SDR outbound | Partners |" in ent
    assert "| 2027Q1 | 10 | 3 | 6 | 1 |" in ent  # 3 + 6 + 1 = 10
    # marketing's programs for enterprise: 50 MQLs x 0.4 x 0.5 = 10 opportunities for webinars' half, 5,000
    # (500 each); the SDRs: 6 opportunities, 2 heads, 12,000 (12,000 / 6 = 2,000 each)
    assert "| 2027Q1 | Marketing's programs (MQLs planned) | 10 | – | $5,000 | $500 |" in ent
    assert "| 2027Q1 | SDR outbound | 6 | 2 | $12,000 | $2,000 |" in ent
    smb = _section(text, "## Segment: smb", "## Segment: enterprise")
    assert "Other opps" not in smb and "Pipeline by source" not in smb  # smb has no other pipeline
    # the company's total includes them: 32 + 10 = 42 opportunities, marketing 35, SDRs 6, partners 1
    company = text[text.index("## Demand waterfall"):]
    assert "| 2027Q1 | 42 | 35 | 6 | 1 |" in company
    # programs: smb 170 MQLs x 0.4 x 0.5 = 34 and enterprise 10: 44 opportunities for 18,000 (409.09 each)
    assert "| 2027Q1 | Marketing's programs (MQLs planned) | 44 | – | $18,000 | $409 |" in company
    assert "| 2027Q1 | SDR outbound | 6 | 2 | $12,000 | $2,000 |" in company


def test_render_html_segment_section(gtm, tmp_path):
    out = tmp_path / "plan.html"
    assert gtm("render", plan_with_sdrs(tmp_path), "-o", out).code == 0
    text = out.read_text(encoding="utf-8")
    ent = _section(text, '<section id="segment-enterprise"', "</section>")
    assert '<th class="num">Other opps</th>' in ent
    assert ('<td>2027Q1</td><td class="num">$60,000</td><td class="num">2</td><td class="num">10</td>'
            '<td class="num">7</td><td class="num">6</td>') in ent
    assert 'id="pipeline-by-source-enterprise"' in ent
    assert ('<tr><td>2027Q1</td><td>SDR outbound</td><td class="num">6</td><td class="num">2</td>'
            '<td class="num">$12,000</td><td class="num">$2,000</td></tr>') in ent
    smb = _section(text, '<section id="segment-smb"', "</section>")
    assert "Other opps" not in smb


def test_funnel_text_other_pipeline_cost_in_segment_and_company_blocks(gtm, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    r = gtm("funnel", plan_with_sdrs(tmp_path))
    assert r.code == 0, r.err
    ent = _section(r.out, "segment enterprise", "company total")
    assert "Other pipeline cost" in ent
    row = next(line for line in ent.splitlines() if line.startswith("│ 2027Q1") and "$12,000" in line)
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells == ["2027Q1", "$60,000", "$60,000", "100%", "$5,000", "$12,000"]  # 240,000 / 4 = 60,000
    assert "sales.segments[enterprise].other_pipeline" in ent
    by_target = next(line for line in ent.splitlines() if line.startswith("│ 2027Q1") and "2026Q4" in line)
    assert [c.strip() for c in by_target.strip("│").split("│")][3:6] == ["10", "7", "6"]  # Opps, Other, SQLs
    company = r.out[r.out.index("company total"):]
    row = next(line for line in company.splitlines() if line.startswith("│ 2027Q1") and "$25,000" in line)
    # capacity 48,000 + 60,000 = 108,000 over the 100,000 target; programs 18,000; budget 25,000; SDRs 12,000
    assert [c.strip() for c in row.strip("│").split("│")] == [
        "2027Q1", "$100,000", "$108,000", "108%", "$18,000", "$25,000", "$12,000"]
    smb = _section(r.out, "segment smb", "segment enterprise")
    assert "Other pipeline cost" not in smb and "Other opps" not in smb


def test_compare_other_pipeline_cost_row(gtm, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    path = plan_with_sdrs(tmp_path)
    r = gtm("compare", path)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("Other pipeline cost"))
    assert lines[i].split()[-1] == "$48,000"  # 12,000 x 4 quarters
    assert lines[i + 1].split() == ["smb", "$0"]
    assert lines[i + 2].split() == ["enterprise", "$48,000"]
    doc = json.loads(gtm("compare", path, "-f", "json").out)
    base = doc["scenarios"][0]
    assert base["figures"]["other_pipeline_cost"] == 48000
    assert base["segments"]["enterprise"]["other_pipeline_cost"] == 48000
    assert base["segments"]["smb"]["other_pipeline_cost"] == 0


def test_compare_without_other_pipeline_has_no_row(gtm, tmp_path):
    path = write_plan(tmp_path, copy.deepcopy(_segments_plan()))
    r = gtm("compare", path)
    assert "Other pipeline cost" not in r.out
    doc = json.loads(gtm("compare", path, "-f", "json").out)
    assert "other_pipeline_cost" not in doc["scenarios"][0]["figures"]
