"""The rule catalogue (docs/reference/rules.md), one module per family, registered in one place.

    a_funnel    A1xx  funnel and capacity: do the two halves add up?
    g_goals     G3xx  shared goals
    l_leads     L2xx  the qualified-lead definition and targeting
    b_budget    B4xx  budget and the program portfolio
    r_reviews   R5xx  the quarterly review rhythm
    f_feedback  F6xx  feedback loops (sales feeds marketing)
    e_evidence  E7xx  evidence: the plan against its recorded actuals (actuals/)
"""

from __future__ import annotations

from gtmplan.rules import a_funnel, b_budget, e_evidence, f_feedback, g_goals, l_leads, r_reviews  # noqa: F401  (registers)
from gtmplan.rules.base import REGISTRY, Context, Finding, Rule

FAMILIES = {
    "A": "funnel and capacity",
    "G": "shared goals",
    "L": "the qualified-lead definition and targeting",
    "B": "budget and the program portfolio",
    "R": "the quarterly review rhythm",
    "F": "feedback loops",
    "E": "evidence: the plan against its recorded actuals",
}


def all_rules() -> list[type[Rule]]:
    """Every rule, in catalogue order (family as in docs/reference/rules.md, then code)."""
    order = list(FAMILIES)
    return sorted(REGISTRY.values(), key=lambda r: (order.index(r.code[0]), r.code))


__all__ = ["REGISTRY", "Context", "Finding", "Rule", "all_rules", "FAMILIES"]
