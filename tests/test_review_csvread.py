"""review/csvread.py on inputs where the way a file is read (block boundaries, a cut for a
second process, a file replaced meanwhile) must not change what is reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gtmplan.errors import InputError
from gtmplan.review import csvread

ROOT = Path(__file__).resolve().parent.parent
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


def test_the_part_after_a_cut_is_read_from_the_file_opened(tmp_path):
    # an export replaced by another while it is read: both parts come from the one opened
    path = tmp_path / "leads.csv"
    rows = [f"{i},2027-04-01,Webinar\n" for i in range(1000)]
    path.write_text("id,created,source\n" + "".join(rows))
    cut = len("id,created,source\n") + len("".join(rows[:500]))
    f = csvread.open_csv(str(path), end=cut)
    assert f.end == [cut]
    replacement = tmp_path / "new.csv"
    replacement.write_text("id,created,source\n" + "9,2027-05-01,Paid Search\n" * 1000)
    os.replace(replacement, path)
    first = [r for _, r in f.rows]
    rest = [r for _, r in csvread.open_part(f, str(path)).rows]
    f.close_part()
    assert [",".join(r) + "\n" for r in first + rest] == rows


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


def test_two_cpus_means_two_this_process_may_use():
    code = "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); " \
           "from gtmplan.review.parallel import two_cpus; print(two_cpus())"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False"
