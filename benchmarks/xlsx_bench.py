"""Writing the xlsx workbook vs rendering HTML, on the 5,000-program plan, as a ratio.

    python benchmarks/xlsx_bench.py [--runs 5] [--programs 5000]

Both commands run alternately in fresh processes on the same generated plan
(benchmarks/genplan.py: 5,000 programs, 500 content assets, 200 segments, 8 quarters),
after one warm-up run each; medians of wall time and their ratio are printed
(target < 2x: a workbook of live formulas costs no more than twice the HTML document).
Both include loading, validating and checking the plan; the workbook has a row of
inputs and a row of formulas per program.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import DATA, compare, gtmplan  # noqa: E402
from genplan import write_plan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--programs", type=int, default=5000)
    args = ap.parse_args()
    n = args.programs
    plan = write_plan(DATA / f"plan-{n}", n)
    xlsx, html = DATA / f"plan-{n}.xlsx", DATA / f"plan-{n}.html"
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, medians; 'A vs B' is A's time vs B's")
    compare(f"render xlsx vs render html ({n:,} programs)",
            gtmplan("render", str(plan), "--format", "xlsx", "-o", str(xlsx)),
            gtmplan("render", str(plan), "--format", "html", "-o", str(html)), args.runs, 2.0)
    print(f"  (the workbook is {xlsx.stat().st_size / 1e6:.1f} MB, "
          f"the HTML document {html.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
