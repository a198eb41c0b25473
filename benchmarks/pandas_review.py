"""The reference for review_bench.py: the same figures as `gtmplan review`, in pandas.

Usage: python pandas_review.py LEADS.csv DEALS.csv FIRST_DAY LAST_DAY  (prints JSON)
Written the way an analyst would (issue 13): read_csv with parse_dates, boolean
masks, groupby / value_counts. Nothing here is slowed down on purpose. The pandas it is
measured with is pinned in requirements.txt (pandas 3: issue 28).
"""

import json
import sys

import pandas as pd


def main(leads_path, deals_path, lo, hi):
    lo, end = pd.Timestamp(lo), pd.Timestamp(hi) + pd.Timedelta(days=1)

    def inq(d):
        return (d >= lo) & (d < end)

    L = pd.read_csv(leads_path, parse_dates=["created", "mql_date", "sql_date", "opportunity_date"])
    c_in, m_in, s_in = inq(L.created), inq(L.mql_date), inq(L.sql_date)
    leads, mqls, sqls = int(c_in.sum()), int(m_in.sum()), int(s_in.sum())
    rates = {"lead_to_mql": float((c_in & L.mql_date.notna()).sum() / leads) if leads else None,
             "mql_to_sql": float((m_in & L.sql_date.notna()).sum() / mqls) if mqls else None,
             "sql_to_opportunity": float((s_in & L.opportunity_date.notna()).sum() / sqls) if sqls else None}
    by_source_leads = L.loc[c_in, "source"].value_counts()
    by_source_mqls = L.loc[m_in, "source"].value_counts()

    D = pd.read_csv(deals_path, parse_dates=["created", "closed"])
    if D.amount.dtype != "int64":  # "$5,000.00" (shape b); plain amounts are read as numbers
        D["amount"] = D.amount.str.replace(r"[$,]", "", regex=True).astype(float)
    closed_in = inq(D.closed)
    won = D[closed_in & (D.stage == "won")]
    lost = D[closed_in & (D.stage == "lost")]
    n_won, n_lost = len(won), len(lost)
    bookings = float(won.amount.sum())
    days = (won.closed.dt.normalize() - won.created.dt.normalize()).dt.days
    reasons = lost.loss_reason.fillna("unspecified").value_counts()
    result = {
        "leads": leads, "mqls": mqls, "sqls": sqls, "opportunities": int(inq(D.created).sum()),
        "won": n_won, "bookings": bookings,
        "win_rate": n_won / (n_won + n_lost) if n_won + n_lost else None,
        "average_deal_size": bookings / n_won if n_won else None,
        "days_to_close": float(days.median()) if n_won else None,
        "rates": rates,
        "sources_leads": {k: int(v) for k, v in by_source_leads.items()},
        "sources_mqls": {k: int(v) for k, v in by_source_mqls.items()},
        "sources_bookings": {k: float(v) for k, v in won.groupby("source").amount.sum().items()},
        "loss_reasons": {k: int(v) for k, v in reasons.items()},
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:5])
