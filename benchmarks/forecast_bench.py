"""`gtmplan forecast` with the default 10,000 runs: CPU seconds of the whole command.

    python benchmarks/forecast_bench.py [--runs 5]

Times, in fresh processes (start-up, loading the plan, importing numpy, the
simulation with its drivers, writing JSON), the CPU seconds (user + system, from
the children's rusage) of `gtmplan forecast PLAN -f json` on each shipped example
(target < 1 s) and on a generated 5,000-program plan (benchmarks/genplan.py, target
< 5 s), and, in this process, the simulation alone (engine.forecast.forecast).
Prints the medians.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from genplan import write_plan  # noqa: E402

TARGETS = {"lumen-analytics": 1.0, "brightwater-pumps": 1.0, "5,000 programs": 5.0}


def command_cpu(plan: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "gtmplan", "forecast", str(plan), "-f", "json"], check=True,
                   stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def engine_cpu(plan: Path) -> float:
    from gtmplan.engine.forecast import forecast, settings_for
    from gtmplan.read.loader import load_plan

    loaded = load_plan(str(plan))
    t = time.process_time()
    forecast(loaded, settings_for(loaded.plan))
    return time.process_time() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed repetitions per plan (median shown)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plans = {"lumen-analytics": ROOT / "examples" / "lumen-analytics",
                 "brightwater-pumps": ROOT / "examples" / "brightwater-pumps",
                 "5,000 programs": write_plan(Path(tmp) / "big", 5000)}
        failed = False
        print(f"{'plan':<20} {'command CPU s':>14} {'simulation CPU s':>17} {'target':>8}")
        for name, plan in plans.items():
            command_cpu(plan)  # warm the bytecode cache
            cmd = statistics.median(command_cpu(plan) for _ in range(args.runs))
            sim = statistics.median(engine_cpu(plan) for _ in range(args.runs))
            ok = cmd < TARGETS[name]
            failed |= not ok
            print(f"{name:<20} {cmd:>14.3f} {sim:>17.3f} {'<' + str(TARGETS[name]):>8} {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
