"""`gtmplan render`: golden documents, the calendar, escaping, templates."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from conftest import BRIGHTWATER, LUMEN, ROOT, apply_patch, base_plan, run_cli, write_plan

from gtmplan.read.loader import load_plan

# what needs action first (issue 20): the open alignment issues come right after the title
SECTIONS = ["Open alignment issues", "Shared goals", "Ideal client profile", "Qualified-lead definition",
            "Demand waterfall", "Sales capacity", "Marketing programs", "Content and sales enablement",
            "Feedback loops", "Review calendar"]


@pytest.fixture(autouse=True)
def fixed_stamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18: reproducible DTSTAMP


@pytest.fixture
def in_repo(monkeypatch):
    """Golden documents name plan files as the user typed them: run from the repository root."""
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", ["md", "html", "ics"])
def test_golden_document(golden, in_repo, fmt):
    """One full document per format; everything else is compared section by section."""
    r = run_cli("render", "examples/lumen-analytics", "--format", fmt)
    assert r.code == 0, r.err
    golden(f"lumen-analytics.{fmt}", r.out.encode("utf-8"))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_segmented_document(golden, in_repo, fmt):
    """The shipped plan with segments (examples/fernhill-payroll): a section per segment (its
    waterfall, its own sellers, its programs' split parts), then the company's sums."""
    r = run_cli("render", "examples/fernhill-payroll", "--format", fmt)
    assert r.code == 0, r.err
    golden(f"fernhill-payroll.{fmt}", r.out.encode("utf-8"))


def split_sections(doc: str, fmt: str) -> dict[str, str]:
    """A rendered document in named parts: the title block and each section (md, html),
    or the calendar header and each review event (ics)."""
    if fmt == "md":
        parts = re.split(r"(?m)^(?=## )", doc)
        name = lambda part: re.sub(r"[^a-z0-9]+", "-", part[3:part.index("\n")].lower()).strip("-")  # noqa: E731
    elif fmt == "html":
        parts = re.split(r'(?=<section id=")', doc[doc.index("<body"):])
        name = lambda part: re.match(r'<section id="([^"]+)"', part)[1]  # noqa: E731
    else:
        parts = re.split(r"(?=BEGIN:VEVENT)", doc)
        name = lambda part: "review-" + re.search(r"DTSTART[^:]*:(\d{8})", part)[1]  # noqa: E731
    return {"title" if i == 0 else name(part): part for i, part in enumerate(parts)}


SECTION_CASES = {
    "brightwater-pumps": (["render", "examples/brightwater-pumps"], ("md", "html", "ics")),
    "lumen-analytics-2027Q2": (["render", "examples/lumen-analytics", "--quarter", "2027Q2"], ("md", "html", "ics")),
}


@pytest.mark.parametrize("case,fmt", [(c, f) for c, (_, fmts) in SECTION_CASES.items() for f in fmts])
def test_golden_sections(golden, in_repo, request, case, fmt):
    """Small golden files, one per section: a template change rewrites the sections it touches."""
    args, _ = SECTION_CASES[case]
    r = run_cli(*args, "--format", fmt)
    assert r.code == 0, r.err
    parts = split_sections(r.out, fmt)
    folder = ROOT / "tests" / "golden" / "sections" / case
    if not request.config.getoption("--update-goldens"):
        stored = {p.stem for p in folder.glob(f"*.{fmt}")}
        assert stored == set(parts), "sections differ from the golden files (pytest --update-goldens)"
    for name, text in parts.items():
        golden(f"sections/{case}/{name}.{fmt}", text.encode("utf-8"))


def test_sections_come_in_the_documented_order(tmp_path, gtm):
    for fmt, pattern in (("md", r"^## (.+)$"), ("html", r"<h2>(.+?)</h2>")):
        out = tmp_path / f"plan.{fmt}"
        # brightwater-pumps has no actuals/ and no scenarios/: neither "Plan vs actual" nor "Scenarios" (docs/reference/cli.md 0.2);
        # lumen-analytics has four recorded quarters and two scenarios; its recorded quarters bring
        # "Chance of making the plan" (docs/reference/cli.md 0.3, gtmplan forecast)
        assert gtm("render", BRIGHTWATER, "-o", out).code == 0
        assert re.findall(pattern, out.read_text(), re.M) == SECTIONS
        assert gtm("render", LUMEN, "-o", out).code == 0
        assert re.findall(pattern, out.read_text(), re.M) == [*SECTIONS, "Plan vs actual", "Chance of making the plan",
                                                                "Scenarios"]


def test_plan_vs_actual_per_recorded_quarter(tmp_path, gtm):
    """Plan figures where the plan covers a recorded quarter; the track record before it has none."""
    plan = write_plan(tmp_path, base_plan())
    (tmp_path / "actuals").mkdir()
    # 2027Q1 is in the horizon: plan 880 leads (400 + 400 + 80), 220 MQLs, 10 deals, $100,000
    (tmp_path / "actuals" / "2027Q1.yaml").write_text(
        "quarter: 2027Q1\nmetrics: {leads: 700, mqls: 219, won: 9, bookings: 120000}\n", encoding="utf-8")
    (tmp_path / "actuals" / "2026Q4.yaml").write_text(
        "quarter: 2026Q4\nmetrics: {leads: 650, bookings: 80000}\n", encoding="utf-8")
    out = tmp_path / "p.md"
    assert gtm("render", plan, "-o", out).code == 0
    text = out.read_text()
    assert "2 recorded quarters (`actuals/`), 1 before the plan's horizon: no plan figures for that one." in text
    assert "| 2026Q4 | – | 650 | – | – | – | – | – | $80,000 |" in text
    # leads 700 < 880 x 0.9 is flagged; MQLs 219 and 9 won deals are within the 10% tolerance
    assert "| 2027Q1 | 880 | 700 ⚠ | 220 | 219 | 10 | 9 | $100,000 | $120,000 |" in text
    html = tmp_path / "p.html"
    assert gtm("render", plan, "-o", html).code == 0
    chart = html.read_text().split('id="actuals-chart"')[1].split("</figure>")[0]
    # bars: targets for the four horizon quarters, actuals for the two recorded quarters
    assert chart.count('class="bar s0"') == 4 + 1 and chart.count('class="bar s1"') == 2 + 1  # + legend swatches
    assert "Bookings actual, 2026Q4: $80,000" in chart and "Bookings target, 2027Q1: $100,000" in chart


def test_title_period_and_numbers_for_people(tmp_path, gtm):
    out = tmp_path / "plan.md"
    gtm("render", BRIGHTWATER, "-o", out)
    text = out.read_text()
    assert text.startswith("# Brightwater Pumps go-to-market plan\n")
    assert "2027Q1–2027Q4 (1 Apr 2027 to 31 Mar 2028)" in text and "Fiscal years start in April" in text
    # counts rounded up; 15% of the opportunities come from the installed base (sales.other_pipeline)
    assert "| 2027Q1 | €1,200,000 | 15 | 48 | 67 | 191 | 762 | 2026Q3 |" in text


def test_format_from_extension_and_default(tmp_path, gtm):
    for name, marker in (("p.html", b"<!DOCTYPE html>"), ("p.ics", b"BEGIN:VCALENDAR"), ("p.md", b"# "),
                         ("p.txt", b"# ")):
        out = tmp_path / name
        assert gtm("render", LUMEN, "-o", out).code == 0
        assert out.read_bytes().startswith(marker), name
    assert gtm("render", LUMEN).out.startswith("# Lumen Analytics")


def test_plan_with_errors_renders_its_findings(tmp_path, gtm):
    out = tmp_path / "p.html"
    assert gtm("render", LUMEN, "-o", out).code == 0
    html = out.read_text()
    issues = html[html.index('id="issues"'):]
    assert issues.count('class="issue error"') == 6 and issues.count('class="issue warning"') == 4  # L201, E701 x2, E702


def test_invalid_plan_exits_2_and_writes_nothing(tmp_path, gtm):
    bad = write_plan(tmp_path, "version: 1\n")
    out = tmp_path / "p.html"
    r = gtm("render", bad, "-o", out)
    assert r.code == 2 and "missing required key" in r.err and not out.exists()


def test_html_is_self_contained_and_escapes_plan_text(tmp_path, gtm):
    evil = '<script>alert("x")</script> & Co'
    data = apply_patch(base_plan(), {"company": evil, "icp": {"segments": {0: {"name": "<img src=x onerror=1>"}}},
                                     "marketing": {"programs": {0: {"name": "a | b <b>bold</b>"}}}})
    plan = write_plan(tmp_path, data)
    out = tmp_path / "p.html"
    assert gtm("render", plan, "-o", out).code == 0
    html = out.read_text()
    assert "<script" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert not re.search(r"""<[a-z][^>]*\s(src|href)\s*=|@import|url\(|<link|<iframe""", html)  # nothing fetched
    md = gtm("render", plan).out
    assert "<script>" not in md and "\\<script\\>" in md
    assert "a \\| b \\<b\\>bold\\</b\\>" in md  # the table cell stays one cell


def test_ics_parses_with_one_event_per_review(tmp_path, gtm):
    from icalendar import Calendar

    out = tmp_path / "reviews.ics"
    assert gtm("render", BRIGHTWATER, "-o", out).code == 0
    raw = out.read_bytes()
    assert b"\r\n" in raw and all(len(l) <= 75 for l in raw.split(b"\r\n"))  # RFC 5545 folding
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    dates = [e.decoded("dtstart") for e in events]
    assert dates == [dt.datetime(2027, 6, 22, 10), dt.datetime(2027, 9, 21, 10), dt.datetime(2027, 12, 14, 10),
                     dt.datetime(2028, 3, 21, 10), dt.datetime(2028, 6, 20, 10)]  # the default time, 10:00
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(minutes=90) for e in events)
    first = events[0]
    assert str(first["summary"]) == "Brightwater Pumps: joint sales & marketing review (2027Q1)"
    assert "1. Win-loss: why deals were won and lost" in str(first["description"])
    assert "Attendees, by function: Sales, Marketing, Service." in str(first["description"])
    assert len({str(e["uid"]) for e in events}) == 5


def test_ics_uids_are_stable_and_the_quarterly_edition_has_two_reviews(tmp_path, gtm):
    from icalendar import Calendar

    def uids(*args):
        return [str(e["uid"]) for e in Calendar.from_ical(gtm("render", *args, "-f", "ics").out).walk("VEVENT")]

    full = uids(LUMEN)
    assert full == uids(LUMEN)
    q2 = uids(LUMEN, "--quarter", "2027Q2")
    assert q2 == full[1:3]  # the review closing 2027Q2, and the next one (2027Q4: 2027Q3 has none)


def test_ics_lists_the_quarters_open_errors(gtm):
    out = gtm("render", LUMEN, "-f", "ics").out.replace("\r\n ", "")
    assert "Open alignment issues for 2027Q1 (gtmplan check):\\n- A102" in out


def test_quarterly_edition_details_one_quarter(tmp_path, gtm):
    out = gtm("render", LUMEN, "--quarter", "2027q2").out
    assert out.startswith("# Lumen Analytics go-to-market plan: 2027Q2 edition")
    programs = out[out.index("## Marketing programs"):out.index("## Content")]
    # the budget table has the edition's quarter only (the others in "Rest of the plan"); the programs
    # table has the programs running in it, each once with its quarters (issue 20), and none other
    # (the partner webinars run in 2027Q3-2027Q4 only)
    assert "| 2027Q2 | 5 | $143,000 | $145,000 | $2,000 |" in programs and "| 2027Q1 | 4 |" not in programs
    assert "| SaaS Connect booth | events | consideration | mid-market-saas | 2027Q2 | $40,000 | 350 | 70 |" in programs
    assert "Co-hosted webinars" not in programs
    assert "**Closes 2027Q2:** 23 Jun 2027" in out and "**Next:** 15 Dec 2027 (2027Q4)" in out
    issues = out[out.index("## Open alignment issues"):out.index("## Shared goals")]
    assert "2027Q1" not in issues and "in 2027Q2" in issues


@pytest.mark.parametrize("q,message", [("2029Q1", "outside the plan's horizon"), ("Q2", "is not a quarter")])
def test_bad_quarter(gtm, q, message):
    r = gtm("render", LUMEN, "--quarter", q)
    assert r.code == 2 and message in r.err and r.out == ""


# -- templates ------------------------------------------------------------------------

def test_templates_override_by_file_name(tmp_path, gtm):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "plan.md.j2").write_text("Custom: {{ company | md }} from {{ period }}\n")
    out = gtm("render", LUMEN, "--templates", tpl).out
    assert out == "Custom: Lumen Analytics from 2027Q1–2027Q4 (1 Jan 2027 to 31 Dec 2027)\n"
    # html is not overridden: the shipped template is used
    assert gtm("render", LUMEN, "--templates", tpl, "-f", "html").out.startswith("<!DOCTYPE")
    # overriding only the chart partial changes the shipped document's charts
    (tpl / "_chart.html.j2").write_text("{% macro bar_chart(c, id) %}<p>chart {{ id }}</p>{% endmacro %}\n")
    html = gtm("render", LUMEN, "--templates", tpl, "-f", "html").out
    assert "<p>chart waterfall-chart</p>" in html and "<svg" not in html


def test_override_html_template_is_still_autoescaped(tmp_path, gtm):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "plan.html.j2").write_text("<h1>{{ company }}</h1>\n")
    plan = write_plan(tmp_path, apply_patch(base_plan(), {"company": "<script>x</script>"}))
    assert gtm("render", plan, "--templates", tpl, "-f", "html").out == "<h1>&lt;script&gt;x&lt;/script&gt;</h1>\n"


@pytest.mark.parametrize("source,message,line", [
    ("line one\n{{ no_such_variable }}\n", "template error: 'no_such_variable' is undefined", 2),
    ("{% for x in goals %}\n", "template syntax error", 1),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", "refused by the sandbox", 1),
])
def test_template_errors_are_located_and_exit_2(tmp_path, gtm, source, message, line):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "plan.md.j2").write_text(source)
    out = tmp_path / "doc.md"
    r = gtm("render", LUMEN, "--templates", tpl, "-o", out)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err and not out.exists()
    assert re.match(rf"{re.escape(str(tpl))}/plan\.md\.j2:{line}:1: ", r.err), r.err


def test_template_symlink_leaving_the_directory_is_refused(tmp_path, gtm):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    os.symlink(secret, tpl / "plan.md.j2")
    r = gtm("render", LUMEN, "--templates", tpl)
    assert r.code == 2 and "symlink to a file outside the templates directory" in r.err
    assert "TOP SECRET" not in r.out + r.err
    # a symlink that stays inside the directory is fine
    (tpl / "plan.md.j2").unlink()
    (tpl / "real.j2").write_text("ok {{ company | md }}\n")
    os.symlink(tpl / "real.j2", tpl / "plan.md.j2")
    assert gtm("render", LUMEN, "--templates", tpl).out == "ok Lumen Analytics\n"


def test_templates_dir_must_exist(tmp_path, gtm):
    r = gtm("render", LUMEN, "--templates", tmp_path / "nope")
    assert r.code == 2 and "--templates: not a directory" in r.err


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_render_computes_the_funnel_once(monkeypatch, gtm, fmt):
    """The checks and the document share one funnel computation."""
    import gtmplan.engine.funnel
    import gtmplan.output.render.view
    import gtmplan.rules.base

    calls = []
    real = gtmplan.engine.funnel.compute

    def counting(plan):
        calls.append(plan)
        return real(plan)

    monkeypatch.setattr(gtmplan.rules.base, "compute", counting)
    monkeypatch.setattr(gtmplan.output.render.view, "compute", counting)
    r = gtm("render", LUMEN, "--format", fmt)
    assert r.code == 0 and "Demand waterfall" in r.out
    # one computation per plan: the rendered plan's, shared by its checks and the document, then
    # (the "Scenarios" section, docs/reference/cli.md 0.2) one for each of lumen's two scenarios
    assert len(calls) == 3 and len({id(p) for p in calls}) == 3
    assert [p.id for p in calls[0].marketing.programs] == [p.id for p in load_plan(
        str(LUMEN)).plan.marketing.programs]
