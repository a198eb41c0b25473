"""L201 (mql-outside-icp), whole messages and locations (docs/reference/rules.md, L201): the MQL
minimum below every segment's, the maximum above, an industry no segment lists and a region
list missing while every segment has one; then the near miss where the MQL definition is
exactly the union of the segments (quiet). tests/rule_cases/L201.yaml has the single cases."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import apply_patch, base_plan, write_plan

TWO_SEGMENTS = {"segments": [
    {"id": "core", "industries": ["software"], "employees": {"min": 50, "max": 200}, "regions": ["US"]},
    {"id": "mid", "industries": ["fintech"], "employees": {"min": 50, "max": 500}, "regions": ["US", "GB"]},
]}


def _l201(gtm, tmp_path: Path, mql: dict) -> tuple[str, list[tuple[str, str, str]]]:
    plan = write_plan(tmp_path, apply_patch(base_plan(), {"icp": TWO_SEGMENTS,
                                                          "lead_definition": {"mql": {"firmographics": mql}}}))
    r = gtm("check", plan, "--format", "json", "--select", "L201")
    doc = json.loads(r.out)
    return plan.read_text(encoding="utf-8"), [(f"{f['line']}:{f['column']}", f["path"], f["message"])
                                              for f in doc["findings"]]


def _line(text: str, exact: str) -> int:
    """The number of the line under lead_definition: that reads ``exact``."""
    lines = text.splitlines()
    start = lines.index("lead_definition:")
    return next(i for i in range(start, len(lines)) if lines[i] == exact) + 1


def test_l201_every_kind_of_overreach(gtm, tmp_path: Path):
    text, found = _l201(gtm, tmp_path, {"employees": {"min": 20, "max": 900},
                                        "industries": ["Software", "retail", "FinTech"], "regions": "__delete__"})
    # the plan's lines:   "    firmographics:" / "      industries:" / "      - Software" ... /
    #                     "      employees:" / "        min: 20" / "        max: 900"
    firmo, industries = _line(text, "      industries:"), _line(text, "      industries:") + 1
    low, high = _line(text, "        min: 20"), _line(text, "        max: 900")
    assert found == [
        # regions missing: on the firmographics mapping, whose first key is at column 7
        (f"{firmo}:7", "lead_definition.mql.firmographics",
         "the MQL definition admits any region, but the ICP segments only want: GB, US"),
        # Software and FinTech match without case; retail is in no segment (the list's first item, column 7)
        (f"{industries}:7", "lead_definition.mql.firmographics.industries",
         "the MQL definition admits industries no ICP segment lists: retail"),
        # both segments start at 50, the lowest minimum: both named (the value after "        min: ", column 14)
        (f"{low}:14", "lead_definition.mql.firmographics.employees.min",
         "the MQL definition admits companies from 20 employees, but no ICP segment wants fewer than 50 employees "
         "(segments 'core', 'mid')"),
        # the highest maximum is mid's 500
        (f"{high}:14", "lead_definition.mql.firmographics.employees.max",
         "the MQL definition admits companies up to 900 employees, but no ICP segment wants more than 500 employees"),
    ]


def test_l201_no_maximum_while_every_segment_has_one(gtm, tmp_path: Path):
    text, found = _l201(gtm, tmp_path, {"employees": {"min": 50, "max": "__delete__"}})
    assert [(m, p) for _, p, m in found] == [
        ("the MQL definition admits companies of any size, but no ICP segment wants more than 500 employees",
         "lead_definition.mql.firmographics.employees")]


def test_l201_quiet_when_the_mql_definition_is_the_union_of_the_segments(gtm, tmp_path: Path):
    """The near miss: 50 is the lowest minimum, 500 the highest maximum, 50-500 has no gap (core's
    50-200 lies inside mid's 50-500), every industry and region is listed by a segment."""
    _, found = _l201(gtm, tmp_path, {"employees": {"min": 50, "max": 500},
                                     "industries": ["software", "fintech"], "regions": ["GB", "US"]})
    assert found == []
