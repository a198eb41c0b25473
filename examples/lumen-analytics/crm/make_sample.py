"""Writes the synthetic HubSpot exports beside this file (seeded: same output every run).

    python examples/lumen-analytics/crm/make_sample.py

Lumen's first half of 2027, as a HubSpot contacts export and a deals export, for
trying `gtmplan review examples/lumen-analytics --quarter 2027Q2 ...`.
The data is invented: MQL-to-SQL runs near sales' 30% (not marketing's 40%),
LinkedIn retargeting under-delivers, and most lost deals are lost on price.
"""

import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(2027)
# source -> leads created per quarter (Q1, Q2)
SOURCES = {"Webinar": (560, 640), "Paid Search": (300, 330), "Google Ads": (190, 200),
           "Organic Search": (430, 480), "SaaS Connect 2027": (0, 330), "LinkedIn": (150, 140),
           "Direct": (110, 120), "Referral": (60, 70)}
START = {1: dt.date(2027, 1, 1), 2: dt.date(2027, 4, 1)}


def day_in(q: int) -> dt.date:
    return START[q] + dt.timedelta(days=rng.randrange(90))


def stamp(d: dt.date) -> str:
    return f"{d.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"


contacts, deals = [], []
rid = 50000
for source, per_quarter in SOURCES.items():
    for q, n in zip((1, 2), per_quarter):
        for _ in range(n):
            rid += 1
            created = day_in(q)
            mql = sql = opp = None
            if rng.random() < 0.21:
                mql = created + dt.timedelta(days=rng.randint(0, 12))
                if rng.random() < 0.29:
                    sql = mql + dt.timedelta(days=rng.randint(1, 10))
                    if rng.random() < 0.53:
                        opp = sql + dt.timedelta(days=rng.randint(2, 14))
            stage = "opportunity" if opp else "salesqualifiedlead" if sql else \
                "marketingqualifiedlead" if mql else "lead"
            contacts.append([str(rid), stamp(created), source, stage,
                             stamp(mql) if mql else "", stamp(sql) if sql else "", opp.isoformat() if opp else ""])
            if opp:
                closed = opp + dt.timedelta(days=rng.randint(40, 130))
                r = rng.random()
                stage = "closedwon" if r < 0.24 else "closedlost" if r < 0.80 else "contractsent"
                reason = rng.choice(["Price", "Price", "Price", "Competitor", "Competitor", "No decision", ""]) \
                    if stage == "closedlost" else ""
                amount = rng.choice([18000, 24000, 30000, 36000, 42000, 60000])
                deals.append([str(900000 + rid), f"{source} deal {rid}", opp.isoformat(),
                              "" if stage == "contractsent" else closed.isoformat(), stage,
                              f"{amount:,}", source, reason])
rng.shuffle(contacts)
with open(HERE / "hubspot-contacts.csv", "w", encoding="utf-8-sig", newline="") as fh:
    fh.write("Record ID,Create Date,Original Source,Lifecycle Stage,Became a Marketing Qualified Lead Date,"
             "Became a Sales Qualified Lead Date,Became an Opportunity Date\n")
    fh.writelines(",".join(r) + "\n" for r in contacts)
with open(HERE / "hubspot-deals.csv", "w", encoding="utf-8-sig", newline="") as fh:
    fh.write("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount,Original Source,Closed Lost Reason\n")
    fh.writelines(",".join(f'"{c}"' if "," in c else c for c in r) + "\n" for r in deals)
