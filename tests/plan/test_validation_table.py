"""plan/validation.py's table of model error types -> messages: the rows no other test reaches.

Each case writes the base plan (tests/data/base_plan.yaml) with one bad value and asserts the
whole line `gtmplan check` prints, FILE:LINE:COLUMN included (the position is found in the text
written, so the case says where the value is)."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA


def _plan_with(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """The base plan with ``old`` replaced by ``new`` (once); its path and text."""
    text = (DATA / "base_plan.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _at(text: str, needle: str) -> str:
    """LINE:COLUMN (1-based) where ``needle`` starts in ``text`` (it occurs once)."""
    assert text.count(needle) == 1
    before = text[:text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def test_a_date_written_as_words_asks_for_yyyy_mm_dd(gtm, tmp_path):
    path, text = _plan_with(tmp_path, "    - {role: AE, count: 2, annual_quota: 240000}",
                            "    - {role: AE, count: 2, annual_quota: 240000, start: soon}")
    r = gtm("check", path)
    assert r.code == 2
    # the value 'soon' on the team row's line, after "start: "
    assert r.err == f"{path}:{_at(text, 'soon')}: sales.team[0].start: expected a date written YYYY-MM-DD, got 'soon'\n"


def test_a_date_that_does_not_exist_is_named_as_such(gtm, tmp_path):
    path, text = _plan_with(tmp_path, "    - {role: AE, count: 2, annual_quota: 240000}",
                            "    - {role: AE, count: 2, annual_quota: 240000, start: 2027-02-30}")
    r = gtm("check", path)
    assert r.code == 2
    assert r.err == (f"{path}:{_at(text, '2027-02-30')}: sales.team[0].start: '2027-02-30' is not a real date "
                     "(day is out of range for month)\n")


def test_a_rule_code_that_is_not_one_says_what_a_rule_code_looks_like(gtm, tmp_path):
    path, text = _plan_with(tmp_path, "version: 1\n", "version: 1\ncheck: {ignore: [A1O1]}\n")
    r = gtm("check", path)
    assert r.code == 2
    assert r.err == (f"{path}:{_at(text, 'A1O1')}: check.ignore[0]: expected a rule code such as A101 "
                     "(or a prefix such as A), got 'A1O1'\n")


def test_a_rule_code_that_is_one_is_quiet(gtm, tmp_path):
    path, _ = _plan_with(tmp_path, "version: 1\n", "version: 1\ncheck: {ignore: [A101]}\n")
    r = gtm("check", path)
    assert r.code != 2 and r.err == ""
