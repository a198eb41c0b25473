"""`gtmplan diff` of two git revisions vs one `gtmplan check` of the plan (target <= 2.2x).

    python benchmarks/diff_bench.py [--runs 7]

Builds a temporary git repository holding a plan in two commits (the second changes
marketing.assumptions.mql_to_sql and one program's cost), then times, alternately
in fresh processes, `gtmplan diff plan --base HEAD~1 --head HEAD` (both sides read
from git) and `gtmplan check plan`, and prints medians and their ratio. Two plans:
the shipped lumen-analytics example (start-up dominates) and a generated
5,000-program plan (loading dominates: diff loads, checks and computes both sides).
Bytecode caching is on and every command runs once before timing.
"""

from __future__ import annotations

import argparse
import os
import shutil
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

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
GTMPLAN = [sys.executable, "-m", "gtmplan"]
TARGET = 2.2


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, env=ENV, stdout=subprocess.DEVNULL)


def wall(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - t
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return elapsed


def make_repo(root: Path, fill) -> Path:
    repo = root
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    fill(repo / "plan")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    m = repo / "plan" / "marketing.yaml"
    text = m.read_text(encoding="utf-8")
    text = text.replace("mql_to_sql: 0.4", "mql_to_sql: 0.5", 1).replace("cost: 1000", "cost: 1500", 1)
    text = text.replace("mql_to_sql: 0.40", "mql_to_sql: 0.45", 1).replace("cost: 18000", "cost: 21000", 1)
    m.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "change")
    return repo


def bench(label: str, repo: Path, runs: int) -> float:
    diff = [*GTMPLAN, "diff", "plan", "--base", "HEAD~1", "--head", "HEAD"]
    check = [*GTMPLAN, "check", "plan"]
    wall(diff, repo), wall(check, repo)  # warm-up: bytecode, page cache
    td, tc = [], []
    for _ in range(runs):
        td.append(wall(diff, repo))
        tc.append(wall(check, repo))
    md, mc = statistics.median(td), statistics.median(tc)
    ratio = md / mc
    print(f"{label:<34} diff {md * 1000:7.0f} ms   check {mc * 1000:7.0f} ms   ratio {ratio:4.2f}x "
          f"(target <= {TARGET}x)")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gtmplan-diff-bench-") as tmp:
        small = make_repo(Path(tmp) / "small",
                          lambda d: shutil.copytree(ROOT / "examples" / "lumen-analytics", d,
                                                    ignore=shutil.ignore_patterns("crm")))
        large = make_repo(Path(tmp) / "large", lambda d: write_plan(d, 5000))
        ratios = [bench("lumen-analytics (example)", small, args.runs),
                  bench("generated, 5,000 programs", large, args.runs)]
    worst = max(ratios)
    print(f"worst ratio {worst:.2f}x: {'met' if worst <= TARGET else 'NOT met'} (target <= {TARGET}x)")


if __name__ == "__main__":
    main()
