"""Start-up and scale benchmarks for `gtmplan check` (and `render`), as ratios.

    pip install -r benchmarks/requirements.txt
    python benchmarks/bench.py [--runs 7]

Every comparison runs both commands alternately in fresh processes on the same
machine in the same run, and reports medians and their ratio:

- start-up: `gtmplan check` on a shipped example vs `yamllint -d relaxed` on the
  same files (target <= 1.0x);
- scale: a generated plan (5,000 programs, 500 content assets, 200 segments,
  8 quarters) checked vs libyaml's bare `yaml.compose` of the same files, the floor
  for any parse that keeps positions (target <= 1.5x); also the same compose with
  Python's cyclic garbage collector paused, the floor without the collector;
- growth: check time at 500, 5,000 and 50,000 programs (should be linear);
- render: `gtmplan render --format html` of the 5,000-program plan vs `check`.

Bytecode caching is on (PYTHONDONTWRITEBYTECODE removed) and every command runs
once before timing, as on a user's machine. Wall time on a shared virtual machine
is noisy (the same command varies by 30%); with valgrind installed,
``--instructions`` also compares start-up by instructions executed, which does not
depend on what else the machine is doing.
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
ROOT = HERE.parent
DATA = HERE / ".data"
sys.path.insert(0, str(HERE))
from genplan import write_plan  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PY = sys.executable
COMPOSE = ("import sys, yaml\n"
           "for f in sys.argv[1:]:\n"
           "    with open(f, encoding='utf-8') as fh: yaml.compose(fh.read(), Loader=yaml.CSafeLoader)\n")
COMPOSE_NO_GC = "import gc; gc.disable()\n" + COMPOSE


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - t
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return elapsed


def compare(label: str, a: list[str], b: list[str], runs: int, target: float | None = None) -> float:
    wall(a), wall(b)  # warm-up: bytecode, page cache
    ta, tb = [], []
    for _ in range(runs):
        ta.append(wall(a))
        tb.append(wall(b))
    ma, mb = statistics.median(ta), statistics.median(tb)
    goal = f" (target <= {target:.1f}x)" if target else ""
    print(f"{label:<44} {ma * 1000:8.0f} ms vs {mb * 1000:8.0f} ms   ratio {ma / mb:5.2f}x{goal}")
    return ma


def instructions(cmd: list[str]) -> int:
    """Instructions executed, counted by valgrind's callgrind (deterministic)."""
    # sys.executable as it is: the real interpreter or a venv's link to it (whose realpath
    # would leave the venv, and measure a "No module named gtmplan").
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed under valgrind:\n{r.stderr[-500:]}")
    for line in r.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1])
    raise SystemExit(f"no instruction count from valgrind:\n{r.stderr[-500:]}")


def gtmplan(*args: str) -> list[str]:
    return [PY, "-m", "gtmplan", *args]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--skip-50k", action="store_true", help="skip the 50,000-program plan (slow to generate)")
    ap.add_argument("--instructions", action="store_true", help="also count start-up instructions (valgrind)")
    args = ap.parse_args()
    runs = args.runs
    example = ROOT / "examples" / "brightwater-pumps"
    files = [str(p) for p in sorted(example.glob("*.yaml"))]

    print(f"python {sys.version.split()[0]}, {runs} runs each, medians; 'A vs B' is A's time vs B's")
    print("start-up")
    compare("  check example vs yamllint relaxed", gtmplan("check", str(example)),
            [PY, "-m", "yamllint", "-d", "relaxed", *files], runs * 3, 1.0)
    bare = statistics.median(wall([PY, "-c", "pass"]) for _ in range(runs * 3))
    print(f"  (python -c pass alone: {bare * 1000:.0f} ms)")
    if args.instructions:
        g = instructions(gtmplan("check", str(example)))
        y = instructions([PY, "-m", "yamllint", "-d", "relaxed", *files])
        b = instructions([PY, "-c", "pass"])
        print(f"  instructions: gtmplan {g / 1e6:.0f}M vs yamllint {y / 1e6:.0f}M   ratio {g / y:5.2f}x "
              f"(python -c pass: {b / 1e6:.0f}M)")

    sizes = [500, 5000] + ([] if args.skip_50k else [50000])
    plans = {n: write_plan(DATA / f"plan-{n}", n) for n in sizes}
    print("scale (5,000 programs, 500 content, 200 segments, 8 quarters)")
    p5 = plans[5000]
    p5_files = [str(p) for p in sorted(p5.glob("*.yaml"))]
    check5 = compare("  check vs bare yaml.compose", gtmplan("check", str(p5)), [PY, "-c", COMPOSE, *p5_files],
                     runs, 1.5)
    compare("  check vs yaml.compose with the GC paused", gtmplan("check", str(p5)),
            [PY, "-c", COMPOSE_NO_GC, *p5_files], runs)
    print("growth (check, whole process)")
    base = None
    for n in sizes:
        t = statistics.median(wall(gtmplan("check", str(plans[n]))) for _ in range(max(3, runs // 2)))
        size = sum(p.stat().st_size for p in plans[n].glob("*.yaml")) / 1e6
        base = base or (t, n)
        print(f"  {n:>6,} programs ({size:5.1f} MB): {t * 1000:7.0f} ms   "
              f"{t / base[0]:5.1f}x the time for {n / base[1]:4.0f}x the programs")
    print("render")
    out = DATA / "plan-5000.html"
    render = compare("  render --format html vs check (5,000 programs)",
                     gtmplan("render", str(p5), "--format", "html", "-o", str(out)), gtmplan("check", str(p5)),
                     max(3, runs // 2))
    print(f"  (check alone: {check5 * 1000:.0f} ms; the HTML document is {out.stat().st_size / 1e6:.1f} MB; "
          f"render includes a full check for its 'open alignment issues')")
    del render


if __name__ == "__main__":
    main()
