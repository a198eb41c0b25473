"""Reading a CRM export as a stream, whatever its encoding and delimiter, keeping locations.

- Bytes: a UTF-8 or UTF-16 byte-order mark decides; otherwise UTF-8 when the
  bytes are UTF-8 (the whole of a regular file is checked first, in binary; a
  pipe by its first 64 KiB), else Windows-1252 with a note. ``encoding`` forces one.
- Delimiter: ``,``, ``;`` or tab, whichever the header line holds most of
  outside quotes (Excel's ``sep=;`` first line is honoured).
- Limits enforced while reading, never after: a physical line longer than
  ``MAX_LINE`` characters and a cell longer than ``MAX_FIELD`` characters make
  the file unusable (exit 2) before more of it is read. Character devices are
  refused; a FIFO that no writer opens within ``FIFO_WAIT`` seconds is too.
- Each file is read exactly once (a pipe cannot be read twice).
- Rows are numbered as a spreadsheet shows them: the header is row 1 and every
  record after it, blank ones included, is one row however many lines it spans.
- NUL bytes are ordinary characters: they only matter in a cell a figure reads.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import select
import stat
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, count, islice
from typing import NoReturn, Optional

from gtmplan.errors import InputError

MAX_FIELD = 1_000_000  # characters in one cell
MAX_LINE = 4 * MAX_FIELD  # characters in one physical line
CHUNK = 1 << 18  # bytes read at a time
FIFO_WAIT = 5.0  # seconds to wait for a writer on a FIFO
SNIFF_BYTES = 1 << 16
# encodings in which a b'"' byte is a quote wherever it falls (a file without one is quote-free)
SPLITTABLE = frozenset(("utf-8", "cp1252", "iso8859-1", "iso8859-15", "ascii"))
# encodings in which the text holds a '"' only where the bytes hold b'"' (_scan_file's quote check)
_QUOTE_BYTE_IS_QUOTE = ("utf-16", "utf-32")
# a CSV line ends only at \n, \r or \r\n (splitlines() also breaks at \x0b, \x85, \u2028...)
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass
class CsvFile:
    """An opened export: its header, its rows as (spreadsheet row, cells), and how it was read."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # raises csv.Error on a broken record: see failed()
    size: int  # bytes, 0 when unknown (a pipe)
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)
    failed: Callable[[Exception], InputError] = field(default=lambda e: InputError.single(None, str(e)))  # -> located
    sep_line: int = 0  # 1 when an Excel "sep=;" line comes before the header
    lines_read: Callable[[], int] = int  # physical lines read so far
    digest: Optional[hashlib._Hash] = None  # SHA-256 of the bytes read, for a pipe (a file can be read again)
    quote_free: bool = False  # a regular file without a quote: rows split without the csv module
    identity: Optional[tuple[int, int, int, int]] = None  # a regular file's (device, inode, size, mtime) when opened


def _fail(display: str, message: str, line: Optional[int] = None, col: Optional[int] = None) -> InputError:
    return InputError.single(display, message, line, col)


def _open_fd(path: str, display: str) -> tuple[int, os.stat_result]:
    """An fd for reading, without blocking on a FIFO that has no writer (yet)."""
    if path == "-":
        try:
            fd = os.dup(0)
        except OSError:
            raise _fail(display, "standard input is closed") from None
    else:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise _fail(display, "no such file") from None
        except IsADirectoryError:
            raise _fail(display, "is a directory, not a CSV file") from None
        except PermissionError:
            raise _fail(display, "cannot be read: permission denied") from None
        except (OSError, ValueError) as e:
            raise _fail(display, f"cannot be read: {getattr(e, 'strerror', None) or e}") from None
    st = os.fstat(fd)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise _fail(display, "is a directory, not a CSV file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        os.close(fd)
        raise _fail(display, "is a device, not a CSV file (export the CRM data to a file, or pipe it in)")
    if stat.S_ISFIFO(mode) and path != "-":
        ready, _, _ = select.select([fd], [], [], FIFO_WAIT)
        if not ready:
            os.close(fd)
            raise _fail(display, f"is a FIFO and nothing wrote to it within {FIFO_WAIT:g} seconds")
    if path != "-":
        import fcntl  # POSIX only: the FIFO's blocking mode restored

        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return fd, st


def identity(st: os.stat_result) -> tuple[int, int, int, int]:
    """What says a regular file is still the one that was read: device, inode, size, mtime."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def changed(display: str, before: int, now: int) -> InputError:
    return _fail(display, f"changed while it was read ({before:,} bytes when opened, {now:,} now): run the review "
                          "again on a file nobody writes to")


def _read_bytes(fd: int, display: str, digest: Optional[hashlib._Hash] = None,
                size: Optional[int] = None) -> Generator[bytes, None, None]:
    """The fd's bytes. ``digest``: a hashlib object that sees every byte read. ``size``: a regular
    file's size when opened; reaching its end at another offset (cut short, or grown, while it
    was read) is refused. The fd is closed at the end."""
    pos = 0
    try:
        while True:
            try:
                b = os.read(fd, CHUNK)
            except BlockingIOError:  # a FIFO whose writer has not written yet
                select.select([fd], [], [])
                continue
            except OSError as e:
                raise _fail(display, f"cannot be read: {e.strerror or e}") from None
            if not b:
                if size is not None and pos != size:
                    raise changed(display, size, pos)
                return
            pos += len(b)
            if digest is not None:
                digest.update(b)
            yield b
    finally:
        os.close(fd)


def _scan_file(fd: int, display: str) -> tuple[bool, bool]:
    """(whether its bytes are all UTF-8, whether it holds no quote byte) of a regular file (the
    one open at ``fd``, read with pread: the very file the rows come from), in one pass in
    binary, memory flat. Without a quote every line is a record and every cell the text
    between delimiters (_split_rows)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    utf8, quote_free = True, True
    pos = 0
    try:
        while b := os.pread(fd, CHUNK, pos):
            pos += len(b)
            if quote_free and b'"' in b:
                quote_free = False
            if utf8 and not b.isascii():
                try:
                    dec.decode(b)
                except UnicodeDecodeError:
                    utf8 = False
            if not (utf8 or quote_free):
                break
    except OSError as e:
        raise _fail(display, f"cannot be read: {e.strerror or e}") from None
    if utf8:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8, quote_free


def _choose_encoding(head: bytes, utf8: Optional[bool], forced: Optional[str], display: str,
                     notes: list[str]) -> tuple[str, int]:
    """(codec name, bytes of BOM to skip). ``utf8``: whether a regular file is all UTF-8 (None
    for a pipe, judged by its head)."""
    if forced:
        try:
            info = codecs.lookup(forced)
        except LookupError:
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):  # rot13, hex, base64...
            raise _fail("--encoding", f"{forced!r} is not a text encoding Python knows (e.g. utf-8, cp1252, "
                                      "latin-1, utf-16)") from None
        name = info.name
        skip = 3 if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else 0
        return name, skip
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0  # the codec reads the BOM itself
    guess = _utf16_without_bom(head)
    if guess:
        raise _fail(display, f"looks like UTF-16 without a byte-order mark (a NUL byte beside every letter): "
                             f"use --encoding {guess}", 1, 1)
    ok = utf8 if utf8 is not None else _utf8_prefix_ok(head)
    if ok:
        return "utf-8", 0
    notes.append(f"{os.path.basename(display)} is not UTF-8: read as Windows-1252 "
                 "(give --encoding NAME if it is another encoding)")
    return "cp1252", 0


def _utf16_without_bom(head: bytes) -> Optional[str]:
    """"utf-16-le" or "utf-16-be" when the header's first characters are ASCII written as UTF-16:
    a NUL at every odd (LE) or even (BE) byte and none at the others. A UTF-8 or Windows-1252
    header never has a NUL; one in a later rich-text cell does not count."""
    first = head[:64]
    if len(first) < 8:
        return None
    first = first[:len(first) // 2 * 2]
    even, odd = first[0::2], first[1::2]
    if not odd.strip(b"\x00") and b"\x00" not in even:
        return "utf-16-le"
    if not even.strip(b"\x00") and b"\x00" not in odd:
        return "utf-16-be"
    return None


def _utf8_prefix_ok(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # not final: a cut sequence is fine
        return True
    except UnicodeDecodeError:
        return False


def _texts(first: bytes, rest: Iterator[bytes], encoding: str, display: str, line: int = 1) -> Iterator[str]:
    """Decoded text, block by block; ``line``: the line the first block begins on (newline bytes counted)."""
    errors = "replace" if encoding == "cp1252" else "strict"
    dec = codecs.getincrementaldecoder(encoding)(errors)
    for b in chain((first,), rest):
        try:
            text = dec.decode(b)
        except UnicodeDecodeError as e:
            data = _held(dec) + b  # e.start counts the bytes the decoder held from the last block too
            where = line + data.count(b"\n", 0, e.start)
            raise _fail(display, f"not {encoding} text (byte 0x{data[e.start]:02X}): give --encoding, e.g. "
                                 "--encoding cp1252", where, 1) from None
        except UnicodeError as e:  # e.g. utf-16 without a byte-order mark
            raise _fail(display, f"not {encoding} text ({e}): give another --encoding, e.g. --encoding "
                                 "utf-16-le", line, 1) from None
        line += b.count(b"\n")
        if text:
            yield text
    tail = dec.decode(b"", final=True) if errors == "replace" else _final(dec, display, encoding)
    if tail:
        yield tail


def _held(dec: codecs.IncrementalDecoder) -> bytes:
    """The bytes an incremental decoder holds back (a character cut by a block's end)."""
    try:
        state = dec.getstate()
    except Exception:  # noqa: BLE001 - a codec without state: nothing held
        return b""
    return state[0] if isinstance(state, tuple) and isinstance(state[0], bytes) else b""


def _final(dec: codecs.IncrementalDecoder, display: str, encoding: str) -> str:
    try:
        return dec.decode(b"", final=True)
    except UnicodeError:
        raise _fail(display, f"ends in the middle of a {encoding} character") from None


def _odd_breaks(text: str) -> bool:
    """Whether the text holds a character splitlines() breaks at but a CSV does not
    (a few substring searches run at memchr speed; a character-class regex would not)."""
    if any(ch in text for ch in "\x0b\x0c\x1c\x1d\x1e"):
        return True
    return not text.isascii() and any(ch in text for ch in "\x85\u2028\u2029")


def _line_lists(texts: Iterator[str], display: str, first_line: list[int]) -> Iterator[list[str]]:
    """Chunks of decoded text -> lists of physical lines (with their endings), each line
    at most MAX_LINE characters: a longer one is refused as soon as it is seen."""
    carry = ""
    for text in texts:
        text = carry + text if carry else text
        lines = text.splitlines(True) if not _odd_breaks(text) else _LINE_RE.findall(text)
        # only a line begun in an earlier block can be that long: the first one (a block's own
        # text is far shorter than MAX_LINE)
        if carry and lines and len(lines[0]) > MAX_LINE:
            _too_long(display, first_line[0])
        carry = lines.pop() if lines else ""
        if len(carry) > MAX_LINE:
            _too_long(display, first_line[0] + len(lines))
        first_line[0] += len(lines)
        if lines:
            yield lines
    if carry:
        yield [carry]


def _too_long(display: str, line: int) -> NoReturn:
    raise _fail(display, f"a line longer than {MAX_LINE:,} characters (a cell holds at most {MAX_FIELD:,}): "
                         "not a CSV export", line, 1)


def _sniff_delimiter(line: str) -> str:
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line[:100_000]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def open_csv(path: str, display: Optional[str] = None, encoding: Optional[str] = None,
             split_quote_free: bool = True) -> CsvFile:
    """The export at ``path`` (``-`` for standard input), opened for one streaming pass.
    ``split_quote_free``: a file without a quote is split with str.split (False: read by the csv
    module all the same; the result is the same, which the tests check by comparing the two)."""
    display = display or path
    fd, st = _open_fd(path, display)
    regular = stat.S_ISREG(st.st_mode) and path != "-"  # a regular file can be read again
    digest = None if regular else hashlib.sha256()  # what a pipe held cannot be read again for --record
    scan_fd = os.dup(fd) if regular else -1  # _scan_file reads this very file (the rows' fd may be closed by then)
    chunks = _read_bytes(fd, display, digest, size=st.st_size if regular else None)
    try:
        head = b""
        try:
            for b in chunks:  # enough bytes to choose the encoding and see the header
                head += b
                if len(head) >= SNIFF_BYTES:
                    break
        except OSError as e:
            raise _fail(display, f"cannot be read: {e.strerror or e}") from None
        notes: list[str] = []
        try:
            utf8, quote_free = _scan_file(scan_fd, display) if regular else (None, False)
        finally:
            if scan_fd >= 0:
                os.close(scan_fd)
                scan_fd = -1
        enc, skip = _choose_encoding(head, utf8, encoding, display, notes)
        # in EBCDIC ('"' is byte 0x7F) and the like, no byte 0x22 says nothing about quotes
        quote_free = split_quote_free and quote_free and (enc in SPLITTABLE or enc.startswith(_QUOTE_BYTE_IS_QUOTE))
        return _open_rest(path, display, head[skip:], chunks, enc, regular, st, notes, digest, quote_free)
    except BaseException:
        if scan_fd >= 0:
            os.close(scan_fd)
        raise


def _open_rest(path: str, display: str, head: bytes, chunks: Iterator[bytes], enc: str, regular: bool,
               st: os.stat_result, notes: list[str], digest: Optional[hashlib._Hash], quote_free: bool) -> CsvFile:
    """open_csv, once the encoding is known: the delimiter, the header, the rows."""
    line_no = [1]
    lines = chain.from_iterable(_line_lists(_texts(head, chunks, enc, display, 1), display, line_no))
    # peek at the first line for sep= and the delimiter, then put it back
    first = next(lines, None)
    if first is None:
        raise _fail(display, "file is empty: expected a header row", 1, 1)
    sep_line = 0
    stripped = first.strip().lstrip("\ufeff")
    if stripped.lower().startswith("sep=") and len(stripped) == 5:
        delimiter = stripped[4]
        sep_line = 1
    else:
        delimiter = _sniff_delimiter(first)
        lines = chain((first,), lines)
    header, rows, failed, lines_read = _records(path, display, lines, enc, delimiter, sep_line, regular, quote_free)
    return CsvFile(header, rows, st.st_size if regular else 0, enc, delimiter, notes, failed, sep_line, lines_read,
                   digest, quote_free, identity(st) if regular else None)


def _records(path: str, display: str, lines: Iterator[str], enc: str, delimiter: str, sep_line: int,
             regular: bool, quote_free: bool = False
             ) -> tuple[list[str], Iterator[tuple[int, list[str]]], Callable[[Exception], InputError], Callable[[], int]]:
    """(header, rows numbered from 2, failed, lines_read) of a csv reader over ``lines`` (after the
    header, of _split_rows for a quote-free file)."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    split = [0]  # lines read by _split_rows
    shift = sep_line  # physical lines reader.line_num does not count

    def fail(e: Exception, start_line: int, row: int = 0) -> InputError:
        message = str(e)
        start = start_line + (sep_line if start_line == 1 else 0)
        end_line = max(reader.line_num + shift, start)
        if "unexpected end of data" in message or "EOF" in message:
            line, col = _open_quote(_lines(path, enc, start, end_line + 1), start, delimiter) if regular \
                else (start, 1)
            return _fail(display, "unterminated quoted field: a '\"' opens a value that never closes", line, col)
        if "field larger than field limit" in message:
            where = f" (row {row}, which a pipe cannot be read again to locate)" if row and not regular else ""
            return _fail(display, f"a cell longer than {MAX_FIELD:,} characters{where}", start, 1)
        if "expected after" in message:
            found = _lines(path, enc, end_line, end_line) if regular else []
            return _fail(display, "text after a closing quote: a quoted value must end at the delimiter "
                                  "(write \"\" for a quote inside a quoted value)", end_line,
                         _after_quote_col(found[-1][1] if found else "", delimiter))
        return _fail(display, f"not a valid CSV file: {message}", end_line, 1)

    try:
        header = next(reader)
    except StopIteration:
        raise _fail(display, "file is empty: expected a header row", 1, 1) from None
    except (csv.Error, InputError) as e:
        raise (e if isinstance(e, InputError) else fail(e, 1)) from None
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]

    counter = count(2)

    def failed(e: Exception) -> InputError:
        """The error to report for a csv.Error raised while the rows were read."""
        if isinstance(e, InputError):
            return e
        row = next(counter) - 1  # zip() took the failing row's number before the reader failed
        start = _record_start(path, enc, delimiter, row, sep_line) if regular else reader.line_num + shift
        return fail(e, start, row)

    records = _split_rows(lines, delimiter, split, display) if quote_free else reader
    return header, zip(counter, records), failed, lambda: reader.line_num + split[0] + shift


SPLIT_BATCH = 1024  # lines


def _split_rows(lines: Iterator[str], delimiter: str, read: list[int], display: str) -> Iterator[list[str]]:
    """The rows of a file without a quote character, as csv.reader gives them (a blank line is
    [], a cell longer than MAX_FIELD a csv.Error) at a fraction of the cost: str.split on
    batches of lines, the rows chained in C."""
    batches = iter(lambda: list(islice(lines, SPLIT_BATCH)), [])
    return chain.from_iterable(map(lambda batch: _split_batch(batch, delimiter, read, display), batches))


def _split_batch(batch: list[str], delimiter: str, read: list[int], display: str) -> Iterable[list[str]]:
    read[0] += len(batch)
    if '"' in "".join(batch):  # the file changed since it was found quote-free
        raise _fail(display, "changed while it was read: run the review again on a file nobody writes to")
    if max(map(len, batch)) <= MAX_FIELD:
        return [text.split(delimiter) if (text := line.rstrip("\r\n")) else [] for line in batch]
    return _checked_rows(batch, delimiter)


def _checked_rows(batch: list[str], delimiter: str) -> Iterator[list[str]]:
    """A batch with a line longer than a cell may be: its rows up to a cell that is, then csv's error."""
    for line in batch:
        text = line.rstrip("\r\n")
        row = text.split(delimiter) if text else []
        if len(text) > MAX_FIELD and max(map(len, row)) > MAX_FIELD:
            raise csv.Error(f"field larger than field limit ({MAX_FIELD})")
        yield row


def _record_start(path: str, encoding: str, delimiter: str, row: int, sep_line: int) -> int:
    """The physical line on which spreadsheet row ``row`` starts, by reading the file again."""
    fd, _ = _open_fd(path, path)
    chunks = _read_bytes(fd, path)
    first = next(chunks, b"")
    skip = 3 if encoding == "utf-8" and first.startswith(codecs.BOM_UTF8) else 0
    lines = chain.from_iterable(_line_lists(_texts(first[skip:], chunks, encoding, path), path, [1]))
    if sep_line:
        next(lines, None)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for _ in range(row - 1):
            next(reader)
    except (StopIteration, csv.Error, InputError):
        pass
    finally:
        chunks.close()
    return reader.line_num + 1 + sep_line


# -- locating a broken quote after the fact (regular files only: they can be read again) ----

def _lines(path: str, encoding: str, first: int, last: int) -> list[tuple[int, str]]:
    """Physical lines first..last (1-based), at most MAX_LINE characters each."""
    out = []
    try:
        with open(path, newline="", encoding=encoding, errors="replace") as fh:
            n = 0
            while n < last:
                text = fh.readline(MAX_LINE)
                if not text:
                    break
                n += 1
                if n >= first:
                    out.append((n, text.lstrip("\ufeff") if n == 1 else text))
    except OSError:
        pass
    return out


def _open_quote(text_lines: list[tuple[int, str]], start_line: int, delimiter: str) -> tuple[int, int]:
    """Where the quote that never closes was opened, scanning from the record's first line."""
    text_lines = text_lines or [(start_line, "")]
    in_quotes = False
    opened = (text_lines[0][0], 1)
    for n, text in text_lines:
        i = 0
        while i < len(text):
            ch = text[i]
            if in_quotes:
                if ch == '"':
                    if i + 1 < len(text) and text[i + 1] == '"':
                        i += 1
                    else:
                        in_quotes = False
            elif ch == '"' and (i == 0 or text[i - 1] == delimiter):
                in_quotes = True
                opened = (n, i + 1)
            i += 1
    return opened


def _after_quote_col(text: str, delimiter: str) -> int:
    """The column of the closing quote that has text after it."""
    in_quotes = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_quotes and ch == '"':
            if i + 1 < len(text) and text[i + 1] == '"':
                i += 2
                continue
            in_quotes = False
            if i + 1 < len(text) and text[i + 1] not in delimiter + "\r\n":
                return i + 1
        elif not in_quotes and ch == '"':
            in_quotes = True
        i += 1
    return 1
