"""``review`` on a segmented plan: the company's plan figures are the segments' sums, and the
company has no rates of its own (docs/reference/plan-format.md, 'Segments' and its 'Resolutions
(0.3)': "each [program's] part becomes MQLs at that segment's lead_to_mql; the company's figures are
the sums"; "The company's row per quarter is the sum of the segments' counts and money (it has no
rates)").

examples/fernhill-payroll, 2027Q1 (target 600,000; smb share 0.4, enterprise 0.6):
  lead_to_mql: company-wide 0.25, smb 0.30, enterprise 0.20; mql_to_sql 0.35 and
  sql_to_opportunity 0.5 company-wide for both; win rate smb 0.25, enterprise 0.15 (company-wide
  0.2); deal size smb 8,000, enterprise 90,000 (company-wide 20,000); cycle 30 / 120 (60).
  programs running: paid-search 1,500 leads (smb), seo-guides 1,200 leads (smb),
  webinars 400 MQLs split smb 0.7 / enterprise 0.3 (cfo-dinners runs in 2027Q3 only).
"""

from __future__ import annotations

import shutil

import pytest
from conftest import FERNHILL, review_json

DEALS = """Deal Name,Amount,Close Date,Create Date,Deal Stage,Segment
A,8000,2027-02-01,2027-01-05,closedwon,smb
B,8000,2027-02-02,2027-01-05,closedwon,smb
C,8000,2027-02-03,2027-01-05,closedwon,smb
D,8000,2027-02-04,2027-01-05,closedlost,smb
E,90000,2027-03-01,2027-01-10,closedwon,enterprise
F,90000,2027-03-02,2027-01-10,closedwon,enterprise
G,90000,2027-03-03,2027-01-10,closedlost,enterprise
"""


@pytest.fixture
def deals(tmp_path):
    # 7 deals closed: 5 won (3 smb, 2 enterprise), 2 lost: company win rate 5 / 7 = 71.4%
    p = tmp_path / "deals.csv"
    p.write_text(DEALS, encoding="utf-8")
    return p


def _plan(doc: dict) -> dict:
    return {k: v["plan"] for k, v in doc["metrics"].items()}


def test_company_leads_are_the_segments_sums_at_each_segments_lead_to_mql(gtm, deals):
    doc = review_json(gtm, FERNHILL, "2027Q1", "--deals", deals)
    smb, ent = _plan(doc["segments"]["smb"]), _plan(doc["segments"]["enterprise"])
    # smb: 1,500 + 1,200 leads + webinars' 400 x 0.7 = 280 MQLs / 0.30 = 933.33 leads -> 3,633.33
    assert smb["leads"] == pytest.approx(1500 + 1200 + 400 * 0.7 / 0.30)
    # enterprise: webinars' 400 x 0.3 = 120 MQLs / 0.20 = 600 leads
    assert ent["leads"] == pytest.approx(600.0)
    company = _plan(doc)
    # 3,633.33 + 600 = 4,233.33 (not 1,500 + 1,200 + 400 / 0.25 = 4,300 at the company-wide rate)
    assert company["leads"] == pytest.approx(4233.333333, abs=1e-5)
    # MQLs: smb 1,500 x 0.3 + 1,200 x 0.3 + 280 = 1,090; enterprise 120; 1,210
    # SQLs x 0.35 = 423.5; opportunities x 0.5 = 211.75; won smb 240,000 / 8,000 = 30, ent 360,000 / 90,000 = 4
    assert (company["mqls"], company["sqls"], company["opportunities"], company["won"], company["bookings"]) == \
        pytest.approx((1210.0, 423.5, 211.75, 34.0, 600000.0))
    for key in ("leads", "mqls", "sqls", "opportunities", "won", "bookings"):
        assert company[key] == pytest.approx(smb[key] + ent[key]), key
    # the program rows' forecasts add up the same way: webinars 933.33 + 600 = 1,533.33 (not 1,600)
    expected = {p["id"]: p["expected_leads"] for p in doc["programs"]}
    assert expected == pytest.approx({"paid-search": 1500.0, "seo-guides": 1200.0, "webinars": 1533.333333})
    assert sum(expected.values()) == pytest.approx(company["leads"])
    assert "summed over the segments" in doc["plan_bases"]["leads"]


def test_the_text_shows_the_exact_sum_rounded_up(gtm, deals):
    r = gtm("review", FERNHILL, "--quarter", "2027Q1", "--deals", deals, "-f", "md")
    assert r.code == 0, r.err
    # 4,233.33 rounded up is 4,234 (the segments' 3,634 + 600 would also be 4,234; 4,300 is gone)
    company = r.out.split("## Segment smb")[0]
    assert "| New leads | 4,234 | – | – |" in company
    assert "| New leads | 3,634 | – | – |" in r.out  # smb: 3,633.33 rounded up
    assert "4,300" not in r.out


def test_the_company_has_no_win_rate_deal_size_or_cycle_when_the_segments_differ(gtm, deals):
    doc = review_json(gtm, FERNHILL, "2027Q1", "--deals", deals)
    company = _plan(doc)
    # segments: win rate 0.25 / 0.15, deal size 8,000 / 90,000, cycle 30 / 120: no company value
    # (not the company-wide defaults 0.2, 20,000, 60 that both segments override)
    assert (company["win_rate"], company["average_deal_size"], company["days_to_close"]) == (None, None, None)
    assert doc["metrics"]["win_rate"]["actual"] == pytest.approx(5 / 7)
    win = doc["rates"]["win_rate"]
    assert (win["n"], win["sales"], win["marketing"], win["closer"], win["sales_fits"]) == (7, None, None, None, None)
    assert not {"win_rate", "average_deal_size", "days_to_close"} & set(doc["plan_bases"])
    # no suggestion from the company's win rate (neither "Update win_rate" nor "it takes 30 rows")
    assert not [s for s in doc["suggestions"] if "win_rate" in s or "average_deal_size" in s
                or "sales_cycle_days" in s], doc["suggestions"]
    # the segments carry the rates: smb 3 of 4 against its own 0.25
    smb = doc["segments"]["smb"]
    assert (smb["rates"]["win_rate"]["n"], smb["rates"]["win_rate"]["sales"]) == (4, 0.25)
    assert doc["segments"]["enterprise"]["rates"]["win_rate"]["sales"] == 0.15
    # mql_to_sql: both segments resolve to the company-wide 0.35, so the company shows it
    assert doc["rates"]["mql_to_sql"]["sales"] == 0.35
    r = gtm("review", FERNHILL, "--quarter", "2027Q1", "--deals", deals, "-f", "md")
    company_part = r.out.split("## Segment smb")[0]
    assert "| Win rate | – | 71.4% | – |" in company_part
    assert "| Average deal size | – | $40,800 | – |" in company_part
    assert "| Days to close | – | 29 days | – |" in company_part
    assert "| win_rate | 71.4% | 7 | 35.9% to 91.8% | – | – | – |" in company_part  # no "20.0% (outside)"
    assert "(outside)" not in company_part


def test_a_value_every_segment_resolves_to_is_the_companys(gtm, deals, tmp_path):
    """Near miss: with the segments' own win rates removed, both inherit 0.2 and the company shows it."""
    plan = tmp_path / "fernhill"
    shutil.copytree(FERNHILL, plan)
    sales = plan / "sales.yaml"
    text = sales.read_text(encoding="utf-8")
    for own in ("{win_rate: 0.25, ", "{win_rate: 0.15, "):
        assert own in text
        text = text.replace(own, "{")
    sales.write_text(text, encoding="utf-8")
    doc = review_json(gtm, plan, "2027Q1", "--deals", deals)
    assert doc["metrics"]["win_rate"]["plan"] == 0.2
    win = doc["rates"]["win_rate"]
    # 5 of 7: 95% Wilson interval 35.9% to 91.8%, which leaves out 20%
    assert (win["sales"], win["sales_fits"]) == (0.2, False)
    assert doc["plan_bases"]["win_rate"] == "the value every segment resolves to"
    # deal size and cycle still differ by segment: null
    assert (doc["metrics"]["average_deal_size"]["plan"], doc["metrics"]["days_to_close"]["plan"]) == (None, None)
