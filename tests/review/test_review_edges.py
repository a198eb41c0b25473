"""`gtmplan review` at the edges of a quarter and of a deal: the quarter's first and last days,
a deal won the day it was created, a won deal of 0. Figures computed by hand."""

from __future__ import annotations

from conftest import LUMEN
from test_review import review_json

# 2027Q2 runs from 1 April to 30 June 2027.
EDGE_DEALS = """\
id,created,closed,stage,amount
a,2027-04-01,2027-04-01,won,30000
b,2027-03-01,2027-04-01,lost,20000
c,2027-03-31,2027-06-30,won,10000
d,2027-04-10,2027-05-10,won,0
e,2027-03-31,2027-03-31,won,5000
f,2027-07-01,2027-07-01,lost,100
"""
EDGE_LEADS = """\
id,created,source,mql_date,sql_date,opportunity_date
1,2027-03-31,Webinar,2027-03-31,2027-04-01,2027-04-01
2,2027-04-01,Webinar,2027-04-01,,
3,2027-06-30,Webinar,2027-07-01,,
"""


def test_deals_on_the_first_and_last_days_of_the_quarter_a_same_day_win_and_a_win_of_zero(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", deals=EDGE_DEALS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    # opportunities created in Q2: a (1 Apr, the first day) and d; c and e (31 Mar) and f (1 Jul) are not
    assert m["opportunities"] == 2
    # won and closed in Q2: a (1 Apr), c (30 Jun, the last day), d (a win of 0 is a win); e closed on 31 Mar
    # lost and closed in Q2: b (1 Apr); f closed on 1 Jul. Win rate 3 / (3 + 1) = 0.75
    assert (m["won"], m["win_rate"]) == (3, 0.75)
    # bookings 30,000 + 10,000 + 0 = 40,000; average deal size 40,000 / 3
    assert m["bookings"] == 40000.0 and m["average_deal_size"] == 40000 / 3
    # days to close: a 0 (won the day it was created), d 30 (10 Apr -> 10 May), c 91 (31 Mar -> 30 Jun):
    # the median of 0, 30 and 91 is 30
    assert m["days_to_close"] == 30
    assert doc["bad_rows"] == []


def test_leads_dated_on_the_first_and_last_days_of_the_quarter(tmp_path, gtm):
    doc = review_json(gtm, tmp_path, LUMEN, "2027Q2", leads=EDGE_LEADS)
    m = {k: v["actual"] for k, v in doc["metrics"].items()}
    # created in Q2: 2 (1 Apr) and 3 (30 Jun); 1 was created on 31 Mar
    assert m["leads"] == 2
    # MQL dated in Q2: 2 (1 Apr); 1's is 31 Mar, 3's is 1 Jul. SQL and opportunity dated in Q2: 1 (1 Apr)
    assert (m["mqls"], m["sqls"], m["opportunities"]) == (1, 1, 1)
    assert doc["bad_rows"] == []
