"""The calendar invitations of `gtmplan render -f ics`: stable UIDs, timed meetings with
attendees and agenda, the plan's time zone, length and all-day setting, located errors
(issue 16, a newcomer's first hour)."""

from __future__ import annotations

import datetime as dt

import pytest

# -- 11: calendar invitations -----------------------------------------------------------------

def _events(gtm, path, *args):
    from icalendar import Calendar

    r = gtm("render", path, "-f", "ics", *args)
    assert r.code == 0, r.err
    return r.out, [c for c in Calendar.from_ical(r.out).walk("VEVENT")]


def test_a_rescheduled_review_keeps_its_uid(gtm, plan_file):
    _, before = _events(gtm, plan_file())
    _, after = _events(gtm, plan_file({"reviews": {1: {"date": dt.date(2027, 6, 11)}}}))
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert str(before[1]["UID"]).startswith("review-2027Q2-")
    assert (before[1]["DTSTART"].dt, after[1]["DTSTART"].dt) == (dt.datetime(2027, 6, 20, 10, 0),
                                                                 dt.datetime(2027, 6, 11, 10, 0))


def test_reviews_are_timed_meetings_by_default_with_attendees_and_agenda(gtm, plan_file):
    text, events = _events(gtm, plan_file())
    assert "DTSTART:20270320T100000\r\nDTEND:20270320T113000" in text
    description = str(events[3]["DESCRIPTION"])
    assert "Attendees, by function: Sales, Marketing." in description
    assert ("Agenda:\n1. Win-loss: why deals were won and lost, from sales' records\n"
            "2. Lead quality: which MQLs sales accepted and why others were rejected") in description


def test_the_plan_sets_the_time_zone_length_and_all_day(gtm, plan_file):
    text, _ = _events(gtm, plan_file({"invitations": {"time": "14:30", "duration_minutes": 60,
                                                   "timezone": "Europe/Berlin"},
                                      "reviews": {0: {"time": "09:00"}, 1: {"time": "all-day"}}}))
    assert "DTSTART;TZID=Europe/Berlin:20270320T090000\r\nDTEND;TZID=Europe/Berlin:20270320T100000" in text
    assert "DTSTART;VALUE=DATE:20270620\r\nDTEND;VALUE=DATE:20270621" in text
    assert "DTSTART;TZID=Europe/Berlin:20270920T143000\r\nDTEND;TZID=Europe/Berlin:20270920T153000" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text
    text, _ = _events(gtm, plan_file({"invitations": {"time": "all-day"}}))
    assert "DTSTART;VALUE=DATE:20270320\r\n" in text and "T100000" not in text


@pytest.mark.parametrize("patch, message", [
    ({"invitations": {"time": "2pm"}}, "invitations.time: '2pm' is not a time of day: write HH:MM on a 24-hour clock"),
    ({"reviews": {0: {"time": "25:00"}}}, "reviews[0].time: '25:00' is not a time of day"),
    ({"invitations": {"timezone": "Berlin"}}, "invitations.timezone: 'Berlin' is not a time zone: use an IANA name"),
])
def test_a_bad_calendar_setting_is_located(gtm, plan_file, patch, message):
    r = gtm("render", plan_file(patch), "-f", "ics")
    assert r.code == 2 and message in r.err and ":" in r.err.split(" ")[0]
