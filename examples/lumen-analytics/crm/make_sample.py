"""Writes the synthetic HubSpot exports beside this file (seeded: same output every run).

    python examples/lumen-analytics/crm/make_sample.py

Lumen's first half of 2027, as a HubSpot contacts export and a deals export, for
trying `gtmplan review examples/lumen-analytics --quarter 2027Q2 ...`.
The data is invented: MQL-to-SQL runs near sales' 30% (not marketing's 40%),
LinkedIn retargeting under-delivers, and most lost deals are lost on price.

Then the year before the plan (history/), recorded with `gtmplan review --record`
as ../actuals/2026Q1.yaml to 2026Q4.yaml: the track record that `gtmplan check`
(rules E701, E702) and `gtmplan calibrate` hold the plan against. Run it with the
gtmplan of this checkout installed; `--no-record` writes the exports only.
"""

import datetime as dt
import os
import random
import subprocess
import sys
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

# -- the track record: 2025Q4 to 2026Q4, recorded as actuals/2026Q1..2026Q4 ---------------
# A second, separately seeded stream (the 2027 files above stay byte for byte the same).
# Contacts from 2025Q4 on, so that 2026Q1's closed deals have their opportunities. Over
# 2026: lead-to-MQL near marketing's 20%, MQL-to-SQL near sales' 30% (not marketing's
# 40%), SQL-to-opportunity near 53%, a win rate near 17% of closed deals (sales plans
# 25%), deals averaging $30,000, and LinkedIn retargeting at half its forecast.
hist = random.Random(2026)
HISTORY = HERE / "history"
# source -> leads created per quarter (2025Q4, 2026Q1, 2026Q2, 2026Q3, 2026Q4)
HISTORY_SOURCES = {"Webinar": (540, 560, 580, 600, 610), "Paid Search": (400, 420, 430, 440, 430),
                   "Google Ads": (250, 260, 260, 270, 270), "Organic Search": (400, 420, 440, 450, 460),
                   "LinkedIn": (150, 160, 150, 140, 150), "Direct": (100, 100, 110, 110, 120),
                   "Referral": (50, 60, 60, 70, 60)}
HISTORY_START = [dt.date(2025, 10, 1), dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                 dt.date(2026, 10, 1)]


def hist_stamp(d: dt.date) -> str:
    return f"{d.isoformat()} {hist.randint(8, 18):02d}:{hist.randint(0, 59):02d}"


contacts, deals = [], []
rid = 20000
for source, per_quarter in HISTORY_SOURCES.items():
    for start, n in zip(HISTORY_START, per_quarter):
        for _ in range(n):
            rid += 1
            created = start + dt.timedelta(days=hist.randrange(90))
            mql = sql = opp = None
            if hist.random() < 0.20:
                mql = created + dt.timedelta(days=hist.randint(0, 12))
                if hist.random() < 0.29:
                    sql = mql + dt.timedelta(days=hist.randint(1, 10))
                    if hist.random() < 0.53:
                        opp = sql + dt.timedelta(days=hist.randint(2, 14))
            stage = "opportunity" if opp else "salesqualifiedlead" if sql else \
                "marketingqualifiedlead" if mql else "lead"
            contacts.append([str(rid), hist_stamp(created), source, stage, hist_stamp(mql) if mql else "",
                             hist_stamp(sql) if sql else "", opp.isoformat() if opp else ""])
            if opp:
                closed = opp + dt.timedelta(days=hist.randint(40, 130))
                r = hist.random()
                stage = "closedwon" if r < 0.14 else "closedlost" if r < 0.82 else "contractsent"
                reason = hist.choice(["Price", "Competitor", "Competitor", "No decision", "No decision", ""]) \
                    if stage == "closedlost" else ""
                amount = hist.choice([18000, 24000, 30000, 36000, 42000])
                deals.append([str(700000 + rid), f"{source} deal {rid}", opp.isoformat(),
                              "" if stage == "contractsent" else closed.isoformat(), stage,
                              f"{amount:,}", source, reason])
hist.shuffle(contacts)
HISTORY.mkdir(exist_ok=True)
with open(HISTORY / "hubspot-contacts.csv", "w", encoding="utf-8-sig", newline="") as fh:
    fh.write("Record ID,Create Date,Original Source,Lifecycle Stage,Became a Marketing Qualified Lead Date,"
             "Became a Sales Qualified Lead Date,Became an Opportunity Date\n")
    fh.writelines(",".join(r) + "\n" for r in contacts)
with open(HISTORY / "hubspot-deals.csv", "w", encoding="utf-8-sig", newline="") as fh:
    fh.write("Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount,Original Source,Closed Lost Reason\n")
    fh.writelines(",".join(f'"{c}"' if "," in c else c for c in r) + "\n" for r in deals)

# Record the four quarters before the plan's horizon, as a team would at each review:
#   gtmplan review examples/lumen-analytics --quarter 2026Q3 --leads ... --deals ... --record
# (recorded_on fixed through SOURCE_DATE_EPOCH so that the files are reproducible).
if "--no-record" not in sys.argv:
    plan_dir = HERE.parent
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1798848000"}  # 2027-01-02
    for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        subprocess.run([sys.executable, "-m", "gtmplan", "review", str(plan_dir), "--quarter", q,
                        "--leads", str(HISTORY / "hubspot-contacts.csv"),
                        "--deals", str(HISTORY / "hubspot-deals.csv"), "--record", "--force", "-o", os.devnull],
                       check=True, env=env, cwd=plan_dir)
