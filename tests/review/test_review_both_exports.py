"""The leads and deals exports read at the same time (review.run_review, `_at_once`): the same
review as reading them one after the other, the leads' error first, the files in that order."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LUMEN

import gtmplan.commands.review as review
from gtmplan.commands.review import columnar, run_review
from gtmplan.errors import InputError
from gtmplan.plan.quarters import Quarter
from gtmplan.read.loader import load_plan

MP = pytest.MonkeyPatch
ROWS = 40_000  # about 1.2 MB of leads: read by columns (columnar.COLUMNAR_MIN_BYTES)


def _leads(path: Path, day: str = "2027-0{m}-1{d}") -> Path:
    path.write_text("id,created,source,mql_date\n"
                    + "".join(f"L{i},{day.format(m=4 + i % 3, d=i % 9)},Webinar,{'2027-05-20' if i % 4 == 0 else ''}\n"
                              for i in range(ROWS)), encoding="utf-8")
    return path


def _deals(path: Path, won: str = "won", lost: str = "lost") -> Path:
    path.write_text("id,created,closed,stage,amount,source\n"
                    + "".join(f"D{i},2027-04-0{1 + i % 9},2027-0{4 + i % 3}-2{i % 8},"
                              f"{won if i % 3 == 0 else lost},{1000 + i % 7},Webinar\n"
                              for i in range(ROWS)), encoding="utf-8")
    return path


def _review(monkeypatch: MP, at_once: bool, leads: Path, deals: Path) -> object:
    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "auto")
    monkeypatch.setattr(review, "_at_once", lambda *a: at_once)  # (the choice itself is tested below)
    columnar.forget()
    try:
        result = run_review(load_plan(str(LUMEN)), Quarter(2027, 2), str(leads), str(deals))
    except InputError as e:
        return f"error: {e}"
    return result.as_dict(), list(result.opened)


def test_both_exports_at_once_make_the_same_review(tmp_path: Path, monkeypatch: MP) -> None:
    leads, deals = _leads(tmp_path / "leads.csv"), _deals(tmp_path / "deals.csv")
    together = _review(monkeypatch, True, leads, deals)
    assert columnar.read_by(str(leads)) == columnar.read_by(str(deals)) == "columnar"
    assert together == _review(monkeypatch, False, leads, deals)
    assert together[1] == [str(leads), str(deals)]  # (what --record keeps, in this order)


def test_the_leads_error_comes_first_as_one_after_the_other(tmp_path: Path, monkeypatch: MP) -> None:
    """Both exports bad: the leads' error alone (as if the deals were never read)."""
    leads = _leads(tmp_path / "leads.csv", day="2019-0{m}-1{d}")  # no lead in or near the quarter
    deals = _deals(tmp_path / "deals.csv", "Sleeping", "Dormant")  # stages neither won, lost nor open
    both = _review(monkeypatch, True, leads, deals)
    assert isinstance(both, str) and both.startswith(f"error: {leads}"), both
    assert both == _review(monkeypatch, False, leads, deals)


def test_the_deals_error_when_the_leads_are_good(tmp_path: Path, monkeypatch: MP) -> None:
    leads = _leads(tmp_path / "leads.csv")
    deals = _deals(tmp_path / "deals.csv", "Sleeping", "Dormant")
    both = _review(monkeypatch, True, leads, deals)
    assert both == _review(monkeypatch, False, leads, deals)
    assert isinstance(both, str) and both.startswith(f"error: {deals}"), both


def test_what_is_read_at_once(tmp_path: Path, monkeypatch: MP) -> None:
    """Two regular files, one of a megabyte or more, and no progress bar on a terminal."""
    big, small = _leads(tmp_path / "leads.csv"), tmp_path / "deals.csv"
    small.write_text("id,created,closed,stage,amount\n", encoding="utf-8")
    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "auto")
    assert review._at_once(str(big), str(small), False)
    assert not review._at_once(str(small), str(small), False)  # both small: the rows reader, one thread
    assert not review._at_once(str(big), "-", False)  # standard input
    assert not review._at_once(str(big), str(tmp_path / "missing.csv"), False)  # (its reading says so)
    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "rows")
    assert not review._at_once(str(big), str(small), False)
