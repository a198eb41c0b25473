"""Writing the xlsx workbook vs rendering HTML, on the 5,000-program plan, as a ratio.

    python benchmarks/xlsx_bench.py [--runs 5] [--programs 5000]

Both commands run alternately in fresh processes on the same generated plan
(benchmarks/genplan.py: 5,000 programs, 500 content assets, 200 segments, 8 quarters),
after one warm-up run each; the medians of wall time and of CPU time (user + system,
which depends less on what else a shared machine is doing) and their ratios are
printed (target < 2x: a workbook of live formulas costs less than twice the HTML
document). Both include loading, validating and checking the plan; the workbook has a
row of inputs and a row of formulas per program.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import DATA, ENV, gtmplan  # noqa: E402
from genplan import write_plan  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run in a fresh process."""
    before = os.times()
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    wall = time.perf_counter() - t
    after = os.times()
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--programs", type=int, default=5000)
    args = ap.parse_args()
    n = args.programs
    plan = write_plan(DATA / f"plan-{n}", n)
    xlsx, html = DATA / f"plan-{n}.xlsx", DATA / f"plan-{n}.html"
    a = gtmplan("render", str(plan), "--format", "xlsx", "-o", str(xlsx))
    b = gtmplan("render", str(plan), "--format", "html", "-o", str(html))
    timed(a), timed(b)  # warm-up: bytecode, page cache
    ta, tb = [], []
    for _ in range(args.runs):
        ta.append(timed(a))
        tb.append(timed(b))
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, medians; 'A vs B' is A's time vs B's")
    for i, kind in enumerate(("wall", "CPU")):
        ma, mb = statistics.median(x[i] for x in ta), statistics.median(x[i] for x in tb)
        print(f"render xlsx vs render html ({n:,} programs), {kind:<4} {ma * 1000:6.0f} ms vs {mb * 1000:6.0f} ms"
              f"   ratio {ma / mb:4.2f}x (target < 2x)")
    print(f"  (the workbook is {xlsx.stat().st_size / 1e6:.1f} MB, "
          f"the HTML document {html.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
