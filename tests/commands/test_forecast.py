"""gtmplan forecast: the chance that the plan makes its numbers (docs/reference/cli.md,
"gtmplan forecast"; docs/reference/forecast.md)."""

from __future__ import annotations

import datetime
import json
import math

import pytest
from conftest import BRIGHTWATER, LUMEN, ROOT, apply_patch, base_plan, run_child, write_plan

# One quarter, one program of 250 leads, no other pipeline, no lag, every deal 10,000:
# with --fixed-rates --fixed-volume and deal_size_cv: 0 the deals won are
#   Binomial(Binomial(Binomial(Binomial(250, 0.71), 0.58), 0.67), 0.30) = Binomial(250, p)
# (thinning a binomial by a binomial is a binomial), p = 0.71 x 0.58 x 0.67 x 0.30 = 0.0827718,
# mean 250 x p = 20.69 deals; the target 200,000 is 20 deals.
CLOSED_FORM = {
    "horizon": {"start": "2027Q1", "end": "2027Q1"},
    "goals": "__delete__",
    "reviews": [{"date": datetime.date(2027, 3, 20), "attendees": ["sales", "marketing"]}],
    "sales": {"targets": {"2027Q1": 200000, "2027Q2": "__delete__", "2027Q3": "__delete__", "2027Q4": "__delete__"},
              "assumptions": {"mql_to_sql": 0.58, "sql_to_opportunity": 0.67, "win_rate": 0.30,
                              "average_deal_size": 10000, "sales_cycle_days": 0}},
    "marketing": {"budget": {"2027Q1": 25000, "2027Q2": "__delete__", "2027Q3": "__delete__", "2027Q4": "__delete__"},
                  "assumptions": {"lead_to_mql": 0.71},
                  "programs": [{"id": "seo", "channel": "seo", "quarters": ["2027Q1"], "cost": 8000,
                                "expected_leads": 250}]},
    "forecast": {"deal_size_cv": 0},
}
P = 0.71 * 0.58 * 0.67 * 0.30
N = 250


def binom_cdf(k: int) -> float:
    return sum(math.comb(N, j) * P ** j * (1 - P) ** (N - j) for j in range(0, k + 1))


def run_json(gtm, *args) -> dict:
    r = gtm("forecast", *args, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_the_exact_binomial_is_what_the_fixed_simulation_gives(gtm, plan_file):
    # P(deals >= 20) = 1 - CDF(19), summed exactly here: 0.5963 (0.596294...)
    exact = 1 - binom_cdf(19)
    assert round(exact, 4) == 0.5963
    runs = 20000
    doc = run_json(gtm, plan_file(CLOSED_FORM), "--fixed-rates", "--fixed-volume", "--runs", runs)
    q = doc["quarters"][0]
    assert (q["quarter"], q["segment"], q["target"]) == ("2027Q1", None, 200000.0)
    # Monte Carlo error of a proportion over 20,000 runs: sd = sqrt(0.5963 x 0.4037 / 20,000) = 0.00347;
    # 4 sd = 0.0139 (a false alarm once in ~16,000 seeds; the seed is fixed, so never, but the bound is honest)
    sd = math.sqrt(exact * (1 - exact) / runs)
    assert abs(q["p_target"] - exact) < 4 * sd
    assert doc["horizon"]["p_target"] == q["p_target"]  # one quarter: the horizon is that quarter
    # inverted-CDF percentiles: the smallest k deals with CDF(k) >= 10%, 50%, 90%: 15, 21, 26 exactly;
    # the sampled percentile k_hat satisfies CDF(k_hat) >= q - e and CDF(k_hat - 1) < q + e,
    # e = 4 x sqrt(q(1-q)/runs) (0.0085 at 10% and 90%, 0.0141 at 50%)
    for key, level in (("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
        k_hat = q[key] / 10000
        assert k_hat == int(k_hat)  # deal_size_cv 0: whole deals x 10,000
        e = 4 * math.sqrt(level * (1 - level) / runs)
        assert binom_cdf(int(k_hat)) >= level - e and binom_cdf(int(k_hat) - 1) < level + e, (key, k_hat)
    exact_pct = {lv: next(k for k in range(N + 1) if binom_cdf(k) >= lv) for lv in (0.1, 0.5, 0.9)}
    assert exact_pct == {0.1: 15, 0.5: 21, 0.9: 26}
    assert doc["drivers"] == []  # --fixed-rates: nothing drawn, nothing to fix


def _with_record(tmp_path, win_actual: float, n: int, patch=None):
    plan = write_plan(tmp_path, apply_patch(base_plan(), apply_patch(CLOSED_FORM, patch or {})))
    (tmp_path / "actuals").mkdir(exist_ok=True)
    won = round(win_actual * n)
    (tmp_path / "actuals" / "2026Q4.yaml").write_text(
        f"quarter: 2026Q4\nmetrics: {{won: {won}, lost: {n - won}}}\n"
        f"rates: {{win_rate: {{actual: {won / n}, n: {n}}}}}\n", encoding="utf-8")
    return plan


def test_a_track_record_below_the_stated_win_rate_lowers_the_chance_and_leads_the_drivers(gtm, plan_file, tmp_path):
    base = run_json(gtm, plan_file(CLOSED_FORM))
    (tmp_path / "low").mkdir()
    # 40 of 400 closed deals won (10%) against the stated 0.30: Beta(0.30 x 50 + 40, 0.70 x 50 + 360) has mean
    # 55 / 450 = 0.122, so about 250 x 0.71 x 0.58 x 0.67 x 0.122 = 8.4 deals against 20 needed
    low = run_json(gtm, _with_record(tmp_path / "low", 0.10, 400))
    assert base["horizon"]["p_target"] > 0.3
    assert low["horizon"]["p_target"] < 0.01
    assert low["drivers"][0]["assumption"] == "sales.assumptions.win_rate"
    assert low["drivers"][0]["mean"] == pytest.approx(55 / 450)
    assert low["evidence_quarters"] == ["2026Q4"]
    r = gtm("forecast", _with_record(tmp_path / "low", 0.10, 400))
    assert "updated by what 2026Q4 recorded (actuals/)" in r.out


def test_a_track_record_that_agrees_narrows_the_band(gtm, plan_file, tmp_path):
    base = run_json(gtm, plan_file(CLOSED_FORM))
    (tmp_path / "agree").mkdir()
    agree = run_json(gtm, _with_record(tmp_path / "agree", 0.30, 1000))  # 300 of 1,000: the stated 0.30
    width = lambda d: d["horizon"]["p90"] - d["horizon"]["p10"]  # noqa: E731
    # the win rate's Beta weighs 50 + 1,000 observations instead of 50: its spread shrinks by about
    # sqrt(1,050 / 50) = 4.6, and with it the spread of the deals won
    assert width(agree) < 0.9 * width(base)
    win = next(d for d in agree["drivers"] if d["assumption"] == "sales.assumptions.win_rate")
    assert win["mean"] == pytest.approx((15 + 300) / (50 + 1000))  # 0.30: the record agrees
    assert abs(agree["horizon"]["p_target"] - base["horizon"]["p_target"]) < 0.05


def test_the_same_seed_gives_the_same_bytes_another_seed_agrees_within_sampling_error(gtm, tmp_path):
    plan = BRIGHTWATER
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    assert gtm("forecast", plan, "-o", one).code == 0
    assert gtm("forecast", plan, "-o", two).code == 0
    assert one.read_bytes() == two.read_bytes()
    a = json.loads(one.read_bytes())
    b = run_json(gtm, plan, "--seed", "7")
    assert b["seed"] == 7 and a["seed"] == 0 and a["runs"] == 10000
    assert a != b
    # two independent estimates of p over 10,000 runs each: their difference has sd sqrt(2 p (1-p) / 10,000),
    # at most sqrt(2 x 0.25 / 10,000) = 0.0071; 4 sd = 0.028
    for qa, qb in zip(a["quarters"] + [a["horizon"]], b["quarters"] + [b["horizon"]]):
        assert abs(qa["p_target"] - qb["p_target"]) < 0.028


def test_the_json_shape_is_the_one_cli_md_shows(gtm):
    doc = run_json(gtm, LUMEN)
    assert list(doc)[:6] == ["runs", "seed", "currency", "quarters", "horizon", "drivers"]
    assert set(doc["quarters"][0]) == {"quarter", "segment", "target", "p10", "median", "p90", "p_target"}
    assert {"target", "p10", "median", "p90", "p_target"} <= set(doc["horizon"])
    assert len(doc["drivers"]) == 3
    assert {"assumption", "segment", "p_target_fixed"} <= set(doc["drivers"][0])
    assert [q["target"] for q in doc["quarters"]] == [600000.0, 700000.0, 800000.0, 900000.0]
    assert doc["horizon"]["target"] == 3000000.0
    for q in doc["quarters"]:
        assert q["p10"] <= q["median"] <= q["p90"]


def test_without_an_opening_pipeline_the_early_quarters_have_no_chance_and_the_horizon_says_so(gtm, plan_file):
    # 91 days: a lag of one quarter; 2027Q1's deals would come from MQLs of 2026Q4
    plan = plan_file({"sales": {"assumptions": {"sales_cycle_days": 91}}})
    doc = run_json(gtm, plan)
    q1 = doc["quarters"][0]
    assert q1 == {"quarter": "2027Q1", "segment": None, "target": 100000.0, "p10": None, "median": None,
                  "p90": None, "p_target": None}
    assert doc["horizon"]["quarters"] == ["2027Q2", "2027Q3", "2027Q4"]
    assert doc["horizon"]["target"] == 300000.0
    out = gtm("forecast", plan).out
    assert ("2027Q1: deals come from MQLs created before the plan, and the plan states no sales.opening_pipeline: "
            "no chance is given for it; the whole-plan figure covers 2027Q2–2027Q4 only.") in out
    assert "Whole plan (2027Q2–2027Q4): " in out
    assert "Deals from MQLs created in 2027Q4 close after the plan's horizon: not counted." in out


def test_an_opening_pipeline_gives_the_early_quarters_a_chance(gtm, plan_file):
    # 400,000 / 10,000 = 40 opportunities for 2027Q1, each won at about 0.25: 10 deals, the target's 10
    plan = plan_file({"sales": {"opening_pipeline": 400000, "assumptions": {"sales_cycle_days": 91}}})
    doc = run_json(gtm, plan)
    assert 0.2 < doc["quarters"][0]["p_target"] < 0.8
    assert doc["horizon"]["quarters"] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    assert "($400,000 / $10,000 = 40 opportunities, won at the drawn win rate)" in gtm("forecast", plan).out


def test_the_text_speaks_to_a_head_of_sales(gtm):
    r = gtm("forecast", BRIGHTWATER)
    assert r.code == 0 and r.err == ""
    lines = r.out.splitlines()
    assert lines[0] == "Brightwater Pumps: the chance that the plan makes its numbers"
    assert lines[1] == "10,000 simulated runs, seed 0 (the same plan, runs and seed give the same figures)."
    assert lines[3].startswith("2027Q1: ") and " chance of reaching €1,200,000 (median €" in lines[3]
    assert "; 10–90%: €" in lines[3]
    assert any(x.startswith("The win rate's uncertainty (sales.assumptions.win_rate) moves the chance most: "
                            "fixed at its mean (0.30), ") for x in lines)


def test_user_text_is_escaped(gtm, plan_file):
    plan = plan_file({"company": "Evil | *Co* <b>\x1b[31m"})
    md = gtm("forecast", plan, "-f", "md").out
    assert md.splitlines()[0] == "# Evil \\| \\*Co\\* \\<b\\>\\\\x1b\\[31m: the chance that the plan makes its numbers"
    text = gtm("forecast", plan).out
    assert "\x1b" not in text and "\\x1b[31m" in text


@pytest.mark.parametrize("args,message", [
    (["--runs", "0"], "--runs: 0 runs: give 1 to 1,000,000 (the default is 10,000)"),
    (["--runs", "many"], "--runs: 'many' is not a whole number of runs (e.g. --runs 10000)"),
    (["--seed", "-1"], "--seed: -1 is not a seed: give a whole number from 0 to 9223372036854775807"),
    (["--seed", "abc"], "--seed: 'abc' is not a seed: give a whole number 0 or more (e.g. --seed 7)"),
])
def test_bad_flags_are_named_exit_2(gtm, args, message, tmp_path):
    out = tmp_path / "f.json"
    r = gtm("forecast", BRIGHTWATER, *args, "-o", out)
    assert (r.code, r.err, r.out) == (2, message + "\n", "")
    assert not out.exists()


@pytest.mark.parametrize("settings,line", [
    ({"prior_n": 0}, "forecast.prior_n: must be above 0, got 0"),
    ({"prior_n": -5}, "forecast.prior_n: must be above 0, got -5"),
    ({"deal_size_cv": -0.1}, "forecast.deal_size_cv: must be at least 0, got -0.1"),
])
def test_bad_settings_are_located_exit_2(gtm, plan_file, settings, line):
    plan = plan_file({"forecast": settings})
    text = plan.read_text(encoding="utf-8").splitlines()
    key = next(iter(settings))
    row = next(i for i, x in enumerate(text, 1) if x.strip().startswith(key + ":"))
    col = text[row - 1].index(":") + 3
    r = gtm("forecast", plan)
    assert (r.code, r.err) == (2, f"{plan}:{row}:{col}: {line}\n")


def test_plan_settings_are_used_and_flags_override_them(gtm, plan_file):
    plan = plan_file({"forecast": {"runs": 500, "seed": 3}})
    doc = run_json(gtm, plan)
    assert (doc["runs"], doc["seed"]) == (500, 3)
    doc = run_json(gtm, plan, "--runs", "800", "--seed", "4")
    assert (doc["runs"], doc["seed"]) == (800, 4)


def test_a_rate_stated_as_1_stays_1(gtm, plan_file):
    # every stage at 1 and fixed volumes: 400 leads -> 400 deals x 10,000 = 4,000,000 in every run
    plan = plan_file({"sales": {"assumptions": {"mql_to_sql": 1, "sql_to_opportunity": 1, "win_rate": 1}},
                      "marketing": {"assumptions": {"lead_to_mql": 1},
                                    "programs": {0: "__delete__", 2: "__delete__"}},
                      "forecast": {"deal_size_cv": 0}})
    doc = run_json(gtm, plan, "--fixed-volume")
    assert {(q["p10"], q["median"], q["p90"], q["p_target"]) for q in doc["quarters"]} == {(4e6, 4e6, 4e6, 1.0)}
    assert doc["drivers"] == []


def test_check_does_not_import_numpy():
    r = run_child("check", LUMEN, python=("-X", "importtime", "-m", "gtmplan"), timeout=60, cwd=ROOT)
    assert r.returncode == 1, r.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "gtmplan.rules.checker" in imported  # the listing is real
    assert not {m for m in imported if m.split(".")[0] == "numpy"}
    # nor the columnar reader of review (pyarrow), nor review itself; funnel, diff and compare
    # neither: tests/review/test_reader_differential.py
    assert not {m for m in imported if m.split(".")[0] == "pyarrow" or m.startswith("gtmplan.commands.review")}


def test_the_docs_page_shows_real_commands_and_their_real_output(gtm, monkeypatch):
    """docs/reference/forecast.md: every ```console block is a command run from the repository
    root and its whole output, as it is today."""
    import re
    import shlex

    monkeypatch.chdir(ROOT)
    page = (ROOT / "docs" / "reference" / "forecast.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```console\n\$ ([^\n]+)\n(.*?)^```$", page, re.M | re.S)
    assert len(blocks) == 3
    for command, shown in blocks:
        args = shlex.split(command)
        assert args[:2] == ["gtmplan", "forecast"]
        r = gtm(*args[1:])
        assert r.code == 0, r.err
        assert r.out == shown, command
    # the figures the prose quotes are the run's
    assert "in 69 of every 100 simulated versions of 2027Q1" in page
    assert "2027Q1: 69% chance of reaching €1,200,000 (median €1,427,928; 10–90%: €875,076–€2,055,083)" in page


def test_a_funnel_without_a_win_rate_cannot_be_simulated_exit_2(gtm, plan_file, tmp_path):
    plan = plan_file({"sales": {"assumptions": {"win_rate": "__delete__"}}, "forecast": {"runs": 100}})
    r = gtm("forecast", plan)
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"{plan}: forecast: the funnel needs win_rate and neither sales.assumptions nor "
                     "marketing.assumptions states it\n")
    # render still renders, and says why the section has no figures
    out = tmp_path / "p.md"
    assert gtm("render", plan, "-o", out).code == 0
    assert ("## Chance of making the plan\n\nNo forecast: forecast: the funnel needs win\\_rate and neither "
            "sales.assumptions nor marketing.assumptions states it\n") in out.read_text(encoding="utf-8")


# Segments (docs/reference/cli.md, 'gtmplan forecast' and 'Resolutions (0.3)'): the closed form above with
# the one program's 250 leads split {a: 0.6, b: 0.4}. Under --fixed-rates --fixed-volume the multinomial
# split gives segment a Binomial(250, 0.6) leads (a multinomial's margin), thinned by the funnel's rates:
#   a: win 0.30 (its own), deal 10,000, target 100,000 = 10 deals: won ~ Binomial(250, 0.6 x P),
#      0.6 x 0.71 x 0.58 x 0.67 x 0.30 = 0.0496631, mean 12.42 deals
#   b: win 0.20 (its own), deal 20,000, target 100,000 = 5 deals: won ~ Binomial(250, 0.4 x P_b),
#      0.4 x 0.71 x 0.58 x 0.67 x 0.20 = 0.0220725, mean 5.52 deals
# The company's target is 100,000 + 100,000 = 200,000, its bookings the sum of the segments' runs.
SEGMENTED_CLOSED_FORM = {
    "icp": {"segments": [{"id": "a", "employees": {"min": 50, "max": 199}},
                         {"id": "b", "employees": {"min": 200, "max": 1000}}]},
    "sales": {"segments": [{"id": "a", "targets": {"2027Q1": 100000}, "assumptions": {"win_rate": 0.30}},
                           {"id": "b", "targets": {"2027Q1": 100000},
                            "assumptions": {"win_rate": 0.20, "average_deal_size": 20000}}],
              "team": [{"role": "AE", "count": 2, "annual_quota": 800000}]},
    "marketing": {"programs": [{"id": "seo", "channel": "seo", "quarters": ["2027Q1"], "cost": 8000,
                                "expected_leads": 250, "segments": ["a", "b"], "split": {"a": 0.6, "b": 0.4}}]},
}
P_A = 0.6 * 0.71 * 0.58 * 0.67 * 0.30
P_B = 0.4 * 0.71 * 0.58 * 0.67 * 0.20


def _tail(p: float, k: int) -> float:
    """P(Binomial(250, p) >= k), summed exactly."""
    return 1 - sum(math.comb(N, j) * p ** j * (1 - p) ** (N - j) for j in range(k))


def _segmented(plan_file, patch=None):
    return plan_file(apply_patch(apply_patch(CLOSED_FORM, SEGMENTED_CLOSED_FORM), patch or {}))


def test_the_exact_binomial_holds_per_segment(gtm, plan_file):
    runs = 20000
    doc = run_json(gtm, _segmented(plan_file), "--fixed-rates", "--fixed-volume", "--runs", runs)
    rows = {(q["segment"], q["quarter"]): q for q in doc["quarters"]}
    assert list(rows) == [("a", "2027Q1"), ("b", "2027Q1"), (None, "2027Q1")]  # segments, then the company
    exact = {"a": _tail(P_A, 10), "b": _tail(P_B, 5)}
    # P(won_a >= 10) = 1 - CDF(9) = 0.7988..., P(won_b >= 5) = 1 - CDF(4) = 0.6479... (summed exactly)
    assert (round(exact["a"], 4), round(exact["b"], 4)) == (0.7988, 0.6479)
    for seg, p in exact.items():
        q = rows[(seg, "2027Q1")]
        assert q["target"] == 100000.0
        # 4 sd of a proportion over 20,000 runs: 4 x sqrt(0.80 x 0.20 / 20,000) = 0.0113 (0.0135 at 0.65)
        assert abs(q["p_target"] - p) < 4 * math.sqrt(p * (1 - p) / runs), seg
        assert q["median"] / (10000 if seg == "a" else 20000) == int(q["median"] / (10000 if seg == "a" else 20000))
    company = rows[(None, "2027Q1")]
    assert company["target"] == 200000.0 and doc["horizon"]["p_target"] == company["p_target"]
    # the company's bookings are the sum of the segments' runs: whole deals of 10,000 and 20,000
    assert company["median"] % 10000 == 0


def test_fixed_volume_splits_each_count_among_the_segments_by_one_draw(plan_file, tmp_path):
    from gtmplan.engine.forecast import Settings, segment_scopes, split_fixed_volumes
    from gtmplan.read.loader import load_plan

    loaded = load_plan(str(_segmented(plan_file)))
    scopes, _ = segment_scopes(loaded)
    s = Settings(runs=5000, seed=3, fixed_rates=True, fixed_volume=True)
    split_fixed_volumes(scopes, loaded.plan, s)
    a, b = (sc.split_volumes["leads"][:, 0] for sc in scopes)
    assert (a + b == 250).all()  # the parts of one draw add up to the planned 250 leads, in every run
    # a's part is Binomial(250, 0.6): mean 150, sd sqrt(250 x 0.6 x 0.4) = 7.75; the mean of 5,000 runs lies
    # within 4 x 7.75 / sqrt(5,000) = 0.44 of 150
    assert abs(a.mean() - 150) < 0.44 and 6.5 < a.std() < 9


def test_segment_drivers_name_the_segment_and_a_shared_rate_is_one_driver(gtm, plan_file):
    doc = run_json(gtm, _segmented(plan_file), "--runs", 4000)
    drivers = doc["drivers"]
    assert 1 <= len(drivers) <= 3
    by_path = {d["assumption"]: d["segment"] for d in drivers}
    # the win rates are each segment's own, named by id as --set takes it (sales.segments[a]...); the
    # other rates are company-wide: one draw shared by both segments, so one driver each, segment null
    for path, seg in by_path.items():
        if path.startswith("sales.segments[a]"):
            assert seg == "a"
        elif path.startswith("sales.segments[b]"):
            assert seg == "b"
        else:
            assert seg is None and path.count("segments") == 0
    assert len(by_path) == len(drivers)  # no assumption listed twice


def test_a_segment_rate_is_updated_by_that_segments_record_only(plan_file, tmp_path):
    from gtmplan.engine.forecast import segment_scopes
    from gtmplan.read.loader import load_plan

    plan = _segmented(plan_file)
    (plan.parent / "actuals").mkdir()
    # the company's 30 of 100 and a's own 12 of 40 (b recorded nothing)
    (plan.parent / "actuals" / "2026Q4.yaml").write_text(
        "quarter: 2026Q4\nmetrics: {won: 30, lost: 70}\nrates: {win_rate: {actual: 0.3, n: 100}, "
        "mql_to_sql: {actual: 0.5, n: 60}}\nsegments:\n  a:\n    metrics: {won: 12, lost: 28}\n"
        "    rates: {win_rate: {actual: 0.3, n: 40}}\n", encoding="utf-8")
    scopes, evidence = segment_scopes(load_plan(str(plan)))
    a, b = scopes
    assert evidence == ["2026Q4"]
    assert (a.rates["win_rate"].successes, a.rates["win_rate"].failures, a.rates["win_rate"].scope) == (12, 28, "a")
    # b states its own win rate and recorded none of its own: no update (not the company's 30 of 100)
    assert (b.rates["win_rate"].successes, b.rates["win_rate"].failures) == (0, 0)
    # mql_to_sql is company-wide (0.58): both segments read the company's 30 of 60, one shared value
    assert a.rates["mql_to_sql"] == b.rates["mql_to_sql"]
    assert (a.rates["mql_to_sql"].successes, a.rates["mql_to_sql"].failures, a.rates["mql_to_sql"].scope) == (
        30, 30, None)


def test_text_and_md_show_each_segment_then_the_company(gtm, plan_file):
    plan = _segmented(plan_file)
    text = gtm("forecast", plan, "--runs", 500).out
    assert text.index("Segment a:\n  2027Q1: ") < text.index("Segment b:\n  2027Q1: ") < \
        text.index("The company (the sum):\n  2027Q1: ")
    md = gtm("forecast", plan, "--runs", 500, "-f", "md").out
    assert "| Segment | Quarter | Target | Chance of reaching it | 10% | Median | 90% |" in md
    assert "| b | 2027Q1 | $100,000 |" in md and "| company | 2027Q1 | $200,000 |" in md


def test_a_segment_driver_is_named_as_set_takes_it(gtm, plan_file):
    # The driver's path can be pasted into --set as printed.
    doc = run_json(gtm, _segmented(plan_file), "--runs", 2000)
    for d in doc["drivers"]:
        if d["segment"] is not None:
            r = gtm("funnel", _segmented(plan_file), "--set", f"{d['assumption']}=0.2", "-f", "json")
            assert r.code == 0, r.err
