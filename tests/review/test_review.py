"""`gtmplan review`: small exports in every recognised shape, figures computed by hand."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES

from gtmplan.engine.stats import wilson

CANONICAL_LEADS = """\
id,created,source,mql_date,sql_date,opportunity_date
1,2027-04-02,Webinar,2027-04-05,2027-04-20,2027-05-01
2,2027-04-10,Webinar,2027-04-12,,
3,2027-05-01 09:31,Paid Search,,,
4,2027-06-30T23:59:00Z,Paid Search,2027-07-02,,
5,2027-03-30,Organic Search,2027-04-01,2027-04-03,
6,2027-04-15,Mystery,soon,,
"""
CANONICAL_DEALS = """\
id,created,closed,stage,amount,source,loss_reason
d1,2027-03-01,2027-04-15,won,"$30,000.00",Webinar,
d2,2027-04-01,2027-06-01,won,45000,Paid Search,
d3,2027-04-03,2027-05-20,lost,20000,Webinar,price
d4,2027-05-01,,open,10000,Webinar,
d5,2027-02-01,2027-05-05,lost,,Organic Search,
d6,2027-04-09,2027-04-30,won,lots,Webinar,
"""


def review_json(gtm, tmp_path, plan, quarter, **files) -> dict:
    args = ["review", plan, "--quarter", quarter, "-f", "json"]
    for name, text in files.items():
        if name in ("leads", "deals", "mapping", "fx"):
            path = tmp_path / f"{name}.{'yaml' if name in ('mapping', 'fx') else 'csv'}"
            path.write_bytes(text if isinstance(text, bytes) else text.encode())
            args += [f"--{name}", str(path)]
        else:
            args += [f"--{name.replace('_', '-')}", text]
    r = gtm(*args)
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_canonical_exports_against_hand_computed_figures(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2",
                      leads=CANONICAL_LEADS, deals=CANONICAL_DEALS)
    assert set(doc) >= {"quarter", "metrics", "rates", "sources", "programs", "loss_reasons", "bad_rows"}
    assert doc["quarter"] == "2027Q2"
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert set(m) == {"leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate",
                      "average_deal_size", "days_to_close"}
    # leads created in Q2: rows 1-4 (row 6 is bad); MQL dates in Q2: rows 1, 2, 5; SQL dates: rows 1, 5
    assert (m["leads"], m["mqls"], m["sqls"]) == (4, 3, 2)
    # deals created in Q2: d2, d3, d4 (d6 is bad); won closed in Q2: d1, d2; lost: d3, d5
    assert (m["opportunities"], m["won"], m["bookings"]) == (3, 2, 75000.0)
    assert m["win_rate"] == 0.5 and m["average_deal_size"] == 37500.0
    assert m["days_to_close"] == 53  # median of 45 (d1) and 61 (d2)
    plan = {k: v["plan"] for k, v in doc["metrics"].items()}
    # lumen 2027Q2: leads 600+700+450+350+300; MQLs x 0.20; SQLs x 0.30 (sales); opps x 0.55
    assert plan["leads"] == 2400 and plan["mqls"] == pytest.approx(480) and plan["sqls"] == pytest.approx(144)
    assert plan["opportunities"] == pytest.approx(79.2) and plan["bookings"] == 700000
    assert plan["won"] == pytest.approx(700000 / 30000) and plan["days_to_close"] == 75
    r = doc["rates"]
    # 3 of the 4 leads created in Q2 have an MQL date: Wilson 95% interval of 3/4
    low, high = wilson(3, 4)
    assert r["lead_to_mql"] == {"actual": 0.75, "n": 4, "low": low, "high": high, "sales": None, "marketing": 0.2,
                                "closer": "marketing", "sales_fits": None, "marketing_fits": False}
    assert round(low, 4) == 0.3006 and round(high, 4) == 0.9544
    assert r["mql_to_sql"]["actual"] == pytest.approx(2 / 3) and r["mql_to_sql"]["closer"] == "marketing"
    assert r["mql_to_sql"]["n"] == 3
    assert r["sql_to_opportunity"] == {"actual": 0.5, "n": 2, "low": wilson(1, 2)[0], "high": wilson(1, 2)[1],
                                       "sales": 0.55, "marketing": None, "closer": "sales", "sales_fits": True,
                                       "marketing_fits": None}
    assert r["win_rate"]["actual"] == 0.5 and r["win_rate"]["n"] == 4
    assert doc["sources"][:2] == [
        {"source": "Paid Search", "leads": 2, "mqls": 0, "won": 1, "bookings": 45000.0},
        {"source": "Webinar", "leads": 2, "mqls": 2, "won": 1, "bookings": 30000.0}]
    assert doc["loss_reasons"] == [{"reason": "price", "count": 1}, {"reason": "unspecified", "count": 1}]
    assert doc["bad_rows"] == [
        {"file": "leads.csv", "row": 7, "error": "mql_date: 'soon' is not a date (use YYYY-MM-DD or M/D/YYYY, "
                                                 "or pass --date-format)"},
        {"file": "deals.csv", "row": 7, "error": "amount: 'lots' is not an amount"}]
    progs = {p["id"]: p for p in doc["programs"]}
    assert progs["product-webinars"]["leads"] == 2 and progs["product-webinars"]["cost_per_lead"] == 9000
    assert progs["seo-playbooks"]["leads"] == 0 and progs["seo-playbooks"]["cost_per_lead"] is None
    order = [p["id"] for p in doc["programs"]]
    # weakest first: no leads (alphabetical among equals), then the highest cost per lead
    assert order == ["linkedin-retargeting", "saas-connect-conference", "seo-playbooks", "paid-search",
                     "product-webinars"]
    # 3 rows say nothing about an assumption: no "Update", and how many more rows it takes
    assert not any(s.startswith("Update") for s in doc["suggestions"])
    assert any(s.startswith("mql_to_sql: 2027Q2 measured 66.7%, 2 of 3; 95% interval")
               and "too few rows to judge" in s and "at least 30 (27 more)" in s for s in doc["suggestions"])
    assert any(s.startswith("Cut or fix program seo-playbooks") for s in doc["suggestions"])


HUBSPOT_CONTACTS = (
    "\ufeffRecord ID,First Name,Create Date,Original Source,Lifecycle Stage,"
    "Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became an Opportunity Date\n"
    '101,"Ann, the ""CFO""",2027-04-03 10:00,Webinar,opportunity,2027-04-04 08:00,2027-04-10 12:00,2027-04-20\n'
    '102,"Bob\nwith a newline",2027-04-05 11:15,IFAT 2027,lead,,,\n'
    "103,Cy,2027-05-06 09:00,Distributor referral,marketingqualifiedlead,2027-05-07 09:00,,\n"
)
HUBSPOT_DEALS = (
    "\ufeffRecord ID,Deal Name,Create Date,Close Date,Deal Stage,Amount,Original Source,Closed Lost Reason\n"
    "201,Pump retrofit,2027-01-10,2027-05-30,closedwon,\"€120,000\",IFAT 2027,\n"
    "202,Dairy line,2027-02-01,2027-06-15,Closed Lost,80000,Webinar,Competitor cheaper\n"
    "203,Brewery,2027-04-02,2027-06-20,Closed Won,90000.50,Webinar,\n"
    "204,City works,2027-04-10,2027-09-01,appointmentscheduled,50000,,\n"
)


def test_hubspot_exports_with_bom_quotes_newlines_and_an_april_fiscal_year(tmp_path, gtm):
    # Brightwater's FY starts in April: fiscal 2027Q1 = 1 Apr - 30 Jun 2027.
    doc = review_json(gtm, tmp_path, EXAMPLES / "brightwater-pumps", "2027Q1",
                      leads=HUBSPOT_CONTACTS, deals=HUBSPOT_DEALS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert (m["leads"], m["mqls"], m["sqls"], m["opportunities"]) == (3, 2, 1, 2)
    assert (m["won"], m["bookings"]) == (2, 210000.5)
    assert m["win_rate"] == pytest.approx(2 / 3)
    assert m["days_to_close"] == pytest.approx((140 + 79) / 2)  # 201: Jan 10 -> May 30; 203: Apr 2 -> Jun 20
    assert doc["loss_reasons"] == [{"reason": "Competitor cheaper", "count": 1}]
    assert doc["bad_rows"] == []
    progs = {p["id"]: p["leads"] for p in doc["programs"]}
    assert progs["ifat-trade-fair"] == 1 and progs["distributor-co-marketing"] == 1
    assert progs["energy-savings-webinars"] == 1  # CRM source 'Webinar'


SALESFORCE_LEADS = """\
Lead ID,Created Date,Lead Source,Lead Status,Converted,Converted Date
00Q1,4/2/2027,Webinar,Qualified,true,4/30/2027
00Q2,4/15/2027,Paid Search,Open,false,
00Q3,3/31/2027,Webinar,Qualified,1,4/3/2027
00Q4,13/45/2027,Webinar,Open,false,
"""
SALESFORCE_OPPS = """\
Opportunity ID,Created Date,Close Date,Stage,Amount,Lead Source,Loss Reason
006A,4/30/2027,6/15/2027,Closed Won,"USD 31,000",Webinar,
006B,4/3/2027,5/1/2027,Closed Lost,25000,Webinar,No budget
006C,5/10/2027,,Negotiation,40000,Paid Search,
"""


def test_salesforce_reports_with_us_dates(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2",
                      leads=SALESFORCE_LEADS, deals=SALESFORCE_OPPS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert m["leads"] == 2 and m["mqls"] is None  # Salesforce lead reports carry no MQL date
    assert m["sqls"] == 2  # converted in Q2: 00Q1 and 00Q3
    assert (m["opportunities"], m["won"], m["bookings"], m["win_rate"]) == (3, 1, 31000.0, 0.5)
    assert m["days_to_close"] == 46
    assert doc["rates"]["lead_to_mql"]["actual"] is None
    assert any("no MQL date" in n for n in doc["notes"])
    assert doc["bad_rows"] == [{"file": "leads.csv", "row": 5,
                                "error": "Created Date: '13/45/2027' is not a date"}]


def test_leads_only_counts_opportunities_from_lead_rows(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", leads=CANONICAL_LEADS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert m["opportunities"] == 1 and m["won"] is None and m["bookings"] is None and m["days_to_close"] is None
    assert doc["loss_reasons"] == []


def test_deals_only(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", deals=CANONICAL_DEALS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert m["leads"] is None and m["opportunities"] == 3 and m["won"] == 2
    assert all(p["leads"] is None for p in doc["programs"])


def test_mapping_file_and_custom_date_format(tmp_path, gtm):
    leads = "Kontakt,Angelegt,Kanal,MQL am\nk1,02.04.2027,Webinar,03.04.2027\nk2,31.03.2027,Webinar,01.04.2027\n"
    deals = ("Nr,Eröffnet,Abgeschlossen,Status,Wert,Kanal,Grund\n"
             "a1,01.04.2027,30.04.2027,Gewonnen,\"12,500\",Webinar,\n"
             "a2,01.04.2027,30.05.2027,Verloren,1,Webinar,Preis\n"
             "a3,01.04.2027,30.05.2027,Verhandlung,1,Webinar,\n")
    mapping = """\
leads:
  columns: {id: Kontakt, created: Angelegt, source: Kanal, mql_date: MQL am}
deals:
  columns: {id: Nr, created: Eröffnet, closed: Abgeschlossen, stage: Status, amount: Wert, source: Kanal, loss_reason: Grund}
  stages: {won: [Gewonnen], lost: [Verloren]}
date_format: "%d.%m.%Y"
"""
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", leads=leads, deals=deals,
                      mapping=mapping)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    assert (m["leads"], m["mqls"], m["won"], m["bookings"], m["opportunities"]) == (1, 2, 1, 12500.0, 3)
    assert doc["loss_reasons"] == [{"reason": "Preis", "count": 1}]


def test_date_format_flag(tmp_path, gtm):
    leads = "id,created\n1,2027/04/02\n"
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", leads=leads, date_format="%Y/%m/%d")
    assert doc["metrics"]["leads"]["actual"] == 1


@pytest.mark.parametrize("text,expected", [
    ("leads:\n  columns: {created: Created, sauce: Source}\n",
     "2:31: unknown key 'sauce' in leads.columns; did you mean 'source'?"),
    ("leads:\n  columns: {id: Id}\n", "2:12: missing required key 'created' in leads.columns"),
    ("leads:\n  columns: {created: [a, b]}\n",
     "2:22: leads.columns.created: expected text, got a list"),
    ("deals:\n  columns: {created: a, closed: b, stage: c, amount: d}\n  stages: {won: W, lost: [L]}\n",
     "3:17: deals.stages.won: expected a list (e.g. [a, b] or one '- item' per line), got 'W'"),
    ("- leads\n", "1:1: a mapping file must be a mapping of keys (leads:, deals:, date_format:), not a list"),
])
def test_bad_mapping_file_is_located_and_worded_like_a_plan(tmp_path, gtm, text, expected):
    mp = tmp_path / "m.yaml"
    mp.write_text(text)
    (tmp_path / "l.csv").write_text("Created\n2027-04-01\n")
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--leads", tmp_path / "l.csv",
            "--mapping", mp)
    assert (r.code, r.err) == (2, f"{mp}:{expected}\n")


def test_mapping_file_keeps_text_as_written(tmp_path, gtm):
    """As in a plan: a column named 2027 or NO is the text written, not a number or a boolean."""
    leads = "2027,NO\n1,2027-04-02\n"
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", leads=leads,
                      mapping="leads:\n  columns: {id: 2027, created: NO}\n")
    assert doc["metrics"]["leads"]["actual"] == 1


# -- what makes a file unusable (exit 2) and what makes a row bad -------------------------

@pytest.mark.parametrize("text,message,line,col", [
    ('id,created\n1,2027-04-01\n2,"2027-04-02\n3,2027-04-03\n', "unterminated quoted field", 3, 3),
    ('id,created\n1,"2027"-04-01\n', "text after a closing quote", 2, 8),
    ("", "file is empty", 1, 1),
    ("id,name\n1,x\n", "missing required column 'created' for a gtmplan canonical leads", 1, 1),
    ("who,when\n1,x\n", "columns not recognised as a leads export", 1, 1),
    ("Record ID,Lifecycle Stage\n1,lead\n", "missing required column 'Create Date' for a HubSpot contacts export", 1, 1),
    ("id,created\n1,2027-04-01\x00\n", "no usable row: all 1 rows are unreadable (row 2: created: "
                                      "'2027-04-01\\x00' is not a date)", None, None),
    ("id,created\n", "no rows after the header", None, None),
    ("id,created\n\n,\n", "no rows after the header", None, None),
])
def test_unusable_leads_files_exit_2_located(tmp_path, gtm, text, message, line, col):
    path = tmp_path / "leads.csv"
    path.write_text(text)
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--leads", path)
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err
    where = f"{path}:{line}:{col}: " if line else f"{path}: "
    assert r.err.startswith(where) and message in r.err, r.err


def test_not_utf8_is_read_as_windows_1252_with_a_note(tmp_path, gtm):
    path = tmp_path / "leads.csv"
    path.write_bytes("id,created,source\n1,2027-04-01,Caf\u00e9\n".encode("cp1252"))
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2",
                      leads=path.read_bytes())
    assert [s["source"] for s in doc["sources"]] == ["Caf\u00e9"]
    assert any("leads.csv is not UTF-8: read as Windows-1252" in n for n in doc["notes"])
    # --encoding forces one: read as Latin-1 the byte is the same letter, and no note
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", leads=path.read_bytes(),
                      encoding="latin-1")
    assert doc["sources"][0]["source"] == "Caf\u00e9" and not any("UTF-8" in n for n in doc["notes"])


def test_missing_deal_columns_are_named(tmp_path, gtm):
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal Stage,Create Date\n1,closedwon,2027-04-01\n")
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--deals", path)
    assert r.code == 2 and ("missing required column 'Close Date' or 'Date entered \"Closed Won (<pipeline>)\"' "
                            "for a HubSpot deals export") in r.err
    assert "--mapping" in r.err


def test_bad_rows_are_reported_with_spreadsheet_row_numbers_and_left_out(tmp_path, gtm):
    deals = ('id,created,closed,stage,amount,source,loss_reason\n'
             'a,2027-04-01,2027-04-02,won,100,Webinar,"multi\nline"\n'   # rows 2 (two lines)
             'b,2027-04-01,2027-04-31,won,100,Webinar,\n'               # row 3: no April 31st
             'c,2027-04-01,2027-04-02,won,,Webinar,\n'                   # row 4: won without amount
             'd,2027-04-01,2027-04-02,maybe,100,Webinar,\n'              # row 5: unknown stage
             'e,2027-04-01,,lost,100,Webinar,\n'                         # row 6: lost without a close date
             'f,2027-04-01,2027-04-02\n'                                 # row 7: too few cells
             'g,2027-04-01,2027-04-02,won,"1,0.0",Webinar,\n')           # row 8: not an amount
    doc = review_json(gtm, tmp_path, EXAMPLES / "lumen-analytics", "2027Q2", deals=deals)
    assert [(b["row"], b["error"]) for b in doc["bad_rows"]] == [
        (3, "closed: '2027-04-31' is not a date"),
        (4, "amount: empty on a won deal"),
        (5, "stage: 'maybe' is not won, lost or open (a --mapping file's stages say which of your stages are "
            "won and lost)"),
        (6, "closed: empty on a lost deal"),
        (7, "has 3 cells; the header has 7"),
        (8, "amount: '1,0.0' is not an amount"),
    ]
    assert doc["metrics"]["won"]["actual"] == 1 and doc["metrics"]["opportunities"]["actual"] == 1


@pytest.mark.parametrize("args,message", [
    (["--quarter", "2031Q1"], "outside the plan's horizon"),
    (["--quarter", "Q2"], "is not a quarter"),
    (["--quarter", "2027Q2", "--date-format", "%H:%M"], "--date-format"),
    (["--quarter", "2027Q2", "--leads", "/nonexistent.csv"], "/nonexistent.csv: no such file"),
])
def test_bad_flags_and_missing_files(gtm, args, message):
    r = gtm("review", EXAMPLES / "lumen-analytics", *args)
    assert r.code == 2 and message in r.err


def test_needs_an_export_and_a_quarter(gtm):
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2")
    assert r.code == 2 and "give --leads FILE, --deals FILE or both" in r.err
    r = gtm("review", EXAMPLES / "lumen-analytics")
    assert r.code == 2 and "--quarter" in r.err


# -- outputs -----------------------------------------------------------------------------

def test_text_output_has_tables_bad_rows_and_suggestions(tmp_path, gtm):
    (tmp_path / "l.csv").write_text(CANONICAL_LEADS.replace("Mystery", "[bold]Mystery[/bold]"))
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--leads", tmp_path / "l.csv")
    assert r.code == 0
    for text in ("Plan vs actual", "Conversion rates", "By source", "Programs, weakest first",
                 "Rows left out (1)", "Suggestions", "l.csv row 7: mql_date"):
        assert text in r.out
    assert "\x1b[" not in r.out


def test_md_and_html_documents(tmp_path, gtm):
    leads = CANONICAL_LEADS.replace("Paid Search", "<script>alert(1)</script>")
    (tmp_path / "l.csv").write_text(leads)
    (tmp_path / "d.csv").write_text(CANONICAL_DEALS)
    base = ["review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--leads", tmp_path / "l.csv",
            "--deals", tmp_path / "d.csv"]
    out = tmp_path / "review.html"
    assert gtm(*base, "-f", "html", "-o", out).code == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<script>" not in html and "&lt;script&gt;" in html
    assert "Lumen Analytics: 2027Q2 go-to-market review" in html and "<h2>Suggestions</h2>" in html
    md = gtm(*base, "-f", "md").out
    assert md.startswith("# Lumen Analytics: 2027Q2 go-to-market review")
    assert "| Bookings | $700,000 | $75,000 | ⚠ -89% |" in md
    assert "## Suggestions" in md and "\\<script\\>" in md


def _big_leads(path, n: int):
    with open(path, "w") as fh:
        fh.write("id,created,source,mql_date,sql_date,opportunity_date\n")
        for i in range(n):
            day = 1 + i % 28
            fh.write(f"{i},2027-05-{day:02d} 10:{i % 60:02d},Webinar,2027-05-{day:02d},,\n")
    return path


@pytest.mark.parametrize("reader", ["rows", "columnar"])
def test_memory_does_not_grow_with_rows(tmp_path, reader):
    """The exports are streamed, by either reader: 16x the rows (25,000 and 400,000 leads), about the
    same peak memory of the `gtmplan review` process (its peak resident set, from the OS). Two runs
    differ by up to ~1 MiB for reasons of their own (the allocator, which pages of the shared libraries
    were touched), which made a 1 MiB bound on 8x the rows flaky; the columnar reader's peak also
    creeps up by about 1 MiB each time the rows are multiplied by 4 (91 to 95 MiB here, 96 MiB at
    1.6M rows; measured). Keeping as little as one Python number per row of the 375,000 more adds
    375,000 x 32 bytes = 11.4 MiB, reading the rows first over 100 MiB: a 6 MiB bound on 16x the rows
    tells a leak from noise. The same two exports, measured allocation by allocation: the slow test
    below (it takes 20 s)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "GTMPLAN_REVIEW_READER": reader}

    def peak(n: int) -> int:
        path = _big_leads(tmp_path / f"leads{n}.csv", n)
        with open(tmp_path / "out", "w+b") as out, open(tmp_path / "err", "w+b") as err:
            proc = subprocess.Popen([sys.executable, "-m", "gtmplan", "review", str(EXAMPLES / "lumen-analytics"),
                                     "--quarter", "2027Q2", "--leads", str(path), "-f", "json"],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's peak, no other's
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0), err.seek(0)
            assert proc.returncode == 0, err.read()
            assert json.loads(out.read())["metrics"]["leads"]["actual"] == n
        return usage.ru_maxrss

    unit = 1024 * (1024 if sys.platform == "darwin" else 1)  # ru_maxrss: bytes on macOS, KiB elsewhere
    small, large = peak(25_000), peak(400_000)
    assert large < small + 6 * unit, (small, large)  # 6 MiB


@pytest.mark.slow
def test_memory_does_not_grow_with_rows_traced(tmp_path, monkeypatch):
    """The exports are streamed: 8x the rows, about the same peak of traced allocations.

    By the rows reader: tracemalloc sees Python's allocations only (the columnar reader's are
    pyarrow's; the test above measures the process's peak for both), and CPython up to 3.12.8
    can crash in ``tracemalloc.stop()`` while a thread that Python did not start (pyarrow's I/O
    thread, calling the reader's ``read``) takes the GIL (python/cpython#128679): a CI worker
    died so."""
    import tracemalloc

    monkeypatch.setenv("GTMPLAN_REVIEW_READER", "rows")

    from gtmplan.commands.review import columnar, run_review
    from gtmplan.plan.quarters import Quarter
    from gtmplan.read.loader import load_plan

    loaded = load_plan(str(EXAMPLES / "lumen-analytics"))

    def peak(n: int) -> int:
        path = _big_leads(tmp_path / f"leads{n}.csv", n)
        tracemalloc.start()
        result = run_review(loaded, Quarter(2027, 2), str(path), None)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result.metrics["leads"].actual == n
        assert columnar.read_by(str(path)) == "rows: GTMPLAN_REVIEW_READER=rows"
        return top

    small, large = peak(25_000), peak(200_000)
    assert large < small * 1.5 + 200_000, (small, large)


def test_shipped_sample_exports_tell_the_readme_story(gtm):
    crm = EXAMPLES / "lumen-analytics" / "crm"
    r = gtm("review", EXAMPLES / "lumen-analytics", "--quarter", "2027Q2", "--leads", crm / "hubspot-contacts.csv",
            "--deals", crm / "hubspot-deals.csv", "-f", "json")
    doc = json.loads(r.out)
    assert doc["rates"]["mql_to_sql"]["closer"] == "sales"
    tips = doc["suggestions"]
    assert any(t.startswith("Update mql_to_sql to 0.31 in marketing.assumptions") for t in tips)
    assert any(t.startswith("Cut or rework program linkedin-retargeting") for t in tips)
    assert any(t.startswith("Grow program product-webinars") for t in tips)
    assert doc["programs"][0]["id"] == "linkedin-retargeting" and doc["bad_rows"] == []


def test_progress_goes_to_stderr_on_a_terminal_only(tmp_path, monkeypatch):
    import io
    import sys

    import gtmplan.commands.review as review

    class Tty(io.StringIO):
        def isatty(self):
            return True

    rows = [(i, ["x"]) for i in range(120_000)]
    monkeypatch.setattr(review, "PROGRESS_MIN_BYTES", 0)
    err, out = Tty(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    assert list(review._progress(iter(rows), 10, "leads.csv")) == rows
    assert "leads.csv" in err.getvalue() and out.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no progress at all
    assert list(review._progress(iter(rows), 10, "leads.csv")) == rows
    assert sys.stderr.getvalue() == ""
