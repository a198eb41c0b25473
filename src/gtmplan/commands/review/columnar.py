"""The columnar fast path of review's reader: pyarrow's CSV reader, streamed in small blocks.

It reads an export only where it can prove it reads it as the rows reader (csvread.py and
figures.py) does; otherwise it declines (``Fallback``, with the reason) before any of its counts
is kept, and the rows reader reads the whole file. It never guesses. What it takes:

- a regular file of UTF-8 text (after a byte-order mark, if any), no ``sep=`` line, no ``--date-format``,
  no ``--encoding`` other than UTF-8, a one-line header of distinct names;
- quotes only around whole cells. Declined: a quote byte with neither a delimiter, a line end
  nor a quote on either side (text after a closing quote, a quote inside an unquoted cell), a
  doubled quote inside a cell, an odd number of quotes, a file ending in a quote just after a
  delimiter or line end (it would open a cell and close one), a cell pyarrow read with a quote in
  it (a quote that closes before one opens), a multi-line cell, a header of one cell,
  a row longer than two blocks (``BLOCK`` or ``BIG_BLOCK`` bytes), a cell longer than the rows
  reader's ``MAX_FIELD``, first rows
  of ``SNIFF_CHARS`` characters or more (what the rows reader reads ahead);
- dates: a cell that is empty or a strict ISO date or date-time (``2027-07-14``,
  ``2027-07-14 09:31``, ``2027-07-14T09:31:12.123Z``) whose day is a real day and whose time of day the rows reader accepts
  (checked once per distinct value: the column's date-time cache, declined past ``LEARNT_MAX``
  distinct values) is read in bulk; any other
  cell goes through the rows reader's own code, row by row, unless it looks like a numeric date
  (``03/04/2027``), whose month-or-day order depends on the rows before it: declined;
- amounts and stages: each distinct cell read once by the rows reader's own code (AmountColumn,
  DealScan.stage_of), after the same first rows taught the amount column its decimal mark;
  declined when a later cell would still change what the column decided;
- the counting is the rows reader's, done on whole columns (value counts in order of first
  appearance); where a capped table could fold (more distinct values than it keeps), the rows
  of that block are counted one by one as the rows reader does, and so are the won deals that
  close in the quarter (their amounts add up in file order, as floats do).

Also declined: a segment split, a Salesforce lead export (converted flag), a file that changes
while it is read, and any error of pyarrow's (a row with more or fewer cells, among others):
the rows reader then reports it with its location. pyarrow is imported here only (``review``
alone reads exports; ``check`` and the other commands never import it).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gc
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.commands.review import csvread
from gtmplan.commands.review.csvread import CsvFile
from gtmplan.commands.review.figures import MAX_KEY, SNIFF_CHARS, SNIFF_ROWS, BadRows, CellError, DealScan, LeadScan
from gtmplan.commands.review.values import AmountColumn, BadValue, DateColumn, check_time
from gtmplan.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

# Deferred imports: pyarrow (61 MiB and its import time) only once a file is known to be read by
# columns: a file under 1 MB, or one declined before its first block, never imports it; queue,
# ctypes and array with the reader that needs them.

RELEASE_WAIT = 10.0  # seconds to wait, at most, for pyarrow to let go of a file read (_batches)
READER_ENV = "GTMPLAN_REVIEW_READER"  # rows | columnar | auto (docs/contributing.md, "Speed")
READERS = ("auto", "rows", "columnar")
COLUMNAR_MIN_BYTES = 1_000_000  # auto: smaller exports are read by rows (pyarrow's import costs more)
BLOCK = 1 << 19  # bytes parsed at a time: memory stays flat
# a file of BIG_FILE bytes or more is parsed in blocks of BIG_BLOCK: fewer, longer calls per block
# (4M leads, shape (b): the counting thread's CPU 1.85 s -> 1.55 s; 9 MiB more at the peak). pyarrow
# refuses a row longer than two blocks, far below the rows reader's MAX_LINE; a cell longer than its
# MAX_FIELD is declined by _cells.
BIG_FILE, BIG_BLOCK = 64_000_000, 960 << 10
# a day, 'T' or ' ', then HH:MM or HH:MM:SS (with a fraction of a second: .123) with an hour up to 23,
# then Z or an offset (+02:00, -0500) or nothing: times check_time accepts (RE2 syntax, ASCII digits);
# the rows reader reads the day as written (DateColumn._parse: the offset never moves it), and so does this
_PLAIN_TIME = (r"^.{10}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?"
               r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?$")
CAST_TRIES = 3  # blocks of a date column whose cast to a timestamp may fail (_Dates._plain_times)
LEARNT_MAX = 20_000  # distinct days, or distinct times of day not of _PLAIN_TIME, checked per column: past it, declined
_NUMERIC_DATE = re.compile(r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")  # what DateColumn.observe could decide on

# what read the last exports, by display name: "columnar" or "rows: why" (tests assert it)
_READ_BY: dict[str, str] = {}


def reader_choice() -> str:
    """The reader asked for by GTMPLAN_REVIEW_READER (read here only): auto, rows or columnar."""
    value = os.environ.get(READER_ENV, "").strip().lower() or "auto"
    if value not in READERS:
        raise InputError.single(READER_ENV, f"{value!r} is not a reader: rows, columnar or auto")
    return value


def read_by(display: str) -> Optional[str]:
    """How the last review read the export named ``display``: "columnar", or "rows: REASON"
    (None when it was not read since ``forget``)."""
    return _READ_BY.get(display)


def forget() -> None:
    """Forget which reader read which export (read_by)."""
    _READ_BY.clear()


class Fallback(Exception):
    """The columnar reader cannot prove it reads this export as the rows reader does."""


def _declined(f: CsvFile, display: str, choice: str) -> Optional[str]:
    """Why the columnar reader does not even start on ``f``, or None."""
    if choice == "rows":
        return f"{READER_ENV}=rows"
    if choice == "auto" and f.size < COLUMNAR_MIN_BYTES:
        return "a small file"
    if f.identity is None:
        return "not a regular file"
    if f.encoding != "utf-8":
        return f"encoding {f.encoding}"
    if f.sep_line:
        return "a sep= line"
    if len(f.header) < 2 or len(set(f.header)) != len(f.header) or any(ch in h for h in f.header for ch in '"\r\n'):
        return "its header"
    return None


def read_leads(f: CsvFile, path: str, display: str, scan: LeadScan) -> bool:
    """Count the leads export ``f`` (opened by open_csv, its rows not read yet) into ``scan``
    with the columnar reader; False, with ``scan`` untouched, when the rows reader must."""
    why = _declined(f, display, reader_choice())
    if why is None and scan.segmenter is not None:
        why = "a segment split"
    if why is None and (scan.converted is not None or scan.layout.shape.salesforce_lead):
        why = "a Salesforce lead export"
    if why is None and scan.created_formats:
        why = "a --date-format"
    return _read_by_columns(f, path, display, scan, _LeadsReader, why)


def _read_by_columns(f: CsvFile, path: str, display: str, scan: Any, reader: Callable[..., Any],
                     why: Optional[str]) -> bool:
    """Unless ``why`` already declines: count into a copy of ``scan`` by columns, and keep the copy
    only if the whole file was read so (else ``scan`` is untouched and the rows reader reads it)."""
    if why is None:
        _import_arrow()
        fast = copy.deepcopy(scan)
        fast.bad = BadRows()
        try:
            reader(f, path, display, fast).run()
        except Fallback as e:
            why = str(e)
        except Exception as e:  # noqa: BLE001 - never a traceback: the rows reader reads it (the reason is kept)
            why = f"the columnar reader failed: {type(e).__name__}: {str(e)[:120]}"
        else:
            scan.bad.merge(fast.bad)
            fast.bad = scan.bad
            scan.__dict__.update(fast.__dict__)
            if hasattr(f.rows, "close"):
                f.rows.close()  # type: ignore[union-attr]
    _READ_BY[display] = "columnar" if why is None else f"rows: {why}"
    return why is None


def prepare() -> None:
    """pyarrow imported and its process-wide settings made (once per process) unless the rows reader
    is asked for: before two exports are read at the same time (each thread would otherwise be first)."""
    if reader_choice() == "rows":
        return
    _import_arrow()
    import pyarrow as pa

    _configure(pa)


def _import_arrow() -> None:
    """Import pyarrow, pyarrow.csv and pyarrow._compute without NumPy unless it is loaded already.

    pyarrow (18 on) takes NumPy only when it can import it, and the columnar reader converts nothing
    to NumPy arrays; NumPy's import is a tenth of a second and 11 MiB of the process's peak (1M leads,
    shape (a): peak 100 MiB with it, 88 MiB without; docs/contributing.md, "Speed"). It also spares a
    NumPy 1.x installation the newest pyarrow's refusal of it. NumPy stays importable afterwards."""
    if "pyarrow.csv" in sys.modules:
        return
    hidden = "numpy" not in sys.modules
    if hidden:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import pyarrow  # noqa: F401
        import pyarrow._compute  # noqa: F401  # (not pyarrow.compute: _Compute)
        import pyarrow.csv  # noqa: F401
    finally:
        if hidden and "numpy" in sys.modules and sys.modules["numpy"] is None:
            del sys.modules["numpy"]


class _Bytes:
    """The file's bytes as pyarrow reads them, their quotes counted on the way (``quoting``): every
    quote must open a cell (after a delimiter or a line end) or close one (before a delimiter or a
    line end), never both, as many opening as closing: whole quoted cells, no quote inside one.

    pyarrow's reader reads up to 32 blocks ahead of the batches taken (16 MiB of 512 KiB blocks):
    ``read`` waits (on pyarrow's I/O thread) until the blocks read are at most ``AHEAD`` ahead of
    the batches taken (``taken``), so memory stays flat whatever the file's size."""

    AHEAD = 3

    def __init__(self, fd: int, delimiter: str) -> None:
        self.fh = os.fdopen(fd, "rb", buffering=0)
        ends = (delimiter.encode(), b"\r", b"\n")
        self.ends = ends
        # each byte as its class: E a cell's end (the delimiter or a line end), Q a quote, . any other
        # (one translate pass, then three counts on the classes; 15 counts on the bytes took 9x longer)
        classes = bytearray(b"." * 256)
        for e in ends:
            classes[e[0]] = ord("E")
        classes[ord('"')] = ord("Q")
        self.classes = bytes(classes)
        self.quotes = self.opened = self.closed_quotes = 0
        self.both_seen = False
        self.last = b"\n"  # the byte before the block (a line start before the file)
        self.last2 = b"\n\n"  # the two bytes before the block
        self.closed = False
        self.blocks = 0
        self.allowed = self.AHEAD
        self.turn = threading.Condition()

    def taken(self) -> None:
        """A batch was taken: one more block may be read."""
        with self.turn:
            self.allowed += 1
            self.turn.notify_all()

    def read(self, n: int = -1) -> bytes:
        with self.turn:
            waits = 0
            while self.blocks >= self.allowed and not self.closed:
                self.turn.wait(0.5)
                waits += 1
                if waits > 240:  # two minutes without a batch taken: an error, never a file cut short
                    raise OSError("the columnar reader stalled")
            if self.closed:
                return b""
            self.blocks += 1
        b = self.fh.read(n)
        if b and (b'"' in b or self.last == b'"'):
            # (a quote's neighbours across blocks are in ``last2``, the two bytes before the block)
            window = (self.last2 + b).translate(self.classes)
            self.quotes += b.count(b'"')
            self.opened += window.count(b"EQ", 1)  # from 1: a pair from the first byte was counted with the last block
            self.closed_quotes += window.count(b"QE", 1)
            self.both_seen = self.both_seen or b"EQE" in window
        if b:
            self.last, self.last2 = b[-1:], (b[-2:] if len(b) > 1 else self.last2[-1:] + b)
        return b

    def quoting(self) -> bool:
        """Once the file is read: whether its quotes only wrap whole cells (see the class)."""
        eof_quote = self.last == b'"'
        if eof_quote and self.last2[:1] in self.ends:  # (`,"` at the very end: a quote that opens and ends the file)
            return False
        closing = self.closed_quotes + eof_quote  # a quote ending the file closes a cell
        return not self.both_seen and self.opened == closing and self.opened + closing == self.quotes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        with self.turn:
            self.closed = True
            self.turn.notify_all()
        self.fh.close()


def _open(f: CsvFile, path: str) -> tuple[int, _Bytes]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != f.identity:
        os.close(fd)
        raise Fallback("the file changed since it was opened")
    if os.pread(fd, 3, 0) == b"\xef\xbb\xbf":  # a UTF-8 byte-order mark: skipped, as open_csv skips it
        os.lseek(fd, 3, os.SEEK_SET)  # (the header's names are then compared with the rows reader's)
    return fd, _Bytes(fd, f.delimiter)


def _batches(f: CsvFile, path: str) -> Iterator[Any]:
    """The file's record batches, every column text, in blocks of BLOCK bytes (dictionary-encoding
    the date columns measured no faster); Fallback on any of pyarrow's errors or on what _Bytes refuses."""
    import pyarrow as pa
    import pyarrow.csv as pv

    _configure(pa)
    _malloc_for(f.size)
    types = {h: pa.string() for h in f.header}
    fd, source = _open(f, path)
    view = _View(source)
    released = threading.Event()
    weakref.finalize(view, released.set)
    reader = None
    failed = None
    try:
        try:
            reader = pv.open_csv(
                view,
                read_options=pv.ReadOptions(block_size=BIG_BLOCK if f.size >= BIG_FILE else BLOCK, use_threads=True),
                parse_options=pv.ParseOptions(delimiter=f.delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False),
                convert_options=pv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
            del view  # (pyarrow's alone now)
            if reader.schema.names != f.header or list(reader.schema.types) != list(types.values()):
                raise Fallback("its header")
            for batch in _prefetched(reader, source):
                yield batch
                source.taken()
        except (pa.ArrowException, OSError, UnicodeError) as e:  # a row with more cells, invalid UTF-8, ...
            failed = f"pyarrow: {str(e).splitlines()[0][:120]}"  # (raised below: its traceback holds the reader)
        if failed:
            raise Fallback(failed)
        if source.quotes and not source.quoting():
            raise Fallback("a quote inside a cell, or one that never closes")
        st = os.stat(path)
        if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != f.identity:
            raise Fallback("the file changed while it was read")
    finally:
        source.close()
        reader = None
        # pyarrow's threads call into Python for this file (its reads, and dropping the file object,
        # on whichever thread lets go of it last): such a call made while the interpreter shuts down
        # aborts the process ("terminate called without an active exception", apache/arrow#34314).
        # Once pyarrow has let go of the view, none is left. After one of its errors, the view is
        # held in a reference cycle until the garbage collector runs.
        if not released.is_set():
            gc.collect()
            released.wait(RELEASE_WAIT)


class _View:
    """What pyarrow reads: the file's bytes from _Bytes. Only pyarrow holds this object (a weak
    reference says when it lets go), so that none of ours, nor a traceback, keeps it alive."""

    __slots__ = ("source", "__weakref__")

    def __init__(self, source: _Bytes) -> None:
        self.source = source

    def read(self, n: int = -1) -> bytes:
        return self.source.read(n)

    @property
    def closed(self) -> bool:
        return self.source.closed

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.source.close()


class _Compute:
    """The compute functions this reader calls, each by its name through ``pyarrow._compute`` (with
    pyarrow.compute's default options): importing ``pyarrow.compute`` makes a Python wrapper for each
    of its ~300 functions (30-60 ms of every review's start-up, measured), and arrays' ``filter`` and
    ``take`` methods import it. ``fill_null`` is its ``coalesce``, with a scalar of the values' type."""

    def __init__(self) -> None:
        import pyarrow._compute as c

        self.call = c.call_function
        self.set_lookup = c.SetLookupOptions
        self.slice_options = c.SliceOptions
        self.match_options = c.MatchSubstringOptions
        self.cast_options = c.CastOptions

    def binary_length(self, values: Any) -> Any:
        return self.call("binary_length", [values])

    def utf8_length(self, values: Any) -> Any:
        return self.call("utf8_length", [values])

    def invert(self, values: Any) -> Any:
        return self.call("invert", [values])

    def is_valid(self, values: Any) -> Any:
        return self.call("is_valid", [values])

    def is_null(self, values: Any) -> Any:
        return self.call("is_null", [values])

    def unique(self, values: Any) -> Any:
        return self.call("unique", [values])

    def value_counts(self, values: Any) -> Any:
        return self.call("value_counts", [values])

    def indices_nonzero(self, values: Any) -> Any:
        return self.call("indices_nonzero", [values])

    def sum(self, values: Any) -> Any:
        return self.call("sum", [values])

    def any(self, values: Any) -> Any:
        return self.call("any", [values])

    def all(self, values: Any) -> Any:
        return self.call("all", [values])

    def max(self, values: Any) -> Any:
        return self.call("max", [values])

    def min_max(self, values: Any) -> Any:
        return self.call("min_max", [values])

    def and_(self, left: Any, right: Any) -> Any:
        return self.call("and", [left, right])

    def or_(self, left: Any, right: Any) -> Any:
        return self.call("or", [left, right])

    def equal(self, left: Any, right: Any) -> Any:
        return self.call("equal", [left, right])

    def greater(self, left: Any, right: Any) -> Any:
        return self.call("greater", [left, right])

    def greater_equal(self, left: Any, right: Any) -> Any:
        return self.call("greater_equal", [left, right])

    def less_equal(self, left: Any, right: Any) -> Any:
        return self.call("less_equal", [left, right])

    def filter(self, left: Any, right: Any) -> Any:
        return self.call("filter", [left, right])

    def take(self, left: Any, right: Any) -> Any:
        return self.call("take", [left, right])

    def fill_null(self, left: Any, right: Any) -> Any:
        return self.call("coalesce", [left, right])

    def is_in(self, values: Any, value_set: Any) -> Any:
        return self.call("is_in", [values], self.set_lookup(value_set))

    def utf8_slice_codeunits(self, values: Any, start: int, stop: int) -> Any:
        return self.call("utf8_slice_codeunits", [values], self.slice_options(start, stop))

    def match_substring_regex(self, values: Any, pattern: str) -> Any:
        return self.call("match_substring_regex", [values], self.match_options(pattern))

    def cast(self, values: Any, target: Any) -> Any:
        return self.call("cast", [values], self.cast_options.safe(target))

    def if_else(self, cond: Any, left: Any, right: Any) -> Any:
        return self.call("if_else", [cond, left, right])

    def replace_with_mask(self, values: Any, mask: Any, replacements: Any) -> Any:
        return self.call("replace_with_mask", [values, mask, replacements])


_compute = functools.cache(_Compute)


_DONE = object()


def _prefetched(reader: Any, source: _Bytes) -> Iterator[Any]:
    """The reader's batches, the next one parsed on a thread of its own while the caller counts
    this one (pyarrow parses without the GIL): the parsing and the counting overlap. At most two
    batches wait; an error of the reader's is raised here, in the caller, as it would have been.
    Left early (a Fallback), the source is closed first, so the reader ends at once, then the
    thread is waited for: nothing of pyarrow's runs on after."""
    import queue

    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def pull() -> None:
        try:
            for batch in reader:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the caller, raised there
            ready.put(e)

    thread = threading.Thread(target=pull, name="gtmplan-columnar", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        source.close()  # a read waiting for room returns b"": the reader ends
        while thread.is_alive():  # unblock a pull waiting for room, then let it see stop
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def _cpus() -> int:
    """The CPUs this process may use, at most two (more parse blocks ahead: more memory, little gain)."""
    try:
        return max(1, min(2, len(os.sched_getaffinity(0))))
    except (AttributeError, OSError):
        return max(1, min(2, os.cpu_count() or 1))


@functools.cache
def _configure(pa: Any) -> None:
    """pyarrow's process-wide settings, once per process: resizing its thread pools or swapping its
    memory pool while an earlier reader's threads may still be winding down is not something to
    do twice (a test process reviews many exports; a worker crashed once in CI after doing so)."""
    # the system's allocator hands freed blocks back (pyarrow's default pool keeps ~40 MiB more at its peak)
    pa.set_memory_pool(pa.system_memory_pool())
    _flat_malloc()
    pa.set_io_thread_count(2)  # one per export: the leads and the deals may be read at once (review.run_review)
    pa.set_cpu_count(_cpus())  # blocks parsed on two CPUs, batches in file order (4M leads: 14% less wall)


@functools.cache
def _libc() -> Any:
    """glibc's C library (for mallopt), or None elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt  # noqa: B018 - AttributeError where it is not glibc
        return libc
    except (OSError, AttributeError):
        return None


def _flat_malloc() -> None:
    """The parsing threads allocate from glibc's one heap (M_ARENA_MAX 1), not an arena each."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(-8, 1)  # M_ARENA_MAX


def _malloc_for(size: int) -> None:
    """glibc raises its mmap threshold to the largest block freed (up to 32 MiB); after that the
    blocks come from its heap, which keeps their pages. For an export under BIG_FILE the threshold is
    fixed at 128 KiB: freed blocks go back to the system at once (peak at 400,000 leads: 145 MiB
    before, 133 MiB after; measured), which costs a mapping and its page faults per block; a bigger
    export, where those pages are a small share of pandas' peak, keeps its blocks in the heap (4 MiB:
    4M leads + 800k deals of shape (b), 0.5 s less CPU, about 12 MiB more at the peak)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(-3, 128 << 10 if size < BIG_FILE else 4 << 20)  # M_MMAP_THRESHOLD


def _cells(batch: Any, quoted: bool) -> None:
    """Fallback when a cell of the batch is longer than the rows reader reads (``MAX_FIELD`` characters:
    pyarrow reads a row across up to two blocks), or holds a line end (only a quoted cell can) or a
    quote: then every quote of the file was one pyarrow read as the start or end of a quoted cell (with
    _Bytes's count, which sees each of them just after a cell start or just before a cell end, never
    both, as many of each: no text after a closing quote, no quoted cell left open at the end of the file).

    Each column's cells are searched where pyarrow keeps them, one run of bytes (the string array's
    data between its first and last offset), for the three bytes at memchr speed: shape (b), 1M leads,
    0.01 s where a find_substring per column and byte took 0.18 s. A cell's characters are counted
    only in a column whose cells hold more bytes than MAX_FIELD together."""
    for col in batch.columns:
        offsets, data = col.buffers()[1:3]
        if data is None or not len(col):
            continue
        first, last = memoryview(offsets).cast("i")[col.offset:col.offset + len(col) + 1:len(col)]
        if last - first > csvread.MAX_FIELD:
            pc = _compute()

            if pc.max(pc.utf8_length(col)).as_py() > csvread.MAX_FIELD:
                raise Fallback(f"a cell longer than {csvread.MAX_FIELD:,} characters")
        if not quoted:
            continue
        cells = memoryview(data)[first:last].tobytes()
        if b"\n" in cells or b"\r" in cells:
            raise Fallback("a multi-line cell")
        if b'"' in cells:
            raise Fallback("a quote inside a cell")


class _Dates:
    """One date column read in bulk: strict ISO cells at once, the rest by the column's own code.
    Each distinct day, and each distinct text after a day (a time of day), is checked once (the
    column's date-time cache, as value sets)."""

    def __init__(self, col: DateColumn) -> None:
        self.col = col
        self.days = _Learnt(_real_day)  # strict ISO days of the calendar
        self.rests = _Learnt(lambda rest: _good_rest(rest, col))  # what follows a day: a time of day
        self.casts = CAST_TRIES  # blocks left whose cast may fail before this column stops trying it

    def day_of(self, cells: Any) -> tuple[Any, Any, Any]:
        """(each cell's ISO day, null where empty or not read in bulk; the mask of cells that are
        neither empty nor read in bulk, None when there is none; the mask of empty cells)."""
        import pyarrow as pa
        pc = _compute()

        length = pc.binary_length(cells)
        empty = pc.equal(length, _scalar(0))
        filled = int(pc.sum(pc.invert(empty)).as_py() or 0)
        if filled * 2 < len(cells):  # mostly empty (the later stages' dates): read the filled cells only
            day, slow, _ = self.day_of(pc.filter(cells, pc.invert(empty)))
            mask = pc.invert(empty)
            day = pc.replace_with_mask(pa.nulls(len(cells), pa.string()), mask, day)
            if slow is not None:
                slow = pc.replace_with_mask(_falses(len(cells)), mask, slow)
            return day, slow, empty
        long = pc.greater(length, _scalar(10))
        any_long = pc.any(long).as_py()
        day = pc.utf8_slice_codeunits(cells, 0, 10) if any_long else cells  # (no cell longer than a day)
        ok = pc.is_in(day, value_set=self.days.learn(day))
        if any_long and not self._plain_times(cells, length, empty, filled):
            # the common date-times (2027-07-14 09:31, 2027-07-14T09:31:05.123Z) by one pattern, a subset
            # of what check_time accepts; any other text after a day by the column's cache of times
            odd = pc.and_(long, pc.invert(pc.match_substring_regex(cells, _PLAIN_TIME)))
            if pc.any(pc.and_(odd, ok)).as_py():
                rest = pc.utf8_slice_codeunits(cells, 10, 1 << 30)
                good = self.rests.learn(pc.filter(rest, pc.and_(ok, odd)))
                ok = pc.and_(ok, pc.or_(pc.invert(odd), pc.is_in(rest, value_set=good)))
        if pc.all(ok).as_py():  # (the common case: every cell a day read in bulk)
            return day, None, empty
        slow = pc.invert(pc.or_(ok, empty))
        return pc.if_else(ok, day, pa.nulls(1, pa.string())[0]), slow if pc.any(slow).as_py() else None, empty

    def _plain_times(self, cells: Any, length: Any, empty: Any, filled: int) -> bool:
        """Whether every cell is a day and a time of day of _PLAIN_TIME, proven by pyarrow's own ISO
        parser (a cast to a timestamp: 13 ns a cell where the pattern takes 46, measured on shape (b)).
        The cast accepts a day and then, after 'T' or ' ': hh, hh:mm, hh:mm:ss or hh:mm:ss.f{1,9}
        (hours under 24, minutes and seconds under 60), no zone (a timestamp without one refuses it);
        with no cell shorter than 16 characters (which leaves out the hour alone; empty cells are not
        cast) that is a subset of _PLAIN_TIME. Any refusal (a zone, a comma, a year out of range) leaves
        the block to the pattern; after CAST_TRIES refusals the column stops trying."""
        if not self.casts:
            return False
        import pyarrow as pa
        pc = _compute()

        if filled == len(cells):
            if pc.min_max(length).as_py()["min"] < 16:
                return False
        else:  # (empty cells, the open deals' close dates: null to the cast)
            if not pc.all(pc.or_(empty, pc.greater_equal(length, _scalar(16)))).as_py():
                return False
            cells = pc.if_else(empty, pa.nulls(1, pa.string())[0], cells)
        try:
            pc.cast(cells, pa.timestamp("ns"))
        except pa.ArrowInvalid:
            self.casts -= 1
            return False
        return True


class _Learnt:
    """Values checked once each (a cache as value sets): ``good`` holds those that passed."""

    def __init__(self, test: Any) -> None:
        import pyarrow as pa

        self.test = test
        self.seen = pa.nulls(0, pa.string())
        self.good = pa.nulls(0, pa.string())

    def learn(self, values: Any) -> Any:
        """Check the distinct ``values`` not seen before; the value set of those that passed."""
        import pyarrow as pa
        pc = _compute()

        uniq = pc.unique(values)
        new = pc.filter(uniq, pc.invert(pc.is_in(uniq, value_set=self.seen))).to_pylist() if len(self.seen) else \
            uniq.to_pylist()
        if new:
            if len(self.seen) + len(new) > LEARNT_MAX:  # (each block's check costs as many as were seen)
                raise Fallback(f"more than {LEARNT_MAX:,} distinct days or times of day in a date column")
            passed = [v for v in new if self.test(v)]
            self.seen = pa.concat_arrays([self.seen, _strings(new)])
            if passed:
                self.good = pa.concat_arrays([self.good, _strings(passed)])
        return self.good


def _real_day(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _good_rest(rest: str, col: DateColumn) -> bool:
    """Whether the rows reader reads ``rest``, after a strict ISO day, as a time of day (as DateColumn._parse:
    'T' or ' ', then a time); a rest with spaces around its time is left to the column's own code."""
    time = rest[1:]
    if not time or rest[0] not in "T " or time != time.strip():
        return False
    try:
        check_time(time, time)
    except BadValue:
        return False
    if len(col.times) < 10_000:
        col.times.add(time)
    return True


class _LeadsReader:
    """LeadScan.read, on blocks of columns."""

    FIELDS = ("created", "mql_date", "sql_date", "opportunity_date")

    def __init__(self, f: CsvFile, path: str, display: str, scan: LeadScan) -> None:
        self.f, self.path, self.display, self.scan = f, path, display, scan
        ix = scan.layout.index
        self.index = {k: ix[k] for k in self.FIELDS if k in ix}
        self.dates = {k: _Dates(scan.cols[k]) for k in self.index}
        self.i_source = ix.get("source")
        self.rows_done = 0

    def run(self) -> None:
        pc = _compute()

        scan, c = self.scan, self.scan.c
        first, last = "\uffff", ""
        for batch in _batches(self.f, self.path):
            _cells(batch, not self.f.quote_free)
            days, usable, blank = self._values(batch)
            n = batch.num_rows
            c.info.rows += n - blank
            self.rows_done += n
            created = pc.filter(days["created"], usable)
            c.info.usable += len(created)
            if len(created):
                for value, count in _counts(created):
                    c.info.days[value] = c.info.days.get(value, 0) + count
                mm = pc.min_max(created).as_py()
                first, last = min(first, mm["min"]), max(last, mm["max"])
            self._count(batch, days, usable)
        scan.last_row = 1 + self.rows_done
        c.info.first, c.info.last = (first, last) if c.info.usable else (None, None)

    def _values(self, batch: Any) -> tuple[dict[str, Any], Any, int]:
        """Each date field's ISO day per row (null: empty or not usable), the usable rows' mask and the
        number of blank rows; cells not read in bulk go through LeadScan.values, row by row."""
        pc = _compute()

        days, slow_any = {}, None
        for k, i in self.index.items():
            days[k], slow, empty = self.dates[k].day_of(batch.column(i))
            if k == "created":  # an empty created cell: a blank row, or a bad one (LeadScan.values says)
                slow = pc.or_(slow, empty) if slow is not None else empty
                if not pc.any(slow).as_py():
                    slow = None
            if slow is not None:
                slow_any = slow if slow_any is None else pc.or_(slow_any, slow)
        usable = pc.is_valid(days["created"])
        if slow_any is None:
            return days, usable, 0
        idx = pc.indices_nonzero(slow_any).to_pylist()
        cols = [pc.take(batch.column(j), _ints(idx)).to_pylist() for j in range(batch.num_columns)]
        patched = {k: v.to_pylist() for k, v in days.items()}
        ok = usable.to_pylist()
        blank = 0
        scan = self.scan
        before = scan.decisions()
        for r, row in zip(idx, zip(*cols)):
            cells = list(row)
            for i in self.index.values():
                if _NUMERIC_DATE.match(cells[i]):
                    raise Fallback("a numeric date (its month-or-day order depends on the rows before it)")
            try:
                got = scan.values(cells)
            except CellError as e:
                scan.bad.add(self.display, self.rows_done + r + 2, f"{scan.names[e.what]}: {e.error}")
                ok[r] = False
                continue
            if got is None:
                blank += 1
                ok[r] = False
                continue
            ok[r] = True
            for k, v in zip(self.FIELDS, got):
                if k in patched:
                    patched[k][r] = v
        if scan.decisions() != before:
            raise Fallback("a date order decided")
        days = {k: _strings(v) for k, v in patched.items()}
        return days, _bools(ok), blank

    def _count(self, batch: Any, days: dict[str, Any], usable: Any) -> None:
        pc = _compute()

        scan, c = self.scan, self.scan.c
        lo, hi = scan.lo, scan.hi

        def within(k: str) -> Any:
            if k not in days:
                return None
            d = days[k]
            return pc.fill_null(pc.and_(usable, _between(d, lo, hi)), _scalar(False))

        def has(k: str) -> Any:
            return pc.is_valid(days[k]) if k in days else None

        def total(mask: Any, also: Any = True) -> int:
            if mask is None or also is None:
                return 0
            if also is not True:
                mask = pc.and_(mask, also)
            return int(pc.sum(mask).as_py() or 0)

        cq, mq, sq, oq = (within(k) for k in self.FIELDS)
        c.leads += total(cq)
        c.created_with_mql += total(cq, has("mql_date"))
        c.mqls += total(mq)
        c.mql_with_sql += total(mq, has("sql_date"))
        c.sqls += total(sq)
        c.sql_with_opp += total(sq, has("opportunity_date"))
        c.opportunities += total(oq)
        if self.i_source is None:
            sources = None
        else:
            sources = batch.column(self.i_source)
        self._sources(sources, cq, leads=True)
        if mq is not None:
            self._sources(sources, mq, leads=False)

    def _sources(self, sources: Any, mask: Any, leads: bool) -> None:
        """The source tables (and programs' leads, no-source count) of the rows in ``mask``."""
        c, pc = self.scan.c, _compute()
        counter = c.source_leads if leads else c.source_mqls
        if sources is None:  # no source column: every source is ""
            n = total_true(mask)
            counts = [("", n)] if n else []
        else:
            picked = pc.filter(sources, mask)
            counts = _counts(picked) if len(picked) else []
            new = {_key(k) for k in {raw.strip() for raw, _ in counts} if k not in counter and _key(k) not in counter}
            if len(counter) + len(new) > 2 * counter.cap:  # it would fold: count row by row, as the rows reader
                counts = [(raw, 1) for raw in picked.to_pylist()]
        for raw, n in counts:
            source = raw.strip()
            if leads:
                self.scan.lead_source(source, n)
            else:
                counter[source if source in counter else counter.key(source)] += n


def _key(k: str) -> str:
    """CappedCounter.key's text (without folding)."""
    return k if len(k) <= MAX_KEY else k[:MAX_KEY] + "…"


def total_true(mask: Any) -> int:
    pc = _compute()

    return int(pc.sum(mask).as_py() or 0)


def _counts(values: pa.Array) -> list[tuple[str, int]]:
    """(value, count) in order of first appearance."""
    pc = _compute()

    vc = pc.value_counts(values)
    return list(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()))


def read_deals(f: CsvFile, path: str, display: str, scan: DealScan) -> bool:
    """Count the deals export ``f`` (opened by open_csv, its rows not read yet) into ``scan`` (not
    started) with the columnar reader; False, with ``scan`` untouched, when the rows reader must."""
    why = _declined(f, display, reader_choice())
    if why is None and scan.segmenter is not None:
        why = "a segment split"
    if why is None and (scan.stages_by != "labels" or scan.i_closed is None):
        why = "stages told by flags or by won/lost dates"
    if why is None and scan.created_col.formats:
        why = "a --date-format"
    return _read_by_columns(f, path, display, scan, _DealsReader, why)


def _amount_state(col: AmountColumn) -> tuple:
    return col.decimal, col.ambiguous, frozenset(col.seen), col.unclear, col.inferred


class _DealsReader:
    """DealScan.read, on blocks of columns: the rows that close in the quarter, and those with a cell
    not read in bulk, go through DealScan.values and DealScan.count one by one, in file order."""

    def __init__(self, f: CsvFile, path: str, display: str, scan: DealScan) -> None:
        self.f, self.path, self.display, self.scan = f, path, display, scan
        self.created = _Dates(scan.created_col)
        self.closed = _Dates(scan.closed_col)
        self.stages: dict[str, tuple[str, bool, bool]] = {}  # cell -> (outcome, known, readable)
        self.amounts: dict[str, tuple[bool, bool, bool]] = {}  # cell -> (readable, no amount, negative)
        self.sets: dict[str, Any] = {}
        self.rows_done = 0
        self.sniffed = self.sniff_chars = 0  # rows and characters read by the sniff
        self.odd_amounts = 0  # distinct amounts unreadable, missing or negative (in self.amounts)

    def run(self) -> None:
        held: list[Any] = []  # the batches of the first rows, held back until the sniff has read them
        self.sniffed = self.sniff_chars = 0
        for batch in _batches(self.f, self.path):
            _cells(batch, not self.f.quote_free)
            if self.sniffed >= SNIFF_ROWS:
                self._count_batch(batch)
                continue
            self._sniff(batch)
            held.append(batch)
            if self.sniffed >= SNIFF_ROWS:
                self._settle(held)
        if self.sniffed < SNIFF_ROWS:  # the file has fewer rows than the rows reader reads ahead
            self._settle(held)
        if not self.rows_done:
            raise Fallback("no rows")
        self.scan.number = 1 + self.rows_done

    def _settle(self, held: list[Any]) -> None:
        """Once the first rows are sniffed (DealScan.start): settle, then count the batches held back."""
        self.scan.settle(self.f.delimiter)
        for batch in held:
            self._count_batch(batch)
        held.clear()

    def _count_batch(self, batch: Any) -> None:
        scan = self.scan
        before = (scan.decisions(), _amount_state(scan.amount_col))
        self._batch(batch)
        if (scan.decisions(), _amount_state(scan.amount_col)) != before:
            raise Fallback("a date order or decimal mark decided after the first rows")
        self.rows_done += batch.num_rows

    def _sniff(self, batch: Any) -> None:
        """What DealScan.start learns from the first rows (_sniffed: SNIFF_ROWS rows, across batches
        when rows are long): the amounts' decimal mark."""
        pc = _compute()

        scan = self.scan
        k = min(SNIFF_ROWS - self.sniffed, batch.num_rows)
        head = batch.slice(0, k)
        for col in head.columns:
            self.sniff_chars += int(pc.sum(pc.utf8_length(col)).as_py() or 0)
        if self.sniff_chars >= SNIFF_CHARS:
            raise Fallback("long rows")
        if scan.i_amount is not None:
            for cell in head.column(scan.i_amount).to_pylist():
                scan.amount_col.observe(cell)
        for i, _ in scan.date_columns():
            for cell in head.column(i).to_pylist():
                if _NUMERIC_DATE.match(cell):
                    raise Fallback("a numeric date (its month-or-day order depends on the rows before it)")
        self.sniffed += k

    def _learn_stages(self, cells: Any) -> None:
        pc = _compute()

        new = [s for s in pc.unique(cells).to_pylist() if s not in self.stages]
        if not new and self.sets:
            return
        if len(self.stages) + len(new) > LEARNT_MAX:  # (the value sets are rebuilt on each new one)
            raise Fallback(f"more than {LEARNT_MAX:,} distinct stages")
        for cell in new:
            try:
                outcome, known = self.scan.stage_of(cell)
                self.stages[cell] = (outcome, known, True)
            except BadValue:
                self.stages[cell] = ("open", True, False)
        st = self.stages
        for name, test in (("won", lambda v: v[0] == "won" and v[2]), ("lost", lambda v: v[0] == "lost" and v[2]),
                           ("unreadable_stage", lambda v: not v[2]), ("unknown", lambda v: not v[1])):
            self.sets[name] = _strings([k for k, v in st.items() if test(v)])

    def _learn_amounts(self, cells: Any) -> None:
        pc = _compute()

        col = self.scan.amount_col
        new = [a for a in pc.unique(cells).to_pylist() if a not in self.amounts]
        changed = False
        for cell in new:
            try:
                value, _ = col.cache.get(cell) or col(cell)
                seen = (True, value is None, value is not None and value < 0)
            except BadValue:
                seen = (False, False, False)
            if not seen[0] or seen[1] or seen[2]:  # in a value set: always kept (at most LEARNT_MAX of them)
                self.amounts[cell] = seen
                self.odd_amounts += 1
                changed = True
            elif len(self.amounts) < LEARNT_MAX:  # a priced amount: kept while there is room (a cache)
                self.amounts[cell] = seen
        if self.odd_amounts > LEARNT_MAX:
            raise Fallback(f"more than {LEARNT_MAX:,} distinct unreadable or missing amounts")
        if changed or "unreadable_amount" not in self.sets:
            am = self.amounts
            self.sets["unreadable_amount"] = _strings([k for k, v in am.items() if not v[0]])
            self.sets["unpriced"] = _strings([k for k, v in am.items() if v[1] or v[2]])

    def _batch(self, batch: Any) -> None:
        pc = _compute()

        scan = self.scan
        created_cells = batch.column(scan.i_created)
        created, slow_c, problem = self.created.day_of(created_cells)  # empty: blank or bad (values() says)
        closed, slow_k, _ = self.closed.day_of(batch.column(scan.i_closed))
        for slow in (slow_c, slow_k):
            if slow is not None:
                problem = pc.or_(problem, slow)
        stage_cells = batch.column(scan.i_stage)
        self._learn_stages(stage_cells)
        problem = pc.or_(problem, pc.is_in(stage_cells, value_set=self.sets["unreadable_stage"]))
        won = pc.is_in(stage_cells, value_set=self.sets["won"])
        closed_deal = pc.or_(won, pc.is_in(stage_cells, value_set=self.sets["lost"]))
        problem = pc.or_(problem, pc.and_(closed_deal, pc.is_null(closed)))
        if scan.i_amount is not None:
            amount_cells = batch.column(scan.i_amount)
            self._learn_amounts(pc.filter(amount_cells, pc.invert(problem)))
            problem = pc.or_(problem, pc.is_in(amount_cells, value_set=self.sets["unreadable_amount"]))
            problem = pc.or_(problem, pc.and_(won, pc.is_in(amount_cells, value_set=self.sets["unpriced"])))
        closing = pc.fill_null(_between(closed, scan.lo, scan.hi), _scalar(False))
        # won deals closing in the quarter are counted one by one (their amounts add up in file order,
        # as floats do), and so is every deal closing in it when a capped table could fold
        one_by_one = pc.or_(problem, pc.and_(closing, won))
        bulk_closing = pc.and_(closing, pc.invert(one_by_one))
        if self._could_fold(batch, closing, pc.and_(closing, pc.invert(closed_deal)), won):
            one_by_one = pc.or_(one_by_one, closing)
            bulk_closing = None
        self._count_bulk(pc.invert(pc.or_(one_by_one, closing)), created, closed, closed_deal)
        if bulk_closing is not None and total_true(bulk_closing):
            self._count_bulk(bulk_closing, created, closed, closed_deal)
            self._closing_bulk(batch, bulk_closing, won)
        idx = pc.indices_nonzero(one_by_one)
        if len(idx):
            self._count_rows(batch, idx.to_pylist(), problem, created, closed)

    def _could_fold(self, batch: Any, closing: Any, open_closing: Any, won: Any) -> bool:
        """Whether the stage or loss-reason table could fold while the deals closing in this block are
        counted (more distinct values than it keeps): then they are counted one by one, in file order."""
        pc = _compute()

        scan, c = self.scan, self.scan.c
        labels = {_key(" ".join(raw.split())) for raw in pc.unique(pc.filter(batch.column(scan.i_stage), closing))
                  .to_pylist()}
        for counter in (c.stages_seen, c.unknown_stages):
            if len(counter) + len(labels - counter.keys()) > 2 * counter.cap:
                return True
        if scan.i_reason is None:
            return False
        lost = pc.and_(closing, pc.invert(pc.or_(won, open_closing)))
        reasons = {_key(raw.strip()) or "unspecified" for raw in pc.unique(pc.filter(batch.column(scan.i_reason), lost))
                   .to_pylist()}
        return len(c.loss_reasons) + len(reasons - c.loss_reasons.keys()) > 2 * c.loss_reasons.cap

    def _closing_bulk(self, batch: Any, mask: Any, won: Any) -> None:
        """DealScan.closing of lost and open deals closing in the quarter (never won ones), on whole columns."""
        pc = _compute()

        scan, c = self.scan, self.scan.c
        stage_cells = pc.filter(batch.column(scan.i_stage), mask)
        c.closing += len(stage_cells)
        for raw, n in _counts(stage_cells):
            label = " ".join(raw.split())
            c.stages_seen[c.stages_seen.key(label)] += n
            if not self.stages[raw][1]:
                c.unknown_stages[c.unknown_stages.key(label)] += n
        lost = pc.and_(mask, pc.is_in(batch.column(scan.i_stage), value_set=self.sets["lost"]))
        n_lost = total_true(lost)
        if not n_lost:
            return
        c.lost += n_lost
        if scan.i_reason is None:
            c.loss_reasons["unspecified"] += n_lost
            return
        for raw, n in _counts(pc.filter(batch.column(scan.i_reason), lost)):
            reason = raw.strip()
            c.loss_reasons[c.loss_reasons.key(reason) if reason else "unspecified"] += n

    def _count_bulk(self, mask: Any, created: Any, closed: Any, closed_deal: Any) -> None:
        """DealScan.count of the readable rows that do not close in the quarter, on whole columns."""
        pc = _compute()

        scan, c = self.scan, self.scan.c
        n = total_true(mask)
        if not n:
            return
        c.label_stages = True  # each of these rows had its stage read from its label
        c.info.rows += n
        c.info.usable += n
        days = pc.filter(created, mask)
        shut = pc.filter(closed, pc.and_(mask, closed_deal))
        for value, count in _counts(days) + (_counts(shut) if len(shut) else []):
            c.info.days[value] += count
        mm = pc.min_max(days).as_py()
        scan.first = min(scan.first, mm["min"])
        scan.last = max(scan.last, mm["max"], pc.max(pc.filter(closed, mask)).as_py() or "")  # open deals' too
        c.recognised += len(shut)
        c.opportunities += total_true(_between(days, scan.lo, scan.hi))

    def _count_rows(self, batch: Any, idx: list[int], problem: Any, created: Any, closed: Any) -> None:
        """DealScan.count of the rows at ``idx``, one by one, in file order: their values as read in
        bulk, or (a row with a cell not read in bulk) by DealScan.values."""
        scan, c, pc = self.scan, self.scan.c, _compute()
        take = _ints(idx)
        cols = [pc.take(batch.column(j), take).to_pylist() for j in range(batch.num_columns)]
        dates = [i for i, _ in scan.date_columns()]
        bulk = [(not p, d, k) for p, d, k in zip(pc.take(problem, take).to_pylist(), pc.take(created, take).to_pylist(),
                                                 pc.take(closed, take).to_pylist())]
        i_stage, i_amount, amount_col = scan.i_stage, scan.i_amount, scan.amount_col
        assert i_stage is not None  # stages read from labels (read_deals)
        for r, cells, (read, day, shut) in zip(idx, zip(*cols), bulk):
            row = list(cells)
            if read:  # as DealScan.values reads it: days, stage and amount as read in bulk
                outcome, known, _ = self.stages[row[i_stage]]
                value = code = None
                if i_amount is not None:
                    value, code = amount_col.cache.get(row[i_amount]) or amount_col(row[i_amount])
                c.info.rows += 1
                scan.count(row, (day, shut, outcome, known, value, code))
                continue
            for i in dates:
                if _NUMERIC_DATE.match(row[i]):
                    raise Fallback("a numeric date (its month-or-day order depends on the rows before it)")
            try:
                v = scan.values(row)
            except CellError as e:
                c.info.rows += 1
                scan.bad.add(self.display, self.rows_done + r + 2, f"{scan.names[e.what]}: {e.error}")
                continue
            if v is not None:
                c.info.rows += 1
                scan.count(row, v)


# -- arrays built without pyarrow's conversion of Python objects ------------------------------
# (pa.array() and a Python value given to a compute function import pandas when it is installed:
# 0.4 s and 30 MiB more for nothing; these build the few arrays and scalars needed from buffers)

def _strings(values: list[Optional[str]]) -> Any:
    """A string array of ``values`` (None: null)."""
    import array

    import pyarrow as pa

    offsets = array.array("i", [0])
    data = bytearray()
    valid = bytearray((len(values) + 7) // 8)
    nulls = 0
    for k, v in enumerate(values):
        if v is None:
            nulls += 1
        else:
            data += v.encode()
            valid[k >> 3] |= 1 << (k & 7)
        offsets.append(len(data))
    return pa.Array.from_buffers(pa.string(), len(values), [pa.py_buffer(bytes(valid)) if nulls else None,
                                                            pa.py_buffer(offsets.tobytes()), pa.py_buffer(bytes(data))],
                                 null_count=nulls)


def _bools(values: list[bool]) -> Any:
    import pyarrow as pa

    bits = bytearray((len(values) + 7) // 8)
    for k, v in enumerate(values):
        if v:
            bits[k >> 3] |= 1 << (k & 7)
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bytes(bits))])


def _falses(n: int) -> Any:
    import pyarrow as pa

    return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bytes((n + 7) // 8))])


def _ints(values: list[int]) -> Any:
    import array

    import pyarrow as pa

    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(array.array("q", values).tobytes())])


_SCALARS: dict[tuple[type, object], Any] = {}


def _scalar(value: object) -> Any:
    """A pyarrow scalar of a str, bool or int."""
    key = (type(value), value)
    hit = _SCALARS.get(key)
    if hit is None:
        if isinstance(value, str):
            hit = _strings([value])[0]
        elif isinstance(value, bool):
            hit = _bools([value])[0]
        else:
            assert isinstance(value, int)
            hit = _ints([value])[0]
        _SCALARS[key] = hit
    return hit


def _between(days: Any, lo: str, hi: str) -> Any:
    """Whether each ISO day lies in lo..hi (null where the day is null)."""
    pc = _compute()

    return pc.and_(pc.greater_equal(days, _scalar(lo)), pc.less_equal(days, _scalar(hi)))
