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
import re
from typing import Optional

from gtmplan import __version__
from gtmplan.output.fmt import printable, source_date_epoch
from gtmplan.output.render.view import closing_and_next
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.quarters import Quarter
from gtmplan.rules import Finding

# Deferred imports: icalendar (59 ms by python -X importtime) and zoneinfo only when a calendar is written.

AGENDA = {
    "win-loss": "Win-loss: why deals were won and lost, from sales' records",
    "lead-quality": "Lead quality: which MQLs sales accepted and why others were rejected",
    "content-feedback": "Content feedback: what sales used with buyers, and what is missing",
    "competitive-intel": "Competitive intelligence: what buyers said about competitors",
    "next-quarter": "Next quarter: targets, programs and budget for the coming quarter",
}
"""Plain words for the agenda items docs/reference/plan-format.md names; other items are shown as written."""


def _stamp() -> dt.datetime:

    return source_date_epoch() or dt.datetime.now(dt.UTC).replace(microsecond=0)


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


def review_uid(company: str, quarter: Quarter, index: int) -> str:
    """Stable across reschedules: the plan's company, the reviewed quarter, and which
    review of that quarter it is (0 for the first)."""
    digest = hashlib.sha256(f"{company}\n{quarter}\n{index}".encode()).hexdigest()[:16]
    nth = f"-{index + 1}" if index else ""
    return f"review-{quarter}{nth}-{digest}@gtmplan"


def _function(name: str) -> str:
    return name[:1].upper() + name[1:]


def render_ics(loaded: LoadedPlan, findings: list[Finding], quarter: Optional[Quarter] = None) -> bytes:
    from icalendar import Calendar, Event, vText

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
    cal.add("x-wr-calname", vText(_text(f"{plan.company}: joint go-to-market reviews")))
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
            if r.date < dt.date.max:  # without DTEND an all-day event lasts its one day (RFC 5545 3.6.1)
                ev.add("dtend", r.date + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        else:
            hour, minute = map(int, time.split(":"))
            start = dt.datetime.combine(r.date, dt.time(hour, minute), tzinfo=zone)
            ev.add("dtstart", start)
            length = dt.timedelta(minutes=r.duration_minutes or settings.duration_minutes)
            if start.replace(tzinfo=None) <= dt.datetime.max - length:  # a review on 9999-12-31 late in the day
                ev.add("dtend", start + length)
            ev.add("transp", "OPAQUE")
        ev.add("summary", _text(f"{plan.company}: joint sales & marketing review ({q})"))
        ev.add("description", _text("\n".join(_text(line) for line in lines), lines=True))
        ev.add("categories", ["gtmplan", "review"])
        cal.add_component(ev)
    if zone is not None:
        cal.add_missing_timezones()
    return cal.to_ical()
