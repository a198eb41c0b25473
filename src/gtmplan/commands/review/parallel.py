"""Reading the exports on two CPUs, with the figures of one pass.

With two CPUs and big regular files, a forked process reads the deals export and,
when the leads export is big enough to share, the leads after a cut near a line
start, while this process reads the leads up to the cut. The cut is placed so both
processes have about the same work (a deals byte costs about ``DEALS_WEIGHT`` leads
bytes). Nothing here changes a figure or an error:

- the second part of the leads is counted by a copy of the leads scan taken after
  the first rows taught it the date orders, and its counts are added only when
  ``LeadScan.add`` says they are what one pass would have counted; otherwise, and
  whenever the other process could not read that part, this process reads it on;
- a cut inside a quoted value shows as an unterminated quote at the end of the first
  part: the whole export is then read again in one pass, which reports a genuinely
  broken file exactly as it always did.
"""

from __future__ import annotations

import csv
import os
import pickle
import signal
from collections.abc import Callable
from typing import Optional

from gtmplan.commands.review.csvread import CsvFile, open_part
from gtmplan.commands.review.figures import BadRows, LeadScan
from gtmplan.errors import InputError

PARALLEL_MIN_BYTES = 4_000_000  # smaller files are read faster than a process starts
DEALS_WEIGHT = 1.2  # CPU seconds per byte of a deals export / of a leads export (benchmarks/review_bench.py)
MIN_CUT = 1 << 16  # bytes: no cut before
CHUNK_BYTES = 1 << 20


def two_cpus() -> bool:
    """Whether this process may run on two CPUs (taskset and container limits included)."""
    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


def big_file(path: Optional[str]) -> int:
    """The size of a regular file of at least PARALLEL_MIN_BYTES, else 0."""
    if path is None or path == "-":
        return 0
    try:
        if not os.path.isfile(path):
            return 0
        size = os.path.getsize(path)
    except OSError:
        return 0
    return size if size >= PARALLEL_MIN_BYTES else 0


def cut_point(path: str, deals_bytes: int) -> Optional[int]:
    """Where to cut a leads export so that both processes have the same work, or None."""
    size = big_file(path)
    if not size:
        return None
    at = int((size + DEALS_WEIGHT * deals_bytes) / 2)
    if at > size * 0.9:  # the deals alone are about as much work as the leads: no cut
        return None
    return _outside_quotes(path, max(at, MIN_CUT), size)


def _outside_quotes(path: str, at: int, size: int, window: int = 1 << 20) -> Optional[int]:
    """The first line start at or after ``at`` with an even number of quote bytes before it: in a
    CSV that doubles its quotes, one outside every quoted value (else the cut shows as an open
    quote and the file is read again in one pass: slower, same result)."""
    if at >= size:
        return None
    try:
        with open(path, "rb") as fh:
            quotes = 0
            done = 0
            while done < at:
                b = fh.read(min(CHUNK_BYTES, at - done))
                if not b:  # shorter than it was
                    return None
                if b'"' in b:  # (memchr; counting every byte is slower)
                    quotes += b.count(b'"')
                done += len(b)
            block = fh.read(window)
    except OSError:
        return None
    i = block.find(b"\n")
    while i >= 0:
        if (quotes + block.count(b'"', 0, i)) % 2 == 0:
            cut = at + i + 1
            return cut if cut < size else None
        i = block.find(b"\n", i + 1)
    return None


class Child:
    """A function run in a forked process; its result (or InputError) comes back pickled."""

    def __init__(self, fn: Callable[[], object]):
        r, w = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(r)
                _die_with(parent)
                try:
                    payload = ("ok", fn())
                except InputError as e:
                    payload = ("error", e.problems)
                except BaseException as e:  # noqa: BLE001 - reported by the parent
                    payload = ("crash", f"{type(e).__name__}: {e}")
                with os.fdopen(w, "wb") as fh:
                    fh.write(pickle.dumps(payload))
            finally:
                os._exit(0)
        os.close(w)
        self.pid, self.r = pid, r

    def result(self):
        with os.fdopen(self.r, "rb") as fh:
            data = fh.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError("the process reading the exports ended without a result")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise InputError(value)
        if kind == "crash":
            raise RuntimeError(value)
        return value

    def cancel(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.r)
        os.waitpid(self.pid, 0)


def _die_with(parent: int) -> None:
    """Have the kernel end this process when ``parent`` ends (Linux), so that a parent killed
    by a signal leaves no reader behind."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


def _outcome(fn: Callable[[], object]) -> tuple:
    """("ok", value) or ("error", problems): one task's outcome, so one failing task
    does not hide the other's."""
    try:
        return "ok", fn()
    except InputError as e:
        return "error", e.problems


def read_part(scan: LeadScan, f: CsvFile, path: str, first_row: int = 2, lines_before: int = 0,
              newlines_before: int = 0) -> None:
    """Count the leads export's records after f's end into ``scan``."""
    part = open_part(f, path, first_row, lines_before, newlines_before)
    try:
        scan.read(part.rows, sniff=False)
    except csv.Error as e:
        raise part.failed(e) from None


class SplitFailed(Exception):
    """The cut fell inside a quoted value (or the first part is broken): read in one pass."""


def read_leads(f: CsvFile, scan: LeadScan, path: str, rows, deals_task: Optional[Callable[[], object]]):
    """Read the leads export opened as ``f`` into ``scan`` (rows: f.rows, perhaps with a progress
    bar), with ``deals_task`` and the part after f's end (open_csv's ``end``) in a second process.
    Returns the deals task's outcome (None without one); raises SplitFailed when the one-pass
    reading must be used instead."""
    child: Optional[Child] = None
    at_fork: tuple = ()
    cut = f.end[0] if f.end else None
    split = cut is not None

    def start_child(past: bool) -> None:  # once the first rows have taught the scan the date orders
        nonlocal child, at_fork, split
        at_fork = scan.decisions()
        if split and not past:  # one pass reads ahead past the cut to learn them: so must this reading
            raise SplitFailed

        def work():
            out = {"deals": _outcome(deals_task) if deals_task is not None else None, "leads": None}
            if split:
                scan.bad = BadRows()  # this process's bad rows only: shifted and merged by the parent
                out["leads"] = _outcome(lambda: (read_part(scan, f, path), scan.part(), scan.bad)[1:])
            return out
        try:
            child = Child(work)
        except OSError:  # no second process to be had (fork refused): read everything here
            split = False

    try:
        scan.read(rows, sniffed=start_child)
        out = {"deals": None, "leads": None}  # what the other process did not do is done here
        if child is not None:
            try:
                out = child.result()
            except (RuntimeError, OSError, EOFError, pickle.UnpicklingError):  # it died (killed, out of memory)
                pass
            child = None
    except csv.Error as e:
        if cut is not None:
            raise SplitFailed from None
        raise f.failed(e) from None
    finally:
        if child is not None:  # interrupted, or the first part failed: no reader left behind
            child.cancel()
    if cut is not None:
        leads = out["leads"]
        taken = False
        if leads is not None and leads[0] == "ok" and scan.decisions() == at_fork:
            part, bad = leads[1]
            base = scan.last_row - 1
            taken = scan.add(part)
            if taken:
                for b in bad.listed:
                    b["row"] += base
                scan.bad.merge(bad)
        if not taken:  # read on here: the figures (or the error) one pass gives
            read_part(scan, f, path, scan.last_row + 1, f.lines_read(), f.newlines_read())
    return out["deals"]
