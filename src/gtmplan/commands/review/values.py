"""Cell values of CRM exports: dates and amounts, read per column.

Dates are returned as ISO strings (``2027-07-14``): the review only needs to know
which quarter a date falls in and how many days lie between two dates, and ISO
strings compare like dates, so the hot loop never builds date objects.

Accepted dates: ISO dates and date-times (``2027-07-14``, ``2027-07-14 09:31``,
``2027-07-14T09:31:00.000+0000``), ``2027/07/14``, numeric dates with ``/``,
``-`` or ``.`` (``7/14/2027``, ``14.07.2027``), and any ``--date-format``
(tried first, in order). A time of day after the date is checked to be a time
and otherwise ignored. Whether ``03/04/2027`` is March or April is decided per
column (:class:`DateColumn`): day-first when one of its values has a first
number above 12, month-first when one has a second number above 12; a column
that never shows it follows the file's other columns, else month-first (noted).

Accepted amounts: digits with thousands separators (``,`` ``.`` space,
apostrophe; Indian grouping ``1,54,850``), a decimal point or comma (decided
per column, as for dates, when a value like ``1.200`` could be either), a
currency symbol or code before or after, a minus or parentheses for negatives;
``N/A``, ``-`` or empty for no amount.

Every regular expression here is linear (no nested or adjacent unbounded
repeats), and a cell longer than ``MAX_VALUE`` characters is refused before any
pattern sees it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Optional

MAX_VALUE = 64  # characters: longer cells are not dates or amounts, whatever they hold
MAX_AMOUNT = 1e15  # larger is a typo or hostile: a quadrillion in one deal
_CACHE_LIMIT = 10_000  # distinct cells (or date parts, or times of day) remembered per column

_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_YMD_SLASH = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
# a month by name, day first or month first, as Zoho CRM shows dates: "15 Apr, 2021 00:03:00",
# "Apr 15, 2021 12:03 AM", "15 April 2021"; what follows the year is a time of day (checked)
_NAMED_DATE = re.compile(r"(?:(\d{1,2})[ -]([^\W\d_]{3,9})\.?,?[ -](\d{4})|([^\W\d_]{3,9})\.? (\d{1,2}),? (\d{4}))"
                         r"(?:(?:,? |T)(.+))?")
_MONTHS = {name: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), 1) for name in names}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?: ?([AaPp])\.?[Mm]\.?)?"
                   r"(?: ?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?")
_NO_AMOUNT = frozenset({"", "-", "–", "—", "n/a", "na", "none", "null", "#n/a"})
_SYMBOLS = {"$": "$", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL", "Rs": "INR",
            "Rs.": "INR", "CHF": "CHF", "Fr.": "CHF", "zł": "PLN", "A$": "AUD", "AU$": "AUD", "C$": "CAD",
            "CA$": "CAD", "NZ$": "NZD", "S$": "SGD", "SG$": "SGD", "HK$": "HKD", "MX$": "MXN", "NT$": "TWD",
            "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₱": "PHP", "฿": "THB", "₫": "VND", "₴": "UAH",
            "₦": "NGN", "Rp": "IDR", "Kč": "CZK", "Ft": "HUF", "RM": "MYR", "zł.": "PLN"}
_KRONA = frozenset({"SEK", "NOK", "DKK", "ISK"})  # "kr" is the plan's currency only in a krona/krone plan
_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})
_SIGNS = "$€£¥₹₩₽₺₪₱฿₫₴₦₡₲₵₸₭₮₼₾"  # currency signs (Unicode Sc); unknown ones are "another currency"
_CURRENCY_PART = re.compile(rf"([A-Z]{{1,3}}\$|[A-Z]{{3}}|Rs\.?|Fr\.|zł|kr\.?|[{_SIGNS}]|[^\W\d_]{{1,4}}\.?(?=[\s\d]))")
_CURRENCY_SUFFIX = re.compile(rf"\s?([A-Z]{{3}}|zł|kr\.?|[{_SIGNS}]|(?<=[\s\d])[^\W\d_]{{1,4}}\.?)$")
_NUMBER = re.compile(r"\d[\d.,' \u00a0\u202f]*")
_WESTERN = re.compile(r"\d{1,3}(?:,\d{3})+")
_INDIAN = re.compile(r"\d{1,2}(?:,\d{2})*,\d{3}")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_SPACE_GROUPS = re.compile(r"\d{1,3}(?:[ '\u00a0\u202f]\d{3})+")


class BadValue(ValueError):
    """A cell that cannot be read; the row is reported and left out of every count."""


# -- dates ---------------------------------------------------------------------------------

class DateOrder:
    """Shared by the date columns of one file: the order the first decided column showed."""

    def __init__(self) -> None:
        self.file_order: Optional[str] = None  # "mdy" or "dmy"
        self.defaulted: list[str] = []  # columns read month-first without evidence


def check_time(text: str, cell: str) -> None:
    m = _TIME.fullmatch(text)
    if not m:
        raise BadValue(f"{cell!r} is not a date")
    h, mi, s, ampm = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    if h > (12 if ampm else 24) or mi > 59 or (s is not None and int(s) > 60) or (h == 24 and mi):
        raise BadValue(f"{cell!r} has an impossible time of day")


class DateColumn:
    """Reads one column's dates; ``order`` is None until the column's values show it."""

    __slots__ = ("name", "formats", "order", "group", "cache", "times", "__weakref__")

    def __init__(self, name: str, formats: tuple[str, ...] = (), group: Optional[DateOrder] = None) -> None:
        self.name = name
        self.formats = formats
        self.order: Optional[str] = None
        self.group = group or DateOrder()
        self.cache: dict[str, str] = {}
        self.times: set[str] = set()

    def observe(self, cell: str) -> None:
        """Learn the column's order from a value (used while the first rows are held back)."""
        if self.order is not None or not cell or not cell[0].isdigit() or len(cell) > MAX_VALUE:
            return
        m = _NUMERIC_DATE.match(cell.strip())
        if m and m.group(2) != ".":
            a, b = int(m.group(1)), int(m.group(3))
            if a > 12 >= b:
                self._decide("dmy")
            elif b > 12 >= a:
                self._decide("mdy")

    def _decide(self, order: str) -> None:
        self.order = order
        if self.group.file_order is None:
            self.group.file_order = order

    def settle(self) -> None:
        """After the first rows: a column still undecided follows the file (decided lazily)."""

    def __call__(self, cell: str) -> Optional[str]:
        """Cell text -> ISO date string; None for an empty cell; BadValue otherwise."""
        hit = self.cache.get(cell)
        if hit is not None:
            return hit
        if not cell or cell.isspace():
            return None
        if len(cell) > 11 and cell[10] in "T " and cell[4] == "-" and not self.formats:
            # an ISO date-time: remember the date part and the time of day apart (memory stays
            # small however many distinct date-times the column holds)
            hit = self.cache.get(cell[:10])
            if hit is not None and cell[11:] in self.times:
                return hit
        if len(cell) > MAX_VALUE:
            raise BadValue(f"a {len(cell):,}-character cell is not a date")
        iso = self._parse(cell.strip(), cell)
        if len(self.cache) < _CACHE_LIMIT:
            self.cache[cell[:10] if len(cell) > 11 and cell[10] in "T " and not self.formats else cell] = iso
        return iso

    def _parse(self, text: str, cell: str) -> str:
        for fmt in self.formats:
            iso = _strptime(text, fmt)
            if iso is not None:
                return iso
        # ISO date, optionally with a time: the date part decides
        if len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
            rest = text[10:]
            if rest:
                if rest[0] not in "T ":
                    raise BadValue(f"{cell!r} is not a date")
                self._time(rest[1:].strip(), cell)
            try:
                return dt.date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                raise BadValue(f"{cell!r} is not a date") from None
        if not text[:1].isdigit() or text[1:2] in " -" or text[2:3] in " -":
            named = self._named(text, cell)
            if named is not None:
                return named
        day, _, time = text.partition(" ")
        if time:
            self._time(time.strip(), cell)
        m = _NUMERIC_DATE.fullmatch(day)
        if m:
            a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
            order: Optional[str]
            if sep == ".":
                order = "dmy"  # 14.07.2027: nobody writes month.day.year
            else:
                if self.order is None:
                    self.observe(day)
                order = self.order
                if order is None:
                    order = self.group.file_order
                    if order is None:
                        order = "mdy"
                        if self.name not in self.group.defaulted:
                            self.group.defaulted.append(self.name)
                    self.order = order
            mo, d = (a, b) if order == "mdy" else (b, a)
            try:
                return dt.date(y, mo, d).isoformat()
            except ValueError:
                shown = "month-first (M/D/YYYY)" if order == "mdy" else "day-first (D/M/YYYY)"
                hint = ""
                if order == "mdy" and a > 12 >= b or order == "dmy" and b > 12 >= a:
                    hint = f"; the column was read {shown} from its earlier values: pass --date-format"
                raise BadValue(f"{cell!r} is not a date{hint}") from None
        m = _YMD_SLASH.fullmatch(day)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4))).isoformat()
            except ValueError:
                raise BadValue(f"{cell!r} is not a date") from None
        raise BadValue(f"{cell!r} is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)")

    def _named(self, text: str, cell: str) -> Optional[str]:
        """A date with its month by name (Zoho CRM's display forms), or None when it is not one."""
        m = _NAMED_DATE.fullmatch(text)
        if not m:
            return None
        if m.group(1):
            d, name, y = m.group(1), m.group(2), m.group(3)
        else:
            name, d, y = m.group(4), m.group(5), m.group(6)
        month = _MONTHS.get(name.lower())
        if month is None:
            return None
        if m.group(7):
            self._time(m.group(7).strip(), cell)
        try:
            return dt.date(int(y), month, int(d)).isoformat()
        except ValueError:
            raise BadValue(f"{cell!r} is not a date") from None

    def _time(self, time: str, cell: str) -> None:
        if time in self.times:
            return
        check_time(time, cell)
        if len(self.times) < _CACHE_LIMIT:
            self.times.add(time)


_TIME_TOKEN = re.compile(r"(?:\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?|[AaPp]\.?[Mm]\.?|Z|UTC|GMT|[+-]\d{2}:?\d{2})")


def _strptime(text: str, fmt: str) -> Optional[str]:
    """A date by a user's format; a time of day after it is ignored."""
    try:
        return dt.datetime.strptime(text, fmt).date().isoformat()
    except ValueError:
        pass
    tokens = text.split()
    cut = False
    while len(tokens) > 1 and _TIME_TOKEN.fullmatch(tokens[-1]):
        tokens.pop()
        cut = True
    if not cut and "T" in text:  # 2027-07-14T09:31 with a format for the date only
        head, _, tail = text.partition("T")
        if head and _TIME.fullmatch(tail):
            tokens, cut = [head], True
    if cut:
        try:
            return dt.datetime.strptime(" ".join(tokens), fmt).date().isoformat()
        except ValueError:
            return None
    return None


def check_date_format(fmt: str) -> Optional[str]:
    """Why a --date-format cannot be used, or None."""
    if len(fmt) > 100:
        return "longer than 100 characters"
    try:
        dt.date(2027, 7, 14).strftime(fmt)
    except ValueError as e:
        return f"not a usable format ({e})"
    try:
        dt.datetime.strptime("\x00", fmt)
    except ValueError:
        pass
    except Exception as e:  # noqa: BLE001 - re.error for a repeated directive such as %d%d
        return f"not a usable format ({e})"
    if not (any(d in fmt for d in ("%d", "%j")) and any(m in fmt for m in ("%m", "%b", "%B"))
            and ("%Y" in fmt or "%y" in fmt)):
        return "needs a day, a month and a year (e.g. %d.%m.%Y)"
    return None


def days_between(start_iso: str, end_iso: str) -> int:
    return (dt.date.fromisoformat(end_iso) - dt.date.fromisoformat(start_iso)).days


# -- amounts -------------------------------------------------------------------------------

class AmountColumn:
    """Reads one column's amounts -> (value or None, currency code or None)."""

    __slots__ = ("name", "decimal", "ambiguous", "cache", "seen", "unclear", "inferred")

    def __init__(self, name: str) -> None:
        self.name = name
        self.decimal: Optional[str] = None  # "." or ","; None until a value shows it
        self.ambiguous = 0  # values like 1,200 read by the default (point) before the column showed it
        self.cache: dict[str, tuple[Optional[float], Optional[str]]] = {}
        self.seen: set[str] = set()  # marks of the ambiguous values seen ("." for 1.200, "," for 1,200)
        self.unclear = False  # the column's convention could not be told (noted; no suggestion on amounts)
        self.inferred = False  # thousands dots told from the column's values alone (noted)

    def observe(self, cell: str) -> None:
        if self.decimal is None and cell and len(cell) <= MAX_VALUE:
            num = _NUMBER.search(cell)
            if num:
                text = num.group().strip()
                self.decimal = _self_described(text)
                if self.decimal is None:
                    self.seen.update(m for m in ".," if m in text)

    def settle(self, delimiter: str = ",") -> None:
        """After the first rows: decide a column whose values were all like ``1.200`` or ``1,200``.

        Every dot followed by exactly three digits is a thousands dot (money is not written
        with three decimals); ``1,200`` is a thousands comma, except in a semicolon-delimited
        file (a decimal-comma locale), where it could be either: read as thousands, noted as
        unclear, and no suggestion is built on the amounts."""
        if self.decimal is not None or not self.seen:
            return
        if self.seen == {"."}:
            self.decimal = ","
            self.inferred = delimiter != ";"
        elif self.seen == {","}:
            self.decimal = "."
            self.unclear = delimiter == ";"
        else:
            self.decimal = "."
            self.unclear = True

    def __call__(self, cell: str) -> tuple[Optional[float], Optional[str]]:
        hit = self.cache.get(cell)
        if hit is not None:
            return hit
        value = self._parse(cell)
        if len(self.cache) < _CACHE_LIMIT:
            self.cache[cell] = value
        return value

    def _parse(self, cell: str) -> tuple[Optional[float], Optional[str]]:
        text = cell.strip()
        if text.lower() in _NO_AMOUNT:
            return None, None
        if len(text) > MAX_VALUE:
            raise BadValue(f"a {len(text):,}-character cell is not an amount")
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if text.startswith("-"):
            negative, text = not negative, text[1:].strip()
        currency = None
        m = _CURRENCY_PART.match(text)
        if m:
            currency, text = m.group(1), text[m.end():].strip()
        else:
            m = _CURRENCY_SUFFIX.search(text)
            if m:
                currency, text = m.group(1), text[:m.start()].strip()
        if text.startswith("-") and not negative:
            negative, text = True, text[1:].strip()
        if text.endswith("-") and not negative:  # SAP-style trailing minus
            negative, text = True, text[:-1].strip()
        if not text or not _NUMBER.fullmatch(text):
            raise BadValue(f"{cell!r} is not an amount")
        value = self._number(text, cell)
        if value > MAX_AMOUNT or not math.isfinite(value):
            raise BadValue(f"{cell.strip()[:40]!r} is too large to be an amount")
        code = _SYMBOLS.get(currency, currency) if currency else None
        return (-value if negative else value), code

    def _number(self, text: str, cell: str) -> float:
        if text.isdigit():
            return float(text)
        kind = _self_described(text)
        if kind is not None and self.decimal is None:
            self.decimal = kind
        dec = self.decimal or "."
        if "," in text and "." in text:
            dec = "," if text.rfind(",") > text.rfind(".") else "."
        elif kind is not None:
            dec = kind
        elif self.decimal is None:  # as settle() decides: 1.200 has a thousands dot, 1,200 a comma
            self.ambiguous += 1
            dec = "," if "." in text else "."
        if dec == ".":
            whole, _, frac = text.partition(".")
            if "." in frac:
                raise BadValue(f"{cell!r} is not an amount")
            grouped_ok = (whole.isdigit() or _WESTERN.fullmatch(whole) or _INDIAN.fullmatch(whole)
                          or _SPACE_GROUPS.fullmatch(whole))
        else:
            whole, _, frac = text.partition(",")
            if "," in frac:
                raise BadValue(f"{cell!r} is not an amount")
            grouped_ok = whole.isdigit() or _DOT_GROUPS.fullmatch(whole) or _SPACE_GROUPS.fullmatch(whole)
        if not grouped_ok or (frac and not frac.isdigit()):
            raise BadValue(f"{cell!r} is not an amount")
        digits = re.sub(r"[^\d]", "", whole)
        if len(digits) > 16:
            raise BadValue(f"{cell.strip()[:40]!r} is too large to be an amount")
        return float(f"{digits}.{frac[:12] or '0'}")


def _self_described(text: str) -> Optional[str]:
    """The decimal mark a number's own text shows, or None when it could be either."""
    if "," in text and "." in text:
        return "," if text.rfind(",") > text.rfind(".") else "."
    for mark in (",", "."):
        if mark in text:
            head, _, tail = text.rpartition(mark)
            if text.count(mark) > 1:
                return "." if mark == "," else ","  # 1,234,567 or 1.234.567: grouping
            if len(tail) != 3:
                return mark  # 12,5 or 12.50: a decimal mark
            if mark == "," and _INDIAN.fullmatch(text) and not _WESTERN.fullmatch(text):
                return "."
            return None  # 1,200 or 1.200
    return None


def currency_of(code: Optional[str], plan_currency: str) -> Optional[str]:
    """A detected symbol/code as an ISO code in the plan's terms: a bare ``$`` is the plan's dollar
    (else US dollars); a code or a prefixed dollar (``USD``, ``US$``, ``C$``) says which dollar it is."""
    if code == "$":
        return plan_currency if plan_currency in _DOLLARS else "USD"
    if code in ("kr", "kr."):
        return plan_currency if plan_currency in _KRONA else "kr"
    return code
