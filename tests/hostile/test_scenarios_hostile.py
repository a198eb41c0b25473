"""Hostile scenarios and --set flags (docs/reference/plan-format.md, scenarios; docs/reference/cli.md,
"Every command"): whatever a scenario file or a --set flag says, check, funnel and compare succeed
or report located problems, never a traceback."""

from __future__ import annotations

from conftest import base_plan, dump, run_cli
from hypothesis import given
from hypothesis import strategies as st
from test_hostile import PROPERTY, assert_clean_outcome, yaml_scalars

_KEYS = st.sampled_from(["sales", "marketing", "programs", "assumptions", "win_rate", "id", "remove", "cost",
                         "quarters", "team", "targets", "2027Q1", "version", "description", "x-a", "reviews",
                         "count", "budget", "expected_mqls", "content", "goals", "icp", "segments"])
_IDS = st.sampled_from(["seo", "webinars", "events", "new-one", "core", "guide", 3, None, True])
_items = st.fixed_dictionaries({"id": _IDS}, optional={"remove": st.sampled_from([True, False, "yes"]),
                                                       "cost": yaml_scalars, "channel": st.just("seo"),
                                                       "quarters": st.just(["2027Q1"])})
scenario_docs = st.recursive(
    st.one_of(yaml_scalars, st.lists(_items, max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20)
set_args = st.builds(lambda p, v: f"{p}={v}", st.text(alphabet=st.sampled_from(list("sales.marketing[]progamsseowebinarsteam0123Q.=")),
                                                      max_size=40),
                     st.text(alphabet=st.sampled_from(list("0123456789.-[]{}:, abtrue\"'&*!")), max_size=12))


@PROPERTY
@given(doc=scenario_docs, sets=st.lists(set_args, max_size=3),
       command=st.sampled_from(["check", "funnel", "compare"]))
def test_arbitrary_scenarios_and_sets(tmp_path_factory, doc, sets, command):
    import yaml

    d = tmp_path_factory.mktemp("sc") / "plan"
    d.mkdir()
    (d / "gtmplan.yaml").write_text(dump(base_plan()), encoding="utf-8")
    (d / "scenarios").mkdir()
    (d / "scenarios" / "s.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    args = [command, d] + (["--scenario", "s"] if command != "compare" else [])
    for s in sets:
        args += ["--set", s]
    inputs = [d, d / "scenarios" / "s.yaml", *(f"--set:{n}" for n in range(1, len(sets) + 1))]
    assert_clean_outcome(*run_cli(*args), *inputs)
