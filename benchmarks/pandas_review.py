"""The reference for review_bench.py: the same figures as `gtmplan review`, in pandas.

Usage: python pandas_review.py LEADS.csv DEALS.csv FIRST_DAY LAST_DAY  (prints JSON)
Written the way an analyst would: read_csv, to_datetime, boolean masks, groupby.
"""

import json
import sys

import pandas as pd


def main(leads_path, deals_path, lo, hi):
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi) + pd.Timedelta(days=1)
    L = pd.read_csv(leads_path, dtype=str, keep_default_na=False)
    day = lambda s: pd.to_datetime(s, format="ISO8601", errors="coerce").dt.normalize()  # noqa: E731
    created, mql, sql, opp = (day(L[c].replace("", None)) for c in ("created", "mql_date", "sql_date",
                                                                       "opportunity_date"))
    inq = lambda d: (d >= lo) & (d < hi)  # noqa: E731
    c_in, m_in, s_in = inq(created), inq(mql), inq(sql)  # opportunities come from the deals file
    leads = int(c_in.sum())
    mqls, sqls = int(m_in.sum()), int(s_in.sum())
    rates = {"lead_to_mql": float((c_in & mql.notna()).sum() / leads) if leads else None,
             "mql_to_sql": float((m_in & sql.notna()).sum() / mqls) if mqls else None,
             "sql_to_opportunity": float((s_in & opp.notna()).sum() / sqls) if sqls else None}
    by_source_leads = L.loc[c_in, "source"].value_counts()
    by_source_mqls = L.loc[m_in, "source"].value_counts()

    D = pd.read_csv(deals_path, dtype=str, keep_default_na=False)
    dc, dd = day(D["created"].replace("", None)), day(D["closed"].replace("", None))
    amount = pd.to_numeric(D["amount"].str.replace(r"[$,]", "", regex=True), errors="coerce")
    stage = D["stage"].str.lower()
    closed_in = inq(dd)
    won = closed_in & (stage == "won")
    lost = closed_in & (stage == "lost")
    n_won, n_lost = int(won.sum()), int(lost.sum())
    bookings = float(amount[won].sum())
    days = (dd[won] - dc[won]).dt.days
    reasons = D.loc[lost, "loss_reason"].replace("", "unspecified").value_counts()
    result = {
        "leads": leads, "mqls": mqls, "sqls": sqls, "opportunities": int(inq(dc).sum()),
        "won": n_won, "bookings": bookings,
        "win_rate": n_won / (n_won + n_lost) if n_won + n_lost else None,
        "average_deal_size": bookings / n_won if n_won else None,
        "days_to_close": float(days.median()) if n_won else None,
        "rates": rates,
        "sources_leads": {k: int(v) for k, v in by_source_leads.items()},
        "sources_mqls": {k: int(v) for k, v in by_source_mqls.items()},
        "sources_bookings": {k: float(v) for k, v in amount[won].groupby(D.loc[won, "source"]).sum().items()},
        "loss_reasons": {k: int(v) for k, v in reasons.items()},
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:5])
