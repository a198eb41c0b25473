"""Both readers of `review` give the same whole output: the rows reader (csvread.py + figures.py) and
the columnar one (review/columnar.py, pyarrow), chosen by GTMPLAN_REVIEW_READER=rows|columnar
(docs/contributing.md, "Speed").

Every review export under tests/data/crm and examples/, the hard cases under tests/data/reader
(one file each), and generated exports (hypothesis) are reviewed by both: the whole JSON output,
stderr and exit code must be identical. For each hard case the test also says which reader
actually read it: the columnar reader falls back to the rows reader (per file) whenever it cannot
prove it reads the file the same way, so a fast path that guesses shows up here.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
LUMEN = ROOT / "examples" / "lumen-analytics"
HARD = ROOT / "tests" / "data" / "reader"
Gtm = Callable[..., Any]  # conftest's gtm fixture: gtm("review", ...) -> CliResult
MP = pytest.MonkeyPatch
EXPORTS = sorted((ROOT / "tests" / "data" / "crm").glob("*.csv")) + sorted(ROOT.glob("examples/*/crm/*.csv"))


def _is_deals(path: Path) -> bool:
    return any(w in path.name for w in ("deal", "opportunit", "pipedrive-deals"))


def _run(gtm: Gtm, monkeypatch: MP, reader: str, path: Path,
         quarter: str = "2027Q2") -> tuple:
    from gtmplan.commands.review import columnar

    monkeypatch.setenv("GTMPLAN_REVIEW_READER", reader)
    columnar.forget()
    r = gtm("review", LUMEN, "--quarter", quarter, "--deals" if _is_deals(path) else "--leads", path, "-f", "json")
    return (r.code, r.out, r.err), columnar.read_by(str(path))


def _both(gtm: Gtm, monkeypatch: MP, path: Path, quarter: str = "2027Q2") -> tuple[tuple, str]:
    """(the output, which reader read it with the columnar one asked for) after checking both agree."""
    rows, by_rows = _run(gtm, monkeypatch, "rows", path, quarter)
    cols, by_columnar = _run(gtm, monkeypatch, "columnar", path, quarter)
    assert by_rows in (None, "rows: GTMPLAN_REVIEW_READER=rows")
    assert cols == rows, (path.name, by_columnar)
    assert "Traceback" not in rows[2]
    return rows, by_columnar or "not opened"


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name)
def test_every_review_fixture_reads_the_same_by_rows_and_by_columns(gtm: Gtm, monkeypatch: MP, path: Path) -> None:
    for quarter in ("2027Q2", "2026Q4"):
        _both(gtm, monkeypatch, path, quarter)


# each hard case: which reader reads it, and (for the columnar one) why it falls back
HARD_CASES = {
    "leads-mixed-date-orders.csv": "rows: a numeric date",
    "leads-cp1252.csv": "rows: encoding cp1252",
    "leads-utf16.csv": "rows: encoding utf-16",
    "leads-bom.csv": "columnar",  # read after its byte-order mark (Excel's "CSV UTF-8", HubSpot's UI exports)
    "leads-multiline-cell.csv": "rows: a multi-line cell",
    "leads-odd-quoting.csv": "rows: a quote inside a cell",
    "leads-quote-inside.csv": "rows: a quote inside a cell",
    "leads-sep-line.csv": "rows: a sep= line",
    "leads-blank-and-bad.csv": "columnar",
    "leads-wrong-width.csv": "rows: pyarrow: CSV parse error",  # a row with 7 cells: a bad row, located
    "leads-unterminated.csv": "rows: ",
    "deals-plain.csv": "columnar",
    "deals-indian-grouping.csv": "columnar",  # the amount column's own code, once per distinct cell
    "deals-decimal-comma.csv": "columnar",
    "deals-per-cell-currencies.csv": "columnar",  # won deals in the quarter are priced one by one
    "deals-bad-cells.csv": "columnar",  # the bad rows go through DealScan.values, with their row numbers
    # the last byte a quote after a delimiter (`,"`): it opens a cell and ends the file, never closing one
    "leads-eof-quote.csv": "rows: a quote inside a cell",  # (with `P"S` above: counted 0 + 2 times)
    "leads-eof-quote-text-after.csv": "rows: a quote inside a cell",  # `"PAID"SEARCH,z"` hidden the same way
    "deals-eof-quote.csv": "rows: a quote inside a cell",
    "leads-eof-quote-after-cr.csv": "rows: ",  # `\r"` at the end (CR line ends)
    "leads-quote-closes-then-opens.csv": "rows: a quote inside a cell",  # `P",,,"y`: a close before an open
    "leads-eof-empty-quoted.csv": "columnar",  # `""` ending the file: an empty quoted cell, read the same
    "leads-quoted-cr-first-byte.csv": "columnar",  # every cell quoted, CR line ends, a quote the first byte
    # HubSpot's API date-times (.123Z), offsets, and near misses (24:00, :60, 10 digits, 'z', '+02'): each on its
    # written day (2027-03-31T23:59:59.999Z is in Q1, 2027-07-01T00:00:00.000+02:00 in Q3) as the rows reader reads it
    "leads-datetime-millis.csv": "columnar",
    "leads-bom-bad-row.csv": "columnar",  # CRLF, quoted cells, a bad date at row 5 (its number as the rows reader's)
    "leads-bom-twice.csv": "columnar",  # two marks: the second one is the header's first name's (stripped by both)
    "leads-bom-quoted-header.csv": "columnar",  # a quote the first byte after the mark
    "leads-bom-eof-quote.csv": "rows: a quote inside a cell",  # `,"` ending the file, after a mark
}


@pytest.mark.parametrize("name", sorted(HARD_CASES))
def test_each_hard_case_reads_the_same_and_by_the_reader_said(gtm: Gtm, monkeypatch: MP, name: str) -> None:
    out, by = _both(gtm, monkeypatch, HARD / name)
    assert by.startswith(HARD_CASES[name]), by


def _leads_around_a_block_end(path: Path, tail: str, end_at: int) -> None:
    """A leads export of about one block (columnar.BLOCK) whose rows end with ``tail`` and whose last
    quoted cell ends ``end_at`` bytes after the first block."""
    from gtmplan.commands.review.columnar import BLOCK

    head = "id,created,source,mql_date,sql_date,opportunity_date\n"
    row = '{:07d},2027-04-03,"Paid Search",2027-04-05,,\n'
    n = (BLOCK - len(head)) // len(row.format(0)) - 1
    body = head + "".join(row.format(i) for i in range(n))
    pad = BLOCK + end_at - len(body) - len('"Webinar') - len("z,2027-04-03,")
    body += "z" * max(1, pad) + ',2027-04-03,"Webinar",,,\n' + tail
    path.write_text(body, encoding="utf-8")


@pytest.mark.parametrize("end_at", [-2, -1, 0, 1, 2])
@pytest.mark.parametrize("tail", ["", 'y,2027-04-04,x,,,"', 'y,2027-04-04,P"S,,,\ny2,2027-04-04,x,,,"', 'y,2027-04-04,x,,,""'])
def test_quotes_at_a_block_boundary_read_the_same(tmp_path: Path, monkeypatch: MP, end_at: int, tail: str) -> None:
    """Quotes on either side of the first block's end, and a file ending in a quote: the quote count
    (columnar._Bytes) sees each quote's neighbours across blocks."""
    from gtmplan.commands.review import columnar

    path = tmp_path / "leads.csv"
    _leads_around_a_block_end(path, tail, end_at)
    columnar.forget()
    rows = _in_process(monkeypatch, "rows", str(path), None)
    assert _in_process(monkeypatch, "columnar", str(path), None) == rows
    by = columnar.read_by(str(path)) or ""
    assert by == "columnar" if tail in ("", 'y,2027-04-04,x,,,""') else by.startswith("rows: "), by


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("cell", [999_999, 1_000_000, 1_000_001])
def test_a_cell_past_the_rows_readers_limit_is_declined_in_blocks_of_either_size(tmp_path: Path, monkeypatch: MP,
                                                                                 cell: int, big: bool) -> None:
    """A cell over the rows reader's MAX_FIELD characters is an error it reports with its location:
    pyarrow reads it (a row may span two blocks), the columnar reader declines it. A long cell under
    the limit is read by columns, in blocks of BIG_BLOCK bytes as a big export is, or of BLOCK."""
    from gtmplan.commands.review import columnar, csvread

    if big:
        monkeypatch.setattr(columnar, "BIG_FILE", 0)  # (a small file parsed as a big one is)
    path = tmp_path / "leads.csv"
    path.write_text("id,created,source\n1,2027-04-03,Webinar\n2,2027-04-04," + "x" * cell + "\n", encoding="utf-8")
    columnar.forget()
    rows = _in_process(monkeypatch, "rows", str(path), None)
    assert _in_process(monkeypatch, "columnar", str(path), None) == rows
    by = columnar.read_by(str(path)) or ""
    assert by == ("columnar" if cell <= csvread.MAX_FIELD else "rows: a cell longer than 1,000,000 characters"), by
    assert rows == (f"error: {path}:3:1: a cell longer than 1,000,000 characters" if cell > 1_000_000 else rows)


@pytest.mark.parametrize("case", ["read", "declined by pyarrow", "declined by a block"])
def test_pyarrow_lets_go_of_the_file_before_the_review_goes_on(tmp_path: Path, monkeypatch: MP, case: str) -> None:
    """pyarrow's threads call into Python for the file they read; one doing so while the interpreter
    shuts down aborts the process ("terminate called without an active exception"). So a review
    reads on only once pyarrow has let go of what it read (read to the end, or declined), even when
    the object is held in a reference cycle until the garbage collector runs (pyarrow's errors)."""
    import gc

    from gtmplan.commands.review import columnar

    body = "id,created,source\n" + "".join(f"{i},2027-04-0{i % 9 + 1},Webinar\n" for i in range(40_000))
    if case == "declined by pyarrow":  # a row longer than two blocks
        body += "x,2027-04-03," + "y" * (3 * columnar.BLOCK) + "\n"
    elif case == "declined by a block":  # a quote inside a cell: _cells, after the first batch
        body += 'x,2027-04-03,"a""b"\n'
    path = tmp_path / "leads.csv"
    path.write_text(body, encoding="utf-8")
    columnar.forget()
    gc.disable()  # (no collection but the reader's own)
    try:
        _in_process(monkeypatch, "columnar", str(path), None)
        assert [o for o in gc.get_objects() if type(o) is columnar._View] == []
    finally:
        gc.enable()
    by = columnar.read_by(str(path)) or ""
    assert by == "columnar" if case == "read" else by.startswith("rows: "), by


_PLAIN_REST = r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"


def _quote_counts(data: bytes, delimiter: bytes) -> tuple[int, int, int, bool]:
    """The reference for _Bytes' count, quote by quote: one opens a cell when the byte before it (a
    line end before the file) is the delimiter or a line end, closes one when the byte after it is."""
    ends = (delimiter[0], ord("\r"), ord("\n"))
    quotes = opened = closed = 0
    both = False
    for i, byte in enumerate(data):
        if byte != ord('"'):
            continue
        quotes += 1
        before = data[i - 1] in ends if i else True
        after = i + 1 < len(data) and data[i + 1] in ends
        opened += before
        closed += after
        both = both or (before and after)
    return quotes, opened, closed, both


@settings(deadline=None)
@given(data=st.binary(max_size=60).map(lambda b: bytes(b'",;\r\na'[x % 6] for x in b)),
       block=st.integers(1, 9), delimiter=st.sampled_from([b",", b";"]))
def test_quotes_are_counted_as_cells_open_and_close_whatever_the_blocks(tmp_path_factory: pytest.TempPathFactory,
                                                                        data: bytes, block: int,
                                                                        delimiter: bytes) -> None:
    """The columnar reader's count of quotes that open and close cells (it refuses a file where they
    do not pair up) is the same whichever way the file is cut into blocks."""
    import os

    from gtmplan.commands.review.columnar import _Bytes

    path = tmp_path_factory.mktemp("q") / "f.csv"
    path.write_bytes(data)
    source = _Bytes(os.open(path, os.O_RDONLY), delimiter.decode())
    source.allowed = 1 << 30  # (no batch is taken here)
    try:
        while source.read(block):
            pass
        assert (source.quotes, source.opened, source.closed_quotes, source.both_seen) == \
            _quote_counts(data, delimiter)
    finally:
        source.close()


def test_the_common_date_times_are_read_in_bulk_by_one_pattern() -> None:
    import pyarrow.compute as pc

    from gtmplan.commands.review.columnar import _PLAIN_TIME, _strings

    common = ["2027-04-03T09:31:12.123Z", "2027-04-03T09:31:12Z", "2027-04-03 09:31", "2027-04-03T09:31:12.000+0000",
              "2027-04-03T09:31:12+02:00", "2027-04-03 09:31:12,5", "2027-04-03T23:59:59.999999999-05:00"]
    odd = ["2027-04-03T24:00", "2027-04-03T09:31:60", "2027-04-03T9:31", "2027-04-03T09:31:12.123z",
           "2027-04-03T09:31:12.1234567890Z", "2027-04-03T09:31:12.123 UTC", "2027-04-03T09:31Z ", "2027-04-03T09:31+02"]
    got = pc.match_substring_regex(_strings(common + odd), _PLAIN_TIME).to_pylist()
    assert got == [True] * len(common) + [False] * len(odd)


@settings(deadline=None)
@given(rest=st.from_regex(_PLAIN_REST, fullmatch=True))
def test_what_the_pattern_reads_the_rows_reader_reads_on_the_written_day(rest: str) -> None:
    import pyarrow.compute as pc

    from gtmplan.commands.review.columnar import _PLAIN_TIME, _strings
    from gtmplan.commands.review.values import DateColumn

    cell = "2027-06-30" + rest
    if pc.match_substring_regex(_strings([cell]), _PLAIN_TIME).to_pylist() == [True]:
        assert DateColumn("created")(cell) == "2027-06-30"  # whatever the offset: the day as written


# what pyarrow's ISO parser (a cast to a timestamp) might accept after a day: hours alone, fractions,
# zones of every width, commas, out-of-range hours, minutes and seconds, and too many digits
_CAST_REST = r"[T ][0-9]{1,2}(?::[0-9]{1,2}(?::[0-9]{1,2}(?:[.,][0-9]{0,10})?)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"


@settings(deadline=None)
@given(day=st.sampled_from(["2027-06-30", "2027-02-29", "0000-01-01", "9999-12-31", "1600-01-01"]),
       rest=st.from_regex(_CAST_REST, fullmatch=True))
def test_what_pyarrows_cast_accepts_in_16_characters_or_more_the_pattern_accepts(day: str, rest: str) -> None:
    """The columnar reader skips the pattern (_PLAIN_TIME) for a block whose filled cells all have 16
    characters or more and all cast to a timestamp (_Dates._plain_times): on the installed pyarrow,
    each such cell must be one the pattern reads. A pyarrow release whose parser accepts more fails here."""
    import pyarrow as pa

    from gtmplan.commands.review.columnar import _PLAIN_TIME, _compute, _strings

    cell = day + rest
    if len(cell) < 16:
        return
    pc = _compute()
    try:
        pc.cast(_strings([cell]), pa.timestamp("ns"))
    except pa.ArrowInvalid:
        return
    assert pc.match_substring_regex(_strings([cell]), _PLAIN_TIME).to_pylist() == [True], cell


@pytest.mark.parametrize(("odd", "why"), [
    ("2027-04-15 09", "an hour alone: pyarrow's cast reads it, the rows reader does not (a bad row)"),
    ("2027-04-15T09:31:12.5", "a fraction of a second: both read it"),
    ("2027-04-15 09:31+02", "a two-digit offset: the cast refuses it, the rows reader does not read it"),
    ("2027-04-15T09:31:12Z", "a zone: the cast refuses it, the pattern takes it"),
    ("", "an empty created cell among date-times: a blank or a bad row"),
])
@pytest.mark.parametrize("where", ["created", "closed"])
def test_blocks_of_date_times_read_the_same_whatever_the_cast_proves(tmp_path: Path, monkeypatch: MP, odd: str,
                                                                      why: str, where: str) -> None:
    """Blocks of date-times (2027-04-15 09:31) are proven plain by one cast; one odd cell in the
    block (at row 700, in the 3rd of 4 blocks) is read as the rows reader reads it. The open deals' empty
    close dates are left out of the cast."""
    from gtmplan.commands.review import columnar

    monkeypatch.setattr(columnar, "BLOCK", 1 << 14)  # (blocks of about 400 rows: the odd cell's is not the first)
    n = 1500

    def cell(i: int) -> str:
        return odd if i == 700 else f"2027-{4 + i % 3:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"

    leads, deals = tmp_path / "leads.csv", tmp_path / "deals.csv"
    leads.write_text("id,created,source,mql_date,sql_date,opportunity_date\n" + "".join(
        f"L{i},{cell(i) if where == 'created' else '2027-04-02 10:00'},Webinar,{cell(i + 1) if i % 2 else ''},,\n"
        for i in range(n)), encoding="utf-8")
    deals.write_text("id,created,closed,stage,amount,source,loss_reason\n" + "".join(
        f"D{i},{cell(i) if where == 'created' else '2027-04-02 10:00'},"
        f"{'' if i % 3 == 0 else (cell(i) if where == 'closed' else '2027-05-02 10:00')},"
        f"{'open' if i % 3 == 0 else ('won' if i % 3 == 1 else 'lost')},5000,Webinar,\n"
        for i in range(n)), encoding="utf-8")
    columnar.forget()
    rows = _in_process(monkeypatch, "rows", str(leads), str(deals))
    assert _in_process(monkeypatch, "columnar", str(leads), str(deals)) == rows, why
    assert columnar.read_by(str(leads)) == "columnar"
    assert columnar.read_by(str(deals)) == "columnar"


def test_many_distinct_odd_times_are_declined_and_many_plain_ones_read_in_bulk(tmp_path: Path, monkeypatch: MP) -> None:
    """Each distinct time the pattern does not take is checked once and kept (columnar._Learnt): past
    LEARNT_MAX of them the file goes to the rows reader (every block's check would cost them all)."""
    from gtmplan.commands.review import columnar

    n = columnar.LEARNT_MAX + 1000
    head = "id,created,source,mql_date,sql_date,opportunity_date\n"
    for suffix, by in (("Z", "columnar"), (" UTC", f"rows: more than {columnar.LEARNT_MAX:,} distinct")):
        path = tmp_path / f"leads{len(suffix)}.csv"
        path.write_text(head + "".join(f"{i},2027-04-{1 + i % 28:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
                                       f".{i % 1000:03d}{suffix},Webinar,,,\n" for i in range(n)), encoding="utf-8")
        columnar.forget()
        rows = _in_process(monkeypatch, "rows", str(path), None)
        assert _in_process(monkeypatch, "columnar", str(path), None) == rows
        assert (columnar.read_by(str(path)) or "").startswith(by), columnar.read_by(str(path))


def _wide_deals(path: Path, n: int, odd: dict[int, str]) -> None:
    """A HubSpot deals export of 30 columns (rows of about 330 bytes: the first SNIFF_ROWS rows span
    two blocks); ``odd``: row index -> (column, cell)."""
    extra = [f"hs_custom_property_{k:02d}" for k in range(20)]
    head = ["hs_object_id", "dealname", "amount", "closedate", "createdate", "dealstage", "pipeline",
            "hs_analytics_source", "closed_lost_reason", "deal_currency_code"] + extra
    stages = ["closedwon", "closedlost", "appointmentscheduled"]
    lines = [",".join(head)]
    for i in range(n):
        # "1.200": a thousands dot or a decimal one, the first rows decide
        row = [str(i), f"Deal {i}", "1.200", f"2027-{4 + i % 3:02d}-{1 + i % 28:02d}", f"2027-01-{1 + i % 28:02d}",
               stages[i % 3], "default", "PAID_SEARCH", "price" if i % 3 == 1 else "", "USD"]
        if i in odd:
            row[odd[i][0]] = odd[i][1]
        lines.append(",".join(row + [f"value {k} of deal {i:06d}" for k in range(20)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("odd", "by"), [
    ({}, "columnar"),
    ({1900: (2, '"1.234,50"')}, "columnar"),  # the decimal comma shown in the first rows, in the second block
    ({2100: (2, '"1.234,50"')}, "columnar"),  # and after them (the column settled on the first rows)
    ({1900: (4, "1/15/2027")}, "rows: a numeric date"),  # in the first rows, in the second block
    ({2100: (4, "1/15/2027")}, "rows: a numeric date"),
])
def test_wide_deal_exports_are_sniffed_across_blocks(tmp_path: Path, monkeypatch: MP, odd: dict, by: str) -> None:
    from gtmplan.commands.review import columnar

    path = tmp_path / "deals.csv"
    _wide_deals(path, 3000, odd)
    assert path.stat().st_size > 2 * columnar.BLOCK
    columnar.forget()
    rows = _in_process(monkeypatch, "rows", None, str(path))
    assert _in_process(monkeypatch, "columnar", None, str(path)) == rows
    assert (columnar.read_by(str(path)) or "").startswith(by), columnar.read_by(str(path))


@pytest.mark.parametrize(("stage", "amount", "by"), [
    ("closedwon", "{i}", "columnar"),  # distinct amounts, all readable: the cache of them stops growing
    ("stage {i}", "100", "rows: more than 20,000 distinct stages"),
    ("closedlost", "{i}%", "rows: more than 20,000 distinct unreadable or missing amounts"),
    ("closedlost", "-{i}", "rows: more than 20,000 distinct unreadable or missing amounts"),
])
def test_what_deals_blocks_leave_behind_is_bounded(tmp_path: Path, monkeypatch: MP, stage: str, amount: str,
                                                   by: str) -> None:
    """Distinct stages, and amounts in value sets, are kept from block to block (each block's check costs
    them all): past LEARNT_MAX of them the file goes to the rows reader, so no file costs more than linear."""
    from gtmplan.commands.review import columnar

    assert columnar.LEARNT_MAX == 20_000
    path = tmp_path / "deals.csv"
    head = "hs_object_id,dealname,amount,closedate,createdate,dealstage,pipeline\n"
    path.write_text(head + "".join(f"{i},D,{amount.format(i=i)},2027-04-{1 + i % 28:02d},2027-01-02,"
                                   f"{stage.format(i=i)},default\n" for i in range(25_000)), encoding="utf-8")
    columnar.forget()
    rows = _in_process(monkeypatch, "rows", None, str(path))
    assert _in_process(monkeypatch, "columnar", None, str(path)) == rows
    assert columnar.read_by(str(path)) == by


def test_what_the_hard_cases_show(gtm: Gtm, monkeypatch: MP) -> None:
    """A few whole figures of the hard cases, so that "the same" is not "the same nothing"."""
    import json

    (code, out, err), _ = _both(gtm, monkeypatch, HARD / "leads-multiline-cell.csv")
    doc = json.loads(out)
    # 2027-02-30 is row 9: header (1), three rows (2-4), the two-line cell (5), three rows (6-8)
    assert [(b["row"], b["error"]) for b in doc["bad_rows"]] == [(9, "created: '2027-02-30' is not a date")]
    (code, out, err), _ = _both(gtm, monkeypatch, HARD / "leads-odd-quoting.csv")
    assert code == 2 and err.startswith(f"{HARD / 'leads-odd-quoting.csv'}:6:") and "after a closing quote" in err
    (code, out, err), _ = _both(gtm, monkeypatch, HARD / "leads-unterminated.csv")
    assert code == 2 and "unterminated quoted field" in err
    (code, out, err), _ = _both(gtm, monkeypatch, HARD / "leads-blank-and-bad.csv")
    rows = {b["row"]: b["error"] for b in json.loads(out)["bad_rows"]}
    # header 1, five rows 2-6, an empty line 7 and a row of empty cells 8 (blank: not bad), then E1..E6
    # at 9-14: " 2027-04-06 " (13) and "2027-04-07 09:31 PM" (14) are dates, read by the rows' own code
    assert sorted(rows) == [9, 10, 11, 12]
    assert rows[9] == "created: empty" and rows[11] == "created: '2027-04-31' is not a date"
    assert rows[12] == "mql_date: '2027-04-06T25:00' has an impossible time of day"


def test_the_reader_is_chosen_in_one_place_and_a_wrong_name_is_a_flag_error(gtm: Gtm, monkeypatch: MP) -> None:
    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "fast")
    r = gtm("review", LUMEN, "--quarter", "2027Q2", "--leads", HARD / "leads-bom.csv")
    assert r.code == 2 and r.err.strip() == "GTMPLAN_REVIEW_READER: 'fast' is not a reader: rows, columnar or auto"


def test_small_files_are_read_by_rows_unless_the_columnar_reader_is_asked_for(gtm: Gtm, monkeypatch: MP) -> None:
    from gtmplan.commands.review import columnar

    monkeypatch.delenv("GTMPLAN_REVIEW_READER", raising=False)
    path = HARD / "deals-plain.csv"
    gtm("review", LUMEN, "--quarter", "2027Q2", "--deals", path)
    assert columnar.read_by(str(path)) == "rows: a small file"


def test_no_other_command_imports_the_columnar_library() -> None:
    """check, funnel, diff and compare never import pyarrow, nor review's code (start-up time)."""
    code = ("import sys\nfrom gtmplan.cli import run\n"
            f"for args in (['check', {str(LUMEN)!r}], ['funnel', {str(LUMEN)!r}], ['diff', {str(LUMEN)!r}],"
            f" ['compare', {str(LUMEN)!r}]):\n    run(args)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'polars', 'duckdb', 'pandas')"
            " or m.startswith('gtmplan.commands.review')), file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr[-2000:]


def test_the_columnar_reader_leaves_numpy_out_and_importable(tmp_path: Path) -> None:
    """review imports pyarrow without NumPy (a tenth of a second and 11 MiB of its peak: numpy 1.x would
    even stop the newest pyarrow), and NumPy can still be imported afterwards; nor pyarrow.compute's
    wrappers (30-60 ms): its functions are called by name (docs/contributing.md, "Speed")."""
    path = tmp_path / "leads.csv"
    path.write_text("id,created,source\n" + "".join(f"{i},2027-05-0{i % 9 + 1},Webinar\n" for i in range(60_000)))
    code = ("import sys\nfrom gtmplan.cli import run\nfrom gtmplan.commands.review import columnar\n"
            f"try:\n    run(['review', {str(LUMEN)!r}, '--quarter', '2027Q2', '--leads', {str(path)!r}])\n"
            "except SystemExit:\n    pass\n"
            f"print(columnar.read_by({str(path)!r}), 'numpy' in sys.modules, 'pyarrow.compute' in sys.modules,"
            " file=sys.stderr)\n"
            "import numpy\nprint(numpy.ones(2).sum(), file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.stderr.strip().splitlines()[-2:] == ["columnar False False", "2.0"], r.stderr[-2000:]


# -- generated exports ---------------------------------------------------------------------------

_DATES = ["2027-04-02", "2027-05-31", "2027-06-30", "2027-07-01", "2027-03-31", "2027-04-15 09:31", "2027-05-01T23:59:59",
          "2027-05-01T23:59:59.123+0000", "2027-02-29", "2027-13-01", "", " ", "2027-04-02 ", "n/a", "2027-04-02 25:00",
          "\"15 Apr, 2027\"", "2027/04/02", "\u00a0", "2027-04-02T", "2027-06-30 12:00 AM"]
_SOURCES = ["Webinar", " Webinar ", "webinar", "", "Paid Search", "LinkedIn", "x" * 210, "Référence", "\u00a0",
            '""', '"Paid Search"', '"Events, EMEA"']
# put in one row of some files: quoting the columnar reader must refuse (or read as the rows reader does)
_ODD = ['"Web, ""inar"""', 'Web"inar', '"Webinar"x', '"a\nb"', '"', "a,b"]
_AMOUNTS = ["5000", '"$5,000.00"', '"€1.234,50"', "1.200", "\"1,200\"", "-5", "(300)", "", "N/A", "abc", "12.5", '"₹1,54,850"',
            "USD 10", "1e400"]
_STAGES = ["Closed Won", "Closed Lost", "won", "lost", "Negotiation", "Sleeping", "", "closedwon"]

_lead = st.tuples(st.sampled_from(_DATES), st.sampled_from(_SOURCES), st.sampled_from(_DATES[:8] + [""] * 8),
                  st.sampled_from(_DATES[:8] + [""] * 12), st.sampled_from(_DATES[:8] + [""] * 12))
_deal = st.tuples(st.sampled_from(_DATES), st.sampled_from(_DATES[:8] + [""] * 4), st.sampled_from(_STAGES),
                  st.sampled_from(_AMOUNTS), st.sampled_from(_SOURCES), st.sampled_from(["", "price", "timing"]))


@functools.lru_cache(maxsize=1)
def _plan() -> Any:
    from gtmplan.read.loader import load_plan

    return load_plan(str(LUMEN))


def _in_process(monkeypatch: pytest.MonkeyPatch, reader: str, leads: str | None, deals: str | None) -> object:
    from gtmplan.commands.review import run_review
    from gtmplan.errors import InputError
    from gtmplan.plan.quarters import Quarter

    monkeypatch.setenv("GTMPLAN_REVIEW_READER", reader)
    try:
        return run_review(_plan(), Quarter(2027, 2), leads, deals).as_dict()
    except InputError as e:
        return f"error: {e}"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(leads=st.lists(st.one_of(_lead, st.just(None)), max_size=40),
       deals=st.lists(st.one_of(_deal, st.just(None)), max_size=40), crlf=st.booleans(),
       odd=st.one_of(st.none(), st.tuples(st.sampled_from(_ODD), st.integers(0, 39), st.booleans())))
def test_generated_exports_read_the_same_by_rows_and_by_columns(tmp_path_factory: pytest.TempPathFactory,
                                                                 monkeypatch: pytest.MonkeyPatch, leads: list,
                                                                 deals: list, crlf: bool, odd: tuple | None) -> None:
    if odd is not None:  # one odd source, in the leads or the deals
        text, at, in_leads = odd
        rows = leads if in_leads else deals
        if rows and rows[at % len(rows)] is not None:
            row = list(rows[at % len(rows)])
            row[1 if in_leads else 4] = text
            rows[at % len(rows)] = tuple(row)
    folder = tmp_path_factory.mktemp("gen")
    end = "\r\n" if crlf else "\n"
    lp, dp = folder / "leads.csv", folder / "deals.csv"
    lp.write_text("id,created,source,mql_date,sql_date,opportunity_date" + end + "".join(
        (",".join((f"L{i}",) + row) if row else "") + end for i, row in enumerate(leads)), encoding="utf-8")
    dp.write_text("id,created,closed,stage,amount,source,loss_reason" + end + "".join(
        (",".join((f"D{i}",) + row) if row else "") + end for i, row in enumerate(deals)), encoding="utf-8")
    rows = _in_process(monkeypatch, "rows", str(lp), str(dp))
    assert _in_process(monkeypatch, "columnar", str(lp), str(dp)) == rows
