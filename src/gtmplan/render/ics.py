"""The review calendar as iCalendar (RFC 5545): one all-day event per joint review.

UIDs are derived from the company and the review date, so re-rendering the plan
updates the same events in people's calendars instead of duplicating them.
DTSTAMP is the current time, or ``SOURCE_DATE_EPOCH`` when set (reproducible output).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Optional

from .. import __version__
from ..plan import LoadedPlan
from ..quarters import Quarter
from ..rules import Finding
from .view import closing_and_next


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def review_uid(company: str, day: dt.date, index: int) -> str:
    digest = hashlib.sha256(f"{company}\n{day.isoformat()}\n{index}".encode()).hexdigest()[:16]
    return f"review-{day.isoformat()}-{digest}@gtmplan"


def render_ics(loaded: LoadedPlan, findings: list[Finding], quarter: Optional[Quarter] = None) -> bytes:
    from icalendar import Calendar, Event

    plan = loaded.plan
    fy = plan.calendar
    cal = Calendar()
    cal.add("prodid", f"-//gtmplan//gtmplan {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{plan.company}: joint go-to-market reviews")
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
        ev.add("dtend", r.date + dt.timedelta(days=1))
        ev.add("summary", f"{plan.company}: joint sales & marketing review ({q})")
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["gtmplan", "review"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
