"""Segments (docs/reference/plan-format.md, 'Segments: one funnel per segment'): the
models and their located errors, the per-segment waterfall, the rules and ``funnel``.

The clean plan is tests/data/segments_plan.yaml (its header works each segment's
waterfall by hand). Rule cases with whole messages are in tests/rule_cases/*.yaml;
this file holds the hand-worked figures and the CLI's behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA

SEGMENTED = (DATA / "segments_plan.yaml").read_text(encoding="utf-8")


def variant(tmp_path: Path, *replacements: tuple[str, str], name: str = "plan.yaml") -> Path:
    """The segmented plan with each (old, new) text replaced once (old must be there)."""
    text = SEGMENTED
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_segmented_plan_is_clean(gtm, tmp_path):
    r = gtm("check", variant(tmp_path))
    assert (r.code, r.err) == (0, ""), r.out
    assert "no problems found" in r.out


# -- step 1: the models' located errors (one line each, exit 2) --------------------------

SMB_TARGETS = "      targets: {2027Q1: 40000, 2027Q2: 40000, 2027Q3: 40000, 2027Q4: 40000}\n"
WEBINARS_SPLIT = "split: {smb: 0.5, enterprise: 0.5}"

BAD = [
    ("a segment id that is not an ICP segment",
     [("    - id: enterprise\n      share", "    - {id: mid-market, share: 0}\n    - id: enterprise\n      share")],
     "49:12: sales.segments[1].id: segment 'mid-market' is not in icp.segments (known: enterprise, smb)"),
    ("a segment listed twice",
     [("    - id: enterprise\n      share", "    - {id: smb, share: 0}\n    - id: enterprise\n      share")],
     "49:12: sales.segments[1].id: segment 'smb' is listed twice in sales.segments (first as sales.segments[0]): "
     "give each segment once"),
    ("targets and share together",
     [(SMB_TARGETS, SMB_TARGETS + "      share: 0.4\n")],
     "48:14: sales.segments[0].share: give either targets (an amount per quarter) or share (a fraction of "
     "sales.targets), not both"),
    ("neither targets nor share",
     [(SMB_TARGETS, "")],
     "46:7: sales.segments[0]: segment 'smb' needs targets (an amount per horizon quarter) or share "
     "(a fraction of sales.targets in every quarter)"),
    ("targets missing a horizon quarter",
     [(", 2027Q4: 40000}\n      assumptions: {average", "}\n      assumptions: {average")],
     "47:16: sales.segments[0].targets: segment 'smb' has no target for 2027Q4: every horizon quarter "
     "(2027Q1-2027Q4) needs one"),
    ("a target quarter outside the horizon",
     [("2027Q4: 40000}\n      assumptions: {average", "2027Q4: 40000, 2028Q1: 1}\n      assumptions: {average")],
     "47:85: sales.segments[0].targets.2028Q1: quarter 2028Q1 is outside the horizon 2027Q1-2027Q4: extend "
     "the horizon or remove it"),
    ("share of the wrong type",
     [("share: 0.6", "share: sixty")],
     "50:14: sales.segments[1].share: expected a number, got 'sixty'"),
    ("share above 1",
     [("share: 0.6", "share: 60")],
     "50:14: sales.segments[1].share: must be at most 1, got 60 (a fraction: write 30% as 0.30)"),
    ("marketing.segments that is not a list",
     [("  segments:\n    - {id: smb, assumptions: {lead_to_mql: 0.3}}", "  segments: smb")],
     "60:13: marketing.segments: expected a list (e.g. [a, b] or one '- item' per line), got 'smb'"),
    ("a team row's segment of the wrong type",
     [("segment: smb}", "segment: [smb]}")],
     "54:62: sales.team[0].segment: expected text, got a list"),
    ("a team row naming a segment that sales.segments does not list",
     [("segment: enterprise}", "segment: mid}")],
     "55:70: sales.team[1].segment: segment 'mid' is not in sales.segments (listed: smb, enterprise)"),
    ("marketing.segments naming a segment that sales.segments does not list",
     [("    - {id: smb, assumptions: {lead_to_mql: 0.3}}",
       "    - {id: smb, assumptions: {lead_to_mql: 0.3}}\n    - {id: mid, assumptions: {lead_to_mql: 0.3}}")],
     "62:12: marketing.segments[1].id: segment 'mid' is not in sales.segments (listed: smb, enterprise)"),
    ("marketing.segments listing a segment twice",
     [("    - {id: smb, assumptions: {lead_to_mql: 0.3}}",
       "    - {id: smb, assumptions: {lead_to_mql: 0.3}}\n    - {id: smb, assumptions: {lead_to_mql: 0.2}}")],
     "62:12: marketing.segments[1].id: segment 'smb' is listed twice in marketing.segments (first as "
     "marketing.segments[0]): give each segment once"),
    ("marketing.segments without assumptions",
     [("    - {id: smb, assumptions: {lead_to_mql: 0.3}}", "    - {id: smb}")],
     "61:7: missing required key 'assumptions' in marketing.segments[0]"),
    ("a program naming an ICP segment that sales.segments does not list",
     [("    - {id: enterprise, employees: {min: 1000}}",
       "    - {id: enterprise, employees: {min: 1000}}\n    - {id: partners}"),
      ("segments: [smb], quarters", "segments: [smb, partners], quarters")],
     "65:47: marketing.programs[1].segments[1]: segment 'partners' is not in sales.segments "
     "(listed: smb, enterprise)"),
    ("split keys that are not the program's segments",
     [(WEBINARS_SPLIT, "split: {smb: 0.5, mid: 0.5}")],
     "63:93: marketing.programs[0].split.mid: segment 'mid' is not one of the program's segments "
     "(smb, enterprise): split's keys must be exactly its segments"),
    ("split missing one of the program's segments",
     [(WEBINARS_SPLIT, "split: {smb: 1}")],
     "63:77: marketing.programs[0].split: split gives no fraction for enterprise: its keys must be exactly "
     "the program's segments (smb, enterprise)"),
    ("split not summing to 1",
     [(WEBINARS_SPLIT, "split: {smb: 0.5, enterprise: 0.4}")],
     "63:77: marketing.programs[0].split: split's fractions add up to 0.9 (0.5 + 0.4); they must add up to 1"),
    ("split on a program naming no segment",
     [("segments: [smb], quarters", "split: {smb: 1}, quarters")],
     "64:38: marketing.programs[1].split: split divides the program among its segments, and it names none: "
     "give segments (the keys of split) or remove split"),
    ("split of the wrong type",
     [(WEBINARS_SPLIT, "split: {smb: half, enterprise: 0.5}")],
     "63:83: marketing.programs[0].split.smb: expected a number, got 'half'"),
    ("a segment's other_pipeline shares reaching 1",
     [("      opening_pipeline: 300000\n",
       "      opening_pipeline: 300000\n      other_pipeline: [{id: sdr, share: 0.6}, {id: partners, share: 0.4}]\n")],
     "53:23: sales.segments[1].other_pipeline: the shares of segment 'enterprise''s other_pipeline add up to 1 "
     "(0.6 + 0.4): they must be below 1, since the rest of its opportunities come from marketing's MQLs"),
    ("an unknown key in a segment",
     [("      opening_pipeline: 300000\n", "      opening_pipline: 300000\n")],
     "52:7: unknown key 'opening_pipline' in sales.segments[1]; did you mean 'opening_pipeline'?"),
]


@pytest.mark.parametrize("replacements,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_segment_key_is_one_located_line_and_exit_2(gtm, tmp_path, replacements, expected):
    path = variant(tmp_path, *replacements)
    r = gtm("check", path)
    assert r.code == 2 and "Traceback" not in r.err
    lines = r.err.splitlines()
    assert len(lines) == 1, r.err
    assert lines[0] == f"{path}:{expected}"


def test_a_team_row_segment_without_sales_segments_is_located(gtm, tmp_path):
    path = variant(tmp_path, ("segment: enterprise}", "}"))
    text = path.read_text(encoding="utf-8")
    start = text.index("  segments:\n    - id: smb\n      targets")
    end = text.index("  team:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    r = gtm("check", path)
    assert r.code == 2
    assert r.err.splitlines() == [
        f"{path}:46:62: sales.team[0].segment: segment 'smb' is not in sales.segments: the plan has no "
        "sales.segments (list it there, with its targets or share, to plan per segment)",
        f"{path}:53:12: marketing.segments[0].id: segment 'smb' is not in sales.segments: the plan has no "
        "sales.segments (list it there, with its targets or share, to plan per segment)"]


def test_the_schema_covers_the_segment_keys(gtm):
    r = gtm("schema")
    assert r.code == 0
    schema = json.loads(r.out)
    defs = schema["$defs"]
    assert set(defs["SalesSegment"]["properties"]) == {"id", "targets", "share", "assumptions", "other_pipeline",
                                                      "opening_pipeline"}
    assert set(defs["MarketingSegment"]["properties"]) == {"id", "assumptions"}
    assert defs["MarketingSegment"]["required"] == ["id", "assumptions"]
    assert "segment" in defs["TeamRow"]["properties"]
    assert "split" in defs["Program"]["properties"]
    assert "segments" in defs["Sales"]["properties"] and "segments" in defs["Marketing"]["properties"]
