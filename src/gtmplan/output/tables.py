"""Tables for people in a terminal: one layout rule for every command's table.

docs/reference/cli.md, 'Terminal output': every table fits the width by wrapping cells,
never by cutting names; numbers are never wrapped; below the narrowest table a command
can draw, it prints ``key: value`` lines. Each column has a kind:

- ``NUMBER``: a figure, or a figure with its unit ("45 days"): never wrapped, never cut;
- ``NAME``: an id or a name (``lead_to_mql``, a program's id): shown whole, on one line;
- ``TEXT``: words (a label, a reason, a summary): wraps between words, never inside one.

Headers wrap between words. The layout (:func:`fit`): the natural one when it fits;
else the text columns are narrowed, a character at a time where it adds the fewest
lines to the table, down to their longest word, then the headers of the other columns
down to theirs; when even that does not fit, None, and the table is printed as
``key: value`` lines (:func:`key_values`), one block per row.

The layout itself is plain Python (``compare`` and ``rules`` print plain text); the
functions that draw with rich (``funnel``, ``review``, ``calibrate``) import it inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Optional

if TYPE_CHECKING:  # rich is imported only by the functions that draw with it
    from rich.console import Console

# Deferred imports: rich is imported only when a table is drawn for a terminal (rich's table, box and text modules: about
# 30 ms by python -X importtime); check's plain output and every JSON output never pay it.

NUMBER, NAME, TEXT = "number", "name", "text"

Measure = Callable[[str], int]


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = NUMBER
    justify: Optional[Literal["left", "right"]] = None  # default: numbers right, names and text left

    @property
    def align(self) -> Literal["left", "right"]:
        return self.justify or ("right" if self.kind == NUMBER else "left")


def _longest_word(text: str, measure: Measure) -> int:
    return max((measure(w) for w in text.split()), default=0)


def natural_widths(cols: Sequence[Column], rows: Sequence[Sequence[str]], measure: Measure = len,
                   headers: bool = True) -> list[int]:
    """Each column as wide as its widest cell (and header): nothing wraps."""
    return [max([measure(c.header) if headers else 0, *(measure(r[i]) for r in rows)])
            for i, c in enumerate(cols)]


def narrowest_widths(cols: Sequence[Column], rows: Sequence[Sequence[str]], measure: Measure = len,
                     headers: bool = True) -> list[int]:
    """Numbers and names whole, text down to its longest word, headers down to theirs."""
    out = []
    for i, c in enumerate(cols):
        head = _longest_word(c.header, measure) if headers else 0
        cells = [(_longest_word(r[i], measure) if c.kind == TEXT else measure(r[i])) for r in rows]
        out.append(max([head, *cells]))
    return out


def fit(cols: Sequence[Column], rows: Sequence[Sequence[str]], width: Optional[int], overhead: int,
        measure: Measure = len, headers: bool = True) -> Optional[list[int]]:
    """The columns' widths in ``width`` characters, ``overhead`` of which go to borders and
    gaps: the natural widths when they fit (or ``width`` is None: no limit); else narrowed as
    the module says; None when even the narrowest table does not fit."""
    natural = natural_widths(cols, rows, measure, headers)
    room = None if width is None else width - overhead
    if room is None or sum(natural) <= room:
        return natural
    least = narrowest_widths(cols, rows, measure, headers)
    if sum(least) > room:
        return None
    widths = list(natural)
    excess = sum(widths) - room
    text = [i for i, c in enumerate(cols) if c.kind == TEXT]
    other = [i for i, c in enumerate(cols) if c.kind != TEXT]
    lines: dict[tuple[int, int], list[int]] = {}  # (column, width) -> lines of its header and each cell

    def column_lines(i: int, w: int) -> list[int]:
        if (i, w) not in lines:
            head = len(wrap(cols[i].header, w, measure)) if headers and measure(cols[i].header) > w else 1
            lines[i, w] = [head, *(len(cell_lines(r[i], cols[i], w, measure)) for r in rows)]
        return lines[i, w]

    def height(ws: list[int]) -> int:
        per_column = [column_lines(i, w) for i, w in enumerate(ws)]
        return sum(max(col[k] for col in per_column) for k in range(len(rows) + 1))

    for group in (text, other):  # text wraps first; the headers of figures and names only then
        while excess > 0:
            shrinkable = [i for i in group if widths[i] > least[i]]
            if not shrinkable:
                break

            def cost(i: int) -> tuple[int, int, int]:  # the fewest extra lines; then the widest, leftmost
                narrower = widths[:i] + [widths[i] - 1] + widths[i + 1:]
                return height(narrower), -widths[i], i

            i = min(shrinkable, key=cost)
            widths[i] -= 1
            excess -= 1
    return widths


def wrap(text: str, width: int, measure: Measure = len, fold: bool = False, first: Optional[int] = None) -> list[str]:
    """``text`` in lines of at most ``width`` (the first line: ``first``, when given), broken
    between words. A word longer than its line stays whole on a line of its own (a number),
    or is folded when ``fold`` (a long name in a narrow terminal: the one case a name breaks)."""
    lines: list[str] = []
    line = ""

    def room() -> int:
        return first if first is not None and not lines else width

    for word in text.split():
        if fold and measure(word) > width:
            if line:
                lines.append(line)
                line = ""
            while measure(word) > room():
                cut = _fold_at(word, room(), measure)
                lines.append(word[:cut])
                word = word[cut:]
        if not line:
            if lines or first is None or measure(word) <= room():
                line = word
            else:  # not even the first word fits after the key: the first line stays empty
                lines.append("")
                line = word
        elif measure(line) + 1 + measure(word) <= room():
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _fold_at(word: str, width: int, measure: Measure) -> int:
    cut = 1
    while cut < len(word) and measure(word[:cut + 1]) <= width:
        cut += 1
    return cut


def cell_lines(text: str, col: Column, width: int, measure: Measure = len) -> list[str]:
    """One cell in its column's width: numbers and names on one line, text wrapped."""
    if col.kind != TEXT or measure(text) <= width:
        return [text]
    return wrap(text, width, measure)


def _pad(text: str, width: int, align: str, measure: Measure) -> str:
    gap = " " * max(0, width - measure(text))
    return text + gap if align == "left" else gap + text


def plain_rows(cols: Sequence[Column], rows: Sequence[Sequence[str]], widths: Sequence[int],
               sep: str = "  ", indent: str = "", measure: Measure = len) -> list[str]:
    """Rows as plain text in the given widths (no borders): a wrapped cell takes more lines,
    the row's other cells stand on its first. Lines keep no trailing spaces."""
    out = []
    for row in rows:
        cells = [cell_lines(text, c, w, measure) for text, c, w in zip(row, cols, widths)]
        for k in range(max(len(lines) for lines in cells)):
            parts = [_pad(lines[k] if k < len(lines) else "", w, c.align, measure)
                     for lines, c, w in zip(cells, cols, widths)]
            out.append((indent + sep.join(parts)).rstrip())
    return out


def header_rows(cols: Sequence[Column], widths: Sequence[int], sep: str = "  ", indent: str = "",
                measure: Measure = len) -> list[str]:
    """The headers, wrapped between words in their widths, aligned like their columns and
    standing on the last line (as a figure's header sits above its figures)."""
    cells = [wrap(c.header, w, measure) if measure(c.header) > w else [c.header] for c, w in zip(cols, widths)]
    height = max(len(lines) for lines in cells)
    cells = [[""] * (height - len(lines)) + lines for lines in cells]
    return [(indent + sep.join(_pad(lines[k], w, c.align, measure) for lines, c, w in zip(cells, cols, widths)))
            .rstrip() for k in range(height)]


def key_values(cols: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
               measure: Measure = len) -> list[tuple[str, int, int, int]]:
    """Each row as ``key: value`` lines: the first column's on the row's first line, the
    others indented under it. A pair that does not fit on a line has its value on the lines
    below the key, indented further and wrapped between words (a number stays whole).
    Returns (line, row index, column index, where the value starts in the line; -1 for a
    line of the key alone)."""
    out: list[tuple[str, int, int, int]] = []
    for r, row in enumerate(rows):
        for i, (c, value) in enumerate(zip(cols, row)):
            indent = "" if i == 0 else "  "
            key = f"{c.header}: " if c.header else ""
            if measure(indent + key + value) <= width:
                out.append((indent + key + value, r, i, len(indent + key)))
                continue
            deeper = indent + ("  " if key else "")
            if c.kind == TEXT and key and measure(indent + key) < width:  # words: on after the key, then below
                lines = wrap(value, max(1, width - len(deeper)), measure, fold=True,
                             first=width - measure(indent + key))
                starts = [(indent + key, len(indent + key)), *((deeper, len(deeper)) for _ in lines[1:])]
                for (prefix, start), line in zip(starts, lines):
                    out.append(((prefix + line).rstrip(), r, i, start if line else -1))
                continue
            if key:
                for line in wrap(key.rstrip(), width - len(indent), measure, fold=True):
                    out.append((indent + line, r, i, -1))
            for line in wrap(value, max(1, width - len(deeper)), measure, fold=c.kind != NUMBER):
                out.append((deeper + line, r, i, len(deeper)))
    return out


def paragraph(text: str, width: Optional[int], indent: str = "") -> list[str]:
    """Prose (a note, a legend) wrapped between words in ``width``; whole when None."""
    if width is None or len(indent + text) <= width:
        return [indent + text]
    return [indent + line for line in wrap(text, max(1, width - len(indent)), fold=True)]


# -- drawn with rich: funnel, review, calibrate ------------------------------------------------

def rich_table(console: Console, cols: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
               title: Optional[str] = None, **table_options: Any) -> None:
    """Print one table on a rich console in ``width`` columns: as rich draws it when it fits
    whole (the 0.2 look); else with its text columns wrapped; else unframed (two spaces
    between columns), whole or wrapped; else as ``key: value`` lines.
    Cells are rich markup (user text escaped by the caller); the title is plain text."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    texts = [[Text.from_markup(cell) for cell in row] for row in rows]
    plain = [[t.plain for t in row] for row in texts]
    n = len(cols)
    # first framed (a rule around and between the cells, a space either side of each); then,
    # narrower, unframed: two spaces between columns and a rule under the headers
    layouts: tuple[tuple[int, dict], ...] = (
        (3 * n + 1, {}),
        (2 * (n - 1), {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False, "padding": (0, 1, 0, 0)}))
    chosen = next(((ws, frame) for overhead, frame in layouts
                   if (ws := fit(cols, plain, width, overhead, cell_len)) is not None), None)
    if chosen is None:
        print_key_values(console, cols, texts, width, title)
        return
    widths, frame = chosen
    natural = widths == natural_widths(cols, plain, cell_len)
    wrapped = any(len(cell_lines(cell, c, w, cell_len)) > 1 for row in plain for cell, c, w in zip(row, cols, widths))
    options = {**table_options, **frame, "show_lines": bool(frame) and wrapped}  # unframed: a blank line between rows
    t = Table(title=title, title_justify="left", **options) if title is not None else Table(**options)
    for c, w in zip(cols, widths):
        # when the table fits whole, rich lays it out as it always did; else each column gets its width
        t.add_column(c.header, justify=c.align, width=None if natural else w, overflow="fold")
    for row in rows:
        t.add_row(*row)
    console.print(t)


def print_key_values(console: Console, cols: Sequence[Column], rows: Sequence[Sequence], width: int,
                     title: Optional[str] = None) -> None:
    """A table too wide for any layout, as ``key: value`` lines (the cells' colours kept)."""
    from rich.cells import cell_len
    from rich.text import Text

    texts = [[cell if isinstance(cell, Text) else Text.from_markup(cell) for cell in row] for row in rows]
    if title:
        for line in paragraph(title, width):
            console.print(Text(line, style="italic"), overflow="ignore", crop=False)
    for line, r, i, start in key_values(cols, [[t.plain for t in row] for row in texts], width, cell_len):
        shown = Text(line)
        cell = texts[r][i]
        if start >= 0 and cell.spans:  # the value's colour (a shortfall in red)
            shown.stylize(cell.spans[0].style, start)
        console.print(shown, overflow="ignore", crop=False, no_wrap=True)


MAX_PARTS = 3


def rich_split_tables(console: Console, cols: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
                      title: str) -> None:
    """A table of figures (funnel's): one table, or, when its figures cannot all be shown
    whole in ``width`` columns, several: the first column (the quarter) repeated, the others
    split between them (at most 3 parts: more is harder to read than a list). Figures never
    wrap or get cut; headers wrap between words. Narrower than that, ``key: value`` lines."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    plain = [[Text.from_markup(cell).plain for cell in row] for row in rows]
    columns = [(c, [row[i] for row in plain]) for i, c in enumerate(cols)]

    def need(i: int) -> int:  # the narrowest a column can be, plus padding and rule
        c, cells = columns[i]
        return max([_longest_word(c.header, cell_len), *(cell_len(x) for x in cells)]) + 3

    rest = list(range(1, len(cols)))
    groups: list[list[int]] = [[]]
    used = 1 + need(0)
    for i in rest:
        if groups[-1] and used + need(i) > width:
            groups.append([])
            used = 1 + need(0)
        groups[-1].append(i)
        used += need(i)
    too_wide = any(1 + need(0) + sum(need(i) for i in group) > width for group in groups)  # one column alone
    if len(groups) > MAX_PARTS or too_wide:
        print_key_values(console, cols, rows, width, title)
        return
    for n, group in enumerate(groups):
        part = f" ({n + 1} of {len(groups)})" if len(groups) > 1 else ""
        shown = [0, *group]
        natural = 1 + sum(max(cell_len(columns[i][0].header), *(cell_len(x) for x in columns[i][1])) + 3
                          for i in shown)
        t = Table(title=title + part, title_justify="left")
        for i in shown:
            # all headers on one line when they fit; else each column as narrow as its figures
            # and the longest word of its header (headers wrap between words)
            c = cols[i]
            t.add_column(c.header, justify=c.align, width=None if natural <= width else need(i) - 3)
        for row in rows:
            t.add_row(*(row[i] for i in shown))
        console.print(t)
