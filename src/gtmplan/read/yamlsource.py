"""Reading YAML safely, keeping where every value came from.

This module turns the bytes of one YAML file into plain Python data (dicts, lists,
str, int, float, bool, None, datetime.date) plus the composed node tree, which
:class:`gtmplan.plan.sourcemap.SourceMap` uses to point any later message at
``FILE:LINE:COLUMN``. It knows nothing about plans.

What it refuses, each as a located problem rather than a crash or a surprise:

* files over :data:`MAX_FILE_BYTES`, empty files, text that is not UTF-8 (a UTF-8
  byte-order mark is accepted; UTF-16 and cp1252 are named as such);
* YAML syntax errors, several documents in one file, custom tags (``!!python/...``);
* nesting deeper than :data:`MAX_DEPTH` (checked *before* libyaml composes the
  document, because libyaml's composer recurses in C and crashes the process on
  absurd depth), recursive aliases, and aliases that expand to more than
  :data:`MAX_ALIAS_EXPANSION` values (the "billion laughs");
* duplicate keys in one mapping (``null`` and ``~`` are the same key).

Scalars follow YAML 1.2's core schema, not YAML 1.1: ``NO``, ``on``, ``yes`` and
``12:30`` stay the text that was written; only ``true``/``false`` are booleans.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import select
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, overload

import yaml

from gtmplan.errors import InputError, Problem, printable
from gtmplan.read import yamlhints

if TYPE_CHECKING:
    from yaml import SafeLoader as _Base
else:
    try:  # libyaml's C parser; the pure-Python one is a slower fallback
        _Base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        _Base = yaml.SafeLoader

_T = "tag:yaml.org,2002:"
_PLAIN = "tag:gtmplan,2027:plain"  # an untagged plain scalar: resolved later by YAML 1.2 rules


class _Loader(_Base):
    """libyaml's parser with a trivial resolver. PyYAML's resolver runs YAML 1.1
    regular expressions in Python for every scalar (a fifth of compose time on a
    large plan, measured); gtmplan resolves scalars itself (resolve_plain), so the
    composer only needs to say: plain, quoted, merge key, list or mapping."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                return _T + "merge" if value == "<<" else _PLAIN
            return _T + "str"
        return _T + ("seq" if kind is yaml.SequenceNode else "map")

MAX_FILE_BYTES = 25 * 1024 * 1024
"""A plan file larger than this (25 MiB) is refused; real plans are kilobytes."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted; real plans use fewer than 10."""
MAX_ALIAS_EXPANSION = 100_000
"""How many values aliases (``*name``) may add by repetition before the file is refused."""
MAX_ALIAS_CHARS = 1_000_000
"""How many characters of text aliases may add by repetition (an anchor on a long
string referenced many times) before the file is refused."""
MAX_VALUES = 1_500_000
"""Most values (scalars, mappings, lists) in all the files of one plan together; a
50,000-program plan has 1.2 million. Counted before a file is composed, so memory
stays bounded (about 300-450 bytes per value)."""
MAX_FILES = 1_000
"""Most YAML files in a plan directory, in its ``scenarios/`` and in its ``actuals/`` (on
the disk or at a git revision); real plans have a handful. Counted before any is read."""


def too_many_files(where: str, count: int) -> InputError:
    return InputError.single(where, f"{count:,} YAML files in this directory, more than {MAX_FILES:,}: "
                                    "a plan has a handful; refused")


MAX_NUMBER = 10**15
"""Largest magnitude of a number in a plan; larger ones are refused as out of range
(money in any currency stays far below, and sums and products of plan numbers stay finite)."""
MIN_NUMBER = 1e-9
"""Smallest magnitude of a number other than zero; smaller ones are refused as out of range
(dividing by them would overflow)."""
READ_TIMEOUT = 30.0
"""Seconds a pipe or device may stay silent before reading it is given up."""

_COMPOSE_SAFE_DEPTH = 1000  # libyaml's recursive composer is fine far beyond this

_STR, _INT, _FLOAT, _BOOL, _NULL, _TS, _MERGE = (_T + s for s in ("str", "int", "float", "bool", "null", "timestamp", "merge"))
_MAP, _SEQ = _T + "map", _T + "seq"
_IMPLICIT_TAGS = frozenset((_INT, _FLOAT, _BOOL, _NULL, _TS, _PLAIN))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_KEY_CANON = {**dict.fromkeys(_NULLS, "~"), "true": "true", "True": "true", "TRUE": "true",
              "false": "false", "False": "false", "FALSE": "false"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9][0-9_]*")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SPECIAL_FLOATS = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
                   "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
                   "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
                   ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
# Long runs of indentation and block indicators at the start of a line: the only
# way block nesting can get deep. A cheap trigger for the exact depth scan.
_DEEP_BLOCK_RE = re.compile(r"^[ \t?:-]{%d}" % (_COMPOSE_SAFE_DEPTH // 2 - 2), re.M)


def read_text(path: Path, display: str) -> str:
    """The file's text, or a located problem: missing, too big, empty, not UTF-8."""
    return decode(read_bytes(path, display), display)


def read_bytes(path: Path, display: str, limit: int | None = None, what: str = "plan files") -> bytes:
    """At most ``limit`` bytes of a file, or a located problem. The limit holds for what
    is actually read, whatever ``st_size`` says (devices, pipes, /proc files); a pipe or
    device that sends nothing for :data:`READ_TIMEOUT` seconds is refused, not waited on."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _fail(display, None, None, "no such file") from None
    except IsADirectoryError:
        raise _fail(display, None, None, "is a directory, not a YAML file") from None
    except PermissionError:
        raise _fail(display, None, None, "cannot be read: permission denied") from None
    except OSError as e:
        raise _fail(display, None, None, f"cannot be read: {_os_reason(e)}") from None
    except ValueError:  # a NUL byte in the name
        raise _fail(display, None, None, "cannot be read: the file name contains a NUL character") from None
    chunks: list[bytes] = []
    got = 0
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _fail(display, None, None, "is a directory, not a YAML file")
        regular = stat.S_ISREG(st.st_mode)
        if regular and st.st_size > limit:
            raise _fail(display, None, None, f"file is {st.st_size / 1048576:.1f} MiB; {what} larger than "
                                             f"{limit // 1048576} MiB are refused")
        if regular:
            os.set_blocking(fd, True)
        deadline = time.monotonic() + READ_TIMEOUT
        while got <= limit:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    raise _fail(display, None, None, f"nothing could be read for {READ_TIMEOUT:g} seconds "
                                                     "(a pipe or device with no writer?); refused") from None
                continue
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except IsADirectoryError:
        raise _fail(display, None, None, "is a directory, not a YAML file") from None
    except OSError as e:
        if e.errno == errno.EISDIR:
            raise _fail(display, None, None, "is a directory, not a YAML file") from None
        raise _fail(display, None, None, f"cannot be read: {_os_reason(e)}") from None
    finally:
        os.close(fd)
    if got > limit:
        raise _fail(display, None, None, f"more than {limit // 1048576} MiB; {what} larger than that are refused")
    if not got and not regular:
        raise _fail(display, None, None, "nothing to read: a pipe or device that sent no data (no writer?)")
    return b"".join(chunks)


@overload
def link_problem(target: str, inside: bool, is_file: Literal[False]) -> str: ...
@overload
def link_problem(target: str, inside: bool, is_file: bool) -> str | None: ...


def link_problem(target: str, inside: bool, is_file: bool) -> str | None:
    """The one rule for a symbolic link among a plan's files, on the disk and at a git
    revision: followed when it points at a file inside the plan's directory (the directory
    holding a single-file plan); any other is refused, with what it points at."""
    if not inside:
        return (f"a symbolic link to {printable(target)!r}, outside the plan's directory: refused (a plan's "
                "files, scenarios and actuals are in its directory)")
    if not is_file:
        return f"a symbolic link to {printable(target)!r}, which is not a file in the plan's directory: refused"
    return None


def check_link(path: Path, home: Path, display: str) -> None:
    """An InputError when ``path`` is a symbolic link that :func:`link_problem` refuses."""
    if not os.path.islink(path):
        return
    target = os.readlink(path)
    real, root = os.path.realpath(path), os.path.realpath(home)
    inside = real == root or real.startswith(root.rstrip(os.sep) + os.sep)
    problem = link_problem(target, inside, os.path.isfile(real))
    if problem:
        raise _fail(display, None, None, problem)


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ENAMETOOLONG:
        return "the file name is longer than the file system allows"
    return e.strerror or str(e)


def decode(data: bytes, display: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise _fail(display, None, None, f"larger than {MAX_FILE_BYTES // 1048576} MiB; refused")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        raise _fail(display, 1, 1, "file is UTF-16, not UTF-8: save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        hint = " (it looks like Windows-1252)" if 0x80 <= data[e.start] <= 0x9F or data[e.start] >= 0xA0 else ""
        raise _fail(display, line, col,
                    f"byte 0x{data[e.start]:02X} is not UTF-8{hint}: save the file as UTF-8") from None
    if not text.strip():
        raise _fail(display, 1, 1, "file is empty")
    return text


class Budget:
    """How many more values the files of one plan may hold (:data:`MAX_VALUES` in all)."""

    def __init__(self, values: int = MAX_VALUES) -> None:
        self.limit = values
        self.left = values


def compose(text: str, display: str, budget: Budget | None = None) -> yaml.Node:
    """One YAML document's node tree, with the depth checked before libyaml recurses
    and the number of values checked before libyaml builds them."""
    if _may_be_deep(text):
        _check_depth_by_events(text, display)
    budget = budget or Budget()
    if _values_upper_bound(text) > budget.left:
        _check_values_by_events(text, display, budget)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, display, text) from None
    except yaml.YAMLError as e:  # reader errors (control characters) carry a position too
        raise _reader_error(e, display, text) from None
    if node is None:
        raise _fail(display, 1, 1, "file has no YAML content (only comments?)")
    return node


def to_python(node: yaml.Node, display: str, budget: Budget | None = None) -> Any:
    """Plain Python data from a node tree; raises InputError with every problem found."""
    conv = _Converter(display, node.end_mark.index + MAX_ALIAS_CHARS)
    value = conv.run(node)
    if conv.problems:
        raise InputError(conv.problems)
    if budget is not None:
        budget.left -= conv.converted
    return value


class OutOfRange(str):
    """A plain scalar that reads as a number too large or too small for a plan (kept as
    its text: a text field takes it as written; a number field reports it out of range)."""

    __slots__ = ()


def out_of_range_message(text: str) -> str:
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text):,} characters)"
    return f"number {shown} is out of range: a plan's numbers are at most 10^15 and, other than 0, at least 10^-9"


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema, plus ISO dates."""
    if text in _NULLS:
        return None
    c = text[0]
    if c in "0123456789+-.":
        if _INT_RE.fullmatch(text):
            if len(text) > 24:  # beyond any plan number (and Python's int() digit limit)
                return OutOfRange(text)
            return _in_range(int(text), text)
        if _FLOAT_RE.fullmatch(text) and any(ch.isdigit() for ch in text):
            return _in_range(float(text), text)
        if _DATE_RE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return text  # an impossible date: the model reports it where a date is expected
        if text in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[text]
        if text.startswith(("0x", "0o")) and len(text) > 2:
            if len(text) > 24:
                return OutOfRange(text) if re.fullmatch(r"0x[0-9a-fA-F]+|0o[0-7]+", text) else text
            try:
                return _in_range(int(text[2:], 16 if text[1] == "x" else 8), text)
            except ValueError:
                return text
        return text
    b = _BOOLS.get(text)
    return text if b is None else b


def _in_range(value: int | float, text: str) -> Any:
    if value == 0 or MIN_NUMBER <= abs(value) <= MAX_NUMBER:
        return value
    return OutOfRange(text)


# -- internals ------------------------------------------------------------------

def _fail(file: str, line: int | None, col: int | None, message: str) -> InputError:
    return InputError([Problem(file, line, col, message)])


def _yaml_error(e: yaml.MarkedYAMLError, display: str, text: str) -> InputError:
    mark = e.problem_mark or e.context_mark
    problem = e.problem or "invalid YAML"
    at = _char_at(text, mark.line, mark.column) if mark else ""
    if "expected a single document" in f"{problem} {e.context}":
        message = "several YAML documents in one file (a second '---'): a plan file holds one document"
    elif at == "\t" or "\\t" in problem:
        message = "a tab character where YAML needs spaces: indent with spaces"
    elif "found undefined alias" in problem or "found unknown alias" in problem:
        message = f"YAML error: {problem}"
    else:
        context = f" ({e.context})" if e.context else ""
        message = yamlhints.syntax_message(problem, e.context, text, mark and mark.line, mark and mark.column,
                                           *_line_col(e.context_mark)) or f"YAML syntax error: {problem}{context}"
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    return _fail(display, line, col, message)


def _line_col(mark: Optional[yaml.Mark]) -> tuple[Optional[int], Optional[int]]:
    return (mark.line, mark.column) if mark is not None else (None, None)


def _char_at(text: str, line: int, column: int) -> str:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column: start + column + 1]


def _reader_error(e: yaml.YAMLError, display: str, text: str) -> InputError:
    pos = getattr(e, "position", None)
    char = getattr(e, "character", None)
    code = ord(char) if isinstance(char, str) else char
    what = "a NUL character" if code == 0 else (
        f"control character 0x{code:02X}" if isinstance(code, int) else "unreadable text")
    line = col = None
    if isinstance(pos, int) and 0 <= pos <= len(text):
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return _fail(display, line, col, f"{what} is not allowed: plan files are plain text")


def _may_be_deep(text: str) -> bool:
    """Cheap, conservative: False means nesting cannot reach the composer's danger zone."""
    opens = text.count("[") + text.count("{")
    if opens > _COMPOSE_SAFE_DEPTH // 2:
        depth = deepest = 0
        for ch in re.findall(r"[\[\]{}]", text):
            depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
            if depth > deepest:
                deepest = depth
                if deepest > _COMPOSE_SAFE_DEPTH // 2:
                    return True
    return _DEEP_BLOCK_RE.search(text) is not None


def _check_depth_by_events(text: str, display: str) -> None:
    """Exact nesting depth from libyaml's event stream, which does not recurse."""
    depth = 0
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    m = ev.start_mark
                    raise _fail(display, m.line + 1, m.column + 1,
                                f"nesting deeper than {MAX_DEPTH} levels: no plan needs this; refused")
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as e:
        # libyaml has depth limits of its own (PyYAML 6.0.4's fires at about 1,000 levels,
        # while scanning ahead, before our event count gets there); its wording is not
        # ours to show, so the nesting is measured here and said gtmplan's way.
        mark = e.problem_mark or e.context_mark
        _check_flow_depth(text, display, mark.index if mark is not None else len(text))
        raise _yaml_error(e, display, text) from None
    except yaml.YAMLError as e:
        raise _reader_error(e, display, text) from None


def _check_flow_depth(text: str, display: str, end: int) -> None:
    """Refuse flow nesting (``[`` / ``{``) deeper than :data:`MAX_DEPTH` in ``text[:end]``,
    measured without libyaml: brackets inside quotes and comments do not count, and
    outside a flow collection a bracket opens one only where a value may start."""
    depth = 0
    line = 1
    line_start = 0
    last = ""  # the last character that is not a space, on this line
    i = 0
    n = min(end + 1, len(text))
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            line_start = i + 1
            last = ""
        elif ch in "'\"" and (depth or last in ("", ":", "-", "?", ",", "[", "{")):
            i = _skip_quoted(text, i, ch)
            last = ch
            continue
        elif ch == "#" and (i == line_start or text[i - 1] in " \t"):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        elif ch in "[{" and (depth or last in ("", ":", "-", "?")):
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(display, line, i - line_start + 1,
                            f"nesting deeper than {MAX_DEPTH} levels: no plan needs this; refused")
        elif ch in "]}" and depth:
            depth -= 1
        if ch not in " \t\n":
            last = ch
        i += 1


def _skip_quoted(text: str, i: int, quote: str) -> int:
    """The index just past the quoted scalar that starts at ``i`` (or the text's end)."""
    j = i + 1
    while j < len(text):
        c = text[j]
        if quote == '"' and c == "\\":
            j += 2
            continue
        if c == quote:
            if quote == "'" and text[j + 1: j + 2] == "'":
                j += 2
                continue
            return j + 1
        j += 1
    return j


def _values_upper_bound(text: str) -> int:
    """Cheap and never below the true count: every value but the first follows one of
    these indicators or a line break (a small over-estimate on real plans)."""
    c = text.count
    return (1 + c(",") + c("[") + c("{") + c(":") + c("\n") + c("- ") + c("-\t") + c("? ") + c("?\t")
            + c("-\r") + c("?\r") + c("\r") + c("*"))


def _check_values_by_events(text: str, display: str, budget: Budget) -> None:
    """Exact count from libyaml's event stream (constant memory), stopping at the limit."""
    n = 0
    left = budget.left
    counted = (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, counted):
                n += 1
                if n > left:
                    m = ev.start_mark
                    raise _fail(display, m.line + 1, m.column + 1,
                                f"more than {budget.limit:,} values in the plan's files (a 50,000-program plan "
                                "has 1.2 million); refused")
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, display, text) from None
    except yaml.YAMLError as e:
        raise _reader_error(e, display, text) from None


class _Abort(Exception):
    pass


class _Converter:
    """Node tree -> Python data, collecting problems instead of stopping at the first."""

    def __init__(self, display: str, max_chars: int) -> None:
        self.display = display
        self.max_chars = max_chars
        self.chars = 0  # characters of text produced, counting each alias expansion in full
        self.problems: list[Problem] = []
        self.memo: dict[int, tuple[Any, int, int]] = {}
        self.active: set[int] = set()
        self.converted = 0  # nodes converted once
        self.total = 0  # values produced, counting each alias expansion in full

    def run(self, node: yaml.Node) -> Any:
        try:
            return self.convert(node, 1)
        except _Abort:
            return None

    def problem(self, node: yaml.Node, message: str) -> None:
        m = node.start_mark
        self.problems.append(Problem(self.display, m.line + 1, m.column + 1, message))

    def convert(self, node: yaml.Node, depth: int) -> Any:
        if node.__class__ is yaml.ScalarNode:  # most nodes: no alias bookkeeping needed
            self.converted += 1
            self.total += 1
            self.chars += len(node.value)
            if self.chars > self.max_chars:  # only aliases can produce more text than the file holds
                self._too_much_text(node)
            return self.scalar(node)
        key = id(node)
        if key in self.memo:  # an alias: the same mapping or list again
            value, size, chars = self.memo[key]
            self.total += size
            self.chars += chars
            if self.total - self.converted > MAX_ALIAS_EXPANSION:
                self.problem(node, f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values "
                                   "(an 'alias bomb'); refused")
                raise _Abort
            if self.chars > self.max_chars:
                self._too_much_text(node)
            return value
        if key in self.active:
            self.problem(node, "an alias refers to the mapping or list that contains it (a loop)")
            raise _Abort
        if depth > MAX_DEPTH:
            self.problem(node, f"nesting deeper than {MAX_DEPTH} levels: no plan needs this; refused")
            raise _Abort
        before, before_chars = self.total, self.chars
        self.converted += 1
        self.total += 1
        self.active.add(key)
        if node.__class__ is yaml.MappingNode:
            value = self.mapping(node, depth)
        else:
            if node.tag != _SEQ:
                self.problem(node, f"YAML tag {node.tag!r} is not allowed in a plan")
            convert = self.convert
            value = [convert(child, depth + 1) for child in node.value]
        self.active.discard(key)
        self.memo[key] = (value, self.total - before, self.chars - before_chars)
        return value

    def _too_much_text(self, node: yaml.Node) -> None:
        self.problem(node, f"aliases expand to more than {MAX_ALIAS_CHARS:,} characters of text beyond the file's "
                           "own (an 'alias bomb'); refused")
        raise _Abort

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if node.style in ("", None):
            if tag is _PLAIN or tag in _IMPLICIT_TAGS:
                return resolve_plain(text)
            if tag == _STR:  # an explicit !!str: text, whatever it looks like
                return text
        elif tag in (_STR, "!") or tag in _IMPLICIT_TAGS:
            return text
        self.problem(node, f"YAML tag {tag!r} is not allowed in a plan")
        return text

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        if node.tag != _MAP:
            self.problem(node, f"YAML tag {node.tag!r} is not allowed in a plan")
        out: dict[str, Any] = {}
        canon_seen: set[str] = set()
        merges: list[yaml.Node] = []
        convert = self.convert
        for knode, vnode in node.value:
            if knode.__class__ is not yaml.ScalarNode:
                self.problem(knode, "a key must be plain text, not a list or mapping")
                continue
            text = knode.value
            plain = knode.style in ("", None)
            if plain and knode.tag == _MERGE:
                merges.append(vnode)
                continue
            # null and ~ (and True/true) are the same key to YAML: compare them by a canonical form
            canon = _KEY_CANON.get(text) if plain else None
            if text in out or (canon is not None and canon in canon_seen):
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k is not knode and (
                    k.value == text or (canon is not None and _KEY_CANON.get(k.value) == canon)))
                self.problem(knode, f"duplicate key {text!r} (first at line {first.start_mark.line + 1}): "
                                    "each key may appear once in a mapping")
                continue
            if canon is not None:
                canon_seen.add(canon)
            out[text] = convert(vnode, depth + 1)
        for mnode in merges:  # YAML merge keys: explicit keys win
            sources = mnode.value if isinstance(mnode, yaml.SequenceNode) else [mnode]
            for src in sources:
                merged = self.convert(src, depth + 1)
                if not isinstance(merged, dict):
                    self.problem(src, "'<<' merges a mapping; this is not one")
                    continue
                for k, v in merged.items():
                    out.setdefault(k, v)
        return out
