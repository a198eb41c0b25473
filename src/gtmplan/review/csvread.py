"""Reading a CRM export strictly and as a stream, keeping locations for errors.

Rows are yielded one at a time (memory does not grow with the file). Excel's
UTF-8 byte-order mark is accepted; quoted fields may hold commas and newlines.
What makes the whole file unusable (exit 2, ``FILE:LINE:COLUMN``): text that is
not UTF-8, an unterminated quote, stray text after a closing quote, a NUL byte,
an absurdly large field. Rows are numbered as a spreadsheet shows them: the
header is row 1, the first record row 2, however many lines a record spans.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterator, Optional

from ..errors import InputError

MAX_FIELD = 1_000_000  # characters in one cell


def _check_bytes(path: Path, display: str) -> None:
    """A NUL byte means a binary or UTF-16 file (Python's csv would read it as text)."""
    with open(path, "rb") as fh:
        offset = 0
        while chunk := fh.read(1 << 20):
            i = chunk.find(b"\x00")
            if i >= 0:
                line, col = _line_col(path, offset + i)
                raise InputError.single(display, "contains a NUL byte: not a text CSV file (UTF-16?)", line, col)
            offset += len(chunk)


def _line_col(path: Path, byte_offset: int) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(byte_offset)
    line = head.count(b"\n") + 1
    col = len(head) - (head.rfind(b"\n") + 1) + 1
    return line, col


def _lines(path: Path, first: int, last: int) -> list[tuple[int, str]]:
    """Lines first..last of the file (1-based), for locating an error after the fact."""
    out = []
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        for n, text in enumerate(fh, 1):
            if n > last:
                break
            if n >= first:
                out.append((n, text))
    return out


def open_csv(path: str, display: Optional[str] = None) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """(header, rows as (spreadsheet row number, cells), file size); raises InputError."""
    display = display or path
    p = Path(path)
    try:
        size = os.stat(p).st_size
        _check_bytes(p, display)
        fh = open(p, newline="", encoding="utf-8-sig")
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError.single(display, "no such file") from None
    except IsADirectoryError:
        raise InputError.single(display, "is a directory, not a CSV file") from None
    except OSError as e:
        raise InputError.single(display, f"cannot be read: {e.strerror or e}") from None
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(fh, strict=True)

    def fail(e: Exception, start_line: int) -> InputError:
        fh.close()
        if isinstance(e, UnicodeDecodeError):
            line, col, byte = _first_bad_utf8(str(p))
            return InputError.single(display, f"not UTF-8 text (byte 0x{byte:02X}): "
                                              "export or save the file as CSV UTF-8", line, col)
        message = str(e)
        end_line = max(reader.line_num, start_line)
        if "unexpected end of data" in message or "EOF" in message:
            line, col = _open_quote(_lines(p, start_line, end_line + 1), start_line)
            return InputError.single(display, "unterminated quoted field: a '\"' opens a value that never closes",
                                     line, col)
        if "field larger than field limit" in message:
            return InputError.single(display, f"a cell longer than {MAX_FIELD:,} characters", start_line, 1)
        if "expected after" in message:
            lines = _lines(p, end_line, end_line)
            return InputError.single(display, "text after a closing quote: a quoted value must end at a comma "
                                              "(write \"\" for a quote inside a quoted value)", end_line,
                                     _after_quote_col(lines[-1][1] if lines else ""))
        return InputError.single(display, f"not a valid CSV file: {message}", end_line, 1)

    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise InputError.single(display, "file is empty: expected a header row", 1, 1) from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise fail(e, 1) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        last_end = reader.line_num
        try:
            for row in reader:
                if row:  # a blank line is not a record
                    number += 1
                    yield number, row
                last_end = reader.line_num
        except (csv.Error, UnicodeDecodeError) as e:
            raise fail(e, last_end + 1) from None
        finally:
            fh.close()

    return header, rows(), size


def _open_quote(text_lines: list[tuple[int, str]], start_line: int) -> tuple[int, int]:
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
            elif ch == '"' and (i == 0 or text[i - 1] == ","):
                in_quotes = True
                opened = (n, i + 1)
            i += 1
    return opened


def _after_quote_col(text: str) -> int:
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
            if i + 1 < len(text) and text[i + 1] not in ",\r\n":
                return i + 1
        elif not in_quotes and ch == '"':
            in_quotes = True
        i += 1
    return 1


def _first_bad_utf8(path: str) -> tuple[int, int, int]:
    """(line, column, byte) of the first byte that is not UTF-8, read in binary."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line, col = 1, 1
    pending = None  # the first byte of a multi-byte sequence not finished yet
    with open(path, "rb") as fh:
        while chunk := fh.read(65536):
            for i in range(len(chunk)):
                try:
                    ch = decoder.decode(chunk[i:i + 1])
                except UnicodeDecodeError:
                    return pending if pending is not None else (line, col, chunk[i])
                if not ch:
                    if pending is None:
                        pending = (line, col, chunk[i])
                    continue
                pending = None
                if ch == "\n":
                    line, col = line + 1, 1
                else:
                    col += 1
    return pending or (line, col, 0)
