"""The review calendar as iCalendar (RFC 5545): one invitation per joint review.

A review's UID is derived from the plan (the company) and the quarter it reviews
(the fiscal quarter its date falls in; the 2nd review of a quarter has its own),
never from the date: moving a meeting updates it in every calendar that imported
the file instead of duplicating it. Each event has a start time and a length
(``invitations:`` in the plan, or a review's own ``time``; all-day only when the plan
says ``all-day``), the attendees by function and the agenda in the description.
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

AGENDA = {
    "win-loss": "Win-loss: why deals were won and lost, from sales' records",
    "lead-quality": "Lead quality: which MQLs sales accepted and why others were rejected",
    "content-feedback": "Content feedback: what sales used with buyers, and what is missing",
    "competitive-intel": "Competitive intelligence: what buyers said about competitors",
    "next-quarter": "Next quarter: targets, programs and budget for the coming quarter",
}
"""Plain words for the agenda items plan-format.md names; other items are shown as written."""


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def review_uid(company: str, quarter: Quarter, index: int) -> str:
    """Stable across reschedules: the plan's company, the reviewed quarter, and which
    review of that quarter it is (0 for the first)."""
    digest = hashlib.sha256(f"{company}\n{quarter}\n{index}".encode()).hexdigest()[:16]
    nth = f"-{index + 1}" if index else ""
    return f"review-{quarter}{nth}-{digest}@gtmplan"


def _function(name: str) -> str:
    return name[:1].upper() + name[1:]


def render_ics(loaded: LoadedPlan, findings: list[Finding], quarter: Optional[Quarter] = None) -> bytes:
    from icalendar import Calendar, Event

    plan = loaded.plan
    fy = plan.calendar
    settings = plan.invitations
    zone = None
    if settings.timezone:
        import zoneinfo

        zone = zoneinfo.ZoneInfo(settings.timezone)
    cal = Calendar()
    cal.add("prodid", f"-//gtmplan//gtmplan {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{plan.company}: joint go-to-market reviews")
    stamp = _stamp()
    reviews = sorted(plan.reviews or [], key=lambda r: r.date)
    # the n-th review of its quarter, counted over the whole plan (so that an edition keeps the UIDs)
    nth: dict[int, int] = {}
    seen: dict[Quarter, int] = {}
    for i, r in enumerate(reviews):
        q = Quarter.of(r.date, fy)
        nth[i] = seen.get(q, 0)
        seen[q] = nth[i] + 1
    chosen = list(range(len(reviews)))
    if quarter is not None:  # the quarterly edition: the review that closes it, and the next one
        chosen = [i for i in closing_and_next(reviews, quarter, fy) if i is not None]
    for i in chosen:
        r = reviews[i]
        q = Quarter.of(r.date, fy)
        open_issues = [f for f in findings if f.quarter == q and f.severity == "error"]
        lines = [f"Joint sales and marketing review, fiscal {q}: the {plan.company} go-to-market plan.",
                 "",
                 "Attendees, by function: " + ", ".join(_function(a) for a in r.attendees) + "."]
        if r.agenda:
            lines += ["", "Agenda:"]
            lines.extend(f"{n}. {AGENDA.get(item, item)}" for n, item in enumerate(r.agenda, 1))
        if open_issues:
            lines += ["", f"Open alignment issues for {q} (gtmplan check):"]
            lines.extend(f"- {f.code}: {f.message}" for f in open_issues)
        ev = Event()
        ev.add("uid", review_uid(plan.company, q, nth[i]))
        ev.add("dtstamp", stamp)
        time = r.time or settings.time
        if time == "all-day":
            ev.add("dtstart", r.date)
            ev.add("dtend", r.date + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        else:
            hour, minute = map(int, time.split(":"))
            start = dt.datetime.combine(r.date, dt.time(hour, minute), tzinfo=zone)
            ev.add("dtstart", start)
            ev.add("dtend", start + dt.timedelta(minutes=r.duration_minutes or settings.duration_minutes))
            ev.add("transp", "OPAQUE")
        ev.add("summary", f"{plan.company}: joint sales & marketing review ({q})")
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["gtmplan", "review"])
        cal.add_component(ev)
    if zone is not None:
        cal.add_missing_timezones()
    return cal.to_ical()
