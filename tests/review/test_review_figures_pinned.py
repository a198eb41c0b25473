"""`gtmplan review`'s figures pinned where a slip would go unnoticed (issue 21, mutation testing of
src/gtmplan/commands/review/figures.py): deals and dates on the quarter's first and last days, a
deal won the day it was created, a won deal of 0, rows with a blank date, stage words in another
case, sources differing by case or spaces, amounts with a currency. Every figure is worked by hand
(docs/reference/cli.md, 'gtmplan review': "What is counted for the review quarter q")."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BRIGHTWATER, DATA, LUMEN
from test_review import review_json

OUTSIDE, UNKNOWN = "(outside the ICP)", "(unknown segment)"


@pytest.fixture(autouse=True, params=["rows", "columnar"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Every case read by both readers (docs/contributing.md, "Speed"): the same hand-worked figures.
    The columnar reader hands a file it cannot prove it reads the same way to the rows reader, with
    its reason; it must never hand one over because it failed."""
    from gtmplan.commands.review import columnar

    monkeypatch.setenv("GTMPLAN_REVIEW_READER", request.param)
    columnar.forget()
    yield request.param
    for name in ("leads.csv", "deals.csv"):
        why = columnar.read_by(str(tmp_path / name)) or ""
        assert "failed" not in why, why

# lumen-analytics: USD, calendar quarters; 2027Q2 runs from 1 April to 30 June 2027. Its program
# product-webinars lists crm_sources [Webinar] and costs 18,000 in 2027Q2.
EDGE_DEALS = """\
id,created,closed,stage,amount,source,loss_reason
a,2027-04-01,2027-06-30,Won,"USD 12,000",Webinar,
b,2027-06-30,2027-06-30,WON,$3000,Webinar,
c,2027-03-31,2027-04-01,won,0,Paid Search,
d,2027-07-01,2027-07-01,won,5000,Webinar,
e,2027-04-15,2027-05-15,Lost,1000,Webinar,Price
f,2027-04-20,2027-03-31,LOST,1000,Webinar,
g,,2027-05-01,won,100,Webinar,
h,2027-04-02,,won,100,Webinar,
i,2027-04-03,,open,100,Webinar,
j,2027-04-04,2027-05-04,won,€2000,Webinar,
k,2027-04-05,,lost,100,Webinar,
,,,,,,
"""


def metrics(doc: dict) -> dict:
    return {k: v["actual"] for k, v in doc["metrics"].items()}


def test_deals_at_the_quarters_edges_with_stage_words_in_any_case_and_amounts_with_a_currency(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=EDGE_DEALS)
    m = metrics(doc)
    # created in Q2: a (1 Apr, the first day), b (30 Jun, the last day), e, f, i (open, no close date)
    # and j = 6; c (31 Mar) and d (1 Jul) are not; g, h and k are bad rows, counted nowhere
    assert m["opportunities"] == 6
    # won ("Won", "WON", "won": any case) and closed in Q2: a (30 Jun), b (30 Jun), c (1 Apr), j = 4;
    # d closed on 1 Jul. Lost ("Lost") and closed in Q2: e; f ("LOST") closed on 31 Mar.
    # Win rate 4 / (4 + 1) = 0.8
    assert (m["won"], m["win_rate"]) == (4, 0.8)
    assert doc["rates"]["win_rate"]["n"] == 5
    # bookings: a "USD 12,000" = 12,000 + b "$3000" = 3,000 + c 0 (a win of 0 is a win) = 15,000;
    # j "€2000" is in euros without a rate: left out of bookings and of the average deal size,
    # so the average is 15,000 / 3 priced wins = 5,000
    assert m["bookings"] == 15000.0 and m["average_deal_size"] == 5000.0
    # days to close: b 0 (won the day it was created), c 1 (31 Mar -> 1 Apr), j 30 (4 Apr -> 4 May),
    # a 90 (1 Apr -> 30 Jun: 29 + 31 + 30): the median of 0, 1, 30, 90 is (1 + 30) / 2 = 15.5
    assert m["days_to_close"] == 15.5
    # by the deal's source: Webinar won a, b, j (bookings 12,000 + 3,000; j unpriced); Paid Search won c (0)
    assert doc["sources"] == [
        {"source": "Webinar", "leads": None, "mqls": None, "won": 3, "bookings": 15000.0},
        {"source": "Paid Search", "leads": None, "mqls": None, "won": 1, "bookings": 0.0}]
    assert doc["loss_reasons"] == [{"reason": "Price", "count": 1}]
    # spreadsheet rows (the header is row 1): g is row 8, h row 9, k row 12; the blank last row is no row
    assert doc["bad_rows"] == [
        {"file": "deals.csv", "row": 8, "error": "created: empty"},
        {"file": "deals.csv", "row": 9, "error": "closed: empty on a won deal"},
        {"file": "deals.csv", "row": 12, "error": "closed: empty on a lost deal"}]
    assert doc["bad_rows_total"] == 3
    assert doc["partial"] == ["bookings"]
    assert doc["notes"] == [
        "1 won deal in another currency than the plan's USD (EUR (1)) is left out of bookings and the average "
        "deal size: give --fx FILE (code: rate) to convert them; bookings are therefore not compared with the "
        "target"]
    # 11 rows a..k (the blank one is not a row), 8 usable (all but g, h, k); created dates run from
    # 31 Mar (c) to 1 Jul (d)
    (info,) = doc["inputs"]
    assert (info["rows"], info["usable"], info["first"], info["last"]) == (11, 8, "2027-03-31", "2027-07-01")


EDGE_LEADS = """\
id,created,source,mql_date,sql_date,opportunity_date
1,2027-04-01,Webinar,2027-06-30,2027-07-01,
2,2027-06-30,webinar ,2027-04-01,2027-06-30,2027-04-01
3,2027-03-31, WEBINAR,2027-03-31,2027-04-01,2027-06-30
4,2027-07-01,Paid Search,2027-07-01,,
5,,Webinar,2027-04-05,,
6,2027-05-05,,,,
,,,,,
"""


def test_leads_at_the_quarters_edges_with_sources_differing_by_case_and_spaces(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=EDGE_LEADS)
    m = metrics(doc)
    # created in Q2: 1 (1 Apr), 2 (30 Jun), 6 = 3; 3 (31 Mar) and 4 (1 Jul) are not; 5 is a bad row
    # MQL dated in Q2: 1 (30 Jun), 2 (1 Apr) = 2. SQL dated in Q2: 2 (30 Jun), 3 (1 Apr) = 2; 1's is 1 Jul.
    # Opportunity dated in Q2 (no deals export): 2 (1 Apr), 3 (30 Jun) = 2
    assert (m["leads"], m["mqls"], m["sqls"], m["opportunities"]) == (3, 2, 2, 2)
    r = {k: (v["actual"], v["n"]) for k, v in doc["rates"].items()}
    # lead_to_mql: of the 3 leads created in Q2, 1 and 2 have an MQL date: 2 / 3
    # mql_to_sql: both MQLs of Q2 (1, 2) have an SQL date (1's in July counts): 2 / 2
    # sql_to_opportunity: both SQLs of Q2 (2, 3) have an opportunity date: 2 / 2
    assert r == {"lead_to_mql": (2 / 3, 3), "mql_to_sql": (1.0, 2), "sql_to_opportunity": (1.0, 2),
                 "win_rate": (None, None)}
    # the per-source table keeps each value as written, its outer spaces trimmed: "Webinar" (1) and
    # "webinar " (2) are two rows; 6 has no source; 3 (" WEBINAR") was created in March
    assert doc["sources"] == [
        {"source": "(none)", "leads": 1, "mqls": 0, "won": None, "bookings": None},
        {"source": "Webinar", "leads": 1, "mqls": 1, "won": None, "bookings": None},
        {"source": "webinar", "leads": 1, "mqls": 1, "won": None, "bookings": None}]
    # a program's crm_sources match in any case: product-webinars [Webinar] has leads 1 and 2;
    # cost per lead 18,000 / 2 = 9,000
    progs = {p["id"]: (p["leads"], p["cost_per_lead"]) for p in doc["programs"]}
    assert progs["product-webinars"] == (2, 9000.0)
    assert progs["paid-search"] == (0, None)  # 4 (Paid Search) was created on 1 Jul
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 6, "error": "created: empty"}]
    # 6 rows (the blank one is not a row), 5 usable; dates from 31 Mar (3) to 1 Jul (4)
    (info,) = doc["inputs"]
    assert (info["rows"], info["usable"], info["first"], info["last"]) == (6, 5, "2027-03-31", "2027-07-01")


# Segments by company size (docs/reference/cli.md, 'Segments in every command'): tests/data/segments_plan.yaml
# has smb for 20-999 employees and enterprise for 1,000 and more (no upper bound); the ranges are inclusive.
SEGMENTED = DATA / "segments_plan.yaml"
CONTACTS_HEADER = ('"Record ID","Create Date","Original Source","Lifecycle Stage",'
                   '"Became a Marketing Qualified Lead Date","Became a Sales Qualified Lead Date",'
                   '"Became an Opportunity Date","Number of Employees"')


@pytest.mark.parametrize(("size", "segment"), [
    ("20", "smb"),  # smb's first size
    ("999", "smb"),  # smb's last size
    ("999.0", "smb"),
    ("51-200", "smb"),  # a range wholly inside smb
    ("200-200", "smb"),  # a range of one size
    ("20–999", "smb"),  # an en dash, smb's whole range
    ("1000", "enterprise"),  # enterprise's first size
    ("1,200", "enterprise"), ("1.200", "enterprise"), ("1 200", "enterprise"),  # thousands marks
    ("1000+", "enterprise"), ("1000 +", "enterprise"),  # open-ended: enterprise has no upper bound
    ("1,000 - 5,000", "enterprise"),
    ("19", OUTSIDE), ("0", OUTSIDE),  # below every segment
    ("10-19", OUTSIDE), ("5 to 10", OUTSIDE),  # a range wholly below every segment
    ("500-1500", UNKNOWN),  # spans smb and enterprise
    ("50+", UNKNOWN),  # open-ended, but smb stops at 999
    ("5+", UNKNOWN),  # open-ended from outside the ICP
    ("200-51", UNKNOWN),  # a range upside down
    ("2,000.5", UNKNOWN), ("lots", UNKNOWN), ("", UNKNOWN),
])
def test_a_company_size_places_a_lead_in_its_segment(tmp_path, gtm, size, segment):
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "gtmplan.yaml").write_text(SEGMENTED.read_text(encoding="utf-8"), encoding="utf-8")
    contacts = f'{CONTACTS_HEADER}\n1,2027-01-10,ORGANIC_SEARCH,lead,,,,"{size}"\n'
    doc = review_json(gtm, tmp_path, plan, "2027Q1", leads=contacts)
    # the one lead, created 10 Jan 2027 (2027Q1), is counted in its segment and nowhere else
    leads = {name: s["metrics"]["leads"]["actual"] for name, s in doc["segments"].items()}
    assert {name for name, n in leads.items() if n} == {segment}
    assert leads[segment] == 1


def test_a_row_with_more_or_fewer_cells_than_the_header_is_a_bad_row_and_a_blank_row_is_none(tmp_path, gtm):
    leads = ("id,created,source,mql_date,sql_date,opportunity_date\n"
             "1,2027-04-02,Webinar,,,\n"
             "2,2027-04-03,Webinar\n"  # row 3: 3 cells
             ",,\n"  # row 4: blank, however short
             "3,2027-04-04,Webinar,,,,extra\n"  # row 5: 7 cells
             ",,,,,\n"  # row 6: blank
             "4,2027-04-05,Webinar,,,\n")  # row 7
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # leads 1 and 4 are counted; 2 and 3 are bad rows, counted nowhere else
    assert doc["metrics"]["leads"]["actual"] == 2
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 3, "error": "has 3 cells; the header has 6"},
                               {"file": "leads.csv", "row": 5, "error": "has 7 cells; the header has 6"}]
    # 4 rows read (1, 2, 3, 4; the blank one is not a row), 2 of them usable
    (info,) = doc["inputs"]
    assert (info["rows"], info["usable"]) == (4, 2)


def test_1001_bad_rows_list_the_first_1000_and_count_all(tmp_path, gtm):
    leads = "id,created,source,mql_date,sql_date,opportunity_date\n0,2027-04-01,Webinar,,,\n" + "".join(
        f"{i},someday,Webinar,,,\n" for i in range(1, 1002))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    assert doc["metrics"]["leads"]["actual"] == 1
    # rows 3 to 1003 are bad (1,001 of them): rows 3 to 1002 (1,000) are listed, the total says 1,001
    assert doc["bad_rows_total"] == 1001
    assert [b["row"] for b in doc["bad_rows"]] == list(range(3, 1003))
    assert doc["bad_rows"][0]["error"] == ("created: 'someday' is not a date (use YYYY-MM-DD or M/D/YYYY, "
                                           "or pass --date-format)")
    (info,) = doc["inputs"]
    assert (info["rows"], info["usable"]) == (1002, 1)


NEGOTIATION = "Negotiation " * 9  # 108 characters: an error quotes the first 80


def test_gtmplans_own_deal_columns_take_won_lost_or_open_in_any_case_and_nothing_else(tmp_path, gtm):
    deals = ("id,created,closed,stage,amount\n"
             "a,2027-04-02,2027-05-01,Closed Won,100\n"  # a CRM's word: gtmplan's own columns say won
             "b,2027-04-03,,OPEN,100\n"
             "c,2027-04-04,,Open ,100\n"
             "d,2027-04-05,2027-05-02,,100\n"  # no stage at all
             f"e,2027-04-06,2027-05-03,{NEGOTIATION},100\n"
             "f,2027-04-07,2027-05-04, won ,100\n"
             "g,2027-04-08,2027-05-05,LoSt,100\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    m = metrics(doc)
    # usable: b and c (open), f (won), g (lost), all created in Q2: 4 opportunities; won f, lost g: 1 / 2;
    # f took 27 days (7 Apr -> 4 May) and booked 100
    assert (m["opportunities"], m["won"], m["win_rate"], m["bookings"], m["days_to_close"]) == (4, 1, 0.5, 100.0, 27)
    said = " is not won, lost or open (a --mapping file's stages say which of your stages are won and lost)"
    assert doc["bad_rows"] == [
        {"file": "deals.csv", "row": 2, "error": "stage: 'Closed Won'" + said},
        {"file": "deals.csv", "row": 5, "error": "stage: ''" + said},
        {"file": "deals.csv", "row": 6, "error": f"stage: {NEGOTIATION[:80]!r}" + said}]
    # no source column: f's win is in the table's "(none)" row
    assert doc["sources"] == [{"source": "(none)", "leads": None, "mqls": None, "won": 1, "bookings": 100.0}]


LONG_SOURCE = "Partner referral " * 15  # 255 characters: the table keeps the first 200 and an ellipsis


def test_leads_without_a_source_are_not_from_an_unlisted_source_and_a_long_source_is_cut_to_200(tmp_path, gtm):
    leads = ("id,created,source,mql_date,sql_date,opportunity_date\n"
             + "".join(f"w{i},2027-04-0{i + 1},Webinar,,,\n" for i in range(4))
             + "".join(f"p{i},2027-05-0{i + 1},Podcast,,,\n" for i in range(3))
             + "".join(f"n{i},2027-06-0{i + 1},,,,\n" for i in range(2))
             + "".join(f"l{i},2027-06-1{i + 1},{LONG_SOURCE},2027-06-2{i + 1},,\n" for i in range(2)))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # 4 + 3 + 2 + 2 = 11 leads created in Q2; the 2 long-source leads are the quarter's MQLs
    assert doc["metrics"]["leads"]["actual"] == 11
    cut = LONG_SOURCE[:200] + "…"
    assert doc["sources"] == [
        {"source": "Webinar", "leads": 4, "mqls": 0, "won": None, "bookings": None},
        {"source": "Podcast", "leads": 3, "mqls": 0, "won": None, "bookings": None},
        {"source": "(none)", "leads": 2, "mqls": 0, "won": None, "bookings": None},
        {"source": cut, "leads": 2, "mqls": 2, "won": None, "bookings": None}]
    # unlisted: 11 leads - 4 of product-webinars (Webinar) - 2 without a source = 5 (Podcast 3, the long one 2)
    assert (f"5 of 11 leads in 2027Q2 came from sources no program lists in crm_sources: 'Podcast' (3), "
            f"{cut!r} (2). Add them to the programs' crm_sources, or the portfolio cannot be judged."
            ) in doc["suggestions"]


def test_a_segments_leads_and_stages_dated_on_the_quarters_first_and_last_days(tmp_path, gtm):
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "gtmplan.yaml").write_text(SEGMENTED.read_text(encoding="utf-8"), encoding="utf-8")
    # 2027Q1 runs from 1 January to 31 March 2027; every lead has 50 employees (smb)
    contacts = (f"{CONTACTS_HEADER}\n"
                '1,2027-01-01,ORGANIC_SEARCH,lead,2027-03-31,2027-03-31,2027-03-31,"50"\n'
                '2,2027-03-31,ORGANIC_SEARCH,lead,2027-01-01,2027-01-01,2027-01-01,"50"\n'
                '3,2026-12-31,ORGANIC_SEARCH,lead,2026-12-31,2027-04-01,2027-04-01,"50"\n'
                '4,2027-04-01,ORGANIC_SEARCH,lead,2027-04-01,,,"50"\n')
    doc = review_json(gtm, tmp_path, plan, "2027Q1", leads=contacts)
    smb = doc["segments"]["smb"]
    # created in Q1: 1 (1 Jan) and 2 (31 Mar); MQL, SQL and opportunity dated in Q1: 1 (31 Mar) and
    # 2 (1 Jan); 3 and 4 are dated 31 Dec or 1 Apr throughout
    assert {k: smb["metrics"][k]["actual"] for k in ("leads", "mqls", "sqls", "opportunities")} == {
        "leads": 2, "mqls": 2, "sqls": 2, "opportunities": 2}
    # each rate's cohort: both leads of Q1 have an MQL date, both MQLs an SQL date, both SQLs an opportunity
    assert {k: (r["actual"], r["n"]) for k, r in smb["rates"].items() if k != "win_rate"} == {
        "lead_to_mql": (1.0, 2), "mql_to_sql": (1.0, 2), "sql_to_opportunity": (1.0, 2)}
    assert {k: smb["metrics"][k]["actual"] for k in ("leads", "mqls", "sqls", "opportunities")} == {
        k: doc["metrics"][k]["actual"] for k in ("leads", "mqls", "sqls", "opportunities")}


# A Salesforce report in several currencies, for brightwater-pumps (EUR; its fiscal year starts in April,
# so 2027Q1 runs from 1 April to 30 June 2027). Dates are D-M-YYYY.
SF_HEADER = ('"Opportunity Name","Stage","Amount Currency","Amount","Amount (converted) Currency",'
             '"Amount (converted)","Close Date","Created Date","Lead Source"\n')
SF_ROWS = [
    '"Pompstation Delft","Closed Won","EUR","48000.00","EUR","48000.00","14-5-2027","2-3-2027","Webinar"',
    '"Pumps Reading","Closed Won","GBP","0.00","EUR","0.00","28-4-2027","17-3-2027","Trade Show"',
    '"Pumps Ely","Closed Won","GBP","10000.00","USD","11700.00","21-6-2027","13-4-2027","Webinar"',
    '"Pumps Derby","Closed Won","GBP","5000.00","EUR","-5650.00","30-5-2027","15-4-2027","Trade Show"',
]


def test_the_crms_converted_amount_is_used_only_in_the_plans_currency_and_not_below_0(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, BRIGHTWATER, "2027Q1", deals=SF_HEADER + "\n".join(SF_ROWS) + "\n")
    m = metrics(doc)
    # 4 won in Q1 (28 Apr - 21 Jun). Priced: Delft EUR 48,000 and Reading, won at GBP 0, converted EUR 0
    # (a win of 0 is priced at 0). Ely's converted amount is in USD and Derby's is negative: both left out.
    # Bookings 48,000 + 0 = 48,000; average 48,000 / 2 priced wins = 24,000
    assert (m["won"], m["bookings"], m["average_deal_size"]) == (4, 48000.0, 24000.0)
    # days to close: Reading 42 (17 Mar -> 28 Apr: 14 + 28), Derby 45 (15 Apr -> 30 May: 15 + 30),
    # Ely 69 (13 Apr -> 21 Jun: 17 + 31 + 21), Delft 73 (2 Mar -> 14 May: 29 + 30 + 14): (45 + 69) / 2 = 57
    assert m["days_to_close"] == 57
    assert ("2 won deals in another currency than the plan's EUR (GBP (2)) are left out of bookings and the "
            "average deal size: give --fx FILE (code: rate) to convert them; bookings are therefore not compared "
            "with the target") in doc["notes"]
    assert ("1 won deal in another currency than the plan's EUR (GBP (1)) is priced by the CRM's converted amount "
            "in EUR, column 'Amount (converted)' (at the CRM's rates; --fx FILE gives your own)") in doc["notes"]
    assert doc["partial"] == ["bookings"]

    # without the converted amount's currency column nothing says Reading's 0.00 is in euros: left out too,
    # and the average is Delft's alone, 48,000 / 1
    drop = ',"Amount (converted) Currency"'
    cells = [r.split('","') for r in SF_ROWS]
    rows = ['","'.join(c[:4] + c[5:]) for c in cells]
    doc = review_json(gtm, tmp_path, BRIGHTWATER, "2027Q1", deals=SF_HEADER.replace(drop, "") + "\n".join(rows) + "\n")
    m = metrics(doc)
    assert (m["won"], m["bookings"], m["average_deal_size"]) == (4, 48000.0, 48000.0)
    assert ("3 won deals in another currency than the plan's EUR (GBP (3)) are left out of bookings and the "
            "average deal size: give --fx FILE (code: rate) to convert them; bookings are therefore not compared "
            "with the target") in doc["notes"]
    assert not any("converted amount" in n for n in doc["notes"])


def test_stages_neither_won_lost_nor_known_open_are_named_most_frequent_first_eight_and_the_rest_counted(
        tmp_path, gtm):
    stages = ["Verbal yes"] * 3 + ["Contract sent"] * 2 + ["Pilot"] * 2 + [f"Stage {c}" for c in "HGFEDCB"]
    deals = ("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount\n"
             "1,A,2027-04-01,2027-05-01,closedwon,1000\n"
             + "".join(f"{i + 2},D{i},2027-04-02,2027-05-02,{s},100\n" for i, s in enumerate(stages)))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # 15 deals created in Q2; 1 won (30 days), the other 14 counted as open. "Contract sent" is a known
    # open stage; the others are not: 3 + 2 + 7 = 12 deals, named by count, then alphabetically (B before H),
    # eight of the nine stages named and "1 more" (Stage H)
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"], m["days_to_close"]) == (15, 1, 1.0, 30)
    assert ("deals.csv: 12 deals closing in 2027Q2 have a stage that is neither won nor lost nor a known open "
            "stage, counted as open: 'Verbal yes' (3), 'Pilot' (2), 'Stage B' (1), 'Stage C' (1), 'Stage D' (1), "
            "'Stage E' (1), 'Stage F' (1), 'Stage G' (1) and 1 more; if any of them is won or lost, say which are "
            "won and which lost in a --mapping file: deals: {stages: {won: [...], lost: [...]}} (stages: alone is "
            "enough for an export gtmplan recognises)") in doc["notes"]


def test_one_stage_read_as_open_is_named_alone(tmp_path, gtm):
    deals = ("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount\n"
             "1,A,2027-04-01,2027-05-01,closedwon,1000\n"
             "2,B,2027-04-02,2027-05-02,Pilot,100\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    assert ("deals.csv: 1 deal closing in 2027Q2 has a stage that is neither won nor lost nor a known open stage, "
            "counted as open: 'Pilot' (1); if any of them is won or lost, say which are won and which lost in a "
            "--mapping file: deals: {stages: {won: [...], lost: [...]}} (stages: alone is enough for an export "
            "gtmplan recognises)") in doc["notes"]


def test_the_sources_table_keeps_the_1000_largest_sources_by_leads_not_by_name(tmp_path, gtm):
    # 1,000 sources of one lead each (Src 0000 ... Src 0999) and "Zebra Ads" with 3 leads, all created in Q2
    leads = ("id,created,source,mql_date,sql_date,opportunity_date\n"
             + "".join(f"{i},2027-04-02,Src {i:04d},,,\n" for i in range(1000))
             + "".join(f"z{i},2027-04-03,Zebra Ads,,,\n" for i in range(3)))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # 1,001 sources, 1,000 kept: Zebra Ads (3 leads) and, among the equal ones, the first 999 by name
    # (Src 0000 ... Src 0998; by name Zebra Ads would come last); Src 0999 is folded into "other sources"
    # (1 lead). 1,000 + 3 = 1,003 leads in all
    assert doc["metrics"]["leads"]["actual"] == 1003
    rows = {s["source"]: s["leads"] for s in doc["sources"]}
    assert (rows["Zebra Ads"], rows["Src 0998"], rows["other sources"]) == (3, 1, 1)
    assert "Src 0999" not in rows and len(rows) == 1001


@pytest.mark.parametrize(("kind", "text", "rows"), [
    ("leads", EDGE_LEADS, 7),  # 6 leads and the blank last row: 7 spreadsheet rows after the header
    ("deals", EDGE_DEALS, 12),  # 11 deals and the blank last row
])
def test_record_of_an_export_piped_on_standard_input_counts_its_rows(tmp_path, gtm, monkeypatch, kind, text, rows):
    """A pipe cannot be read again: --record takes its SHA-256 and rows from the review's own reading."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830384000")  # 2028-01-02: 2027Q2 has ended
    plan = tmp_path / "plan"
    shutil.copytree(LUMEN, plan)
    export = tmp_path / "export.csv"
    export.write_text(text, encoding="utf-8")
    saved = os.dup(0)
    try:
        with export.open("rb") as f:
            os.dup2(f.fileno(), 0)  # the export on standard input, as `gtmplan review ... < export.csv`
        r = gtm("review", plan, "--quarter", "2027Q2", f"--{kind}", "-", "--record")
    finally:
        os.dup2(saved, 0)
        os.close(saved)
    assert r.code == 0, r.err
    sha = hashlib.sha256(text.encode()).hexdigest()
    recorded = (plan / "actuals" / "2027Q2.yaml").read_text(encoding="utf-8")
    assert f'  - {{file: "standard input", sha256: {sha}, rows: {rows}}}\n' in recorded


def _leads_on(days: list[dt.date]) -> str:
    return "id,created,source,mql_date,sql_date,opportunity_date\n" + "".join(
        f"{i},{day.isoformat()},Webinar,,,\n" for i, day in enumerate(days))


APR1 = dt.date(2027, 4, 1)
MARCH = [dt.date(2027, 3, 20), dt.date(2027, 3, 25)]  # an export that starts before the quarter


def test_sparse_leads_that_stop_10_days_before_the_quarters_end_are_a_quiet_spell_not_a_partial_export(
        tmp_path, gtm):
    # 28 leads in Q2, one every 3 days from 1 Apr (1 Apr + 0, 3, ... 78 days) and one on 20 Jun (+ 80):
    # they cover 81 days (1 Apr - 20 Jun), a lead every 81 / 28 days; a quiet end is only a cut when it is
    # longer than a week and than 5 x 81 / 28 = 14.5 days. 21 - 30 Jun is 10 days: quiet, no note
    days = MARCH + [APR1 + dt.timedelta(days=k) for k in [*range(0, 79, 3), 80]]
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_leads_on(days))
    assert doc["metrics"]["leads"]["actual"] == 28
    assert not [n for n in doc["notes"] if "partial" in n] and doc["partial"] == []


def test_sparse_leads_that_stop_15_days_before_the_quarters_end_are_a_partial_export(tmp_path, gtm):
    # 26 leads in Q2, 1 Apr + 0, 3, ... 72 days and + 75 (15 Jun): 76 days covered, a cut when longer
    # than 5 x 76 / 26 = 14.6 days; 16 - 30 Jun is 15 days: partial
    days = MARCH + [APR1 + dt.timedelta(days=k) for k in [*range(0, 73, 3), 75]]
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_leads_on(days))
    assert ("leads.csv: its rows run from 2027-03-20 to 2027-06-15, so only 76 of the 91 days of 2027Q2 "
            "(2027-04-01 to 2027-06-30) are in the export: its figures for 2027Q2 are partial, not compared with "
            "the plan, and no suggestion is made from them") in doc["notes"]


def test_one_stray_lead_after_a_mid_quarter_export_does_not_make_it_whole(tmp_path, gtm):
    # 3 leads a day from 1 Mar to 19 May (80 days, 240 leads) and 1 stray on 29 Jun: 241 rows. The bulk
    # is judged between the 0.5% and 99.5% quantiles: ranks int(0.005 x 241) = 1 and 241 - 1 - 1 = 239,
    # 1 Mar and 19 May; the stray (rank 240) is left out. Covered: 1 Apr - 19 May, 30 + 19 = 49 days
    days = [dt.date(2027, 3, 1) + dt.timedelta(days=k) for k in range(80) for _ in range(3)] + [dt.date(2027, 6, 29)]
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_leads_on(days))
    assert ("leads.csv: the bulk of its rows (99%) run from 2027-03-01 to 2027-05-19, so only 49 of the 91 days "
            "of 2027Q2 (2027-04-01 to 2027-06-30) are in the export: its figures for 2027Q2 are partial, not "
            "compared with the plan, and no suggestion is made from them") in doc["notes"]


def test_a_salesforce_lead_report_without_converted_date_counts_leads_and_leaves_sqls_unknown(tmp_path, gtm):
    leads = ("Lead ID,Created Date,Lead Source,Lead Status,Converted\n"
             "00Q1,4/2/2027,Webinar,Qualified,true\n"
             "00Q2,4/15/2027,Paid Search,Open,false\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    m = metrics(doc)
    # 2 leads created in Q2 (2 and 15 Apr); nothing says when 00Q1 converted: SQLs unknown, never 0
    assert (m["leads"], m["mqls"], m["sqls"], m["opportunities"]) == (2, None, None, None)
    assert ("leads.csv has no converted date column (column 'Converted Date'): SQLs, mql_to_sql and "
            "sql_to_opportunity left out (map one with --mapping)") in doc["notes"]


def test_without_a_source_column_leads_and_wins_are_in_the_none_row_and_a_long_deal_source_is_cut(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads="id,created,mql_date\n1,2027-04-02,2027-04-03\n")
    assert doc["sources"] == [{"source": "(none)", "leads": 1, "mqls": 1, "won": None, "bookings": None}]
    deals = ("id,created,closed,stage,amount,source\n"
             f"a,2027-04-02,2027-05-02,won,100,{LONG_SOURCE}\n"
             f"b,2027-04-03,2027-05-03,won,200,{LONG_SOURCE}\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # both wins under the source's first 200 characters: won 2, bookings 100 + 200 = 300
    assert doc["sources"] == [
        {"source": LONG_SOURCE[:200] + "…", "leads": None, "mqls": None, "won": 2, "bookings": 300.0}]


def test_eight_stages_read_as_open_are_all_named_with_none_more(tmp_path, gtm):
    deals = ("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount\n"
             "W,Won,2027-04-01,2027-05-01,closedwon,1000\n"
             + "".join(f"{i},D{i},2027-04-02,2027-05-02,Stage {c},100\n" for i, c in enumerate("ABCDEFGH")))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    assert ("deals.csv: 8 deals closing in 2027Q2 have a stage that is neither won nor lost nor a known open stage, "
            "counted as open: 'Stage A' (1), 'Stage B' (1), 'Stage C' (1), 'Stage D' (1), 'Stage E' (1), "
            "'Stage F' (1), 'Stage G' (1), 'Stage H' (1); if any of them is won or lost") in " ".join(doc["notes"])


def test_a_segments_days_to_close_with_same_day_wins_and_wins_closed_before_they_were_created(tmp_path, gtm):
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "gtmplan.yaml").write_text(SEGMENTED.read_text(encoding="utf-8"), encoding="utf-8")
    deals = ('"Record ID","Deal Name","Create Date","Close Date","Deal Stage","Amount","Number of Employees"\n'
             '1,A,2027-01-10,2027-01-10,closedwon,5000,"50"\n'  # won the day it was created: 0 days
             '2,B,2027-02-01,2027-02-01,closedwon,5000,"50"\n'  # 0 days
             '3,C,2027-01-15,2027-02-14,closedwon,5000,"50"\n'  # 30 days
             '4,D,2027-03-10,2027-03-01,closedwon,5000,"50"\n'  # closed before it was created
             '5,E,2027-03-20,2027-03-05,closedwon,5000,"50"\n')  # closed before it was created
    doc = review_json(gtm, tmp_path, plan, "2027Q1", deals=deals)
    # 5 won, 5 x 5,000 = 25,000, all smb (50 employees); days to close: the median of 0, 0 and 30 is 0
    # (D and E have none), for smb as for the company
    m = metrics(doc)
    assert (m["won"], m["bookings"], m["days_to_close"]) == (5, 25000.0, 0)
    assert doc["segments"]["smb"]["metrics"]["days_to_close"]["actual"] == 0
    assert ("2 won deals closed before they were created in the CRM (entered after the fact): counted as won, "
            "left out of days to close") in doc["notes"]


def test_a_salesforce_lead_with_an_unreadable_converted_date_is_a_bad_row_naming_the_column(tmp_path, gtm):
    leads = ("Lead ID,Created Date,Lead Source,Lead Status,Converted,Converted Date\n"
             "00Q1,4/2/2027,Webinar,Qualified,true,someday\n"
             "00Q2,4/3/2027,Webinar,Qualified,true,4/20/2027\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # 00Q2 alone is counted: 1 lead, converted on 20 Apr (an SQL and an opportunity of Q2)
    m = metrics(doc)
    assert (m["leads"], m["sqls"], m["opportunities"]) == (1, 1, 1)
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 2, "error": "Converted Date: 'someday' is not a date "
                                "(use YYYY-MM-DD or M/D/YYYY, or pass --date-format)"}]


def _lumen_in(tmp_path: Path, currency: str) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(LUMEN, plan)
    shared = plan / "gtmplan.yaml"
    text = shared.read_text(encoding="utf-8")
    assert "\ncurrency: USD\n" in text
    shared.write_text(text.replace("\ncurrency: USD\n", f"\ncurrency: {currency}\n"), encoding="utf-8")
    return plan


def test_a_bare_dollar_sign_on_a_canadian_dollar_plan_is_the_plans_dollar(tmp_path, gtm):
    deals = ("id,created,closed,stage,amount\n"
             'a,2027-04-02,2027-05-02,won,"$1,000"\n'
             'c,2027-04-04,2027-05-04,won,"CAD 4,000"\n')
    doc = review_json(gtm, tmp_path, _lumen_in(tmp_path, "CAD"), "2027Q2", deals=deals)
    # "$" says dollars, not which: in a CAD plan they are the plan's. Bookings 1,000 + 4,000 = 5,000
    m = metrics(doc)
    assert (m["won"], m["bookings"], m["average_deal_size"]) == (2, 5000.0, 2500.0)
    assert doc["partial"] == [] and not [n for n in doc["notes"] if "another currency" in n]


def test_us_dollars_named_as_such_on_a_canadian_dollar_plan_are_another_currency(tmp_path, gtm):
    # docs/reference/cli.md, 'Currencies': a row whose currency differs from the plan's is kept out of
    # bookings. A bare "$" is the plan's dollar; "USD" and "US$" say which dollar: not a CAD plan's.
    deals = ("id,created,closed,stage,amount\n"
             'b,2027-04-03,2027-05-03,won,"USD 2,000"\n'
             'c,2027-04-04,2027-05-04,won,"CAD 4,000"\n'
             'd,2027-04-05,2027-05-05,won,"US$ 8,000"\n'
             'e,2027-04-06,2027-05-06,won,"$16,000"\n')
    doc = review_json(gtm, tmp_path, _lumen_in(tmp_path, "CAD"), "2027Q2", deals=deals)
    # c and e are in Canadian dollars: bookings 4,000 + 16,000 = 20,000 (never 2,000 + 4,000 + 8,000 +
    # 16,000 = 30,000, as before this was fixed); b and d are US dollars without a rate: left out, in a note
    m = metrics(doc)
    assert (m["won"], m["bookings"]) == (4, 20000.0)
    assert any("2 won deals in another currency than the plan's CAD (USD (2))" in n for n in doc["notes"])


def test_salesforce_isclosed_and_iswon_flags_decide_whatever_the_stage_is_called(tmp_path, gtm):
    deals = ('"Id","Name","StageName","Amount","CloseDate","LeadSource","IsClosed","IsWon","CreatedDate",'
             '"Loss_Reason__c"\n'
             '"006A","Signed deal","Signed","1000.00","2027-05-14","Webinar","true","true","2027-04-02T08:15:00.000Z",""\n'
             '"006B","Dead deal","Dead","2000.00","2027-05-15","Webinar","true","false","2027-04-03T08:15:00.000Z",'
             '"Price"\n'
             '"006C","Oddly named","Closed Lost","3000.00","2027-05-16","Webinar","false","false",'
             '"2027-04-04T08:15:00.000Z",""\n'
             '"006D","Dead again","Dead","500.00","2027-05-17","Webinar","1","0","2027-04-05T08:15:00.000Z","Price"\n')
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # won: 006A (IsWon, though its stage is "Signed"); lost: 006B and 006D (closed, not won: "1"/"0" as
    # true/false); 006C is open (IsClosed false), whatever its stage says. Win rate 1 / (1 + 2);
    # 006A took 42 days (2 Apr -> 14 May: 28 + 14)
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["bookings"], m["days_to_close"]) == (4, 1, 1000.0, 42)
    assert m["win_rate"] == 1 / 3 and doc["rates"]["win_rate"]["n"] == 3
    # both losses have the reason Price: counted 2
    assert doc["loss_reasons"] == [{"reason": "Price", "count": 2}]
    assert doc["inputs"][0]["shape"] == "Salesforce Opportunity data export"


HS_DATES = ('Record ID,Deal Name,Create Date,"Date entered ""Closed Won (Sales Pipeline)""",'
            '"Date entered ""Closed Lost (Sales Pipeline)""",Amount\n'
            "1,A,2027-04-01,2027-05-01,,1000\n"
            "2,B,2027-04-02,,2027-05-02,2000\n"
            "3,C,2027-04-03,,,3000\n"
            "4,D,2027-04-04,soon,,4000\n"
            "5,E,2027-04-05,,later,5000\n"
            "6,F,tomorrow,,,6000\n")
WON_COLUMN = 'Date entered "Closed Won (Sales Pipeline)"'
LOST_COLUMN = 'Date entered "Closed Lost (Sales Pipeline)"'
NOT_A_DATE = "is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)"


def test_a_hubspot_export_without_a_stage_tells_won_and_lost_from_the_dates_entering_them(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=HS_DATES)
    # usable: 1 (won 1 May), 2 (lost 2 May), 3 (open), all created in Q2; won 1 of 2, 30 days (1 Apr -> 1 May)
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"], m["bookings"], m["days_to_close"]) == (3, 1, 0.5, 1000.0, 30)
    assert doc["inputs"][0]["shape"] == "HubSpot deals export"
    bad = {b["row"]: b["error"] for b in doc["bad_rows"]}
    assert bad[5] == f"{WON_COLUMN}: 'soon' {NOT_A_DATE}"
    assert bad[7] == f"Create Date: 'tomorrow' {NOT_A_DATE}"
    assert sorted(bad) == [5, 6, 7]


def test_a_bad_lost_date_names_the_closed_lost_column(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=HS_DATES)
    bad = {b["row"]: b["error"] for b in doc["bad_rows"]}
    assert bad[6] == f"{LOST_COLUMN}: 'later' {NOT_A_DATE}"
