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
from collections import deque
from pathlib import Path
from typing import Callable, Iterator, Optional

from ..errors import InputError

MAX_FIELD = 1_000_000  # characters in one cell


class _Lines:
    """The file's lines, counting them and keeping the last few for error locations."""

    def __init__(self, fh, display: str, on_progress: Optional[Callable[[int], None]] = None):
        self.fh = fh
        self.display = display
        self.line = 0
        self.chars = 0
        self.recent: deque[tuple[int, str]] = deque(maxlen=64)
        self.on_progress = on_progress

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            text = next(self.fh)
        except UnicodeDecodeError:
            line, col, byte = _first_bad_utf8(self.fh.name)
            raise InputError.single(self.display, f"not UTF-8 text (byte 0x{byte:02X}): "
                                                  "export or save the file as CSV UTF-8", line, col) from None
        self.line += 1
        if "\x00" in text:
            raise InputError.single(self.display, "contains a NUL byte: not a text CSV file (UTF-16?)",
                                    self.line, text.index("\x00") + 1)
        self.recent.append((self.line, text))
        if self.on_progress is not None:
            self.chars += len(text)
            if self.line % 65536 == 0:
                self.on_progress(self.chars)
        return text


def open_csv(path: str, display: Optional[str] = None) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """(header, rows as (spreadsheet row number, cells), file size); raises InputError."""
    display = display or path
    p = Path(path)
    try:
        size = os.stat(p).st_size
        fh = open(p, newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.single(display, "no such file") from None
    except IsADirectoryError:
        raise InputError.single(display, "is a directory, not a CSV file") from None
    except OSError as e:
        raise InputError.single(display, f"cannot be read: {e.strerror or e}") from None
    lines = _Lines(fh, display)
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(lines, strict=True)

    def fail(e: csv.Error, start_line: int) -> InputError:
        message = str(e)
        if "unexpected end of data" in message or "EOF" in message:
            line, col = _open_quote(lines, start_line)
            return InputError.single(display, "unterminated quoted field: a '\"' opens a value that never closes",
                                     line, col)
        if "NUL" in message:
            return InputError.single(display, "contains a NUL byte: not a text CSV file", lines.line, 1)
        if "field larger than field limit" in message:
            return InputError.single(display, f"a cell longer than {MAX_FIELD:,} characters", start_line, 1)
        if "expected after" in message:
            return InputError.single(display, "text after a closing quote: a quoted value must end at a comma "
                                              "(write \"\" for a quote inside a quoted value)", lines.line,
                                     _after_quote_col(lines))
        return InputError.single(display, f"not a valid CSV file: {message}", lines.line, 1)

    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise InputError.single(display, "file is empty: expected a header row", 1, 1) from None
    except csv.Error as e:
        fh.close()
        raise fail(e, 1) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            while True:
                start = lines.line + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:
                    raise fail(e, start) from None
                number += 1
                if row:  # a blank line is not a record
                    yield number, row
                else:
                    number -= 1
        finally:
            fh.close()

    return header, rows(), size


def _open_quote(lines: _Lines, start_line: int) -> tuple[int, int]:
    """Where the quote that never closes was opened, scanning from the record's first line."""
    text_lines = [(n, t) for n, t in lines.recent if n >= start_line] or [(start_line, "")]
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


def _after_quote_col(lines: _Lines) -> int:
    """The column of the closing quote that has text after it, on the last line read."""
    if not lines.recent:
        return 1
    text = lines.recent[-1][1]
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
