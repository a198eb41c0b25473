"""Reading a big leads export in two processes gives exactly what one pass gives.

`review` cuts a big leads export near a line start and reads the part after the
cut in a second process (review/parallel.py). These tests cut small exports at
*every* line start and compare the whole review (figures, sources, bad rows with
their row numbers, notes; or the error message) with the one-process reading.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from conftest import CRM, LUMEN

import gtmplan.commands.review as review
from gtmplan.commands.review import figures, parallel
from gtmplan.errors import InputError
from gtmplan.plan.quarters import Quarter

Q2 = Quarter(2027, 2)


@functools.lru_cache(maxsize=1)
def _plan():
    from gtmplan.read.loader import load_plan

    return load_plan(str(LUMEN))


def _review(monkeypatch, leads, deals=None, cut=None, **kw):
    """The review as a dict (or the error's text): one process when cut is None, else cut there."""
    with monkeypatch.context() as m:
        if cut is None:
            m.setattr(review, "two_cpus", lambda: False)
        else:
            m.setattr(review, "two_cpus", lambda: True)
            m.setattr(parallel, "PARALLEL_MIN_BYTES", 1)
            m.setattr(review, "cut_point", lambda path, deals_bytes: cut)
        try:
            return review.run_review(_plan(), Q2, str(leads), str(deals) if deals else None, **kw).as_dict()
        except InputError as e:
            return f"error: {e}"


def _line_starts(path: Path) -> list[int]:
    data = path.read_bytes()
    return [i + 1 for i, b in enumerate(data) if b == 0x0A and 0 < i + 1 < len(data)]


class _Added:
    """Counts the parts whose counts were added (the second process's work was used)."""

    def __init__(self, monkeypatch):
        self.taken = 0
        original = figures.LeadScan.add

        def add(scan, part):
            ok = original(scan, part)
            self.taken += ok
            return ok
        monkeypatch.setattr(figures.LeadScan, "add", add)


def _every_cut_agrees(monkeypatch, path: Path, deals=None, **kw) -> _Added:
    one = _review(monkeypatch, path, deals, **kw)
    added = _Added(monkeypatch)
    for cut in _line_starts(path)[1:]:  # after the header
        assert _review(monkeypatch, path, deals, cut=cut, **kw) == one, f"cut at byte {cut}"
    return added


LEADS = ("id,created,source,mql_date,sql_date,opportunity_date\n"
         "1,2027-04-03 10:02,Paid Search,2027-04-04,2027-04-10,2027-04-20\n"
         "2,2027-04-05 11:15,Organic Search,,,\n"
         "\n"  # a blank line: still a spreadsheet row
         "3,2027-03-28 09:00,Webinar,2027-04-02,,\n"
         "4,not a date,Webinar,,,\n"
         '5,2027-05-01 08:30,"Partner, EMEA",2027-05-02,2027-05-09,\n'
         '6,2027-05-11 16:45,"Events\nand fairs",2027-05-12,,\n'  # a value spanning two lines
         "7,2027-06-30 23:59,Paid Search,2027-07-01,,\n"
         "8,2027-07-01 00:00,Paid Search,2027-07-02,,\n"
         "9,2027-04-09,Webinar,2027-04-31,,\n"  # an impossible date: a bad row
         "10,2027-06-02 12:00,Organic Search,2027-06-03,2027-06-04,2027-06-05\n"
         "11,2027-06-03 12:00,,2027-06-04,,\n"
         "12,2027-06-04 12:00,Webinar\n")  # too few cells


@pytest.mark.parametrize("sniff_rows", [2, 2000])
def test_every_cut_of_a_leads_export_gives_the_one_pass_review(tmp_path, monkeypatch, sniff_rows):
    monkeypatch.setattr(figures, "SNIFF_ROWS", sniff_rows)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)
    one = _review(monkeypatch, path)
    assert one["metrics"]["leads"]["actual"] == 7 and [b["row"] for b in one["bad_rows"]] == [6, 11, 14]
    added = _every_cut_agrees(monkeypatch, path)
    # with the first two rows enough to learn from, cuts after them are read by the second process;
    # with 2,000 (more rows than the file has), no cut may come before they end: one process reads on
    assert (added.taken > 0) == (sniff_rows == 2)


def test_every_cut_with_the_deals_read_meanwhile(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)
    added = _every_cut_agrees(monkeypatch, path, CRM / "salesforce-opportunity-data-export.csv")
    assert added.taken > 0


@pytest.mark.parametrize("name", ["hubspot-contacts-current.csv"])
def test_every_cut_of_a_real_shaped_export(monkeypatch, name):
    monkeypatch.setattr(figures, "SNIFF_ROWS", 1)
    assert _every_cut_agrees(monkeypatch, CRM / name).taken > 0


def test_windows_1252_and_a_sep_line(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_bytes(("sep=;\r\n" + LEADS.replace(",", ";").replace("Partner; EMEA", "Partenaire été")
                      .replace("\n", "\r\n")).encode("cp1252"))
    one = _review(monkeypatch, path)
    assert "Partenaire été" in {s["source"] for s in one["sources"]}
    assert _every_cut_agrees(monkeypatch, path).taken > 0


def test_a_date_order_decided_after_the_cut(tmp_path, monkeypatch):
    # 03/04/2027 could be March or April: one pass reads it month-first unless an earlier row showed
    # the order; the process that reads after a cut must not decide differently from one pass
    monkeypatch.setattr(figures, "SNIFF_ROWS", 1)
    rows = ["id,created,source"] + [f"{i},2027-04-0{i},Webinar" for i in range(1, 4)]
    rows += ["4,05/04/2027,Webinar", "5,25/04/2027,Webinar", "6,06/04/2027,Paid Search"]
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(rows) + "\n")
    one = _review(monkeypatch, path)
    # one pass: 05/04/2027 decided the column month-first (May 4), so 25/04/2027 is a bad row
    assert one["metrics"]["leads"]["actual"] == 5 and [b["row"] for b in one["bad_rows"]] == [6]
    _every_cut_agrees(monkeypatch, path)


def test_a_source_table_that_folds(tmp_path, monkeypatch):
    # more distinct sources than the table keeps: which ones fold depends on the order they came in,
    # so the part after the cut is read on by the one process
    monkeypatch.setattr(figures, "SNIFF_ROWS", 1)
    monkeypatch.setattr(figures, "MAX_SOURCES", 2)
    rows = ["id,created,source"] + [f"{i},2027-04-{1 + i % 28:02d},S{i % 7}" for i in range(40)]
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(rows) + "\n")
    one = _review(monkeypatch, path)
    assert any("other sources" in s["source"] for s in one["sources"])
    _every_cut_agrees(monkeypatch, path)


@pytest.mark.parametrize("broken", ['13,2027-06-05 12:00,"Webinar,2027-06-06,,\n',  # never closes
                                    '13,2027-06-05 12:00,"Web"inar,2027-06-06,,\n'])  # text after a quote
def test_a_broken_record_late_in_the_file_is_reported_as_by_one_pass(tmp_path, monkeypatch, broken):
    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS + "14,2027-06-05 12:00,Webinar,,,\n" + broken)
    one = _review(monkeypatch, path)
    assert one.startswith(f"error: {path}:17:")
    _every_cut_agrees(monkeypatch, path)


def test_a_cut_inside_a_quoted_value_spanning_lines(tmp_path, monkeypatch):
    # the cut lands on the line start inside "Events\nand fairs": the first part then ends in an open
    # quote, and the file is read again in one pass
    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)
    inside = LEADS.index("and fairs")
    assert inside in _line_starts(path)
    assert _review(monkeypatch, path, cut=inside) == _review(monkeypatch, path)


def test_the_cut_falls_where_the_work_is_even(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("id,created,source\n" + "".join(f"{i},2027-04-01,Webinar\n" for i in range(400_000)))
    size = path.stat().st_size
    alone = parallel.cut_point(str(path), 0)
    assert alone is not None and abs(alone - size / 2) < 64 and path.read_bytes()[alone - 1:alone] == b"\n"
    # with a deals export to read too, this process takes more of the leads
    with_deals = parallel.cut_point(str(path), size // 4)
    assert with_deals > alone
    # deals as big as the leads: no cut, each process reads one export
    assert parallel.cut_point(str(path), size) is None


def test_no_cut_in_utf16(tmp_path, monkeypatch):
    # a b"\n" byte is half of a UTF-16 character: such a file is read in one pass
    path = tmp_path / "leads.csv"
    path.write_bytes(LEADS.encode("utf-16"))
    assert _review(monkeypatch, path, cut=_line_starts(path)[3]) == _review(monkeypatch, path)


def test_the_progress_bar_starts_no_thread(monkeypatch, capsys):
    # the reading forks once the first rows are read: no other thread may hold a lock then
    import sys
    import threading

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    rows = review._progress(iter(range(120_000)), 30_000_000, "leads.csv")
    next(rows)
    assert threading.active_count() == 1
    assert sum(1 for _ in rows) == 119_999
    assert "reading leads.csv: 100,000 rows" in capsys.readouterr().err


def test_a_second_process_that_dies_changes_nothing(tmp_path, monkeypatch):
    # out of memory, killed...: what it was to read is read here, the figures and errors are one pass's
    import os

    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)
    deals = CRM / "salesforce-opportunity-data-export.csv"
    one = _review(monkeypatch, path, deals)
    parent = os.getpid()
    original = figures.LeadScan.part

    def part(scan):
        if os.getpid() != parent:
            raise MemoryError
        return original(scan)
    monkeypatch.setattr(figures.LeadScan, "part", part)
    cut = _line_starts(path)[5]
    assert _review(monkeypatch, path, deals, cut=cut) == one
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(BlockingIOError(11, "Resource unavailable")))
    assert _review(monkeypatch, path, deals, cut=cut) == one


def test_the_rows_read_ahead_to_learn_date_orders_may_not_be_cut(tmp_path, monkeypatch):
    # one pass reads the first rows ahead (2,000 here): 13/04/2027 after the cut tells it the column is
    # day-first before 03/04/2027 is read; a reading cut before those rows end must learn the same
    rows = ["id,created,source"] + [f"{i},03/04/2027,Webinar" for i in range(5)]
    rows += [f"{i},13/04/2027,Webinar" for i in range(5, 10)]
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(rows) + "\n")
    one = _review(monkeypatch, path)
    assert one["metrics"]["leads"]["actual"] == 10 and one["bad_rows"] == []  # all in April: day-first
    _every_cut_agrees(monkeypatch, path)


def test_line_numbers_with_a_lone_carriage_return_before_the_cut(tmp_path, monkeypatch):
    # a CR alone ends a line for the CSV reader but not for the count of newline bytes that names
    # the line of an undecodable byte: after a cut, both counts go on from the first part's
    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_bytes(b'id,created,source\n1,2027-04-01,"Web\rinar"\n' + b"2,2027-04-02,Webinar\n" * 6
                     + b"9,2027-04-05,Caf\xe9\n")
    one = _review(monkeypatch, path, encoding="utf-8")
    assert one == f"error: {path}:9:1: not utf-8 text (byte 0xE9): give --encoding, e.g. --encoding cp1252"
    _every_cut_agrees(monkeypatch, path, encoding="utf-8")


def test_the_cut_avoids_quoted_values(tmp_path, monkeypatch):
    # a cut inside a quoted value costs a second reading: the cut moves to a line start with an even
    # number of quotes before it
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(parallel, "MIN_CUT", 1)
    path = tmp_path / "leads.csv"
    record = '{},2027-04-01,"Webinar\nwith ""notes""\nover lines"\n'
    path.write_text("id,created,source\n" + "".join(record.format(i) for i in range(100)))
    data = path.read_bytes()
    for deals_bytes in range(0, len(data), 97):
        cut = parallel.cut_point(str(path), deals_bytes)
        if cut is not None:
            assert data[cut - 1:cut] == b"\n" and data[:cut].count(b'"') % 2 == 0
            assert data[cut:].startswith(tuple(f"{i}," .encode() for i in range(100)))


def test_a_parent_killed_leaves_no_reader_behind():
    # the second process must not read on (and hold the caller's pipes) once its parent is gone,
    # however the parent ended (SIGKILL, or SIGTERM outside any handler)
    import os
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys, time; from gtmplan.commands.review.parallel import Child; c = Child(lambda: time.sleep(60)); "
            "print(c.pid, flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    assert Path(f"/proc/{child}").exists()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    def state():
        try:
            return Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return "gone"
    deadline = time.monotonic() + 5
    while state() not in ("gone", "Z", "X") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state() in ("gone", "Z", "X"), "the second process outlived its parent"


def test_an_interrupt_while_waiting_for_the_second_process_ends_it(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(figures, "SNIFF_ROWS", 2)
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)
    started = []
    original = parallel.Child.__init__

    def init(child, fn):
        original(child, fn)
        started.append(child.pid)
    monkeypatch.setattr(parallel.Child, "__init__", init)
    monkeypatch.setattr(parallel.Child, "result", lambda child: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        _review(monkeypatch, path, cut=_line_starts(path)[5])
    assert started
    with pytest.raises(ChildProcessError):  # cancelled and reaped
        os.waitpid(started[0], os.WNOHANG)
