"""Hostile input: whatever a file contains, gtmplan succeeds or says where the input is
bad (exit 2, FILE:LINE:COLUMN) — never a traceback, a hang or a memory blow-up.

Property-based (hypothesis) for arbitrary bytes, arbitrary YAML, mutated valid plans
and arbitrary CSV; fixed cases for every known hazard.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import resource
import subprocess

import pytest
import yaml
from conftest import LUMEN, base_plan, dump, run_child, run_cli, write_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def located_line(*files) -> re.Pattern:
    """A problem line: "gtmplan: message", or one of the input files (or a YAML file in an
    input directory), then ":LINE:COLUMN" where the problem has a place, then ": message"."""
    names = "|".join(re.escape(str(f)) + r"(?:/[^/:\n]+\.ya?ml)?" for f in files)
    return re.compile(rf"^(?:gtmplan|(?:{names})(?::[0-9]+:[0-9]+)?): \S.*$")


# max_examples comes from the profile (tests/conftest.py): 25 locally, 300 in .ci/run
PROPERTY = settings(deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_clean_outcome(code: int, out: str, err: str, *files) -> None:
    """Exit 0, 1 or 2, no traceback; at 2, nothing on stdout and every stderr line a problem
    that names one of ``files`` (the inputs of the run) or is gtmplan's own."""
    assert code in (0, 1, 2), code
    assert "Traceback" not in err
    if code == 2:
        lines = err.strip().splitlines()
        pattern = located_line(*files)
        assert lines and all(pattern.match(line) for line in lines), err
        assert out == ""


# -- property-based ------------------------------------------------------------------------

@PROPERTY
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("b") / "plan.yaml"
    path.write_bytes(data)
    assert_clean_outcome(*run_cli("check", path), path)


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.sampled_from(["NO", "on", "yes", "~", "null", "1e3", "0x1F", "2027-13-07", "2027Q5", "12:30", "<<", "*a",
                     "&a", "!!python/object:os.system", ".inf", "-.nan", "'", '"', "- x", "[", "{", "#"]))
yaml_docs = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(
        ["version", "company", "sales", "marketing", "horizon", "icp", "targets", "programs", "id"])), inner,
        max_size=5)), max_leaves=30)


@PROPERTY
@given(doc=yaml_docs)
def test_arbitrary_yaml(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("y") / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert_clean_outcome(*run_cli("check", path), path)


@PROPERTY
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#,?\n\t ~0123456789.%@`\\\x00\x07\u00e9\ufeff")),
                    max_size=400))
def test_yaml_token_soup(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("s") / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    assert_clean_outcome(*run_cli("check", path), path)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


BASE = base_plan()
ALL_PATHS = [p for p in _paths(BASE) if p]
weird_values = st.one_of(yaml_scalars, st.just([]), st.just({}), st.lists(yaml_scalars, max_size=3),
                         st.dictionaries(st.text(max_size=8), yaml_scalars, max_size=3))


@PROPERTY
@given(mutations=st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["delete", "replace"]),
                                    weird_values), min_size=1, max_size=4),
       command=st.sampled_from(["check", "funnel", "render"]))
def test_mutated_valid_plans(tmp_path_factory, mutations, command):
    plan = copy.deepcopy(BASE)
    for path, op, value in mutations:
        parent = plan
        try:
            for part in path[:-1]:
                parent = parent[part]
            if op == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    path = tmp_path_factory.mktemp("m") / "plan.yaml"
    path.write_text(dump(plan), encoding="utf-8")
    args = ["--format", "html"] if command == "render" else []
    assert_clean_outcome(*run_cli(command, path, *args), path)


csv_cells = st.one_of(st.text(max_size=20), st.sampled_from(
    ["2027-05-01", "5/1/2027", "2027-05-01 10:00", "2027-05-01T10:00:00Z", "won", "lost", "closedwon",
     "$1,000.00", "=HYPERLINK(\"http://x\")", '"', '""', "\n", ",", "2027-02-30", "1e400", "-5", ""]))


@PROPERTY
@given(header=st.sampled_from([
    "id,created,source,mql_date,sql_date,opportunity_date", "Record ID,Create Date,Original Source",
    "Lead ID,Created Date,Lead Source,Converted,Converted Date", "x,y"]),
    rows=st.lists(st.lists(csv_cells, max_size=8), max_size=15),
    deals=st.lists(st.lists(csv_cells, max_size=8), max_size=10),
    raw=st.text(max_size=200))
def test_arbitrary_csv(tmp_path_factory, header, rows, deals, raw):
    import csv
    import io

    d = tmp_path_factory.mktemp("c")
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (d / "leads.csv").write_text(header + "\n" + buf.getvalue() + raw, encoding="utf-8")
    buf = io.StringIO()
    csv.writer(buf).writerows(deals)
    (d / "deals.csv").write_text("id,created,closed,stage,amount,source,loss_reason\n" + buf.getvalue(),
                                 encoding="utf-8")
    for fmt in ("json", "text"):
        assert_clean_outcome(*run_cli("review", LUMEN, "--quarter", "2027Q2",
                                      "--leads", d / "leads.csv", "--deals", d / "deals.csv", "-f", fmt),
                             d / "leads.csv", d / "deals.csv")


@PROPERTY
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_as_csv(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cb") / "leads.csv"
    path.write_bytes(b"id,created\n" + data)
    assert_clean_outcome(*run_cli("review", LUMEN, "--quarter", "2027Q2",
                                  "--leads", path), path)


# -- fixed hazards -----------------------------------------------------------------------

def _subprocess_check(path, limit_mb: int = 1024) -> subprocess.CompletedProcess:
    """Run gtmplan in a child with a memory ceiling and a time limit: a blow-up or hang fails."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))

    return run_child("check", path, timeout=60, preexec_fn=limit)


BOMBS = [
    ("billion laughs", "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]), "alias bomb"),
    ("quadratic blow-up", "a: &a [" + ", ".join(["x" * 50] * 2000) + "]\nb: [" + ", ".join(["*a"] * 2000) + "]",
     "alias bomb"),
    ("flow nesting 100,000 deep", "a: " + "[" * 100_000 + "]" * 100_000, "nesting deeper"),
    ("mapping nesting 100,000 deep", "a: " + "{b: " * 100_000 + "1" + "}" * 100_000, "nesting deeper"),
    ("block nesting", "".join("  " * i + "k:\n" for i in range(2000)), "nesting deeper"),
]


# explicit ids: pytest exports the test id to child processes (PYTEST_CURRENT_TEST), and
# a 200 KB parameter in it would exceed the limit on a process's environment
@pytest.mark.parametrize("name,text,message", [pytest.param(*b, id=b[0]) for b in BOMBS])
def test_structural_bombs_are_refused_within_limits(tmp_path, name, text, message):
    path = tmp_path / "plan.yaml"
    path.write_text(text + "\n")
    r = _subprocess_check(path)
    assert r.returncode == 2, (name, r.stderr[-300:])
    assert message in r.stderr and "Traceback" not in r.stderr


def test_a_50_mb_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.write(b"a: ")
        fh.seek(50 * 2**20)
        fh.write(b"x\n")
    r = _subprocess_check(path, limit_mb=512)
    assert r.returncode == 2
    assert "file is 50.0 MiB; plan files larger than 25 MiB are refused" in r.stderr


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("{a: 1, a: 2}\n", "duplicate key 'a'"),
    ("? null\n: 1\n? ~\n: 2\n", "duplicate key '~'"),
    ("x: {null: 1, ~: 2}\n", "duplicate key '~'"),
    ("x: {True: 1, true: 2}\n", "duplicate key 'true'"),
    ("'a': 1\na: 2\n", "duplicate key 'a'"),
])
def test_duplicate_key_variants(tmp_path, text, message):
    code, out, err = run_cli("check", write_plan(tmp_path, text))
    assert code == 2 and message in err


@pytest.mark.parametrize("text,message", [
    ("a:\tb\n", None),  # a tab inside a value is fine for YAML; the plan is then invalid, located
    ("a:\n\t- b\n", "tab character"),
    ("a: \x01\n", "control character 0x01"),
    ("a: \x1b[31m\n", "control character 0x1B"),
    ("a: b\x00c\n", "NUL character"),
    ("a: 1\n...\n---\nb: 2\n", "several YAML documents"),
    ("--- a\n--- b\n", "several YAML documents"),
])
def test_characters_and_documents(tmp_path, text, message):
    code, out, err = run_cli("check", write_plan(tmp_path, text))
    assert code == 2 and "Traceback" not in err
    if message:
        assert message in err


@pytest.mark.parametrize("encoding,message", [("cp1252", "Windows-1252"), ("utf-16", "UTF-16"),
                                              ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16")])
def test_foreign_encodings(tmp_path, encoding, message):
    path = tmp_path / "plan.yaml"
    path.write_bytes("company: Zoë ‘quoted’\n".encode(encoding))
    code, out, err = run_cli("check", path)
    assert code == 2 and message in err and re.match(rf"{re.escape(str(path))}:\d+:\d+: ", err)


@pytest.mark.parametrize("value", ["2027-13-07", "2027-02-29", "2027-00-10", "0000-01-01", "2027-04-31"])
def test_impossible_dates(tmp_path, value):
    text = dump(base_plan()).replace("agreed_on: 2026-12-01", f"agreed_on: {value}")
    code, out, err = run_cli("check", write_plan(tmp_path, text))
    assert code == 2 and f"'{value}' is not a real date" in err


@pytest.mark.parametrize("value", ["NO", "on", "off", "yes", "Y", "n", "TRUE"])
def test_yaml11_booleans_are_not_booleans(tmp_path, value):
    text = dump(base_plan()).replace("used_by_sales: true", f"used_by_sales: {value}", 1)
    code, out, err = run_cli("check", write_plan(tmp_path, text))
    if value == "TRUE":  # YAML 1.2 core: TRUE is a boolean
        assert code == 0
    else:
        assert code == 2 and f"expected true or false, got '{value}'" in err


# -- outputs ---------------------------------------------------------------------------

def test_output_over_a_symlink_replaces_the_link_not_its_target(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("do not touch")
    link = tmp_path / "report.txt"
    os.symlink(target, link)
    code, out, err = run_cli("check", write_plan(tmp_path, base_plan()), "-o", link)
    assert code == 0 and not link.is_symlink() and "no problems found" in link.read_text()
    assert target.read_text() == "do not touch"


def test_output_over_an_existing_file_replaces_it_whole(tmp_path):
    out = tmp_path / "doc.html"
    out.write_text("x" * 10_000_000)
    code, _, err = run_cli("render", LUMEN, "-o", out)
    assert code == 0 and out.read_text().startswith("<!DOCTYPE html>") and len(out.read_text()) < 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.html"]


def test_output_to_a_directory_is_refused(tmp_path):
    code, _, err = run_cli("check", write_plan(tmp_path, base_plan()), "-o", tmp_path)
    assert code == 2 and "is a directory" in err


def test_init_over_a_symlink_refuses_without_force(tmp_path):
    (tmp_path / "plan").mkdir()
    os.symlink(tmp_path / "elsewhere.yaml", tmp_path / "plan" / "sales.yaml")
    code, _, err = run_cli("init", tmp_path / "plan", "--yes")
    assert code == 2 and "sales.yaml: already exists" in err
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_template_directory_symlink_leaving_it_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "plan.md.j2").write_text("stolen")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    os.symlink(outside / "plan.md.j2", tpl / "plan.md.j2")
    code, out, err = run_cli("render", LUMEN, "--templates", tpl)
    assert code == 2 and "outside the templates directory" in err and "stolen" not in out


def test_template_names_cannot_climb_out(tmp_path):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tmp_path / "secret.j2").write_text("SECRET")
    (tpl / "plan.md.j2").write_text("{% include '../secret.j2' %}")
    code, out, err = run_cli("render", LUMEN, "--templates", tpl)
    assert code == 2 and "SECRET" not in out


def test_csv_output_neutralises_formula_cells():
    from gtmplan.output.csvout import safe_cell, write_rows

    text = write_rows([["name", "n"], ['=HYPERLINK("http://evil","x")', 5], ["+1", -3], ["@SUM(A1)", 2.5],
                       ["-cmd", None], ["\tx", 0], ["plain", 1]])
    rows = text.splitlines()
    assert rows[1] == "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",5"
    assert rows[2] == "'+1,-3" and rows[3] == "'@SUM(A1),2.5" and rows[4] == "'-cmd,"
    assert rows[5] == "'\tx,0" and rows[6] == "plain,1"
    assert safe_cell(-3) == -3  # numbers stay numbers


def test_funnel_csv_goes_through_the_safe_writer(tmp_path, monkeypatch):
    import gtmplan.output.csvout as csvout

    seen = []
    real = csvout.safe_cell
    monkeypatch.setattr(csvout, "safe_cell", lambda v: seen.append(v) or real(v))
    code, out, _ = run_cli("funnel", write_plan(tmp_path, base_plan()), "-f", "csv")
    assert code == 0 and "quarter" in seen and "2027Q1" in seen


def test_control_characters_in_plan_text_are_escaped_in_every_message(tmp_path):
    plan = base_plan()
    plan["sales"]["targets"]["\x1b[2J\x1e"] = 5
    plan["marketing"]["programs"][0]["channel"] = "web\x1b[31minars"
    code, out, err = run_cli("check", write_plan(tmp_path, plan))
    assert code == 2 and "\x1b" not in err and "\\x1b[2J\\x1e" in err and len(err.strip().splitlines()) == 1
    del plan["sales"]["targets"]["\x1b[2J\x1e"]
    plan["check"] = {"max_channel_share": 0.1}
    path = write_plan(tmp_path, plan)
    for fmt in ("text", "github"):
        code, out, err = run_cli("check", path, "-f", fmt)
        assert "\x1b" not in out and "web\\x1b[31minars" in out


def test_control_characters_in_crm_exports_are_escaped_in_text_output(tmp_path):
    (tmp_path / "l.csv").write_text("id,created,source\n1,2027-05-01,evil\x1b[2Jsource\n")
    code, out, err = run_cli("review", LUMEN, "--quarter", "2027Q2", "--leads",
                             tmp_path / "l.csv")
    assert code == 0 and "\x1b" not in out and "evil\\x1b[2Jsource" in out
