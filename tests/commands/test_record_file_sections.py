"""``review --record``'s file, section by section (commands/record.py ``build``): the figures left
out and why, a partly counted ``won`` taking ``lost`` with it, the exact rates, each segment's
block, the programs, and the unreadable rows' note (docs/reference/plan-format.md, "Actual results").

The review result is written by hand in cli.md's JSON shape, so every line is worked here."""

from __future__ import annotations

from pathlib import Path

from conftest import _segments_plan, write_plan

from gtmplan.commands.record import build
from gtmplan.plan.quarters import Quarter
from gtmplan.read.loader import load_plan

RESULT = {
    "metrics": {"leads": {"actual": 120}, "mqls": {"actual": 30}, "sqls": {"actual": None},
                "opportunities": {"actual": 9}, "won": {"actual": 3}, "bookings": {"actual": 45000.5},
                "days_to_close": {"actual": 41}},
    "rates": {"lead_to_mql": {"actual": 0.25, "n": 120}, "mql_to_sql": {"actual": None, "n": 30},
              "win_rate": {"actual": 0.3, "n": 10}},
    "partial": ["won"],  # counted on part of the quarter's deals only
    "bad_rows_total": 1,
    "segments": {
        "smb": {"metrics": {"leads": {"actual": 100}, "won": {"actual": None}}, "rates": {}},
        "enterprise": {"metrics": {"leads": {"actual": None}}, "rates": {}},  # nothing known: not recorded
        "(outside the ICP)": {"metrics": {"leads": {"actual": 20}}, "rates": {}},  # never recorded
    },
    "programs": [{"id": "webinars", "leads": 80, "cost": 10000}, {"id": "events", "leads": None, "cost": 5000}],
}


def test_record_file_every_section(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1806624000")  # 2027-04-02 (UTC)
    loaded = load_plan(str(write_plan(tmp_path, _segments_plan())))
    text = build(loaded, RESULT, Quarter(2027, 1), [])
    assert text == "\n".join([
        "# What happened in 2027Q1 at Segco: recorded by `gtmplan review --record`.",
        "# Part of the plan: `gtmplan check` (rules E701, E702), `gtmplan calibrate` and",
        "# `gtmplan render` compare the plan with it. To record a quarter by hand, write",
        "# the same keys; only quarter and metrics are required, and any figure you",
        "# don't know is left out.",
        "quarter: 2027Q1                              # the fiscal quarter; must equal the file name",
        "recorded_on: 2027-04-02                      # when the figures were taken",
        # no exports given: no sources: section
        "# 1 row of the exports could not be read and is in no figure below (the review lists them).",
        "metrics:",
        "  leads: 120                                 # leads created in the quarter",
        "  mqls: 30                                   # leads whose MQL date is in the quarter",
        "  opportunities: 9                           # opportunities created in the quarter",
        # 45,000.5 keeps its cents (two decimals, trailing zero dropped)
        "  bookings: 45000.5                          # USD: the sum of the amounts of the deals won",
        "  days_to_close: 41                          # median days from created to closed, over the deals won",
        # sqls unknown; won counted in part, and lost (10 closed - 3 won = 7) on the same deals
        "  # not in the exports (or only in part): sqls, won, lost",
        "# Each rate on the quarter's cohort: actual, and n, the rows it was measured on",
        "# (E701 pools quarters as round(actual * n) of n).",
        "rates:",
        # mql_to_sql has no actual: left out; 0.25 x 120 = 30 and 0.3 x 10 = 3 give the counts back
        "  lead_to_mql: {actual: 0.25, n: 120}                # of the leads created in the quarter, the share "
        "that became MQLs",
        "  win_rate: {actual: 0.3, n: 10}                     # won / (won + lost), deals closed in the quarter",
        "# Each segment's figures (the rows the exports assign to it; rows outside the ICP or",
        "# of no known segment are in the company's figures above only).",
        "segments:",
        "  smb:",
        "    metrics:",
        "      leads: 100",
        "      # not in the exports (or only in part): mqls, sqls, opportunities, won, lost, bookings, days_to_close",
        "# Each program running in the quarter: its leads (rows created in the quarter whose",
        "# source is one of its crm_sources) and its cost as planned (the exports carry no",
        "# spend: correct it if the spend differed).",
        "programs:",
        "  - {id: webinars, leads: 80, cost: 10000}",  # events: leads unknown, not recorded
    ]) + "\n"


def test_record_file_a_segment_with_nothing_known_and_no_programs(tmp_path: Path, monkeypatch):
    """The near miss: no segment has a figure and no program a lead count: neither section is written."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1806624000")
    loaded = load_plan(str(write_plan(tmp_path, _segments_plan())))
    result = {**RESULT, "segments": {"smb": {"metrics": {"leads": {"actual": None}}, "rates": {}}},
              "programs": [{"id": "webinars", "leads": None, "cost": 10000}], "bad_rows_total": 0}
    text = build(loaded, result, Quarter(2027, 1), [])
    assert "segments:" not in text and "programs:" not in text and "could not be read" not in text
    assert text.endswith("  win_rate: {actual: 0.3, n: 10}                     # won / (won + lost), deals closed "
                         "in the quarter\n")
