"""The review calendar as iCalendar (RFC 5545): one all-day event per joint review.

UIDs are derived from the company and the review date, so re-rendering the plan
updates the same events in people's calendars instead of duplicating them.
DTSTAMP is the current time, or ``SOURCE_DATE_EPOCH`` when set (reproducible output).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from typing import Optional

from .. import __version__
from ..fmt import printable
from ..plan import LoadedPlan
from ..quarters import Quarter
from ..rules import Finding
from .view import closing_and_next


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch.strip()), tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            from ..errors import InputError

            shown = epoch.strip() if len(epoch.strip()) <= 30 else epoch.strip()[:20] + "..."
            raise InputError.single(None, f"SOURCE_DATE_EPOCH={shown} is out of range: give seconds since "
                                          "1970-01-01 up to 253402300799 (9999-12-31)") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _text(value: str, lines: bool = False) -> str:
    """Plan text as an iCalendar TEXT value: RFC 5545 allows no control characters
    (line breaks only where a value has several lines), so a line break becomes a
    space and any other control character is shown escaped (\\x1b)."""
    if not lines:
        value = re.sub(r"\r\n|[\r\n]", " ", value)
    else:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(lambda m: printable(m.group()), value)


def review_uid(company: str, day: dt.date, index: int) -> str:
    digest = hashlib.sha256(f"{company}\n{day.isoformat()}\n{index}".encode()).hexdigest()[:16]
    return f"review-{day.isoformat()}-{digest}@gtmplan"


def render_ics(loaded: LoadedPlan, findings: list[Finding], quarter: Optional[Quarter] = None) -> bytes:
    from icalendar import Calendar, Event, vText

    plan = loaded.plan
    fy = plan.calendar
    cal = Calendar()
    cal.add("prodid", f"-//gtmplan//gtmplan {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", vText(_text(f"{plan.company}: joint go-to-market reviews")))
    stamp = _stamp()
    reviews = sorted(plan.reviews or [], key=lambda r: r.date)
    if quarter is not None:  # the quarterly edition: the review that closes it, and the next one
        reviews = [reviews[i] for i in closing_and_next(reviews, quarter, fy) if i is not None]
    seen: dict[dt.date, int] = {}
    for r in reviews:
        index = seen.get(r.date, 0)
        seen[r.date] = index + 1
        q = Quarter.of(r.date, fy)
        open_issues = [f for f in findings if f.quarter == q and f.severity == "error"]
        lines = [f"Joint sales and marketing review, fiscal {q}: the {plan.company} go-to-market plan.",
                 f"Attendees: {', '.join(r.attendees)}."]
        if r.agenda:
            lines.append("Agenda:")
            lines.extend(f"- {item}" for item in r.agenda)
        if open_issues:
            lines.append(f"Open alignment issues for {q} (gtmplan check):")
            lines.extend(f"- {f.code}: {f.message}" for f in open_issues)
        ev = Event()
        ev.add("uid", review_uid(plan.company, r.date, index))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", r.date)
        if r.date < dt.date.max:  # without DTEND an all-day event lasts its one day (RFC 5545 3.6.1)
            ev.add("dtend", r.date + dt.timedelta(days=1))
        ev.add("summary", _text(f"{plan.company}: joint sales & marketing review ({q})"))
        ev.add("description", _text("\n".join(_text(line) for line in lines), lines=True))
        ev.add("categories", ["gtmplan", "review"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
