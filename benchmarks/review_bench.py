"""Benchmark: `gtmplan review` on big exports against pandas computing the same figures.

    pip install -r benchmarks/requirements.txt
    python benchmarks/review_bench.py [--leads 1000000] [--deals N] [--shape a|b] [--runs 3]

Generates a leads export and a deals export (canonical columns, seeded, in benchmarks/.data/;
--deals defaults to a fifth of --leads) of one of two shapes: (a) ISO dates and plain amounts
(``2027-05-03``, ``5000``), (b) date-times and formatted amounts (``2027-05-03 09:31``,
``"$5,000.00"``). Runs `gtmplan review` and the pandas reference (benchmarks/pandas_review.py,
pandas pinned in benchmarks/requirements.txt) alternately, each in its own process under
/usr/bin/time, checks that both computed the same figures, and prints the median wall time,
CPU time (user + system, every thread) and peak memory (peak RSS) of each, and their ratios.
gtmplan reads both exports in one process (its columnar reader, review/columnar.py, parses
blocks on up to two threads). Targets (issue 28):
gtmplan at most 1.0x the wall time of pandas 3, at most 0.3x its peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
PLAN = ROOT / "examples" / "lumen-analytics"
QUARTER, LO, HI = "2027Q2", "2027-04-01", "2027-06-30"
SOURCES = ["Webinar", "Paid Search", "Google Ads", "Organic Search", "SaaS Connect 2027", "Partner", "LinkedIn",
           "Referral", "Direct", "Email", "Events", "Outbound"]
REASONS = ["price", "competitor", "no budget", "timing", "no decision", ""]


def _day(rng: random.Random) -> tuple[int, int, int]:
    return 2027, rng.randint(1, 12), rng.randint(1, 28)


def generate(n_leads: int, n_deals: int, shape: str) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    leads, deals = DATA / f"leads-{shape}-{n_leads}.csv", DATA / f"deals-{shape}-{n_deals}.csv"
    rng = random.Random(20271)

    def when(y: int, m: int, d: int) -> str:  # a date, or a date-time in shape (b)
        day = f"{y}-{m:02d}-{d:02d}"
        return day if shape == "a" else f"{day} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"

    if not leads.exists():
        with open(leads, "w", newline="") as fh:
            fh.write("id,created,source,mql_date,sql_date,opportunity_date\n")
            for i in range(n_leads):
                y, m, d = _day(rng)
                mql = sql = opp = ""
                if rng.random() < 0.3:
                    mql = f"{y}-{m:02d}-{min(d + 2, 28):02d}"
                    if rng.random() < 0.35:
                        sql = f"{y}-{m:02d}-{min(d + 5, 28):02d}"
                        if rng.random() < 0.5:
                            opp = f"{y}-{m:02d}-{min(d + 9, 28):02d}"
                fh.write(f"L{i},{when(y, m, d)},{rng.choice(SOURCES)},{mql},{sql},{opp}\n")
    if not deals.exists():
        with open(deals, "w", newline="") as fh:
            fh.write("id,created,closed,stage,amount,source,loss_reason\n")
            for i in range(n_deals):
                y, m, d = _day(rng)
                stage = rng.choices(["won", "lost", "open"], [0.25, 0.45, 0.3])[0]
                closed = "" if stage == "open" else when(y, min(m + rng.randint(0, 2), 12), d)
                k = rng.randint(5, 90)
                amount = f"{k * 1000}" if shape == "a" else f"\"${k * 1000:,}.00\""
                reason = rng.choice(REASONS) if stage == "lost" else ""
                fh.write(f"D{i},{when(y, m, d)},{closed},{stage},{amount},{rng.choice(SOURCES)},{reason}\n")
    return leads, deals


def measure(cmd: list[str], out_path: Path) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in KiB, CPU seconds user + system) of one run, by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, open(out_path, "w") as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf.name, *cmd], stdout=out, check=True)
        wall, rss, user, system = tf.read().split()
    return float(wall), int(rss), float(user) + float(system)


def check_same(g: dict, p: dict) -> None:
    m = {k: v["actual"] for k, v in g["metrics"].items()}
    for key in ("leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate", "average_deal_size",
                "days_to_close"):
        a, b = m[key], p[key]
        assert (a is None and b is None) or abs(a - b) <= 1e-9 * max(1, abs(b)), (key, a, b)
    for key, v in p["rates"].items():
        assert abs(g["rates"][key]["actual"] - v) < 1e-12, key
    assert {s["source"]: s["leads"] for s in g["sources"] if s["leads"]} == p["sources_leads"]
    assert {s["source"]: s["mqls"] for s in g["sources"] if s["mqls"]} == p["sources_mqls"]
    assert {r["reason"]: r["count"] for r in g["loss_reasons"]} == p["loss_reasons"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--deals", type=int, default=None, help="default: a fifth of --leads")
    ap.add_argument("--shape", choices=("a", "b"), default="b",
                    help="a: ISO dates, plain amounts; b: date-times, \"$5,000.00\" amounts")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    n_deals = args.deals if args.deals is not None else args.leads // 5
    leads, deals = generate(args.leads, n_deals, args.shape)
    pandas_version = subprocess.run([sys.executable, "-c", "import pandas; print(pandas.__version__)"],
                                    capture_output=True, text=True, check=True).stdout.strip()
    print(f"exports: {leads.name} ({leads.stat().st_size / 1e6:.0f} MB), {deals.name} "
          f"({deals.stat().st_size / 1e6:.0f} MB); shape ({args.shape}); quarter {QUARTER}; pandas {pandas_version}")
    gtm = [sys.executable, "-m", "gtmplan", "review", str(PLAN), "--quarter", QUARTER, "--leads", str(leads),
           "--deals", str(deals), "--format", "json"]
    ref = [sys.executable, str(HERE / "pandas_review.py"), str(leads), str(deals), LO, HI]
    g_out, p_out = DATA / "gtmplan.json", DATA / "pandas.json"
    g_runs, p_runs = [], []
    for _ in range(args.runs):  # alternate, so that both see the same machine conditions
        g_runs.append(measure(gtm, g_out))
        p_runs.append(measure(ref, p_out))
    check_same(json.loads(g_out.read_text()), json.loads(p_out.read_text()))
    gw, gm = statistics.median(r[0] for r in g_runs), statistics.median(r[1] for r in g_runs)
    pw, pm = statistics.median(r[0] for r in p_runs), statistics.median(r[1] for r in p_runs)
    gc_, pc = statistics.median(r[2] for r in g_runs), statistics.median(r[2] for r in p_runs)
    print("both computed the same figures")
    print(f"{'':14} {'wall (median)':>14} {'CPU (median)':>13} {'peak RSS (median)':>18}")
    print(f"{'gtmplan':14} {gw:>13.2f}s {gc_:>12.2f}s {gm / 1024:>15.0f} MiB")
    print(f"{'pandas ' + pandas_version:14} {pw:>13.2f}s {pc:>12.2f}s {pm / 1024:>15.0f} MiB")
    print(f"ratio gtmplan/pandas: wall {gw / pw:.2f}x (target <= 1.0x), CPU {gc_ / pc:.2f}x, "
          f"peak memory {gm / pm:.2f}x (target <= 0.3x)")


if __name__ == "__main__":
    main()
