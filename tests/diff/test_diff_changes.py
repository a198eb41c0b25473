"""gtmplan diff: which inputs, figures and findings changed (issue 21, the comparison itself).

docs/reference/cli.md, 'gtmplan diff': inputs compared path by path (list items with an id by
id, other lists of mappings by position), each located in the side that holds it; the funnel
figures of each quarter (old, new, difference; a mapping such as other_by_source one entry
each); findings matched by code, path (items by id), quarter and segment; --fail-on.

The plans are tests/data/base_plan.yaml (and segments_plan.yaml) patched and written by
yaml.safe_dump (block style, keys in order): the line numbers quoted in the comments are
those of the files the tests write.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import BRIGHTWATER, SDR, base_plan, run_cli

Diff = Callable[..., tuple[int, str, str]]


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Diff:
    """diff(base, head, *options): base.yaml and head.yaml written, `gtmplan diff head.yaml --base base.yaml`."""
    monkeypatch.chdir(tmp_path)

    def _run(base: dict, head: dict, *args: str) -> tuple[int, str, str]:
        _write(tmp_path / "base.yaml", base)
        _write(tmp_path / "head.yaml", head)
        return tuple(run_cli("diff", "head.yaml", "--base", "base.yaml", *args))  # type: ignore[return-value]

    return _run


def _json(diff: Diff, base: dict, head: dict) -> dict:
    code, out, err = diff(base, head, "-f", "json")
    assert code == 0, err
    return json.loads(out)


def _section(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1:end]


def _exit_codes(diff: Diff, base: dict, head: dict) -> tuple[int, ...]:
    """The exit code without --fail-on, then with new-errors, new-warnings, any-change."""
    return tuple(diff(base, head, *opt)[0] for opt in
                 ((), ("--fail-on", "new-errors"), ("--fail-on", "new-warnings"), ("--fail-on", "any-change")))


# -- inputs: values as written ----------------------------------------------------------------

def test_a_switch_turned_off_is_a_change_and_a_number_written_another_way_is_not(diff: Diff) -> None:
    base = base_plan()
    head = base_plan()
    head["marketing"]["content"][0]["used_by_sales"] = False  # the guide no longer serves sales
    head["sales"]["team"][0]["annual_quota"] = 2.4e5  # 240000 written 240000.0: the same quota
    code, out, err = diff(base, head)
    assert code == 0, err
    # head.yaml line 157 is the guide's "used_by_sales: false" (column 20: its value)
    assert _section(out, "Inputs changed") == [
        "  marketing.content[guide].used_by_sales: true -> false   (head.yaml:157:20)"]
    assert "Funnel figures that moved" not in out
    assert out.splitlines()[-1] == ("1 input changed, figures moved in 0 quarters, 0 new errors, 0 new warnings, "
                                    "0 new info, 0 resolved")


def test_a_switch_turned_on_again(diff: Diff) -> None:
    base = base_plan()
    base["marketing"]["content"][2]["used_by_sales"] = False
    doc = _json(diff, base, base_plan())
    assert doc["inputs"] == [{"path": "marketing.content[roi].used_by_sales", "old": False, "new": True,
                              "file": "head.yaml", "line": 163, "column": 20}]  # roi's "used_by_sales: true"


def test_the_first_review_calendar_added_and_removed(diff: Diff) -> None:
    """A whole list written where there was none: JSON shows it, its dates as text."""
    without = base_plan()
    del without["reviews"]
    calendar = [{"date": d, "attendees": ["sales", "marketing"], "agenda": a} for d, a in (
        ("2027-03-20", ["win-loss"]), ("2027-06-20", ["lead-quality"]), ("2027-09-20", ["win-loss"]),
        ("2027-12-10", ["win-loss", "lead-quality"]), ("2028-01-20", ["win-loss"]))]
    doc = _json(diff, without, base_plan())
    # the list is located at its first row: head.yaml line 51, "- date: 2027-03-20" (yaml.safe_dump
    # writes a top-level list's rows at column 1)
    assert doc["inputs"] == [{"path": "reviews", "old": None, "new": calendar, "file": "head.yaml", "line": 51,
                              "column": 1}]
    # without reviews, R501 fires for each quarter (error) and R503 (warning): all resolved
    assert doc["summary"] == {"inputs": 1, "new_errors": 0, "new_warnings": 0, "new_info": 0, "resolved": 5}
    assert [(f["code"], f["quarter"]) for f in doc["findings"]["resolved"]] == [
        ("R501", "2027Q1"), ("R501", "2027Q2"), ("R501", "2027Q3"), ("R501", "2027Q4"), ("R503", None)]
    # removed: located where it was, in the base
    doc = _json(diff, base_plan(), without)
    assert doc["inputs"] == [{"path": "reviews", "old": calendar, "new": None, "file": "base.yaml", "line": 51,
                              "column": 1}]
    assert doc["summary"] == {"inputs": 1, "new_errors": 4, "new_warnings": 1, "new_info": 0, "resolved": 0}


def test_a_review_removed_from_the_end_shows_its_date_as_text(diff: Diff) -> None:
    head = base_plan()
    del head["reviews"][4]  # the 2028-01-20 review: no review after the horizon any more (R503)
    doc = _json(diff, base_plan(), head)
    # base.yaml line 76 is the fifth review's row ("- date: 2028-01-20"; column 3, its first key)
    assert doc["inputs"] == [{"path": "reviews[4]", "old": {"date": "2028-01-20", "attendees": ["sales", "marketing"],
                                                            "agenda": ["win-loss"]},
                              "new": None, "file": "base.yaml", "line": 76, "column": 3}]
    assert [(f["code"], f["severity"], f["file"], f["line"]) for f in doc["findings"]["new"]] == [
        ("R503", "warning", "head.yaml", 51)]  # at the reviews list
