"""`gtmplan render` of a plan with sales.segments (docs/reference/cli.md, 'Segments in every
command'): a section per segment, the company's sums, each program once (issue 20)."""

from __future__ import annotations

import pytest
from conftest import DATA, FERNHILL, apply_patch, case_base, write_plan

from gtmplan.output.render.view import quarters_text
from gtmplan.plan.quarters import Quarter


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading)
    end = doc.find("\n## ", start + 1)
    return doc[start:] if end < 0 else doc[start:end]


def test_a_section_per_segment_with_its_own_figures(gtm):
    """tests/data/segments_plan.yaml, worked by hand (see its header):
    smb:        40,000 / 5,000 = 8 deals / 0.25 = 32 opps / 0.5 = 64 SQLs / 0.4 = 160 MQLs, lag 0;
                planned: webinars 100 x 0.5 = 50 + seo 400 leads x 0.30 = 120 -> 170 (covered).
    enterprise: 60,000 / 30,000 = 2 deals / 0.2 = 10 opps / 0.5 = 20 SQLs / 0.4 = 50 MQLs, lag 1;
                planned: webinars 100 x 0.5 = 50 (covered, for the next quarter)."""
    doc = gtm("render", DATA / "segments_plan.yaml").out
    smb = _section(doc, "## Segment: smb (`smb`)")
    assert "| 2027Q1 | $40,000 | 8 | 32 | 64 | 160 | 534 | 2027Q1 |" in smb  # 160 / 0.30 = 533.3 leads -> 534
    assert "| 2027Q1 | 2027Q1 | 160 | 170 | covered |" in smb
    # own sellers: 2 x 96,000 / 4 = 48,000 a quarter; 48,000 / 40,000 = 120%
    assert "| 2027Q1 | $40,000 | $48,000 | 120% | 2 |" in smb
    # its programs' parts: webinars 10,000 x 0.5 = $5,000 and 100 x 0.5 = 50 MQLs, i.e. 50 / 0.30 = 166.7 leads;
    # seo all of its $8,000, 400 leads x 0.30 = 120 MQLs
    assert "| webinars | webinars | 2027Q1–2027Q4 | 50% | $5,000 | 167 | 50 |" in smb
    assert "| seo | seo | 2027Q1–2027Q4 | 100% | $8,000 | 400 | 120 |" in smb
    ent = _section(doc, "## Segment: enterprise (`enterprise`)")
    assert "| 2027Q1 | $60,000 | 2 | 10 | 20 | 50 | 200 | 2026Q4 |" in ent  # 50 / 0.25 = 200 leads
    assert "| 2027Q3 | 2027Q4 | 50 | 50 | covered |" in ent and "| 2027Q4 | past the plan | – | 50 | – |" in ent
    assert "(sales, enterprise's own)" in ent and "win_rate 20%" in ent
    # the company's sums: 160 + 50 = 210 MQLs demanded in 2027Q1; 170 + 50 = 220 planned; in 2027Q4 only
    # smb's 160 (enterprise's next target is past the plan)
    company = _section(doc, "\n## Demand waterfall\n")
    assert "| 2027Q1 | $100,000 | 10 | 42 | 84 | 210 | 734 | – |" in company  # 533.3 + 200 = 733.3 -> 734
    assert "| 2027Q1 | 210 | 220 | covered |" in company and "| 2027Q4 | 160 | 220 | covered |" in company
    programs = _section(doc, "## Marketing programs")
    # each program once: webinars' leads are its two parts' exact sum, 166.7 + 200 = 366.7 -> 367
    assert "| webinars | webinars | – | smb 50%, enterprise 50% | 2027Q1–2027Q4 | $10,000 | 367 | 100 |" in programs
    assert programs.count("| webinars |") == 1
    # budget 25,000 - (10,000 + 8,000) = 7,000 left
    assert "| 2027Q1 | 2 | $18,000 | $25,000 | $7,000 |" in programs
    capacity = _section(doc, "## Sales capacity")
    assert "| AE SMB | smb | 2 | $96,000 |" in capacity


def test_the_company_gap_names_the_segment_that_is_short(gtm, tmp_path):
    """One segment's surplus never covers another's shortfall: with webinars all to smb (100 MQLs),
    enterprise plans 0 against its 50, while the company's sum (270 planned against 210) looks covered."""
    data = apply_patch(case_base("segments"), {"marketing": {"programs": {0: {"split": {"smb": 1.0, "enterprise": 0.0}}}}})
    doc = gtm("render", write_plan(tmp_path, data)).out
    company = _section(doc, "\n## Demand waterfall\n")
    # smb: 100 + 120 = 220 planned against 160; enterprise 0 against 50: the sum 220 against 210 hides it
    assert "| 2027Q1 | 210 | 220 | ⚠ enterprise short by 50 |" in company
    ent = _section(doc, "## Segment: enterprise (`enterprise`)")
    assert ent.startswith("## Segment: enterprise (`enterprise`)\n\n⚠ **Short of MQLs**")
    assert "| 2027Q1 | 2027Q2 | 50 | 0 | ⚠ short by 50 |" in ent


def test_a_segment_without_its_own_sellers_or_programs(gtm, tmp_path):
    data = apply_patch(case_base("segments"), {"sales": {"team": {1: {"segment": "__delete__"}}},
                                               "marketing": {"programs": {0: {"segments": ["smb"], "split": "__delete__"}}}})
    doc = gtm("render", write_plan(tmp_path, data)).out
    ent = _section(doc, "## Segment: enterprise (`enterprise`)")
    assert "No team row has segment: enterprise: the shared sellers carry its target (see Sales capacity)." in ent
    assert "| 2027Q1 | $60,000 | – | – | – |" in ent  # no own capacity: never a 0% coverage
    assert "No program reaches enterprise." in ent


def test_segment_text_is_escaped(gtm, tmp_path):
    data = apply_patch(case_base("segments"), {"icp": {"segments": {1: {"name": "<b>Big</b> | co"}}}})
    plan = write_plan(tmp_path, data)
    md = gtm("render", plan).out
    assert "## Segment: \\<b\\>Big\\</b\\> \\| co (`enterprise`)" in md
    html = gtm("render", plan, "-f", "html").out
    assert "<h2>Segment: &lt;b&gt;Big&lt;/b&gt; | co <code>enterprise</code></h2>" in html and "<b>Big" not in html


def test_quarterly_edition_of_a_segmented_plan(gtm):
    doc = gtm("render", FERNHILL, "--quarter", "2027Q3").out
    ent = _section(doc, "## Segment: Enterprises with several states or countries (`enterprise`)")
    # enterprise's 2027Q4 target: 0.6 x 900,000 = 540,000 / 90,000 = 6 deals / 0.15 = 40 opps / 0.5 = 80 SQLs
    # / 0.35 = 228.6 MQLs, created in 2027Q3; planned in 2027Q3: webinars 400 x 0.3 = 120 + dinners 30 = 150
    assert "| 2027Q3 | 2027Q4 | 229 | 150 | ⚠ short by 79 |" in ent and "| 2027Q2 | 2027Q3 |" not in ent
    assert "| CFO dinners in five cities | events | 2027Q3 | 100% | $25,000 | 150 | 30 |" in ent  # 30 / 0.20 = 150 leads
    # 2027Q4's edition: enterprise's MQLs created in 2027Q4 serve a target past the plan: neither short nor covered
    q4 = gtm("render", FERNHILL, "--quarter", "2027Q4").out
    assert "No target in the plan needs enterprise's MQLs created in 2027Q4." in q4
    assert "Marketing's MQLs for smb cover what its targets need." in q4  # 1,090 planned against 1,029


@pytest.mark.parametrize("quarters,text", [
    (["2027Q1", "2027Q2", "2027Q3", "2027Q4"], "2027Q1–2027Q4"),
    (["2027Q3", "2027Q4"], "2027Q3, 2027Q4"),
    (["2027Q4", "2027Q1", "2027Q2", "2027Q3", "2028Q2"], "2027Q1–2027Q4, 2028Q2"),
    (["2027Q2"], "2027Q2"),
])
def test_quarters_a_program_runs_in(quarters, text):
    assert quarters_text([Quarter.parse(q) for q in quarters]) == text
