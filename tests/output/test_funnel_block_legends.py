"""``gtmplan funnel``'s table: the legend under each "Capacity and spend" table says what
its columns are (output/funnel_report.py): a segment's own sellers and its other_pipeline
motions' cost, the company total's whole team and the sum of the segments' motions' cost,
and for a plan without segments the plan's motions (docs/reference/cli.md, 'funnel').

The plan: tests/data/segments_plan.yaml with, inside enterprise, 2 SDRs creating 1 opportunity a
month each, costing 12,000 a quarter (tests/output/test_segment_pipeline.py has the figures)."""

from __future__ import annotations

import copy
from pathlib import Path

from conftest import _segments_plan, apply_patch, base_plan, write_plan

SDR = {"id": "sdr", "name": "SDR outbound", "cost": 12000,
       "capacity": {"opportunities_per_month": 1, "team": [{"role": "SDR", "count": 2}]}}


def _legends(gtm, monkeypatch, plan: Path) -> list[str]:
    monkeypatch.setenv("COLUMNS", "1000")  # each legend on one line
    r = gtm("funnel", plan)
    assert r.code == 0, r.err
    return [line for line in r.out.splitlines() if "Counts are rounded up" in line]


def test_segment_and_company_legends_name_the_motions_cost(gtm, tmp_path: Path, monkeypatch):
    data = apply_patch(copy.deepcopy(_segments_plan()), {"sales": {"segments": {1: {"other_pipeline": [SDR]}}}})
    assert _legends(gtm, monkeypatch, write_plan(tmp_path, data)) == [
        # smb: its own sellers, no motion of its own: no cost sentence
        "Own sellers' capacity: what the team rows with segment: smb can close at the expected attainment; shared "
        "sellers (rows without segment:) are in the company total. Program cost: its programs' cost x their split "
        "to smb. Counts are rounded up; 'gtmplan funnel --format json' has the exact values.",
        "Own sellers' capacity: what the team rows with segment: enterprise can close at the expected attainment; "
        "shared sellers (rows without segment:) are in the company total. Program cost: its programs' cost x their "
        "split to enterprise. Other pipeline cost: what enterprise's other_pipeline motions cost (not marketing's "
        "budget). Counts are rounded up; 'gtmplan funnel --format json' has the exact values.",
        "Capacity: what the whole ramped sales team (every row) can close at the expected attainment. Other pipeline "
        "cost: the sum of the segments' other_pipeline motions' cost (not marketing's budget). Counts are rounded up "
        "from the exact sums; 'gtmplan funnel --format json' has the exact values.",
    ]


def test_segmented_legends_without_a_costed_motion(gtm, tmp_path: Path, monkeypatch):
    """The near miss: the same plan without the SDRs: no "Other pipeline cost" sentence anywhere."""
    legends = _legends(gtm, monkeypatch, write_plan(tmp_path, copy.deepcopy(_segments_plan())))
    assert len(legends) == 3 and not any("Other pipeline cost" in x for x in legends)
    assert legends[2] == ("Capacity: what the whole ramped sales team (every row) can close at the expected "
                          "attainment. Counts are rounded up from the exact sums; 'gtmplan funnel --format json' "
                          "has the exact values.")


def test_plan_without_segments_legend_names_its_motions_cost(gtm, tmp_path: Path, monkeypatch):
    data = apply_patch(base_plan(), {"sales": {"other_pipeline": [SDR]}})
    assert _legends(gtm, monkeypatch, write_plan(tmp_path, data)) == [
        "Capacity: what the ramped sales team can close at the expected attainment. Other pipeline cost: what "
        "sales.other_pipeline's motions cost (not marketing's budget). Counts are rounded up; 'gtmplan funnel "
        "--format json' has the exact values."]
