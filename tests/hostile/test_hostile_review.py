"""Hostile CRM exports and review flags (issue 11: classes 2, 5, 8, 15, 16 for `review`).

Each case runs `gtmplan review` in its own process under a 1 GiB address-space
ceiling and a timeout, and asserts exit 2 with a located message or a correct
result — never a traceback, a hang or a blow-up, and never Infinity/NaN in JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest
from conftest import LUMEN, limit_memory, run_child

TIMEOUT = 60


def run(*args, stdin=None, input_bytes=None, timeout=TIMEOUT, fifo_wait=None):
    """`gtmplan review` in a subprocess; ``fifo_wait``: seconds the child waits for a FIFO's writer
    (its default, ``FIFO_WAIT``, when None)."""
    entry = ("-m", "gtmplan") if fifo_wait is None else (
        "-c", f"import gtmplan.commands.review.csvread as c; c.FIFO_WAIT = {fifo_wait!r}; "
              "from gtmplan.__main__ import main; main()")
    p = run_child("review", LUMEN, "--quarter", "2027Q2", *args, python=entry, input=input_bytes, stdin=stdin,
                  text=False, timeout=timeout)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert p.returncode in (0, 2), (p.returncode, err)
    if p.returncode == 2:
        assert out == "" and err.strip(), err
    return p.returncode, out, err


def csv_file(tmp_path, text: str, name="deals.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


DEALS = "id,created,closed,stage,amount,source,loss_reason\n"


# -- class 2: no super-linear work on a cell ------------------------------------------------

def test_dates_with_thousands_of_spaces_are_bad_rows_fast(tmp_path):
    rows = [f"{i},2027-04-01 10:00{' ' * 5000}x" for i in range(300)]
    rows += [f"t{i},2027-04-01T10:00{' ' * 5000}Z" for i in range(300)]
    rows += [f"u{i},4/1/2027 {' ' * 5000}9:31 AM{' ' * 5000}!" for i in range(300)]
    path = csv_file(tmp_path, "id,created\n" + "\n".join(rows) + "\n1,2027-04-01\n", "leads.csv")
    start = time.monotonic()
    code, out, err = run("--leads", path, "-f", "json")
    assert time.monotonic() - start < 20
    doc = json.loads(out)
    assert code == 0 and doc["metrics"]["leads"]["actual"] == 1 and doc["bad_rows_total"] == 900
    assert "is not a date" in doc["bad_rows"][0]["error"]


def test_amounts_with_thousands_of_separators_are_bad_rows_fast(tmp_path):
    rows = [f"{i},2027-04-01,2027-04-02,won,\"{'1,' * 20000}0\",Webinar," for i in range(200)]
    path = csv_file(tmp_path, DEALS + "\n".join(rows) + "\nok,2027-04-01,2027-04-02,won,5,Webinar,\n")
    start = time.monotonic()
    code, out, _ = run("--deals", path, "-f", "json")
    assert time.monotonic() - start < 20
    assert code == 0 and json.loads(out)["bad_rows_total"] == 200


# -- class 8: review inputs that overflow or make no sense ---------------------------------

def test_huge_amounts_never_become_infinity(tmp_path):
    rows = [f"a{i},2027-04-01,2027-04-02,won,{'9' * 400},Webinar," for i in range(3)]
    rows += [f"b{i},2027-04-01,2027-04-02,won,1e308,Webinar," for i in range(3)]
    rows += [f"c{i},2027-04-01,2027-04-02,won,\"{'9,999' * 5}\",Webinar," for i in range(3)]
    rows += [f"d{i},2027-04-01,2027-04-02,won,999999999999999,Webinar," for i in range(1000)]
    rows += ["ok,2027-04-01,2027-04-02,won,100,Webinar,"]
    path = csv_file(tmp_path, DEALS + "\n".join(rows) + "\n")
    code, out, _ = run("--deals", path, "-f", "json")
    assert code == 0 and "Infinity" not in out and "NaN" not in out
    doc = json.loads(out)
    assert doc["bad_rows_total"] == 9 and doc["metrics"]["won"]["actual"] == 1001
    assert doc["metrics"]["bookings"]["actual"] == pytest.approx(999999999999999 * 1000 + 100, rel=1e-12)
    assert {b["error"].split(":")[0] for b in doc["bad_rows"]} == {"amount"}


def test_negative_amount_on_a_won_deal_and_impossible_times_are_bad_rows(tmp_path):
    path = csv_file(tmp_path, DEALS + "a,2027-04-01,2027-04-02,won,-500,Webinar,\n"
                                      "b,2027-04-01,2027-04-02,won,(500),Webinar,\n"
                                      "c,2027-04-01 25:99,2027-04-02,won,500,Webinar,\n"
                                      "d,2027-04-01,2027-04-02 23:59:59,won,500,Webinar,\n")
    code, out, _ = run("--deals", path, "-f", "json")
    doc = json.loads(out)
    assert [(b["row"], b["error"]) for b in doc["bad_rows"]] == [
        (2, "amount: '-500' is negative on a won deal"),
        (3, "amount: '(500)' is negative on a won deal"),
        (4, "created: '2027-04-01 25:99' has an impossible time of day")]
    assert doc["metrics"]["won"]["actual"] == 1


@pytest.mark.parametrize("mapping,message", [
    ("leads:\n  columns: {created: ''}\n", "gives an empty column name for created"),
    ("leads:\n  columns: {created: " + "7" * 5000 + "}\n", "missing required column '777"),
    ("leads:\n  columns: {created: Created}\ndate_format: '%d%d%m%Y'\n", "not a usable format"),
])
def test_hostile_mapping_files(tmp_path, mapping, message):
    mp = tmp_path / "m.yaml"
    mp.write_text(mapping)
    leads = csv_file(tmp_path, "Created\n2027-04-01\n", "leads.csv")
    code, _, err = run("--leads", leads, "--mapping", mp)
    assert code == 2 and message in err and len(err) < 2000, err


def test_repeated_date_directive_is_a_bad_flag(tmp_path):
    leads = csv_file(tmp_path, "id,created\n1,2027-04-01\n", "leads.csv")
    code, _, err = run("--leads", leads, "--date-format", "%d%d%m%Y")
    assert code == 2 and err.startswith("--date-format: '%d%d%m%Y': not a usable format"), err


# -- class 5: devices, FIFOs and pipes ------------------------------------------------------

def test_dev_zero_is_refused(tmp_path):
    code, _, err = run("--leads", "/dev/zero")
    assert code == 2 and err.startswith("/dev/zero: is a device, not a CSV file")


@pytest.mark.parametrize("wait", [
    0.5,  # the same wait, shortened in the child: the local run
    pytest.param(None, marks=pytest.mark.slow, id="default"),  # FIFO_WAIT as shipped (5 s)
])
def test_a_fifo_without_a_writer_does_not_hang(tmp_path, wait):
    from gtmplan.commands.review.csvread import FIFO_WAIT

    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)
    start = time.monotonic()
    code, _, err = run("--leads", fifo, timeout=30, fifo_wait=wait)
    assert code == 2 and f"nothing wrote to it within {wait or FIFO_WAIT:g} seconds" in err
    assert time.monotonic() - start < 25


def test_a_fifo_with_a_writer_is_read(tmp_path):
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)

    def write():
        time.sleep(0.5)
        with open(fifo, "w") as fh:
            fh.write("id,created,source\n1,2027-04-01,Webinar\n2,2027-04-02,Webinar\n")

    threading.Thread(target=write, daemon=True).start()
    code, out, _ = run("--leads", fifo, "-f", "json")
    assert code == 0 and json.loads(out)["metrics"]["leads"]["actual"] == 2


@pytest.mark.parametrize("path", ["/dev/stdin", "-"])
def test_a_csv_piped_on_stdin_is_read_once_not_empty(path):
    data = b"\xef\xbb\xbfid,created,source\n" + b"".join(b"%d,2027-04-%02d,Webinar\n" % (i, 1 + i % 28)
                                                         for i in range(5000))
    code, out, err = run("--leads", path, "-f", "json", input_bytes=data)
    assert code == 0, err
    assert json.loads(out)["metrics"]["leads"]["actual"] == 5000


# -- class 15: a 1 GB cell is refused while reading, not after -------------------------------

def _feed(proc, head: bytes, filler: bytes, limit: int) -> None:
    try:
        proc.stdin.write(head)
        sent = 0
        while sent < limit:
            proc.stdin.write(filler)
            sent += len(filler)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


@pytest.mark.parametrize("head,filler,message", [
    # a quoted cell of many lines that never ends
    (b'id,created\n1,"', (b"x" * 1023 + b"\n") * 1024, "a cell longer than 1,000,000 characters"),
    # one line that never ends
    (b"id,created\n1,", b"x" * (1 << 20), "a line longer than 4,000,000 characters"),
])
def test_a_one_gigabyte_cell_is_refused_early(head, filler, message):
    cmd = [sys.executable, "-m", "gtmplan", "review", str(LUMEN), "--quarter", "2027Q2", "--leads", "-"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limit_memory)
    writer = threading.Thread(target=_feed, args=(proc, head, filler, 1 << 30), daemon=True)
    writer.start()  # communicate() would close stdin early: read the outputs instead
    err = proc.stderr.read().decode()
    out = proc.stdout.read()
    proc.wait(timeout=TIMEOUT)
    assert proc.returncode == 2 and out == b"" and "Traceback" not in err
    # a pipe cannot be read again: the line is where the limit was reached, and the row is named
    assert re.match(r"-:\d+:1: ", err) and message in err, err
    if "cell" in message:
        assert "(row 2, which a pipe cannot be read again to locate)" in err


# -- class 16: control characters from the CRM never reach an output raw ---------------------

@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_escape_sequences_in_crm_values_are_escaped(tmp_path, fmt):
    evil = "Web\x1b[2J\x1b]0;pwned\x07inar\x00\x9b31m"
    leads = csv_file(tmp_path, f"id,created,source\n1,2027-04-01,\"{evil}\"\n", "leads.csv")
    deals = csv_file(tmp_path, DEALS + f"a,2027-04-01,2027-04-02,lost,5,x,\"{evil}\"\n")
    code, out, _ = run("--leads", leads, "--deals", deals, "-f", fmt)
    assert code == 0
    for ch in ("\x1b", "\x00", "\x07", "\x9b"):
        assert ch not in out, (fmt, ch)
    if fmt == "json":
        assert json.loads(out)["sources"][0]["source"] == "Web\x1b[2J\x1b]0;pwned\x07inar\x00\x9b31m"
    else:
        assert "\\x1b" in out


def test_a_million_distinct_sources_keep_memory_flat(tmp_path):
    path = tmp_path / "leads.csv"
    with open(path, "w") as fh:
        fh.write("id,created,source\n")
        for i in range(300_000):
            fh.write(f"{i},2027-04-02,src-{i}-{'y' * 150}\n")
    code, out, _ = run("--leads", path, "-f", "json")
    doc = json.loads(out)
    assert code == 0 and len(doc["sources"]) == 1001
    assert doc["sources"][-1] == {"source": "other sources", "leads": 299_000, "mqls": None, "won": None,
                                  "bookings": None}
    assert any("folded into 'other sources'" in n for n in doc["notes"])
