"""`gtmplan check` of a plan with 3 segments vs the same plan without them (target <= 1.2x).

    python benchmarks/segments_bench.py [--runs 7] [--programs 5000]

Generates (benchmarks/genplan.py, 3 ICP segments) a plan with 5,000 programs, then
a copy that plans per segment: sales.segments (shares 0.5 / 0.3 / 0.2, each with
its own deal size, win rate and sales cycle, one with its own other_pipeline),
marketing.segments, a dedicated team row per segment beside the shared one, and a
split on every program naming two different segments. Times `gtmplan check`
of each, alternately, in fresh processes (bytecode caching on, one warm-up run
each), and prints the medians and their ratio. Both plans are valid, so the
whole of check runs: load, validate, the waterfall (per segment: 3 of them plus
the company's sums) and every rule.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from genplan import write_plan  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
GTMPLAN = [sys.executable, "-m", "gtmplan"]
TARGET = 1.2
SEGMENTS = {"seg-0": (0.5, 8000, 0.25, 30), "seg-1": (0.3, 20000, 0.2, 60), "seg-2": (0.2, 60000, 0.15, 120)}


def segment_it(plan: Path) -> None:
    """Turn a generated plan (3 ICP segments) into one planned per segment."""
    sales = plan / "sales.yaml"
    text = sales.read_text(encoding="utf-8")
    lines = ["  segments:"]
    for sid, (share, deal, win, days) in SEGMENTS.items():
        lines += [f"    - id: {sid}", f"      share: {share}",
                  f"      assumptions: {{average_deal_size: {deal}, win_rate: {win}, sales_cycle_days: {days}}}",
                  "      opening_pipeline: 10000000"]
        if sid == "seg-0":
            lines.append("      other_pipeline: [{id: sdr, share: 0.2}]")
    team = [f"    - {{role: AE {sid}, count: 3, annual_quota: 800000, segment: {sid}}}" for sid in SEGMENTS]
    text = text.replace("  team:\n", "\n".join(lines) + "\n  team:\n").rstrip("\n") + "\n" + "\n".join(team) + "\n"
    sales.write_text(text, encoding="utf-8")
    marketing = plan / "marketing.yaml"
    text = marketing.read_text(encoding="utf-8")

    def split(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        extra = f"\n      split: {{{a}: 0.7, {b}: 0.3}}" if a != b else ""
        return m.group(0) + extra

    text = re.sub(r"      segments: \[(seg-\d+), (seg-\d+)\]", split, text)
    text = text.replace("  programs:\n", "  segments:\n    - {id: seg-2, assumptions: {lead_to_mql: 0.2}}\n"
                                          "  programs:\n", 1)
    marketing.write_text(text, encoding="utf-8")


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - t
    if r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr.decode()}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--programs", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = write_plan(Path(tmp) / "plain", args.programs, segments=3)
        segmented = write_plan(Path(tmp) / "segmented", args.programs, segments=3)
        segment_it(segmented)
        cmds = {"without segments": [*GTMPLAN, "check", str(plain)],
                "3 segments": [*GTMPLAN, "check", str(segmented)]}
        for cmd in cmds.values():
            wall(cmd)  # warm-up: bytecode, file cache
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                times[name].append(wall(cmd))
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, t in med.items():
        print(f"check, {args.programs:,} programs, {name}: {t:.3f} s (median of {args.runs})")
    ratio = med["3 segments"] / med["without segments"]
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
