"""The quarterly loop: review --record writes actuals/QUARTER.yaml, the plan loads it
(located problems like any plan file), calibrate reads the same figures back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import LUMEN, apply_patch, base_plan, dump

# Hand-made canonical exports for 2026Q4 (before the base plan's 2027 horizon):
#   leads: 40 created 2026-10-15 from "SEO"; 10 became MQLs, 5 of those SQLs, 3 of those opportunities;
#          2 more created 2026-07-10 (2026Q3) and one row with a quoted newline in its source cell
#          created 2026-12-31 from "Web\nform" (counted in leads, no program); one bad row (L43).
#   deals: 12 created 2026-10-01 and closed 2026-12-01 (61 days): 3 won at 10,000, 9 lost.
# So 2026Q4: leads 41, mqls 10, sqls 5, opportunities 12, won 3, lost 9, bookings 30,000,
# days_to_close 61; lead_to_mql 10/41, mql_to_sql 5/10, sql_to_opportunity 3/5, win_rate 3/12;
# program seo (crm_sources [SEO]): 40 leads.


def _exports(d: Path) -> tuple[Path, Path]:
    rows = ["id,created,source,mql_date,sql_date,opportunity_date"]
    for i in range(40):
        mql = "2026-10-20" if i < 10 else ""
        sql = "2026-10-25" if i < 5 else ""
        opp = "2026-11-01" if i < 3 else ""
        rows.append(f"L{i},2026-10-15,SEO,{mql},{sql},{opp}")
    rows += ["L40,2026-07-10,SEO,,,", "L41,2026-07-11,SEO,,,", 'L42,2026-12-31,"Web\nform",,,',
             "L43,2026-13-45,SEO,,,"]  # a bad row: reported, in no figure
    leads = d / "leads.csv"
    leads.write_text("\n".join(rows) + "\n", encoding="utf-8")
    deal_rows = ["id,created,closed,stage,amount,source,loss_reason"]
    for i in range(12):
        won = i < 3
        deal_rows.append(f"D{i},2026-10-01,2026-12-01,{'won' if won else 'lost'},10000,SEO,{'' if won else 'price'}")
    deals = d / "deals.csv"
    deals.write_text("\n".join(deal_rows) + "\n", encoding="utf-8")
    return leads, deals


@pytest.fixture(autouse=True)
def _after_the_horizon(monkeypatch):
    """Every quarter these tests record has ended (review --record refuses one that has not)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830384000")  # 2028-01-02


@pytest.fixture
def plan_dir(tmp_path):
    d = tmp_path / "plan"
    d.mkdir()
    plan = apply_patch(base_plan(), {"marketing": {"programs": {1: {"crm_sources": ["SEO"]}}}})
    (d / "gtmplan.yaml").write_text(dump(plan), encoding="utf-8")
    (d / "crm").mkdir()
    return d


def test_record_then_calibrate_reads_the_same_figures_back(gtm, plan_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    leads, deals = _exports(plan_dir / "crm")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--deals", deals, "--record", "-f", "json")
    assert r.code == 0, r.err
    assert f"recorded 2026Q4 in {plan_dir}/actuals/2026Q4.yaml" in r.err
    review = json.loads(r.out)
    text = (plan_dir / "actuals" / "2026Q4.yaml").read_text(encoding="utf-8")
    assert "quarter: 2026Q4" in text and "recorded_on: 2027-01-01" in text
    sha = hashlib.sha256(leads.read_bytes()).hexdigest()
    assert f'{{file: "crm/leads.csv", sha256: {sha}, rows: 44}}' in text  # the quoted newline is one row
    assert "# 1 row of the exports could not be read and is in no figure below (the review lists them)." in text
    assert f'{{file: "crm/deals.csv", sha256: {hashlib.sha256(deals.read_bytes()).hexdigest()}, rows: 12}}' in text
    for line in ("leads: 41 ", "mqls: 10 ", "sqls: 5 ", "opportunities: 12 ", "won: 3 ", "lost: 9 ",
                 "bookings: 30000 ", "days_to_close: 61 ", "lead_to_mql: {actual: 0.2439, n: 41}",
                 "mql_to_sql: {actual: 0.5, n: 10}", "sql_to_opportunity: {actual: 0.6, n: 5}",
                 "win_rate: {actual: 0.25, n: 12}", "- {id: seo, leads: 40}"):
        assert line in text, line
    assert "# leads created in the quarter" in text  # each field explained for people writing one by hand

    r = gtm("calibrate", plan_dir, "-f", "json")
    assert r.code == 0, r.err
    cal = json.loads(r.out)
    assert cal["quarters"] == ["2026Q4"]
    for key in ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate"):
        assert cal["assumptions"][key]["n"] == review["rates"][key]["n"]
        assert cal["assumptions"][key]["actual"] == pytest.approx(review["rates"][key]["actual"])
    size = cal["assumptions"]["average_deal_size"]
    assert (size["actual"], size["n"], size["low"], size["evidence"]) == (10000.0, 3, None, False)
    # 41 leads: enough evidence; marketing's 0.25 lies inside the interval of 10/41, so it stands
    l2m = cal["assumptions"]["lead_to_mql"]
    assert l2m["evidence"] is True and l2m["marketing_fits"] is True and l2m["proposed"] == 0.25
    # 12 closed deals: too few to call anything contradicted, whatever the interval
    assert cal["assumptions"]["win_rate"]["evidence"] is False
    assert cal["assumptions"]["win_rate"]["proposed"] == 0.25


def test_record_refuses_to_replace_without_force(gtm, plan_dir):
    leads, _ = _exports(plan_dir / "crm")
    args = ("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record")
    assert gtm(*args).code == 0
    path = plan_dir / "actuals" / "2026Q4.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    r = gtm(*args)
    assert r.code == 2
    assert r.err.strip() == f"{path}: 2026Q4 is already recorded; give --force to replace it"
    assert r.out == ""  # refused before reading the exports
    assert path.read_text(encoding="utf-8").endswith("# my note\n")
    assert gtm(*args, "--force").code == 0
    assert not path.read_text(encoding="utf-8").endswith("# my note\n")
    assert sorted(p.name for p in path.parent.iterdir()) == ["2026Q4.yaml"]  # no temporary file left


def test_record_beside_a_single_file_plan(gtm, tmp_path):
    plan = tmp_path / "gtm.yaml"
    plan.write_text(dump(base_plan()), encoding="utf-8")
    leads, deals = _exports(tmp_path)
    # exports whose dates span 2027Q1 without a row in it (a quarter outside a file's dates is exit 2)
    leads.write_text(leads.read_text(encoding="utf-8") + "L99,2027-04-02,SEO,,,\n", encoding="utf-8")
    deals.write_text(deals.read_text(encoding="utf-8") + "D99,2027-04-05,,open,1000,SEO,\n", encoding="utf-8")
    r = gtm("review", plan, "--quarter", "2027Q1", "--leads", leads, "--deals", deals, "--record")
    assert r.code == 0, r.err
    text = (tmp_path / "actuals" / "2027Q1.yaml").read_text(encoding="utf-8")
    # a quarter of the horizon: the programs running in it, with their planned cost
    assert "- {id: seo, leads: 0, cost: 8000}" in text
    assert "leads: 0 " in text
    assert gtm("check", plan, "--select", "E").code == 0


def test_review_without_record_still_refuses_a_quarter_outside_the_horizon(gtm, plan_dir):
    leads, _ = _exports(plan_dir / "crm")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads)
    assert r.code == 2 and r.err == ("gtmplan: --quarter: 2026Q4 is outside the plan's horizon (2027Q1-2027Q4); to "
                                      "review a quarter outside it (and keep it in the track record), add --record\n")


HAND_WRITTEN = """\
quarter: 2026Q3
metrics:
  leads: 2000
  won: 12
  bookings: 300000
rates:
  win_rate: {actual: 0.2, n: 60}
programs:
  - {id: seo, leads: 380, cost: 8000}
"""


def _hand(plan_dir: Path, name: str, text: str) -> Path:
    d = plan_dir / "actuals"
    d.mkdir(exist_ok=True)
    path = d / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hand_written_file_is_part_of_the_plan(gtm, plan_dir):
    _hand(plan_dir, "2026Q3.yaml", HAND_WRITTEN)
    r = gtm("check", plan_dir, "--select", "E", "-f", "json")
    assert r.code == 0, r.err
    (f,) = json.loads(r.out)["findings"]  # 12 of 60 = 0.20: (0.1182, 0.3188) holds 0.25; deal size 25,000
    assert f["code"] == "E701" and f["path"] == "sales.assumptions.average_deal_size"
    assert "$25,000 ($300,000 booked on 12 won deals; differ by 60%" in f["message"]


@pytest.mark.parametrize("name,text,expected", [
    ("2026Q3.yaml", HAND_WRITTEN.replace("quarter: 2026Q3", "quarter: 2026Q2"),
     "2026Q3.yaml:1:10: quarter: 2026Q2 does not match the file name (2026Q3)"),
    ("2026Q3.yaml", HAND_WRITTEN.replace("  bookings:", "  bookngs:"),
     "2026Q3.yaml:5:3: unknown key 'bookngs' in metrics; did you mean 'bookings'?"),
    ("2026Q3.yaml", HAND_WRITTEN.replace("n: 60", "n: 60.5"),
     "2026Q3.yaml:7:30: rates.win_rate.n: expected a whole number, got 60.5"),
    ("2026Q3.yaml", HAND_WRITTEN.replace("actual: 0.2,", "actual: 20,"),
     "2026Q3.yaml:7:22: rates.win_rate.actual: must be at most 1, got 20 (a fraction: write 30% as 0.30)"),
    ("2026Q3.yaml", HAND_WRITTEN.replace("metrics:\n", "metrics:\n  lost: 50\n"),
     "2026Q3.yaml:8:30: rates.win_rate.n: 60 closed deals, but metrics say 12 won + 50 lost = 62"),
    ("2026Q3.yaml", HAND_WRITTEN.replace("  - {id: seo", "  - {id: seo, leads: 1}\n  - {id: seo"),
     "2026Q3.yaml:10:10: programs[1].id: 'seo' is listed twice (first as programs[0])"),
    ("2026Q3.yaml", "quarter: 2026Q3\n", "2026Q3.yaml:1:1: missing required key 'metrics'"),
    ("q3.yaml", HAND_WRITTEN, "q3.yaml:1:1: an actuals file is named after its quarter, e.g. actuals/2027Q2.yaml; "
                              "keep notes elsewhere (a file in actuals/ is a recorded quarter)"),
    ("2026q3.yaml", HAND_WRITTEN, "2026q3.yaml:1:1: an actuals file is named after its quarter, "
                                  "e.g. actuals/2027Q2.yaml: rename it 2026Q3.yaml"),
    # 0.9 of 10 is 9 won, but the same file says 5 won of 5 + 5 closed
    ("2026Q3.yaml", "quarter: 2026Q3\nmetrics: {won: 5, lost: 5}\nrates: {win_rate: {actual: 0.9, n: 10}}\n",
     "2026Q3.yaml:3:28: rates.win_rate.actual: 0.9 of 10 closed deals is 9 won, but metrics say won: 5 "
     "(write actual: 0.5, or correct won)"),
    ("2026Q3.yaml", "quarter: 2026Q3\nsources: [{file: a.csv, sha256: nothex, rows: 3}]\nmetrics: {}\n",
     "2026Q3.yaml:2:33: sources[0].sha256: expected the file's SHA-256, 64 hexadecimal digits (0-9, a-f), "
     "got 'nothex'"),
    ("2026Q3.yaml", "quarter:\nmetrics: {}\n", "2026Q3.yaml:1:9: quarter: no quarter given: write it as YYYYQn"),
    ("2026Q3.yaml", "quarter: 2026Q3\nmetrics: {leads: 10000000000}\n",
     "2026Q3.yaml:2:18: metrics.leads: must be at most 1,000,000,000, got 10000000000"),
    ("2026Q3.yaml", "quarter: 2026Q3\nmetrics: {bookings: 2000000000000}\n",
     "2026Q3.yaml:2:21: metrics.bookings: must be at most 1,000,000,000,000, got 2000000000000"),
    ("2026Q3.yaml", "quarter: 2026Q3\nmetrics: {leads: 1, leads: 2}\n",
     "2026Q3.yaml:2:21: duplicate key 'leads' (first at line 2)"),
])
def test_a_hand_written_error_is_reported_with_its_location(gtm, plan_dir, name, text, expected):
    _hand(plan_dir, name, text)
    for command in ("check", "funnel", "calibrate"):
        r = gtm(command, plan_dir)
        assert r.code == 2, command
        assert r.out == ""
        assert r.err.startswith(str(plan_dir / "actuals" / expected.split(":", 1)[0])), r.err
        assert expected in r.err, r.err


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_an_actuals_entry_that_is_not_a_file_is_reported_not_skipped(gtm, plan_dir, kind):
    import os

    (plan_dir / "actuals").mkdir()
    path = plan_dir / "actuals" / "2026Q4.yaml"
    path.mkdir() if kind == "directory" else os.mkfifo(path)
    r = gtm("check", plan_dir)
    assert r.code == 2
    expected = "is a directory, not an actuals file" if kind == "directory" else "is not a regular file"
    assert r.err.strip().startswith(f"{path}: {expected}"), r.err


def test_calibrate_without_actuals_says_how_to_record(gtm, plan_dir):
    r = gtm("calibrate", plan_dir)
    assert r.code == 2
    assert r.err.strip() == (f"{plan_dir}/actuals: does not exist: no recorded quarters; record one with "
                             "'gtmplan review --quarter Q ... --record' (it writes actuals/QUARTER.yaml)")
    (plan_dir / "actuals").mkdir()
    assert gtm("calibrate", plan_dir).err.startswith(f"{plan_dir}/actuals: holds no recorded quarter; record one")


def test_calibrate_pools_the_last_n_quarters_and_proposes_only_on_evidence(gtm, plan_dir):
    # 2026Q3: 60 of 200 won (0.30); 2026Q4: 12 of 100 won (0.12). Sales states 0.25.
    #   last 2: 72/300 = 0.24, Wilson (0.1952, 0.2914): 0.25 fits -> proposed stays 0.25
    #   last 1: 12/100 = 0.12, Wilson (0.0700, 0.1981): 0.25 is outside -> proposed 0.12
    _hand(plan_dir, "2026Q3.yaml", "quarter: 2026Q3\nmetrics: {}\nrates: {win_rate: {actual: 0.3, n: 200}}\n")
    _hand(plan_dir, "2026Q4.yaml", "quarter: 2026Q4\nmetrics: {}\nrates: {win_rate: {actual: 0.12, n: 100}}\n")
    both = json.loads(gtm("calibrate", plan_dir, "-f", "json").out)
    w = both["assumptions"]["win_rate"]
    assert both["quarters"] == ["2026Q3", "2026Q4"]
    assert (w["n"], round(w["low"], 4), round(w["high"], 4), w["sales_fits"], w["proposed"]) == \
        (300, 0.1952, 0.2914, True, 0.25)
    last = json.loads(gtm("calibrate", plan_dir, "--quarters", "1", "-f", "json").out)
    w = last["assumptions"]["win_rate"]
    assert last["quarters"] == ["2026Q4"]
    assert (w["n"], round(w["low"], 4), round(w["high"], 4), w["sales_fits"], w["proposed"]) == \
        (100, 0.07, 0.1981, False, 0.12)
    assert w["marketing"] is None and w["marketing_fits"] is None
    text = gtm("calibrate", plan_dir, "--quarters", "1").out
    assert "win_rate: sales states 0.25, outside the 95% range 7.0–19.8% measured in the last recorded quarter " \
           "(2026Q4) on 100 closed deals: propose 0.12 in sales.assumptions." in " ".join(text.split())
    assert "lead_to_mql: not measured" in text
    md = gtm("calibrate", plan_dir, "--quarters", "1", "-o", str(plan_dir.parent / "cal.md"))
    assert md.code == 0
    table = (plan_dir.parent / "cal.md").read_text(encoding="utf-8")
    assert "| win_rate | 0.25 outside | – | 12.0% | 7.0–19.8% | 100 closed deals | 0.12 |" in table


def test_the_shipped_track_record_is_what_review_record_writes(gtm, tmp_path, monkeypatch):
    """examples/lumen-analytics/actuals/ come from `review --record` on crm/history/ (crm/make_sample.py)."""
    import shutil


    src = LUMEN
    plan = tmp_path / "lumen"
    plan.mkdir()
    for f in src.glob("*.yaml"):
        shutil.copy(f, plan / f.name)
    shutil.copytree(src / "crm" / "history", plan / "crm" / "history")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798848000")  # as make_sample.py records them
    for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        r = gtm("review", plan, "--quarter", q, "--leads", plan / "crm/history/hubspot-contacts.csv",
                "--deals", plan / "crm/history/hubspot-deals.csv", "--record", "-o", tmp_path / "review.txt")
        assert r.code == 0, r.err
        shipped = (src / "actuals" / f"{q}.yaml").read_text(encoding="utf-8")
        assert (plan / "actuals" / f"{q}.yaml").read_text(encoding="utf-8") == shipped, q


def test_the_quarterly_loop_page_shows_the_loop_as_it_runs(gtm, monkeypatch):
    """docs/how-to/quarterly-loop.md (tests/docs/test_docs.py also runs its commands)."""
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    readme = (ROOT / "docs" / "how-to" / "quarterly-loop.md").read_text(encoding="utf-8")
    recorded = (ROOT / "examples/lumen-analytics/actuals/2026Q4.yaml").read_text(encoding="utf-8")
    assert "".join(recorded.splitlines(True)[5:]) in readme  # the file, below its header comment
    r = gtm("check", "examples/lumen-analytics", "--select", "E")
    assert r.code == 0 and r.out in readme
    full = gtm("check", "examples/lumen-analytics")
    assert full.code == 1 and full.out in (ROOT / "README.md").read_text(encoding="utf-8")  # "What it finds"
    monkeypatch.delenv("COLUMNS", raising=False)  # the page shows it piped, as 0.2 laid it out (120 columns)
    cal = gtm("calibrate", "examples/lumen-analytics")
    unpadded = "\n".join(line.rstrip() for line in cal.out.splitlines())  # the page drops trailing spaces
    assert cal.code == 0 and unpadded in readme


@pytest.mark.parametrize("data,rows", [
    (b"id,created\r\n1,2026-10-01\r\n2,2026-10-02\r\n", 2),  # CRLF
    (b"id,created\n1,2026-10-01\n2,2026-10-02", 2),  # no newline at the end
    (b'id,note\n1,"two\nlines"\n2,"say ""hi""\nthere"\n', 2),  # newlines inside quoted cells, doubled quotes
    (b"id,created\n", 0),  # a header only
    (b"id,created\n\n1,2026-10-01\n", 2),  # a blank line is a row, as a spreadsheet shows it
])
def test_recorded_row_counts(tmp_path, data, rows):
    from gtmplan.commands.record import file_facts

    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert file_facts(str(path)) == (hashlib.sha256(data).hexdigest(), rows)


def test_recorded_row_counts_do_not_depend_on_where_reads_split_the_file(tmp_path):
    from gtmplan.commands import record

    data = b'id,note\n1,"two\nlines"\n2,"say ""hi""\nthere"\n3,plain\n'
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    for size in (1, 2, 3, 5, 7, len(data)):
        assert record.file_facts(str(path), read_size=size) == (hashlib.sha256(data).hexdigest(), 3), size


def test_calibrate_calls_nothing_a_fit_or_a_misfit_below_the_evidence_threshold(gtm, plan_dir):
    # 1 of 14 closed deals won at 84,000: below n >= 30 and below 10 won deals; sales states 0.25 and 10,000
    _hand(plan_dir, "2026Q4.yaml", "quarter: 2026Q4\nmetrics: {won: 1, lost: 13, bookings: 84000}\n"
                                   "rates: {win_rate: {actual: 0.0714, n: 14}}\n")
    cal = json.loads(gtm("calibrate", plan_dir, "-f", "json").out)
    for key in ("win_rate", "average_deal_size"):
        a = cal["assumptions"][key]
        assert (a["evidence"], a["sales_fits"], a["marketing_fits"]) == (False, None, None), key
    r = gtm("calibrate", plan_dir)
    assert r.code == 0, r.err
    text = " ".join(r.out.split())
    assert " off " not in text and "outside" not in text and "fits" not in text
    assert "1 won deal " in text and "won deals" not in text.replace("10 are needed", "")
    assert ("average_deal_size: 1 won deal recorded in the last recorded quarter (2026Q4); 10 are needed before "
            "a stated value can be called a fit or contradicted (9 more).") in text
    assert "win_rate: 14 closed deals recorded in the last recorded quarter (2026Q4); 30 are needed" in text


def test_calibrate_names_the_quarters_that_measured_each_rate(gtm, plan_dir):
    _hand(plan_dir, "2026Q3.yaml", "quarter: 2026Q3\nmetrics: {}\nrates: {win_rate: {actual: 0.12, n: 100}}\n")
    _hand(plan_dir, "2026Q4.yaml", "quarter: 2026Q4\nmetrics: {leads: 10}\n")
    cal = json.loads(gtm("calibrate", plan_dir, "-f", "json").out)
    assert cal["quarters"] == ["2026Q3", "2026Q4"] and cal["assumptions"]["win_rate"]["quarters"] == ["2026Q3"]
    text = " ".join(gtm("calibrate", plan_dir).out.split())
    assert "against the last 2 recorded quarters (2026Q3, 2026Q4)" in text
    assert ("win_rate: sales states 0.25, outside the 95% range 7.0–19.8% measured in 1 of the last 2 recorded "
            "quarters (2026Q3; not measured in 2026Q4) on 100 closed deals") in text


@pytest.mark.parametrize("kind,expected", [
    ("file", "actuals: is not a directory: recorded quarters go in a folder actuals/ (rename or remove this file)"),
    ("dangling", "actuals: is a symbolic link to nothing: remove it, or point it at a directory"),
    ("readonly", "actuals: cannot write: permission denied"),
])
def test_record_where_actuals_cannot_be_written_is_one_located_line(gtm, plan_dir, kind, expected):
    import os

    folder = plan_dir / "actuals"
    if kind == "file":
        folder.write_text("hi\n", encoding="utf-8")
    elif kind == "dangling":
        folder.symlink_to(plan_dir / "nowhere")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes in a read-only folder")
        folder.mkdir()
        folder.chmod(0o555)
    leads, _ = _exports(plan_dir / "crm")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record")
    assert r.code == 2 and r.out == ""
    assert r.err.strip().splitlines() == [r.err.strip()] and "Traceback" not in r.err
    assert r.err.startswith(f"{plan_dir}/{expected}"), r.err


@pytest.mark.parametrize("company,header", [
    ("|\n  Acme\n  Pumps\n", "# What happened in 2026Q4 at Acme Pumps: recorded by"),
    ('"Acme\\e[31m Pumps"', "# What happened in 2026Q4 at Acme\\x1b[31m Pumps: recorded by"),
])
def test_record_keeps_the_company_name_inside_its_comment(gtm, plan_dir, company, header):
    plan = plan_dir / "gtmplan.yaml"
    text = plan.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("company:")]
    plan.write_text(f"company: {company}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert gtm("check", plan_dir).code in (0, 1)
    leads, _ = _exports(plan_dir / "crm")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record")
    assert r.code == 0, r.err
    assert (plan_dir / "actuals" / "2026Q4.yaml").read_text(encoding="utf-8").startswith(header)


def test_record_refuses_a_quarter_that_has_not_ended(gtm, plan_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    leads, _ = _exports(plan_dir / "crm")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record", "--force")
    assert r.code == 2 and r.out == ""
    assert r.err.strip() == ("gtmplan: --quarter 2026Q4: it ends on 31 Dec 2026 (today is 23 Nov 2026); record a "
                             "quarter once it has ended, so that its figures are complete")
    assert not (plan_dir / "actuals").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: it has
    assert gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record").code == 0


def test_record_refuses_a_quarter_after_the_horizon(gtm, plan_dir, monkeypatch):
    leads, _ = _exports(plan_dir / "crm")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1861920000")  # 2029-01-01: 2028Q1 has ended, and is after 2027Q4
    r = gtm("review", plan_dir, "--quarter", "2028Q1", "--leads", leads, "--record")
    assert r.code == 2
    assert "--quarter 2028Q1: it is after the plan's horizon (2027Q1–2027Q4)" in r.err


@pytest.mark.parametrize("text,expected", [
    ("quarter: 2026Q4\nrecorded_on: 2026-12-31\nmetrics: {}\n",
     "2026Q4.yaml:2:14: recorded_on: 2026-12-31 is before 2026Q4 ended (31 Dec 2026): its figures are partial"),
    ("quarter: 2031Q4\nmetrics: {}\n",
     "2031Q4.yaml:1:10: quarter: 2031Q4 is after the plan's horizon (2027Q1–2027Q4): a recorded quarter lies "
     "before the horizon or inside it (a typo in the year? or extend the horizon)"),
])
def test_a_hand_written_quarter_the_plan_cannot_have_recorded(gtm, plan_dir, text, expected):
    _hand(plan_dir, expected.split(":", 1)[0], text)
    for command in ("check", "calibrate", "render"):
        r = gtm(command, plan_dir, *(("-o", plan_dir / "plan.md") if command == "render" else ()))
        assert r.code == 2, command
        assert r.err.strip() == f"{plan_dir / 'actuals'}/{expected}" or expected in r.err, r.err
    assert gtm("check", plan_dir).err.strip().startswith(str(plan_dir / "actuals" / expected.split(":")[0]))


def test_record_before_the_horizon_keeps_a_running_program_at_zero_leads(gtm, plan_dir):
    # seo ran in 2026Q3 (hand-written); in 2026Q4 its source "SEO" brought no lead: recorded as 0, not left out
    _hand(plan_dir, "2026Q3.yaml", "quarter: 2026Q3\nmetrics: {}\nprograms: [{id: seo, leads: 100}]\n")
    leads, _ = _exports(plan_dir / "crm")
    leads.write_text(leads.read_text(encoding="utf-8").replace(",SEO,", ",Ads,"), encoding="utf-8")
    r = gtm("review", plan_dir, "--quarter", "2026Q4", "--leads", leads, "--record")
    assert r.code == 0, r.err
    text = (plan_dir / "actuals" / "2026Q4.yaml").read_text(encoding="utf-8")
    assert "  - {id: seo, leads: 0}" in text
    r = gtm("check", plan_dir, "--select", "E702")
    assert "program 'seo' brought 100 leads in 2026Q3 and 0 in 2026Q4" in r.out


def test_calibrate_shows_the_largest_figures_whole(gtm, plan_dir):
    _hand(plan_dir, "2026Q4.yaml", "quarter: 2026Q4\nmetrics: {won: 123456789, bookings: 999999999999}\n"
                                   "rates: {win_rate: {actual: 0.123456789, n: 1000000000}}\n")
    r = gtm("calibrate", plan_dir)
    assert r.code == 0, r.err
    assert "…" not in r.out
    assert "1,000,000,000 closed deals" in r.out and "123,456,789 won deals" in r.out and "$8,100" in r.out
