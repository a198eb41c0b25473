"""Generate a large, valid plan directory for the scale benchmarks (seeded)."""

from __future__ import annotations

import random
from pathlib import Path

CHANNELS = ["webinars", "seo", "paid-search", "paid-social", "events", "email", "partners", "content", "referrals",
            "outbound"]


def quarters(n: int, start_year: int = 2027) -> list[str]:
    return [f"{start_year + i // 4}Q{i % 4 + 1}" for i in range(n)]


def write_plan(root: Path, programs: int, content: int = 500, segments: int = 200, n_quarters: int = 8) -> Path:
    rng = random.Random(programs)
    root.mkdir(parents=True, exist_ok=True)
    qs = quarters(n_quarters)
    seg_ids = [f"seg-{i}" for i in range(segments)]
    per_program_mqls = 10
    per_quarter_mqls = programs * per_program_mqls * 2 / n_quarters  # each program runs in 2 quarters
    target = per_quarter_mqls * 0.4 * 0.5 * 0.25 * 10000 * 0.9
    lines = ["version: 1", "company: Scale Test Inc", "currency: USD",
             f"horizon: {{start: {qs[0]}, end: {qs[-1]}}}", "primary_objective: revenue", "goals:",
             f"  - {{id: bookings, metric: new_bookings, target: {target * n_quarters:.0f}, owners: [sales, marketing]}}",
             "icp:", "  segments:"]
    for s in seg_ids:
        lines += [f"    - id: {s}", f"      name: Segment {s}", "      industries: [software, fintech]",
                  f"      employees: {{min: {rng.randint(10, 100)}, max: {rng.randint(1000, 9000)}}}",
                  "      regions: [US, GB, DE]"]
    lines += ["lead_definition:", "  agreed_by: [sales, marketing]", "  follow_up_hours: 24",
              "  mql: {firmographics: {industries: [software], employees: {min: 100, max: 1000}, regions: [US]}}",
              "  sql: {firmographics: {employees: {min: 100}}}", "reviews:"]
    for q in qs + quarters(1, int(qs[-1][:4]) + 1):
        y, n = int(q[:4]), int(q[-1])
        lines.append(f"  - {{date: {y}-{n * 3:02d}-20, attendees: [sales, marketing], agenda: [win-loss]}}")
    lines += ["feedback:", "  lead_source_question: How did you hear about us?",
              "  win_loss: {cadence: monthly, owner: sales}", "  competitive_intel: {owner: marketing}"]
    (root / "gtmplan.yaml").write_text("\n".join(lines) + "\n")

    reps = max(1, int(target / (1_000_000 / 4)) + 1)
    sales = ["sales:", "  targets:"] + [f"    {q}: {target:.0f}" for q in qs] + [
        "  assumptions: {mql_to_sql: 0.4, sql_to_opportunity: 0.5, win_rate: 0.25, average_deal_size: 10000, "
        "sales_cycle_days: 30}",
        "  team:", f"    - {{role: AE, count: {reps}, annual_quota: 1000000}}"]
    (root / "sales.yaml").write_text("\n".join(sales) + "\n")

    cost = 1000
    budget = programs * cost * 2 / n_quarters * 1.5
    mk = ["marketing:", "  budget:"] + [f"    {q}: {budget:.0f}" for q in qs] + [
        "  assumptions: {lead_to_mql: 0.25, mql_to_sql: 0.4}", "  programs:"]
    for i in range(programs):
        a = i % n_quarters
        run = f"[{qs[a]}, {qs[(a + 1) % n_quarters]}]"
        mk += [f"    - id: program-{i}", f"      name: Program number {i}",
               f"      channel: {CHANNELS[i % len(CHANNELS)]}",
               f"      segments: [{rng.choice(seg_ids)}, {rng.choice(seg_ids)}]", f"      quarters: {run}",
               f"      cost: {cost}", f"      expected_mqls: {per_program_mqls}", "      stage: consideration",
               f"      crm_sources: [Source {i}]"]
    mk.append("  content:")
    for i in range(content):
        stage = ("awareness", "consideration", "decision")[i % 3]
        mk.append(f"    - {{id: asset-{i}, name: Asset {i}, stage: {stage}, segments: [{rng.choice(seg_ids)}], "
                  f"used_by_sales: {'true' if i % 4 else 'false'}}}")
    (root / "marketing.yaml").write_text("\n".join(mk) + "\n")
    return root


if __name__ == "__main__":
    import sys

    print(write_plan(Path(sys.argv[1]), int(sys.argv[2])))
