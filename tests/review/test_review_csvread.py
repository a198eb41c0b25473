"""review/csvread.py on inputs where the way a file is read (block boundaries, a cut for a
second process, a file replaced meanwhile) must not change what is reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gtmplan.commands.review import csvread
from gtmplan.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
LUMEN = ROOT / "examples" / "lumen-analytics"


def _decode(blocks, encoding="utf-8"):
    try:
        return "".join(csvread._texts(blocks[0], iter(blocks[1:]), encoding, "x.csv"))
    except InputError as e:
        return str(e)


def test_a_bad_byte_is_named_wherever_the_blocks_end():
    data = b"id,created\n1,caf\xc3\x28\n"  # \xc3 opens a character that \x28 does not continue
    whole = _decode([data])
    assert whole == "x.csv:2:1: not utf-8 text (byte 0xC3): give --encoding, e.g. --encoding cp1252"
    for cut in range(1, len(data)):
        assert _decode([data[:cut], data[cut:]]) == whole, cut


def test_a_line_over_the_limit_is_refused_wherever_the_blocks_end(monkeypatch):
    monkeypatch.setattr(csvread, "MAX_LINE", 10)
    text = "id\n" + "x" * 11 + "\nok\n"

    def lines(blocks):
        try:
            return [line for chunk in csvread._line_lists(iter(blocks), "x.csv", [1]) for line in chunk]
        except InputError as e:
            return str(e)

    # blocks shorter than the limit, as the real ones are (256 KiB read at a time, 4,000,000 characters)
    for start in range(6):
        blocks = [text[:start]] + [text[i:i + 6] for i in range(start, len(text), 6)]
        assert lines([b for b in blocks if b]) == "x.csv:2:1: a line longer than 10 characters (a cell holds " \
                                                  "at most 1,000,000): not a CSV export", start
    assert csvread.CHUNK < 4 * csvread.MAX_FIELD  # real blocks are shorter than the real limit (MAX_LINE)
    assert lines(["id\n" + "x" * 10 + "\nok\n"]) == ["id\n", "x" * 10 + "\n", "ok\n"]  # at the limit


@pytest.mark.parametrize("name, message", [
    ("rot13", "--encoding: 'rot13' is not a text encoding Python knows"),
    ("hex", "--encoding: 'hex' is not a text encoding Python knows"),
    ("utf-16", "leads.csv:1:1: not utf-16 text (UTF-16 stream does not start with BOM)"),
])
def test_an_encoding_that_cannot_read_the_file_is_a_located_error(tmp_path, name, message):
    path = tmp_path / "leads.csv"
    path.write_text("id,created,source\n1,2027-04-01,Webinar\n")
    r = subprocess.run([sys.executable, "-m", "gtmplan", "review", str(LUMEN), "--quarter", "2027Q2", "--leads",
                        str(path), "--encoding", name], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.replace(str(tmp_path) + "/", "").startswith(message), r.stderr


def _read_all(path: Path, quote_free: bool):
    try:
        f = csvread.open_csv(str(path), split_quote_free=quote_free)
    except InputError as e:
        return str(e)
    assert f.quote_free is quote_free
    try:
        rows = list(f.rows)
    except Exception as e:  # noqa: BLE001 - compared as the user sees it
        return str(f.failed(e)) if not isinstance(e, InputError) else str(e)
    return f.header, rows, f.lines_read()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELL = st.text(alphabet=st.sampled_from(list("ab9 -:/\x00\t;é")), max_size=8)
_ENDING = st.sampled_from(["\n", "\r\n", "\r"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(header=st.lists(_CELL, min_size=1, max_size=4), rows=st.lists(st.tuples(st.lists(_CELL, max_size=5), _ENDING),
                                                                       max_size=12),
       last_ending=st.booleans(), limit=st.sampled_from([3, 1_000_000]))
def test_a_file_without_quotes_is_split_as_the_csv_module_reads_it(tmp_path_factory, monkeypatch, header, rows,
                                                                    last_ending, limit):
    # rows, blank lines, every line ending, NUL bytes, a cell over the size limit: the same rows,
    # lines counted and errors whether the csv module reads the file or str.split does
    monkeypatch.setattr(csvread, "MAX_FIELD", limit)
    text = ",".join(header) + "\n" + "".join(",".join(cells) + ending for cells, ending in rows)
    if not last_ending:
        text = text.rstrip("\r\n")
    path = tmp_path_factory.mktemp("q") / "x.csv"
    path.write_bytes(text.encode("utf-8"))
    assert _read_all(path, True) == _read_all(path, False)


def test_a_quote_written_while_the_file_is_read_is_noticed(tmp_path, monkeypatch):
    path = tmp_path / "leads.csv"
    path.write_text("id,created,source\n" + "1,2027-04-01,Webinar\n" * 50_000)  # 1 MB: read in blocks
    f = csvread.open_csv(str(path))
    assert f.quote_free
    with open(path, "r+b") as fh:  # in place, as a program still writing the export would
        fh.seek(-9, os.SEEK_END)
        fh.write(b'"Webinar\n')
    with pytest.raises(InputError) as e:
        list(f.rows)
    assert str(e.value) == f"{path}: changed while it was read: run the review again on a file nobody writes to"


def test_a_date_format_reads_a_date_time_whole(tmp_path):
    # --date-format %d/%m/%Y %H:%M reads 03/05/2027 10:00 as 3 May; the same day written without a time
    # matches no format and is read month-first (March 5): neither may borrow the other's reading
    from gtmplan.commands.review import run_review
    from gtmplan.plan.quarters import Quarter
    from gtmplan.read.loader import load_plan

    path = tmp_path / "leads.csv"
    # (an ISO date-time first: the built-in reading checks its time of day, 10:00)
    path.write_text("id,created,source\n1,2027-07-01 10:00,Webinar\n2,03/05/2027,Webinar\n"
                    "3,03/05/2027 10:00,Webinar\n")
    r = run_review(load_plan(str(LUMEN)), Quarter(2027, 2), str(path), None, date_formats=("%d/%m/%Y %H:%M",))
    assert r.as_dict()["inputs"][0]["first"] == "2027-03-05" and r.metrics["leads"].actual == 1  # May 3 in Q2
