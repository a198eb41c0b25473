"""The A rules pinned where mutation testing found them loose (issue 21).

docs/reference/rules.md, A101-A105: whole messages with FILE:LINE:COLUMN, a value at exactly the
tolerance (quiet) and just beyond it (fires), the second of two keys, per-segment findings with
other pipeline. Plans are tests/data/base_plan.yaml and segments_plan.yaml patched and written
by yaml.safe_dump; the line numbers quoted are those of the written plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gtmplan.cli import run

DATA = Path(__file__).resolve().parents[1] / "data"


def _data(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, list[str]]]:
    """check(data, *codes) -> (exit code, the finding lines) of `gtmplan check plan.yaml --select ...`."""
    monkeypatch.chdir(tmp_path)

    def _run(data: dict, *codes: str) -> tuple[int, list[str]]:
        Path("plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        capsys.readouterr()
        code = run(["check", "plan.yaml", "--select", ",".join(codes)])
        out = capsys.readouterr().out
        return code, [line for line in out.splitlines() if re.match(r"plan\.yaml:\d+:\d+ ", line)]

    return _run


# -- A101 --------------------------------------------------------------------------------------

def test_a101_at_exactly_the_tolerance_is_quiet(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("base_plan.yaml")
    data["marketing"]["assumptions"]["average_deal_size"] = 8000
    data["check"] = {"tolerance": 0.2}
    # |10,000 - 8,000| / 10,000 = 0.2: exactly the tolerance, not beyond it
    assert check(data, "A101") == (0, [])


def test_a101_just_beyond_the_tolerance_fires(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("base_plan.yaml")
    data["marketing"]["assumptions"]["average_deal_size"] = 7999
    data["check"] = {"tolerance": 0.2}
    # |10,000 - 7,999| / 10,000 = 0.2001; marketing's value (line 120, column 24) is the one not used
    assert check(data, "A101") == (1, [
        "plan.yaml:120:24 A101 error: sales assumes average_deal_size $10,000, marketing $7,999 "
        "(differ by 20.01%, tolerance 20%); the funnel uses sales' $10,000"])


def test_a101_the_second_of_two_keys_stated_on_both_sides(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("base_plan.yaml")
    # mql_to_sql agrees (0.4 both sides), win_rate does not: 0.25 against 0.20 differ by 20%
    data["marketing"]["assumptions"].update({"mql_to_sql": 0.4, "win_rate": 0.2})
    assert check(data, "A101") == (1, [
        "plan.yaml:121:15 A101 error: sales assumes win_rate 0.25, marketing 0.20 (differ by 20%, tolerance 10%); "
        "the funnel uses sales' 0.25"])


# -- A102 per segment ----------------------------------------------------------------------------

def test_a102_per_segment_in_the_same_quarter_after_a_quiet_first_quarter(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["marketing"]["programs"][0]["split"] = {"smb": 0.3, "enterprise": 0.7}
    data["marketing"]["programs"][1]["quarters"] = ["2027Q1"]
    # smb (lag 0) needs 160 MQLs a quarter: 2027Q1 webinars 30 + seo 400 x 0.30 = 150, inside 10%
    # of 160 (144); from 2027Q2 only webinars' 30: short by 130, 1 - 30/160 = 81%
    # enterprise: 70 MQLs against 50: quiet. marketing.programs is line 133, column 3.
    assert check(data, "A102") == (1, [
        f"plan.yaml:133:3 A102 error: smb: marketing plans 30 MQLs in {q}; smb's target for {q} ($40,000) needs "
        "160 in the same quarter (short by 130, 81%)" for q in ("2027Q2", "2027Q3", "2027Q4")])


def test_a102_per_segment_with_the_company_other_pipeline(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["sales"]["other_pipeline"] = [{"id": "sdr", "share": 0.25}]
    data["marketing"]["programs"][0]["split"] = {"smb": 0.7, "enterprise": 0.3}
    # enterprise (lag 1): 10 opps, 2.5 from sdr; (10 - 2.5) / 0.5 / 0.4 = 37.5 MQLs created a quarter
    # earlier; webinars bring it 30: short by 38 - 30 = 8, 1 - 30/37.5 = 20%
    assert check(data, "A102") == (1, [
        f"plan.yaml:136:3 A102 error: enterprise: marketing plans 30 MQLs in {q}; enterprise's target for {t} "
        "($60,000) needs 38 created then (short by 8, 20%); other sources (sales.other_pipeline) bring 3 of its "
        "10 opportunities (25%), marketing the rest" for q, t in (("2027Q1", "2027Q2"), ("2027Q2", "2027Q3"),
                                                                   ("2027Q3", "2027Q4"))])


def test_a102_per_segment_with_its_own_other_pipeline_names_it(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["sales"]["segments"][1]["other_pipeline"] = [{"id": "partners", "share": 0.25}]
    data["marketing"]["programs"][0]["split"] = {"smb": 0.7, "enterprise": 0.3}
    code, lines = check(data, "A102")
    assert code == 1 and len(lines) == 3
    assert lines[0].endswith("other sources (sales.segments[1].other_pipeline) bring 3 of its 10 opportunities "
                             "(25%), marketing the rest")


# -- A105 --------------------------------------------------------------------------------------

def test_a105_per_segment_with_other_pipeline(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["sales"]["max_opportunities_per_rep"] = 15
    data["sales"]["other_pipeline"] = [{"id": "sdr", "share": 0.25}]
    # smb 170 MQLs x 0.4 x 0.5 = 34, enterprise 50 x 0.4 x 0.5 = 10: 44 from marketing; sdr's 25% of
    # smb's 32 and enterprise's 10 opportunities: 8 + 2.5 = 10.5, shown 11; 44 + 11 = 55 shown.
    # 3 sellers x 15 = 45, x 1.1 = 49.5 < 54.5. max_opportunities_per_rep is line 120, column 30.
    assert check(data, "A105") == (0, [  # warnings: exit 0 without --strict
        f"plan.yaml:120:30 A105 warning: {q} plans about 55 opportunities: 44 from marketing's programs "
        "(smb 170 MQLs x 0.40 x 0.50, enterprise 50 MQLs x 0.40 x 0.50) and 11 from other sources "
        "(other_pipeline); 3 sellers can work 45 (3 x 15)" for q in ("2027Q1", "2027Q2", "2027Q3", "2027Q4")])


def test_a105_per_segment_without_other_pipeline_and_its_near_miss(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["sales"]["max_opportunities_per_rep"] = 12
    # 44 opportunities from the programs; 3 x 12 = 36, x 1.1 = 39.6 < 44
    assert check(data, "A105") == (0, [  # warnings: exit 0 without --strict
        f"plan.yaml:120:30 A105 warning: marketing's programs in {q} bring about 44 opportunities "
        "(smb 170 MQLs x 0.40 x 0.50, enterprise 50 MQLs x 0.40 x 0.50); 3 sellers can work 36 (3 x 12)"
        for q in ("2027Q1", "2027Q2", "2027Q3", "2027Q4")])
    data["sales"]["max_opportunities_per_rep"] = 14  # 3 x 14 x 1.1 = 46.2 >= 44
    assert check(data, "A105") == (0, [])


def test_a105_per_segment_with_a_segment_rate_unknown_is_quiet(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["sales"]["max_opportunities_per_rep"] = 1
    del data["sales"]["assumptions"]["sql_to_opportunity"]  # no segment states it either
    assert check(data, "A105") == (0, [])


def test_a105_with_other_pipeline_items_named_and_counted(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("base_plan.yaml")
    data["sales"]["max_opportunities_per_rep"] = 15
    data["sales"]["other_pipeline"] = [
        {"id": "sdr", "share": {q: 0.25 for q in ("2027Q1", "2027Q2", "2027Q3", "2027Q4")}},
        {"id": "partners", "name": "Partners", "share": 0.1}]
    # marketing 220 x 0.4 x 0.5 = 44; 40 opportunities x (0.25 + 0.10) = 14 from other sources,
    # shown as sdr 10 and Partners 4; 2 sellers x 15 = 30 (x 1.1 = 33) against 58
    code, lines = check(data, "A105")
    assert code == 0
    assert lines[0] == ("plan.yaml:101:30 A105 warning: 2027Q1 plans about 58 opportunities: 44 from marketing's "
                        "programs (220 MQLs x 0.40 x 0.50) and 14 from other sources (sales.other_pipeline: sdr 10, "
                        "Partners 4); 2 sellers can work 30 (2 x 15)")


# -- A101 per segment, A103, A106 ------------------------------------------------------------------

def test_a101_a_segments_own_values_differ(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("segments_plan.yaml")
    data["marketing"]["segments"][0]["assumptions"]["average_deal_size"] = 4000
    # smb: sales' segment value 5,000 against marketing's 4,000: 1,000 / 5,000 = 20%; marketing's
    # segment value (line 132, column 26) is the one the funnel does not use
    assert check(data, "A101") == (1, [
        "plan.yaml:132:26 A101 error: smb: sales assumes average_deal_size $5,000 for smb, marketing $4,000 "
        "(differ by 20%, tolerance 10%); smb's funnel uses sales' $5,000"])
    data["marketing"]["segments"][0]["assumptions"]["average_deal_size"] = 4500  # 10%: quiet
    assert check(data, "A101") == (0, [])


def test_a103_a_cycle_of_one_quarter_without_opening_pipeline(check: Callable[..., tuple[int, list[str]]]) -> None:
    data = _data("base_plan.yaml")
    data["sales"]["assumptions"]["sales_cycle_days"] = 91
    # lag floor(91 / 91 + 1/2) = 1: 2027Q1's 100,000 closes from pipeline created in 2026Q4;
    # 100,000 / 0.25 = 400,000 of it. sales (line 96, column 3) has no opening_pipeline.
    assert check(data, "A103") == (0, [
        "plan.yaml:96:3 A103 warning: with a 91-day sales cycle (lag 1 quarter), the targets of 2027Q1 "
        "($100,000) close from pipeline created before 2027Q1, and sales.opening_pipeline is not stated "
        "(about $400,000 at a 0.25 win rate)"])


@pytest.mark.parametrize("n,named", [(3, "seo, seo2, seo3"), (4, "seo, seo2, seo3 and 1 more")])
def test_a106_programs_forecasting_leads_only_three_and_four(
        check: Callable[..., tuple[int, list[str]]], n: int, named: str) -> None:
    data = _data("base_plan.yaml")
    del data["marketing"]["assumptions"]["lead_to_mql"]
    data["marketing"]["programs"] += [
        {"id": f"seo{i}", "channel": "seo", "segments": ["core"], "quarters": ["2027Q1"], "cost": 1,
         "expected_leads": 10} for i in range(2, n + 1)]
    # marketing.assumptions is line 118, column 16; webinars and events state MQLs, so they are not named
    assert check(data, "A106") == (1, [
        f"plan.yaml:118:16 A106 error: programs {named} forecast leads only, and neither side states lead_to_mql "
        "to turn them into MQLs: state it in marketing.assumptions"])
