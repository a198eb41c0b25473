"""The commonest YAML slips in plain words, located (issue 16, a newcomer's first hour)."""

from __future__ import annotations

import pytest

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


def test_a_top_level_key_indented_less_than_the_first_is_explained(tmp_path, gtm):
    (tmp_path / "plan.yaml").write_text("  version: 1\n company: x\n", encoding="utf-8")
    r = gtm("check", tmp_path / "plan.yaml")
    assert r.code == 2 and r.err.strip() == (
        f"{tmp_path / 'plan.yaml'}:2:2: this line is indented less than the plan's first key: every top-level key "
        "starts in the same column (the first), and keys inside a section line up with each other")
