"""One -o rule for every command: the extension chooses the format, and one a command cannot
write exits 2 naming those it can; check's summary points at `gtmplan rules CODE` (issue 16,
a newcomer's first hour)."""

from __future__ import annotations

import json

import pytest
from conftest import LUMEN
from conftest import LUMEN_CRM as CRM

from gtmplan.errors import InputError
from gtmplan.output.outputs import choose_format

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


def test_output_extension_chooses_format_and_unknown_is_refused():
    assert choose_format("render", None, "plan.HTML", ["md", "html", "ics"], "md") == "html"
    assert choose_format("render", "md", "plan.html", ["md", "html", "ics"], "md") == "md"
    assert choose_format("funnel", None, "f.txt", ["table", "json", "csv"], "table") == "table"
    with pytest.raises(InputError) as e:
        choose_format("render", None, "plan.pdf", ["md", "html", "ics"], "md")
    assert ".html" in str(e.value) and "PDF" in str(e.value)
