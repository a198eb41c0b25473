"""`gtmplan review`'s counting of CRM exports at its limits (issue 21, mutation testing of
src/gtmplan/commands/review/figures.py): the per-source table and the stage notes once an export
holds more distinct values than are kept (the smaller ones folded into "other", the totals still
adding up), the first rows read ahead to learn how a column writes its dates, exports from
Salesforce and HubSpot that lack a column, bad rows counted from two places, and the wording of
the messages a bad row gets. Every figure is worked by hand (docs/reference/cli.md, 'gtmplan
review': "What is counted for the review quarter q")."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import LUMEN
from test_review import review_json

# lumen-analytics: USD, calendar quarters; 2027Q2 runs from 1 April to 30 June 2027. Its program
# product-webinars lists crm_sources [Webinar] and costs 18,000 in 2027Q2.
LEADS_HEADER = "id,created,source,mql_date,sql_date,opportunity_date\n"
FOLD_NOTE = ("{n} leads and {n} MQLs from sources outside the 1,000 largest are folded into 'other sources' "
             "(programs' crm_sources are always counted exactly)")


def metrics(doc: dict) -> dict:
    return {k: v["actual"] for k, v in doc["metrics"].items()}


@pytest.fixture
def rows_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows reader, whatever the file's size (docs/contributing.md, "Speed"): the one that
    reads ahead the first rows of a file (a file over 1 MB goes to the columnar reader)."""
    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "rows")


def _many_sources(distinct: int) -> str:
    """A lead list from ``distinct`` sources: one lead (and MQL) from 'Webinar' (a program's source), then
    one from each of 'Src 0000' ... 'Src 1998', then one from 'Zebra Ads' when ``distinct`` is 2,001, then
    3 more Webinar leads. All created and MQL'd in 2027Q2."""
    srcs = ["Webinar"] + [f"Src {i:04d}" for i in range(1999)] + (["Zebra Ads"] if distinct == 2001 else [])
    srcs += ["Webinar"] * 3
    return LEADS_HEADER + "".join(f"{i},2027-04-02,{s},2027-04-20,,\n" for i, s in enumerate(srcs))


def test_2001_distinct_lead_sources_fold_the_smaller_half_as_they_come_and_the_table_still_adds_up(
        tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_many_sources(2001))
    # 1 + 1,999 + 1 + 3 = 2,004 leads, each an MQL of Q2
    m = metrics(doc)
    assert (m["leads"], m["mqls"]) == (2004, 2004)
    # memory stays flat: once 2,000 distinct sources are held, a new one (Zebra Ads) folds all but the
    # 1,000 largest into "other sources" (ties by name: Src 0000 ... Src 0999 kept; Src 1000 ... Src 1998
    # and Webinar folded, 1,000 leads). Webinar's 3 later leads start a new row; at the end the 1,002
    # sources left are cut to 1,000: Webinar (3) and Src 0000 ... Src 0998 stay, Src 0999 and Zebra Ads
    # (1 each) join the others: 1,000 + 2 = 1,002
    table = {s["source"]: (s["leads"], s["mqls"]) for s in doc["sources"]}
    assert len(table) == 1001
    assert (table["Webinar"], table["Src 0998"], table["other sources"]) == ((3, 3), (1, 1), (1002, 1002))
    assert "Src 0999" not in table and "Zebra Ads" not in table
    # the table adds up: 3 + 999 x 1 + 1,002 = 2,004
    assert sum(v[0] for v in table.values()) == sum(v[1] for v in table.values()) == 2004
    assert FOLD_NOTE.format(n="1,002") in doc["notes"]
    # the program's source is counted exactly: 1 + 3 = 4 Webinar leads, 18,000 / 4 = 4,500 a lead
    (webinars,) = [p for p in doc["programs"] if p["id"] == "product-webinars"]
    assert (webinars["leads"], webinars["cost_per_lead"]) == (4, 4500.0)


def test_2000_distinct_lead_sources_are_counted_exactly_until_the_end(tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_many_sources(2000))
    # 1 + 1,999 + 3 = 2,003 leads from 2,000 sources: never more than 2,000 held, nothing folded while
    # reading (Webinar's first lead, the smallest source by name after 1,000 others, included); at the
    # end Webinar (4) and Src 0000 ... Src 0998 are kept, Src 0999 ... Src 1998 folded: 1,000 leads;
    # 4 + 999 + 1,000 = 2,003
    table = {s["source"]: (s["leads"], s["mqls"]) for s in doc["sources"]}
    assert len(table) == 1001
    assert (table["Webinar"], table["Src 0998"], table["other sources"]) == ((4, 4), (1, 1), (1000, 1000))
    assert FOLD_NOTE.format(n="1,000") in doc["notes"]


DEALS_HEADER = "Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount\n"
MAP_STAGES = ("say which are won and which lost in a --mapping file: deals: {stages: {won: [...], lost: [...]}} "
              "(stages: alone is enough for an export gtmplan recognises)")


def _many_stages(distinct: int, won: bool = True) -> str:
    """A HubSpot deals export whose deals close in 2027Q2 in stages gtmplan does not know: one deal in
    each of 'Trial', 'Pilot 000' ... 'Pilot 398' (400 stages), then one in 'Zulu' when ``distinct`` is
    401, then 3 more in Trial; first (``won``) one deal won in 'closedwon'."""
    stages = ["Trial"] + [f"Pilot {i:03d}" for i in range(399)] + (["Zulu"] if distinct == 401 else [])
    stages += ["Trial"] * 3
    return (DEALS_HEADER + ("W,Won,2027-04-01,2027-05-01,closedwon,1000\n" if won else "")
            + "".join(f"{i},D{i},2027-04-02,2027-05-02,{s},100\n" for i, s in enumerate(stages)))


def test_401_unknown_stages_fold_the_smaller_half_as_they_come_and_the_note_counts_every_deal(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=_many_stages(401))
    # 1 + 399 + 1 + 3 = 404 deals in unknown stages, all closing in Q2 (counted as open), besides the won one
    m = metrics(doc)
    assert (m["opportunities"], m["won"]) == (405, 1)
    # once 400 stages are held, a new one (Zulu) folds all but the 200 largest (ties by name: Pilot 000
    # ... Pilot 199 kept; Pilot 200 ... Pilot 398 and Trial folded); Trial's 3 later deals start a new
    # count; at the end Trial (3) and Pilot 000 ... Pilot 198 stay, and Pilot 199 and Zulu join the
    # others (199 + 1 + 2 = 202). Named: the 8 largest; the other 192 kept stages and the 'other
    # stages' (202 deals) are "193 more"
    named = ", ".join(["'Trial' (3)"] + [f"'Pilot {i:03d}' (1)" for i in range(7)])
    assert (f"deals.csv: 404 deals closing in 2027Q2 have a stage that is neither won nor lost nor a known open "
            f"stage, counted as open: {named} and 193 more; if any of them is won or lost, {MAP_STAGES}"
            ) in doc["notes"]


def test_400_unknown_stages_are_counted_exactly_until_the_end(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=_many_stages(400))
    # 1 + 399 + 3 = 403 deals; nothing folded while reading (Trial's first deal, the smallest stage by name
    # after 200 others, included): Trial keeps its 4 deals
    named = ", ".join(["'Trial' (4)"] + [f"'Pilot {i:03d}' (1)" for i in range(7)])
    assert (f"deals.csv: 403 deals closing in 2027Q2 have a stage that is neither won nor lost nor a known open "
            f"stage, counted as open: {named} and 193 more; if any of them is won or lost, {MAP_STAGES}"
            ) in doc["notes"]


def test_a_deals_export_with_401_stages_none_won_or_lost_exits_2_naming_the_largest(tmp_path, gtm):
    path = tmp_path / "deals.csv"
    path.write_text(_many_stages(401, won=False), encoding="utf-8")
    r = gtm("review", LUMEN, "--quarter", "2027Q2", "--deals", path)
    # the stages seen are counted as the unknown ones are: Trial 3 (its first deal folded with the
    # smaller half when Zulu came), Pilot 000 ... Pilot 006 named, 193 more
    named = ", ".join(["'Trial' (3)"] + [f"'Pilot {i:03d}' (1)" for i in range(7)])
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"{path}: 404 deals close in 2027Q2, but no stage in deals.csv reads as won or lost: stages "
                     f"seen {named} and 193 more; {MAP_STAGES}\n")


# docs/reference/cli.md, 'Dates': day-first dates are recognised when a column's values show it (a first
# number above 12); a column whose order cannot be told is read month-first, with a note. The values are
# looked at in the first rows read ahead: 2,000 rows, or fewer holding 8,000,000 characters in all.
EITHER_WAY = ("leads.csv: the dates in 'created' could be read either way (like 03/04/2027); they were read "
              "month-first (M/D/YYYY): give --date-format %d/%m/%Y if they are day-first")
TOO_LATE = ("created: '20/4/2027' is not a date; the column was read month-first (M/D/YYYY) from its earlier "
            "values: pass --date-format")


def _day_first_at(k: int, ids: list[str] | None = None) -> str:
    """Leads created on 4/5/2027 (5 April month-first, 4 May day-first) but for the ``k``-th, created
    on 20/4/2027 (20 April: only day-first reads it); ``ids`` the leads' ids, else their numbers."""
    ids = ids or [str(i) for i in range(1, 2002)]
    return LEADS_HEADER + "".join(f"{lead},{'20/4/2027' if i == k else '4/5/2027'},Webinar,,,\n"
                                  for i, lead in enumerate(ids, 1))


def test_a_day_first_date_in_the_2000th_row_makes_the_column_day_first(tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_day_first_at(2000))
    # the 2,000th row is still read ahead: 20/4/2027 shows the column is day-first, and 4/5/2027 is 4 May;
    # all 2,001 leads are counted in Q2 (20 April to 4 May)
    assert metrics(doc)["leads"] == 2001 and doc["bad_rows"] == []
    (info,) = doc["inputs"]
    assert (info["first"], info["last"]) == ("2027-04-20", "2027-05-04")
    assert EITHER_WAY not in doc["notes"]


def test_a_day_first_date_in_the_2001st_row_comes_too_late_and_is_a_bad_row(tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_day_first_at(2001))
    # the first 2,000 rows show nothing: the column is read month-first (4/5/2027 is 5 April), with a note;
    # the 2,001st lead (spreadsheet row 2,002) cannot be read that way
    assert metrics(doc)["leads"] == 2000
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 2002, "error": TOO_LATE}]
    (info,) = doc["inputs"]
    assert (info["first"], info["last"], info["rows"], info["usable"]) == ("2027-04-05", "2027-04-05", 2001, 2000)
    assert EITHER_WAY in doc["notes"]


# 8 leads whose cells hold 1,000,000 characters each (a long id: 999,985 characters, + 8 for 4/5/2027
# + 7 for Webinar), the ninth created on 20/4/2027
LONG_ID = "x" * 999_985


def test_a_day_first_date_after_8_million_characters_comes_too_late_and_is_a_bad_row(tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_day_first_at(9, [LONG_ID] * 8 + ["9"]))
    # 8 x 1,000,000 = 8,000,000 characters read ahead with nothing shown: the column is read month-first;
    # the ninth lead (spreadsheet row 10) is a bad row
    assert metrics(doc)["leads"] == 8
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 10, "error": TOO_LATE}]
    assert EITHER_WAY in doc["notes"]


def test_a_day_first_date_after_one_character_less_than_8_million_makes_the_column_day_first(
        tmp_path, gtm, rows_reader):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=_day_first_at(9, [LONG_ID[1:]] + [LONG_ID] * 7 + ["9"]))
    # 7,999,999 characters in the first 8 rows: the ninth is still read ahead, and shows the column is
    # day-first: 9 leads, 4 May and 20 April
    assert metrics(doc)["leads"] == 9 and doc["bad_rows"] == []
    (info,) = doc["inputs"]
    assert (info["first"], info["last"]) == ("2027-04-20", "2027-05-04")


def test_a_salesforce_data_export_with_isclosed_but_no_iswon_reads_won_and_lost_from_the_stage(tmp_path, gtm):
    deals = ('"Id","Name","StageName","Amount","CloseDate","LeadSource","IsClosed","CreatedDate"\n'
             '"006A","Acme","Closed Won","1000.00","2027-05-14","Webinar","true","2027-04-02T08:15:00.000Z"\n'
             '"006B","Birch","Closed Lost","2000.00","2027-05-15","Webinar","true","2027-04-03T08:15:00.000Z"\n'
             '"006C","Cedar","Prospecting","3000.00","2027-05-16","Webinar","false","2027-04-04T08:15:00.000Z"\n')
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # IsClosed alone cannot say won from lost: the stage does. Won 006A (42 days: 2 Apr -> 14 May, 28 + 14),
    # lost 006B (no reason column: unspecified), 006C open. Win rate 1 / (1 + 1)
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"], m["bookings"], m["days_to_close"]) == (3, 1, 0.5, 1000.0, 42)
    assert doc["loss_reasons"] == [{"reason": "unspecified", "count": 1}]
    assert doc["bad_rows"] == [] and doc["inputs"][0]["shape"] == "Salesforce Opportunity data export"


def test_a_hubspot_export_with_a_closed_won_date_and_no_closed_lost_column(tmp_path, gtm):
    deals = ('Record ID,Deal Name,Create Date,"Date entered ""Closed Won (Sales Pipeline)""",Amount\n'
             "1,Acme,2027-04-01,2027-05-01,1000\n"
             "2,Birch,2027-04-02,,2000\n"
             "3,Cedar,2027-04-03,soon,3000\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # Acme entered Closed Won on 1 May (30 days), Birch never did: open; Cedar's date cannot be read
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["bookings"], m["days_to_close"]) == (2, 1, 1000.0, 30)
    # nothing says whether Birch was lost: the win rate is unknown, never 1 / (1 + 0)
    assert m["win_rate"] is None and doc["rates"]["win_rate"]["n"] is None
    assert ("deals.csv has no stage column (column 'Deal Stage') and no Closed Lost date (column 'Date entered "
            "\"Closed Lost (…)\"'): a lost deal cannot be told from an open one, so the win rate is left out (map one "
            "with --mapping)") in doc["notes"]
    assert doc["bad_rows"] == [{"file": "deals.csv", "row": 4, "error": 'Date entered "Closed Won (Sales Pipeline)": '
                                "'soon' is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)"}]


def test_a_deals_export_without_an_amount_column_leaves_bookings_unknown_never_0(tmp_path, gtm):
    deals = ("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Original Source\n"
             "1,Acme,2027-04-01,2027-05-01,closedwon,Webinar\n"
             "2,Birch,2027-04-02,2027-05-02,closedlost,Webinar\n"
             "3,Cedar,2027-04-03,,appointmentscheduled,Webinar\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # won Acme (30 days), lost Birch: win rate 1 / 2; no amounts: bookings and the deal size unknown
    m = metrics(doc)
    assert (m["won"], m["win_rate"], m["days_to_close"]) == (1, 0.5, 30)
    assert (m["bookings"], m["average_deal_size"]) == (None, None)
    assert doc["sources"] == [{"source": "Webinar", "leads": None, "mqls": None, "won": 1, "bookings": None}]
    assert ("deals.csv has no amount column (column 'Amount'): bookings and the average deal size left out "
            "(map one with --mapping)") in doc["notes"]


def test_bad_rows_of_both_exports_add_up_and_the_first_1000_are_listed_leads_first(tmp_path, gtm):
    leads = LEADS_HEADER + "0,2027-04-01,Webinar,,,\n" + "".join(f"{i},someday,Webinar,,,\n" for i in range(1, 601))
    deals = (DEALS_HEADER + "0,Acme,2027-04-01,2027-05-01,closedwon,1000\n"
             + "".join(f"{i},D{i},2027-04-02,soon,closedwon,100\n" for i in range(1, 601)))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads, deals=deals)
    # 600 bad leads (rows 3 to 602) and 600 bad deals (rows 3 to 602): 1,200 bad rows; the list holds
    # 1,000: the leads' 600, then the deals' first 400 (rows 3 to 402)
    assert doc["bad_rows_total"] == 1200
    assert [(b["file"], b["row"]) for b in doc["bad_rows"]] == (
        [("leads.csv", r) for r in range(3, 603)] + [("deals.csv", r) for r in range(3, 403)])
    assert doc["bad_rows"][-1]["error"] == ("Close Date: 'soon' is not a date (use YYYY-MM-DD or M/D/YYYY, "
                                            "or pass --date-format)")
    assert (metrics(doc)["leads"], metrics(doc)["won"]) == (1, 1)


def test_a_few_bad_rows_in_each_export_are_all_listed_and_counted(tmp_path, gtm):
    leads = LEADS_HEADER + "1,2027-04-01,Webinar,,,\n2,someday,Webinar,,,\n"
    deals = DEALS_HEADER + "1,Acme,2027-04-01,2027-05-01,closedwon,1000\n2,Birch,2027-04-02,soon,closedwon,100\n" \
        "3,Cedar,2027-04-03,2027-05-03,closedwon\n"
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads, deals=deals)
    # 1 bad lead + 2 bad deals = 3; Cedar's row (spreadsheet row 4) lacks its last cell, the amount: 5 cells
    # where the header has 6
    assert doc["bad_rows_total"] == 3
    assert doc["bad_rows"] == [
        {"file": "leads.csv", "row": 3, "error": "created: 'someday' is not a date (use YYYY-MM-DD or M/D/YYYY, "
                                                 "or pass --date-format)"},
        {"file": "deals.csv", "row": 3, "error": "Close Date: 'soon' is not a date (use YYYY-MM-DD or M/D/YYYY, "
                                                 "or pass --date-format)"},
        {"file": "deals.csv", "row": 4, "error": "has 5 cells; the header has 6"}]
    (leads_info, deals_info) = doc["inputs"]
    # deals: 3 rows read (Acme, Birch, Cedar), 1 usable
    assert (deals_info["rows"], deals_info["usable"]) == (3, 1)


# HubSpot names the date a deal entered Closed Won after its pipeline, however long the name
LONG_WON_COLUMN = 'Date entered "Closed Won (Enterprise New Business Pipeline for the Northern Europe Region)"'


def test_a_bad_row_names_a_long_column_by_its_first_80_characters(tmp_path, gtm):
    header = LONG_WON_COLUMN.replace('"', '""')
    deals = (f'Record ID,Deal Name,Create Date,"{header}",Amount\n'
             "1,Acme,2027-04-01,2027-05-01,1000\n"
             "2,Birch,2027-04-02,soon,2000\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # the column's name has 91 characters; the message gives its first 80
    assert doc["bad_rows"] == [{"file": "deals.csv", "row": 3, "error": (
        'Date entered "Closed Won (Enterprise New Business Pipeline for the Northern Euro: '
        "'soon' is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)")}]


def test_a_bad_row_names_its_column_without_the_spaces_around_the_header(tmp_path, gtm):
    deals = ("Record ID,Deal Name, Create Date , Close Date ,Deal Stage,Amount\n"
             "1,Acme,2027-04-01,2027-05-01,closedwon,1000\n"
             "2,Birch,2027-04-02,soon,closedwon,1000\n"
             "3,Cedar,later,2027-05-01,closedwon,1000\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    said = "is not a date (use YYYY-MM-DD or M/D/YYYY, or pass --date-format)"
    assert doc["bad_rows"] == [{"file": "deals.csv", "row": 3, "error": f"Close Date: 'soon' {said}"},
                               {"file": "deals.csv", "row": 4, "error": f"Create Date: 'later' {said}"}]


SOURCE_200 = ("Partner referral " * 12)[:200]  # 200 characters: kept whole


def test_a_source_of_200_characters_is_kept_whole_and_one_of_201_is_cut(tmp_path, gtm):
    leads = (LEADS_HEADER + f"1,2027-04-02,{SOURCE_200},,,\n2,2027-04-03,{SOURCE_200}x,,,\n"
             f"3,2027-04-04,{SOURCE_200}y,,,\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # lead 1's source has 200 characters; leads 2 and 3 have 201 that differ only in the last: both
    # are shown by the first 200 and an ellipsis, one row of 2 leads
    assert doc["sources"] == [
        {"source": SOURCE_200 + "…", "leads": 2, "mqls": 0, "won": None, "bookings": None},
        {"source": SOURCE_200, "leads": 1, "mqls": 0, "won": None, "bookings": None}]


def test_a_lead_created_at_an_impossible_time_of_day_is_a_bad_row_after_one_on_the_same_day(tmp_path, gtm):
    leads = ("Record ID,Create Date,Original Source,Lifecycle Stage\n"
             "1,2027-04-02 09:31,ORGANIC_SEARCH,lead\n"
             "2,2027-04-02 25:10,ORGANIC_SEARCH,lead\n"
             "3,2027-04-02T09:31:00Z,ORGANIC_SEARCH,lead\n"
             "4,2027-04-02T09:75:00Z,ORGANIC_SEARCH,lead\n"
             "5,2027-04-02 09:31,ORGANIC_SEARCH,lead\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # the time of day is ignored but checked: 25:10 and 09:75 are no time, even on a day already seen
    assert metrics(doc)["leads"] == 3
    assert doc["bad_rows"] == [
        {"file": "leads.csv", "row": 3, "error": "Create Date: '2027-04-02 25:10' has an impossible time of day"},
        {"file": "leads.csv", "row": 5, "error": "Create Date: '2027-04-02T09:75:00Z' has an impossible time of day"}]


def test_a_hubspot_contacts_export_without_an_mql_date_leaves_mqls_unknown_never_0(tmp_path, gtm):
    leads = ("Record ID,Create Date,Original Source,Lifecycle Stage,Became a Sales Qualified Lead Date\n"
             "1,2027-04-02,ORGANIC_SEARCH,lead,2027-04-10\n"
             "2,2027-04-03,ORGANIC_SEARCH,lead,\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=leads)
    # 2 leads, 1 SQL (10 Apr); nothing says when a lead became an MQL: MQLs and lead_to_mql unknown
    m = metrics(doc)
    assert (m["leads"], m["mqls"], m["sqls"]) == (2, None, 1)
    assert (doc["rates"]["lead_to_mql"]["actual"], doc["rates"]["lead_to_mql"]["n"]) == (None, None)
    assert doc["sources"] == [{"source": "ORGANIC_SEARCH", "leads": 2, "mqls": None, "won": None, "bookings": None}]


def test_a_deals_export_with_only_its_header_exits_2(tmp_path, gtm):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER, encoding="utf-8")
    r = gtm("review", LUMEN, "--quarter", "2027Q2", "--deals", path)
    assert (r.code, r.out, r.err) == (2, "", f"{path}: no rows after the header: nothing to review\n")


def test_closing_dates_that_could_be_read_either_way_follow_a_day_first_creation_date(tmp_path, gtm):
    deals = ("id,created,closed,stage,amount\n"
             "a,20/4/2027,4/5/2027,won,100\n"
             "b,2/4/2027,3/6/2027,won,300\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # 20/4/2027 shows the file writes its dates day-first: the close dates, which could be read either way,
    # are read so too. a: 20 Apr -> 4 May, 14 days; b: 2 Apr -> 3 Jun, 28 + 31 + 3 = 62 days; median
    # (14 + 62) / 2 = 38
    m = metrics(doc)
    assert (m["won"], m["bookings"], m["days_to_close"]) == (2, 400.0, 38)
    assert not [n for n in doc["notes"] if "either way" in n]


def test_deal_dates_that_could_all_be_read_either_way_are_read_month_first_with_a_note(tmp_path, gtm):
    deals = ("id,created,closed,stage,amount\n"
             "a,4/2/2027,5/3/2027,won,100\n"
             "b,4/5/2027,6/4/2027,won,300\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # month-first: a 2 Apr -> 3 May, 31 days; b 5 Apr -> 4 Jun, 25 + 31 + 4 = 60 days; median 45.5
    assert metrics(doc)["days_to_close"] == 45.5
    assert ("deals.csv: the dates in 'created', 'closed' could be read either way (like 03/04/2027); they were "
            "read month-first (M/D/YYYY): give --date-format %d/%m/%Y if they are day-first") in doc["notes"]


HS_WON_LOST = ('Record ID,Deal Name,Create Date,"Date entered ""Closed Won (Sales Pipeline)""",'
               '"Date entered ""Closed Lost (Sales Pipeline)""",Amount\n')


def test_hubspot_won_and_lost_dates_that_could_be_read_either_way_are_named_in_the_note(tmp_path, gtm):
    deals = HS_WON_LOST + "1,Acme,4/2/2027,5/3/2027,,1000\n2,Birch,4/5/2027,,6/4/2027,2000\n"
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # month-first: Acme won on 3 May (2 Apr -> 3 May: 31 days), Birch lost on 4 June
    m = metrics(doc)
    assert (m["won"], m["win_rate"], m["days_to_close"]) == (1, 0.5, 31)
    assert ("deals.csv: the dates in 'Create Date', 'Date entered \"Closed Won (Sales Pipeline)\"', 'Date entered "
            "\"Closed Lost (Sales Pipeline)\"' could be read either way (like 03/04/2027); they were read month-first "
            "(M/D/YYYY): give --date-format %d/%m/%Y if they are day-first") in doc["notes"]


def test_hubspot_won_and_lost_dates_follow_a_day_first_creation_date(tmp_path, gtm):
    deals = HS_WON_LOST + "1,Acme,20/4/2027,4/5/2027,,1000\n2,Birch,2/4/2027,,3/6/2027,2000\n3,Cedar,3/4/2027,,,500\n"
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # day-first, as 20/4/2027 shows: Acme won on 4 May (14 days after 20 Apr), Birch lost on 3 June; both
    # in Q2: win rate 1 / 2; Cedar (3 Apr) is open
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"], m["days_to_close"]) == (3, 1, 0.5, 14)
    (info,) = doc["inputs"]
    assert (info["first"], info["last"]) == ("2027-04-02", "2027-06-03")
    assert not [n for n in doc["notes"] if "either way" in n]


def test_a_salesforce_report_with_a_won_column_but_no_closed_column_reads_losses_from_the_stage(tmp_path, gtm):
    deals = ('"Opportunity Name","Stage","Amount","Close Date","Created Date","Won"\n'
             '"Acme","Closed Won","1000","5/14/2027","4/2/2027","1"\n'
             '"Birch","Closed Lost","1000","5/15/2027","4/3/2027","0"\n'
             '"Cedar","Prospecting","1000","5/16/2027","4/4/2027","0"\n')
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # without a Closed column, Won cannot tell lost from open: the stage does. Won Acme (2 Apr -> 14 May:
    # 28 + 14 = 42 days), lost Birch, Cedar open: win rate 1 / 2
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"], m["days_to_close"]) == (3, 1, 0.5, 42)
    assert doc["loss_reasons"] == [{"reason": "unspecified", "count": 1}]


def test_a_salesforce_data_export_open_deal_without_a_close_date_is_no_bad_row(tmp_path, gtm):
    deals = ('"Id","Name","StageName","Amount","CloseDate","LeadSource","IsClosed","IsWon","CreatedDate"\n'
             '"006A","Acme","Signed","1000.00","2027-05-14","Webinar","true","true","2027-04-02T08:15:00.000Z"\n'
             '"006B","Birch","Dead","2000.00","2027-05-20","Webinar","true","false","2027-04-03T08:15:00.000Z"\n'
             '"006C","Cedar","Prospecting","3000.00","","Webinar","false","false","2027-04-04T08:15:00.000Z"\n')
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # Cedar is open (IsClosed false): it needs no close date. 3 opportunities, won Acme, lost Birch
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["win_rate"]) == (3, 1, 0.5)
    assert doc["bad_rows"] == []
    (info,) = doc["inputs"]
    assert (info["rows"], info["usable"], info["first"], info["last"]) == (3, 3, "2027-04-02", "2027-05-20")


# a warehouse export prints a float in full: -2500.1 as the exact value of the nearest double
FULL_FLOAT = "-2500.1000000000000227373675443232059478759765625"


@pytest.mark.parametrize(("amount", "error"), [
    ("-500", "amount: '-500' is negative on a won deal"),
    (" (1,500.00) ", "amount: '(1,500.00)' is negative on a won deal"),
    (FULL_FLOAT, f"amount: {FULL_FLOAT[:40]!r} is negative on a won deal"),  # the first 40 characters
    (" n/a ", "amount: no amount ('n/a') on a won deal"),
])
def test_a_won_deal_with_a_negative_amount_or_none_is_a_bad_row_quoting_the_cell(tmp_path, gtm, amount, error):
    deals = f'id,created,closed,stage,amount\na,2027-04-02,2027-05-02,won,100\nb,2027-04-03,2027-05-03,won,"{amount}"\n'
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    assert doc["bad_rows"] == [{"file": "deals.csv", "row": 3, "error": error}]
    assert (metrics(doc)["won"], metrics(doc)["bookings"]) == (1, 100.0)


@pytest.mark.parametrize("reader", ["rows", "columnar"])
def test_1002_sources_of_won_deals_keep_the_1000_largest_and_fold_the_rest_with_their_bookings(
        tmp_path, gtm, monkeypatch, reader):
    from gtmplan.commands.review import columnar

    monkeypatch.setenv("GTMPLAN_REVIEW_READER", reader)
    columnar.forget()
    # 1,001 sources with one deal won at 100 each (Src 0000 ... Src 1000), and Webinar with 3 won at 1,000
    deals = ("id,created,closed,stage,amount,source\n"
             + "".join(f"s{i},2027-04-02,2027-05-02,won,100,Src {i:04d}\n" for i in range(1001))
             + "".join(f"w{i},2027-04-03,2027-05-03,won,1000,Webinar\n" for i in range(3)))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    assert (columnar.read_by(str(tmp_path / "deals.csv")) or "").startswith(reader)
    # won 1,001 + 3 = 1,004; bookings 1,001 x 100 + 3 x 1,000 = 103,100
    m = metrics(doc)
    assert (m["won"], m["bookings"]) == (1004, 103100.0)
    # 1,002 sources, 1,000 kept: Webinar (3) and Src 0000 ... Src 0998; Src 0999 and Src 1000 are folded
    # into "other sources" with their bookings: won 2, 200. The table adds up: 3,000 + 999 x 100 + 200
    table = {s["source"]: (s["won"], s["bookings"]) for s in doc["sources"]}
    assert len(table) == 1001
    assert (table["Webinar"], table["Src 0998"], table["other sources"]) == ((3, 3000.0), (1, 100.0), (2, 200.0))
    assert sum(b for _, b in table.values()) == 103100.0
    assert "2 won deals from sources outside the 1,000 largest are folded into 'other sources'" in doc["notes"]


def test_a_currency_column_holding_a_currency_name_is_named_by_its_first_8_characters(tmp_path, gtm):
    deals = ("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount,Currency\n"
             "1,Acme,2027-04-01,2027-05-01,closedwon,1000,USD\n"
             "2,Birch,2027-04-02,2027-05-02,closedwon,2000,Pound Sterling\n")
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # Birch's 2,000 are not in the plan's dollars: left out of bookings (1,000), named as written, upper case,
    # cut to 8 characters (a currency code has 3)
    m = metrics(doc)
    assert (m["won"], m["bookings"]) == (2, 1000.0)
    assert ("1 won deal in another currency than the plan's USD (POUND ST (1)) is left out of bookings and the "
            "average deal size: give --fx FILE (code: rate) to convert them; bookings are therefore not compared "
            "with the target") in doc["notes"]


def test_a_converted_amount_in_bare_dollars_on_a_canadian_dollar_plan_is_in_the_plans_dollars(tmp_path, gtm):
    plan = tmp_path / "plan"
    shutil.copytree(LUMEN, plan)
    shared = plan / "gtmplan.yaml"
    shared.write_text(shared.read_text(encoding="utf-8").replace("\ncurrency: USD\n", "\ncurrency: CAD\n"),
                      encoding="utf-8")
    deals = ('"Opportunity Name","Stage","Amount Currency","Amount","Amount (converted)","Close Date","Created Date"\n'
             '"Acme","Closed Won","CAD","1,000.00","$1,000.00","5/14/2027","4/2/2027"\n'
             '"Birch","Closed Won","GBP","1,000.00","$1,700.00","5/15/2027","4/3/2027"\n')
    doc = review_json(gtm, tmp_path, plan, "2027Q2", deals=deals)
    # a bare $ is the plan's dollar (docs/reference/cli.md, 'Currencies'): Birch's GBP 1,000 converted by the
    # CRM to C$1,700. Bookings 1,000 + 1,700 = 2,700
    m = metrics(doc)
    assert (m["won"], m["bookings"], m["average_deal_size"]) == (2, 2700.0, 1350.0)
    assert ("1 won deal in another currency than the plan's CAD (GBP (1)) is priced by the CRM's converted amount "
            "in CAD, column 'Amount (converted)' (at the CRM's rates; --fx FILE gives your own)") in doc["notes"]


def test_a_salesforce_report_with_a_won_column_and_neither_closed_nor_stage_leaves_the_win_rate_unknown(
        tmp_path, gtm):
    deals = ('"Opportunity Name","Amount","Close Date","Created Date","Won"\n'
             '"Acme","1000","5/14/2027","4/2/2027","1"\n'
             '"Birch","2000","5/15/2027","4/3/2027","0"\n'
             '"Cedar","3000","","4/4/2027","0"\n')
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    # Acme won (2 Apr -> 14 May: 28 + 14 = 42 days); Birch and Cedar were not won, and nothing says whether
    # either was lost: won 1, the win rate unknown (never 1 / (1 + 0))
    m = metrics(doc)
    assert (m["opportunities"], m["won"], m["bookings"], m["days_to_close"]) == (3, 1, 1000.0, 42)
    assert m["win_rate"] is None and doc["rates"]["win_rate"]["n"] is None
    assert ("deals.csv has no stage column (column 'Stage') and no closed flag (column 'Closed'): a lost deal "
            "cannot be told from an open one, so the win rate is left out (map one with --mapping)") in doc["notes"]


def _open_deals_on(days: list[str]) -> str:
    return "id,created,closed,stage,amount\n" + "".join(f"d{i},{day},,open,100\n" for i, day in enumerate(days))


def test_open_deals_that_stop_10_days_before_the_quarters_end_are_a_quiet_spell_not_a_partial_export(
        tmp_path, gtm):
    # 2 deals created in March, then 28 in Q2, one every 3 days from 1 Apr (+ 0, 3, ... 78 days) and one on
    # 20 Jun (+ 80): they cover 81 days (1 Apr - 20 Jun), a deal every 81 / 28 days; a quiet end is a cut
    # only when longer than a week and than 5 x 81 / 28 = 14.5 days. 21 - 30 Jun is 10 days: quiet
    apr1 = dt.date(2027, 4, 1)
    days = ["2027-03-20", "2027-03-25"] + [(apr1 + dt.timedelta(days=k)).isoformat() for k in [*range(0, 79, 3), 80]]
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=_open_deals_on(days))
    assert metrics(doc)["opportunities"] == 28
    assert not [n for n in doc["notes"] if "partial" in n] and doc["partial"] == []


def test_deals_won_in_two_end_of_month_batches_and_a_month_without_rows_are_a_partial_export(tmp_path, gtm):
    # 20 deals created on 20 Mar; 10 won on 30 Apr and 10 on 31 May. Their dates (20 creations, 20 closes)
    # run from 20 Mar to 31 May: 61 days of Q2 covered (1 Apr - 31 May), 20 dates in them, one every
    # 61 / 20 days; a quiet end is a cut when longer than a week and than 5 x 61 / 20 = 15.25 days.
    # 1 - 30 Jun is 30 days: partial
    deals = "id,created,closed,stage,amount\n" + "".join(
        f"d{i},2027-03-20,{'2027-04-30' if i < 10 else '2027-05-31'},won,100\n" for i in range(20))
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=deals)
    assert metrics(doc)["won"] == 20
    assert ("deals.csv: its rows run from 2027-03-20 to 2027-05-31, so only 61 of the 91 days of 2027Q2 "
            "(2027-04-01 to 2027-06-30) are in the export: its figures for 2027Q2 are partial, not compared with "
            "the plan, and no suggestion is made from them") in doc["notes"]
