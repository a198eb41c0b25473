"""Issue 16: a newcomer's first hour. Each test is something a user would notice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import EXAMPLES

LUMEN = EXAMPLES / "lumen-analytics"
CRM = LUMEN / "crm"


# -- 4: check's summary points at `gtmplan rules CODE` -----------------------------------

def test_check_summary_points_at_rules_for_the_first_error(gtm):
    r = gtm("check", LUMEN)
    last = r.out.strip().splitlines()[-1]
    assert last == (f"{LUMEN}: 6 errors, 4 warnings, 0 info (32 rules checked); "
                    "'gtmplan rules L203' explains a finding and how to fix it")


# -- 5: one -o rule ---------------------------------------------------------------------

@pytest.mark.parametrize("args, name, check", [
    (("check", LUMEN), "c.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
    (("check", LUMEN), "c.json", lambda t: json.loads(t)["summary"]["error"] == 6),
    (("check", LUMEN), "c.txt", lambda t: "A102 error:" in t),
    (("funnel", LUMEN), "f.csv", lambda t: t.startswith("quarter,target,deals,")),
    (("funnel", LUMEN), "f.json", lambda t: json.loads(t)["lag_quarters"] == 1),
    (("render", LUMEN), "p.html", lambda t: t.startswith("<!DOCTYPE html>")),
    (("render", LUMEN), "p.ics", lambda t: t.startswith("BEGIN:VCALENDAR")),
    (("review", LUMEN, "--quarter", "2027Q2", "--leads", CRM / "hubspot-contacts.csv"), "r.html",
     lambda t: t.startswith("<!DOCTYPE html>")),
    (("review", LUMEN, "--quarter", "2027Q2", "--leads", CRM / "hubspot-contacts.csv"), "r.json",
     lambda t: json.loads(t)["quarter"] == "2027Q2"),
    (("schema",), "s.json", lambda t: json.loads(t)["$schema"].endswith("2020-12/schema")),
])
def test_output_extension_chooses_the_format(tmp_path, gtm, args, name, check):
    out = tmp_path / name
    r = gtm(*args, "-o", out)
    assert r.code in (0, 1), r.err
    assert check(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args, name, can", [
    (("check", LUMEN), "c.xml", ".json, .sarif, .txt"),
    (("funnel", LUMEN), "f.xlsx", ".csv, .json, .txt"),
    (("render", LUMEN), "p.docx", ".htm, .html, .ics, .markdown, .md, .txt"),
    (("render", LUMEN), "p.ical", ".htm, .html, .ics, .markdown, .md, .txt"),
    (("review", LUMEN, "--quarter", "2027Q2", "--leads", CRM / "hubspot-contacts.csv"), "r.csv",
     ".htm, .html, .json, .markdown, .md, .txt"),
    (("schema",), "s.yaml", ".json"),
])
def test_output_extension_a_command_cannot_write_exits_2_naming_what_it_can(tmp_path, gtm, args, name, can):
    out = tmp_path / name
    r = gtm(*args, "-o", out)
    assert r.code == 2
    assert f"cannot write {out.suffix} files; it writes {can}" in r.err
    assert not out.exists()


def test_render_to_pdf_says_how_to_get_a_pdf(tmp_path, gtm):
    r = gtm("render", LUMEN, "-o", tmp_path / "plan.pdf")
    assert r.code == 2
    assert "for a PDF, write HTML (-o plan.html) and print it from a browser" in r.err
    assert "chromium --headless --print-to-pdf=plan.pdf plan.html" in r.err
    assert list(tmp_path.iterdir()) == []


# -- 1: the waterfall split by target quarter and by creation quarter --------------------

def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def test_funnel_table_splits_target_quarters_from_creation_quarters(gtm, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = gtm("funnel", LUMEN).out
    by_target = _section(out, "By target quarter", "MQLs needed vs planned")
    assert "MQLs demanded" not in by_target and "short by" not in by_target
    assert "│ 2027Q2  │ $700,000 │    24 │   94 │  170 │         566 │        2,829 │ 2027Q1" in by_target
    assert ("Each quarter's bookings target worked back to the MQLs and leads it needs, which must be created 1"
            in by_target)
    by_created = _section(out, "MQLs needed vs planned, by the quarter they are created", "Capacity and spend")
    # 2027Q1's MQLs serve 2027Q2's target: 566 demanded, 410 planned, and 566 - 410 = 156
    assert "│ 2027Q1     │ 2027Q2        │           566 │          410 │ short by 156 │" in by_created
    assert "│ 2027Q4     │ past the plan │             – │          460 │ –" in by_created
    assert "MQLs demanded: what the target quarter's deals need created in this quarter" in by_created


def test_html_waterfall_has_two_tables_each_with_a_legend(tmp_path, gtm):
    out = tmp_path / "p.html"
    gtm("render", LUMEN, "-o", out)
    html = _section(out.read_text(encoding="utf-8"), 'id="waterfall"', "</section>")
    first = _section(html, "<h3>By target quarter</h3>", "<h3>")
    assert "MQLs demanded" not in first and "short by" not in first
    assert '<p class="note">One row per target quarter: its bookings target worked back' in first
    second = html[html.index("<h3>Needed vs planned, by the quarter the MQLs are created</h3>"):]
    assert '<p class="note">One row per quarter in which MQLs are created: MQLs demanded is what' in second
    assert ('<tr><td>2027Q1</td><td>2027Q2</td><td class="num">566</td><td class="num">410</td>'
            '<td class="status short">short by 156</td></tr>') in second


# -- 2: the terminal width ------------------------------------------------------------------

NUMBER = r"[$€£]?\d{1,3}(?:,\d{3})+|[$€£]?\d+"


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize("example, figures", [(LUMEN, ["$700,000", "2,829", "3,637", "short by 268"]),
                                              (EXAMPLES / "brightwater-pumps", ["€1,500,000", "953", "Other"])])
def test_funnel_fits_the_terminal_and_keeps_every_number_whole(gtm, monkeypatch, columns, example, figures):
    import re

    monkeypatch.setenv("COLUMNS", str(columns))
    out = gtm("funnel", example).out
    assert max(len(line) for line in out.splitlines()) <= columns
    cells = re.findall(r"│([^│\n]*)", out)
    assert all(f in out for f in figures)
    assert "…" not in out
    for cell in cells:  # a figure is never cut across lines or cells
        for token in cell.split():
            assert re.fullmatch(rf"(?:{NUMBER}|\d+%|\d{{4}}Q\d|[A-Za-z–'.,;()]+)", token), token


@pytest.mark.parametrize("columns", [80, 100])
def test_review_text_fits_the_terminal_and_breaks_no_number(gtm, monkeypatch, columns):
    import re

    monkeypatch.setenv("COLUMNS", str(columns))
    r = gtm("review", LUMEN, "--quarter", "2027Q2", "--leads", CRM / "hubspot-contacts.csv",
            "--deals", CRM / "hubspot-deals.csv")
    assert r.code == 0
    lines = r.out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    # where a suggestion wraps, the break is between words, never inside a figure
    for a, b in zip(lines, lines[1:]):
        if a.rstrip() and b.strip():  # a figure cut in two: no space at the break, digits on both sides
            assert not (re.search(r"[\d$][\d,.]*$", a) and re.match(r"[\d,.%]", b.strip())), (a, b)
    assert "$330,000" in r.out and "2,310" in r.out


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


def _review_files(tmp_path, sources):
    leads = tmp_path / "leads.csv"
    rows = ["id,created,source,mql_date,sql_date,opportunity_date"]
    rows += [f"{i},2027-05-0{1 + i % 9},{s},,," for i, s in enumerate(sources)]
    leads.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return leads


def test_review_names_the_sources_no_program_lists_and_says_1_lead(tmp_path, gtm, plan_file):
    path = plan_file({"marketing": {"programs": {0: {"crm_sources": ["Webinar"], "expected_leads": 300,
                                                     "expected_mqls": "__delete__"},
                                                 1: {"crm_sources": ["SEO"]}}}})
    leads = _review_files(tmp_path, ["Webinar"] * 4 + ["SEO", "Podcast"])
    r = gtm("review", path, "--quarter", "2027Q2", "--leads", leads, "--format", "json")
    assert r.code == 0, r.err
    said = "\n".join(json.loads(r.out)["suggestions"])
    assert ("1 of 6 leads in 2027Q2 came from a source no program lists in crm_sources: 'Podcast' (1). "
            "Add it to the programs' crm_sources, or the portfolio cannot be judged.") in said
    assert "Cut or rework program seo: 1 lead against 400 forecast" in said


# -- 12: the commonest YAML slips in plain words, located -----------------------------------

@pytest.mark.parametrize("text, expected", [
    ("company: Acme\nmarketing:\n  programs:\n    - id: a\n      name: Webinars: spring edition\n",
     "plan.yaml:5:21: the value of 'name' contains ': ', which YAML reads as the start of another key: "
     'put the text in quotes, e.g. name: "Webinars: spring edition"'),
    ("company: Acme\nsales:\n  targets:\n    2027Q1: 5\n   assumptions:\n    win_rate: 0.2\n",
     "plan.yaml:5:4: key 'assumptions' is indented 3 spaces, but the keys of its section (from line 3) are "
     "indented 2: YAML reads the structure from the indentation, so line it up with them"),
    ("company: Acme\nsales:\n  targets:\n    2027Q1: 5\n      2027Q2: 6\n",
     "plan.yaml:5:13: '2027Q2' is indented deeper (6 spaces) than the line above it (4 spaces), which already "
     "has a value: line it up with the keys of its section"),
    ("company: Acme\nsales:\n\ttargets: 3\n",
     "plan.yaml:3:1: a tab character where YAML needs spaces: indent with spaces"),
])
def test_yaml_slips_get_plain_words_and_keep_the_location(tmp_path, gtm, text, expected):
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    r = gtm("check", tmp_path / "plan.yaml")
    assert r.code == 2
    assert r.err.strip() == str(tmp_path / expected)


def test_a_quoted_number_or_date_says_remove_the_quotes(tmp_path, gtm, plan_file):
    path = plan_file()
    text = path.read_text(encoding="utf-8")
    text = text.replace("cost: 10000", 'cost: "10000"').replace("agreed_on: 2026-12-01", "agreed_on: '2026-12-01'")
    path.write_text(text, encoding="utf-8")
    r = gtm("check", path)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert any(l.endswith('marketing.programs[0].cost: expected a number, got the text "10000": remove the quotes '
                          "(cost: 10000)") and l.startswith(f"{path}:") for l in lines), lines
    assert any(l.endswith('lead_definition.agreed_on: expected a date, got the text "2026-12-01": remove the quotes '
                          "(agreed_on: 2026-12-01)") for l in lines), lines


# -- 6-10: init that helps --------------------------------------------------------------------

def _drive(args, answers, cwd, timeout=60):
    """Run gtmplan on a pseudo-terminal, typing each answer when a prompt (': ') shows."""
    import os
    import pty
    import subprocess
    import sys
    import time

    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "gtmplan", *map(str, args)], stdin=slave, stdout=slave,
                         stderr=slave, cwd=cwd)
    os.close(slave)
    answers = iter(answers)
    out = b""
    deadline = time.monotonic() + timeout
    while p.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        out += chunk
        if out.endswith(b": "):
            answer = next(answers, None)
            if answer is None:
                break
            os.write(master, (answer + "\n").encode())
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(master)
    return p.returncode, out.decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_init_checks_each_answer_when_typed_and_shows_the_dates_of_a_quarter(tmp_path):
    from gtmplan.read.loader import load_plan

    code, out = _drive(["init", "p"], ["Acme", "dollars", "usd", "Aprl", "April", "4", "middle", "start", "2027 Q5",
                                       "2027 Q1", "0", "4", "lots", "$1.2M", "30k", "y", "150%", "30%", "n", "y"],
                      tmp_path)  # ... "n": one segment
    assert code == 0, out
    assert "Error: 'dollars' is not a three-letter ISO 4217 code such as USD" in out
    assert "Error: 'Aprl' is not a month: give its number, 1-12, or its name (4 or April)" in out
    assert "Error: '2027Q5' is not a quarter: write it as YYYYQn, e.g. 2027Q3" in out
    assert "Error: 0 is out of range (1-12)" in out
    assert "Error: 'lots' is not an amount" in out
    assert "Error: 'middle' is neither start nor end" in out
    assert "Error: 1.5 is not a share from 0 to below 1 (write 30% as 0.3)" in out
    assert "  2027Q1 = 1 Apr–30 Jun 2027\n" in out
    assert "--start" not in out and "--quarters" not in out  # no flag the user never typed
    plan = load_plan(str(tmp_path / "p")).plan
    assert (plan.currency, plan.fiscal_year_start_month, str(plan.horizon.start)) == ("USD", 4, "2027Q1")
    assert sum(plan.sales.targets.values()) == 1_200_000
    assert plan.other_share == pytest.approx(0.3)
    assert plan.sales.assumptions.average_deal_size == 30_000  # "30k"
    assert plan.lead_definition.agreed_by == ["sales", "marketing"]  # the last answer, y


def test_init_default_first_quarter_follows_the_fiscal_year_answer(tmp_path, gtm):
    from gtmplan.commands.init import default_start, quarter_dates
    from gtmplan.plan.quarters import FiscalCalendar

    expected = default_start(FiscalCalendar(4))
    code, out = _drive(["init", "p"], ["Acme", "USD", "4", "start", "", "4", "1200000", "30000", "", "", ""],
                       tmp_path)
    assert code == 0, out
    assert f"First quarter of the plan ({quarter_dates(expected, 4)}) [{expected}]: " in out
    assert gtm("init", tmp_path / "y", "--yes", "--fiscal-year-start-month", "4").code == 0
    from gtmplan.read.loader import load_plan
    assert load_plan(str(tmp_path / "p")).plan.horizon.start == expected
    assert load_plan(str(tmp_path / "y")).plan.horizon.start == expected


def test_quarter_dates_read_as_a_person_writes_them():
    from gtmplan.commands.init import quarter_dates
    from gtmplan.plan.quarters import Quarter

    assert quarter_dates(Quarter(2027, 1), 4) == "2027Q1 = 1 Apr–30 Jun 2027"
    assert quarter_dates(Quarter(2027, 3), 11) == "2027Q3 = 1 May–31 Jul 2028"
    assert quarter_dates(Quarter(2027, 2), 12) == "2027Q2 = 1 Mar–31 May 2028"
    assert quarter_dates(Quarter(2027, 1), 12) == "2027Q1 = 1 Dec 2027–29 Feb 2028"  # a leap year


def test_init_refuses_an_occupied_directory_before_asking_anything(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "sales.yaml").write_text("mine\n")
    code, out = _drive(["init", "p"], ["Acme"] * 10, tmp_path)
    assert code == 2
    assert "Company name" not in out
    assert "sales.yaml: already exists; nothing was written (use --force to overwrite)" in out


@pytest.mark.parametrize("fy", range(1, 13))
def test_init_schedules_reviews_on_working_days(fy):
    from gtmplan.commands.init import Answers, design
    from gtmplan.plan.quarters import FiscalCalendar, Quarter

    for year in (2026, 2027, 2028):
        for n in (1, 2, 3, 4):
            reviews = design(Answers(start=Quarter(year, n), quarters=5, fy_start=fy))["reviews"]
            days = [r["date"] for r in reviews]
            assert all(d.weekday() < 5 for d in days), [d.strftime("%a %Y-%m-%d") for d in days]
            q = [Quarter(year, n) + i for i in range(5)]
            assert [Quarter.of(d, FiscalCalendar(fy)) for d in days] == [*q, q[-1] + 1]  # still inside its quarter


def test_init_then_check_in_the_same_directory_works(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert gtm("init", "--yes", "--agreed").code == 0
    r = gtm("check")
    assert r.code == 0 and r.out.startswith("plan: no problems found"), r.out + r.err
    assert gtm("funnel", "-f", "json").code == 0


def test_the_no_plan_files_hint_points_at_the_plan_just_written(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert gtm("init", "acme", "--yes").code == 0
    r = gtm("check")
    assert r.code == 2
    assert r.err.strip() == (".: no plan files (*.yaml) in this directory, but acme holds some: give the plan "
                             "directory, e.g. 'gtmplan check acme'")
    assert "gtmplan init" not in r.err
    (tmp_path / "empty").mkdir()
    r = gtm("check", "empty")
    assert "write a plan with 'gtmplan init'" in r.err


def test_init_example_copies_the_crm_exports_the_readme_tour_uses(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = gtm("init", "lumen", "--example", "lumen-analytics")
    assert r.code == 0
    assert "wrote lumen/crm/hubspot-contacts.csv" in r.out and "wrote lumen/crm/hubspot-deals.csv" in r.out
    assert (tmp_path / "lumen/crm/hubspot-deals.csv").read_bytes() == (CRM / "hubspot-deals.csv").read_bytes()
    assert "wrote lumen/actuals/2026Q4.yaml" in r.out and "wrote lumen/crm/history/hubspot-deals.csv" in r.out
    assert not (tmp_path / "lumen/crm/make_sample.py").exists()
    assert gtm("check", "lumen").out == gtm("check", LUMEN).out.replace(str(LUMEN), "lumen")  # same findings
    r = gtm("review", "lumen", "--quarter", "2027Q2", "--leads", "lumen/crm/hubspot-contacts.csv",
            "--deals", "lumen/crm/hubspot-deals.csv")
    assert r.code == 0 and "$330,000" in r.out


def test_init_force_checks_every_target_before_writing_any(tmp_path, gtm):
    target = tmp_path / "plan"
    assert gtm("init", target, "--yes").code == 0
    (target / "sales.yaml").unlink()
    (target / "sales.yaml").mkdir()  # a target that cannot be replaced by a file
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    r = gtm("init", target, "--yes", "--company", "Other", "--force")
    assert r.code == 2
    assert r.err.strip() == f"{target / 'sales.yaml'}: is a directory, so it cannot be replaced by a file; nothing was written"
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_init_refuses_when_the_directory_cannot_be_created(tmp_path, gtm):
    (tmp_path / "file").write_text("x")
    r = gtm("init", tmp_path / "file" / "plan", "--yes")
    assert r.code == 2
    assert f"{tmp_path / 'file'}' is not a directory; nothing was written" in r.err


# -- 11: calendar invitations -----------------------------------------------------------------

def _events(gtm, path, *args):
    from icalendar import Calendar

    r = gtm("render", path, "-f", "ics", *args)
    assert r.code == 0, r.err
    return r.out, [c for c in Calendar.from_ical(r.out).walk("VEVENT")]


def test_a_rescheduled_review_keeps_its_uid(gtm, plan_file):
    _, before = _events(gtm, plan_file())
    _, after = _events(gtm, plan_file({"reviews": {1: {"date": dt.date(2027, 6, 11)}}}))
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert str(before[1]["UID"]).startswith("review-2027Q2-")
    assert (before[1]["DTSTART"].dt, after[1]["DTSTART"].dt) == (dt.datetime(2027, 6, 20, 10, 0),
                                                                 dt.datetime(2027, 6, 11, 10, 0))


def test_reviews_are_timed_meetings_by_default_with_attendees_and_agenda(gtm, plan_file):
    text, events = _events(gtm, plan_file())
    assert "DTSTART:20270320T100000\r\nDTEND:20270320T113000" in text
    description = str(events[3]["DESCRIPTION"])
    assert "Attendees, by function: Sales, Marketing." in description
    assert ("Agenda:\n1. Win-loss: why deals were won and lost, from sales' records\n"
            "2. Lead quality: which MQLs sales accepted and why others were rejected") in description


def test_the_plan_sets_the_time_zone_length_and_all_day(gtm, plan_file):
    text, _ = _events(gtm, plan_file({"invitations": {"time": "14:30", "duration_minutes": 60,
                                                   "timezone": "Europe/Berlin"},
                                      "reviews": {0: {"time": "09:00"}, 1: {"time": "all-day"}}}))
    assert "DTSTART;TZID=Europe/Berlin:20270320T090000\r\nDTEND;TZID=Europe/Berlin:20270320T100000" in text
    assert "DTSTART;VALUE=DATE:20270620\r\nDTEND;VALUE=DATE:20270621" in text
    assert "DTSTART;TZID=Europe/Berlin:20270920T143000\r\nDTEND;TZID=Europe/Berlin:20270920T153000" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text
    text, _ = _events(gtm, plan_file({"invitations": {"time": "all-day"}}))
    assert "DTSTART;VALUE=DATE:20270320\r\n" in text and "T100000" not in text


@pytest.mark.parametrize("patch, message", [
    ({"invitations": {"time": "2pm"}}, "invitations.time: '2pm' is not a time of day: write HH:MM on a 24-hour clock"),
    ({"reviews": {0: {"time": "25:00"}}}, "reviews[0].time: '25:00' is not a time of day"),
    ({"invitations": {"timezone": "Berlin"}}, "invitations.timezone: 'Berlin' is not a time zone: use an IANA name"),
])
def test_a_bad_calendar_setting_is_located(gtm, plan_file, patch, message):
    r = gtm("render", plan_file(patch), "-f", "ics")
    assert r.code == 2 and message in r.err and ":" in r.err.split(" ")[0]


def test_one_of_a_thing_is_singular_and_a_tiny_overrun_is_not_0_percent(gtm, plan_file):
    path = plan_file({"marketing": {"budget": {"2027Q1": 9990},
                                    "programs": {1: "__delete__", 2: "__delete__"}},
                      "sales": {"max_opportunities_per_rep": 1, "team": {0: {"count": 1}}}})
    out = gtm("check", path, "--select", "B401,A105").out
    assert "the 1 program running in 2027Q1 cost $10,000; the budget is $9,990 (over by $10, 0.1%)" in out
    assert "1 seller can work 1 (1 x 1)" in out


def test_a_top_level_key_indented_less_than_the_first_is_explained(tmp_path, gtm):
    (tmp_path / "plan.yaml").write_text("  version: 1\n company: x\n", encoding="utf-8")
    r = gtm("check", tmp_path / "plan.yaml")
    assert r.code == 2 and r.err.strip() == (
        f"{tmp_path / 'plan.yaml'}:2:2: this line is indented less than the plan's first key: every top-level key "
        "starts in the same column (the first), and keys inside a section line up with each other")
