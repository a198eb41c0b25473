"""Does pausing the cyclic garbage collector during a command pay? (issue 12)

    python benchmarks/gc_bench.py [--runs 7] [--programs 5000]

Runs `gtmplan check` and `gtmplan render --format html` on a generated plan,
alternately as the console script does (collector paused, frozen at exit) and
with the collector left on (cli._run called directly), in fresh processes, and
prints the median CPU seconds (user + system) of each and their ratio. CPU time
rather than wall time: it hardly depends on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from genplan import write_plan  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COLLECTOR_ON = "import sys; from gtmplan.cli import _run; sys.exit(_run(sys.argv[1:]))"


def cpu(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--programs", type=int, default=5000)
    args = ap.parse_args()
    plan = write_plan(HERE / ".data" / f"gc-{args.programs}", args.programs)
    for command in (["check", str(plan)], ["render", str(plan), "--format", "html"]):
        paused = [sys.executable, "-m", "gtmplan", *command]
        on = [sys.executable, "-c", COLLECTOR_ON, *command]
        cpu(paused), cpu(on)  # warm-up: bytecode, page cache
        tp, to = [], []
        for _ in range(args.runs):
            tp.append(cpu(paused))
            to.append(cpu(on))
        mp, mo = statistics.median(tp), statistics.median(to)
        print(f"{command[0]:<7} {args.programs:,} programs: paused {mp:.2f}s, collector on {mo:.2f}s CPU "
              f"(median of {args.runs}); on/paused = {mo / mp:.2f}x")


if __name__ == "__main__":
    main()
