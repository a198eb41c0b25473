"""The compiled plan validator (gtmplan.plan.compiled): current, equal to pydantic's, and a safe fallback."""

from __future__ import annotations

import copy
import subprocess
import sys
import types

import pytest
import yaml
from conftest import BRIGHTWATER, EXAMPLES, LUMEN, ROOT, TESTS, apply_patch, base_plan, case_base, run_child, write_plan
from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaError

from gtmplan.plan import compiled
from gtmplan.plan.compiled import Record
from gtmplan.plan.model import Plan


def test_generated_schema_is_current():
    assert compiled.generate() == compiled.GENERATED.read_text(encoding="utf-8"), (
        "src/gtmplan/plan/_compiled_plan.py is stale: run 'python -m gtmplan.plan.compiled' and commit the result")


@pytest.mark.parametrize("example, finding", [(None, "A101 error"), ("lumen-analytics", "E701 warning")])
def test_check_imports_neither_pydantic_nor_typer(tmp_path, example, finding):
    mismatch = {"marketing": {"assumptions": {"mql_to_sql": 0.30}}}  # A101
    plan = EXAMPLES / example if example else write_plan(tmp_path, apply_patch(base_plan(), mismatch))
    code = ("import sys\n"
            "from gtmplan.__main__ import main\n"
            "try:\n"
            f"    main(['check', {str(plan)!r}])\n"
            "except SystemExit as e:\n"
            "    print('exit', e.code, file=sys.stderr)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'typer', 'click')), "
            "file=sys.stderr)\n")
    r = run_child(python=("-c", code), timeout=60)
    # pydantic would be imported if _compiled_plan.py named one of its functions (see compiled.py)
    assert r.stderr.splitlines() == ["exit 1", "[]"]
    assert finding in r.stdout  # lumen-analytics: its actuals/ were validated too


def _plain(value):
    """A validated plan as plain data, whatever built it (pydantic models or records)."""
    if isinstance(value, (BaseModel, Record)):
        return (type(value).__name__, sorted(value.model_fields_set),
                {k: _plain(v) for k, v in value.__dict__.items()})
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return (type(value).__name__, value)


def _outcome(validate, data):
    try:
        return "ok", _plain(validate(data))
    except ValidationError as e:
        return "invalid", [{**err, "ctx": {k: repr(v) for k, v in err.get("ctx", {}).items()}}  # exceptions: by repr
                           for err in e.errors(include_url=False)]


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def _mutations(data):
    """The plan with one value replaced (by each of several wrong kinds) or removed, at every path."""
    for path in list(_paths(data))[1:]:
        for value in (None, "x", 7, -1.5, 0.0, True, [], {}, ["a"], {"k": 1}, "2027Q9", "FY", "2027-02-30", "__del__"):
            out = copy.deepcopy(data)
            node = out
            for part in path[:-1]:
                node = node[part]
            if value == "__del__":
                del node[path[-1]]
            else:
                node[path[-1]] = value
            yield out


def _plans():
    plans = [base_plan()]
    for directory in (BRIGHTWATER, LUMEN):
        merged = {}
        for f in sorted(directory.glob("*.yaml")):
            merged.update(yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        plans.append(merged)
    for f in sorted((TESTS / "rule_cases").glob("*.yaml")):
        for cases in yaml.safe_load(f.read_text(encoding="utf-8")).values():
            plans.extend(apply_patch(case_base(case.get("base")), case.get("patch") or {}) for case in cases)
    return plans


def test_compiled_validator_agrees_with_the_pydantic_models():
    """Same outcome for every shipped and rule-case plan and ~2,500 one-value mutations of
    the base plan: equal values (same classes by name, same keys set) or the same errors."""
    checked = invalid = 0
    inputs = [*_plans(), *_mutations(base_plan())]
    for data in inputs:
        ours = _outcome(compiled.validate_plan, data)
        theirs = _outcome(Plan.model_validate, data)
        assert ours == theirs, data
        checked += 1
        invalid += ours[0] == "invalid"
    assert checked > 2_000 and 1_000 < invalid < checked - 100  # both kinds of outcome were compared


def _actuals():
    files = sorted((LUMEN / "actuals").glob("*.yaml"))
    assert files
    return [yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for f in files]


def test_compiled_actuals_validator_agrees_with_the_pydantic_model():
    from gtmplan.plan.actuals_model import Actuals

    checked = invalid = 0
    for data in [*_actuals(), *_mutations(_actuals()[0])]:
        ours = _outcome(compiled.validate_actuals, data)
        assert ours == _outcome(Actuals.model_validate, data), data
        checked += 1
        invalid += ours[0] == "invalid"
    assert checked > 500 and 200 < invalid < checked - 4


def test_records_behave_like_the_models():
    plan = compiled.validate_plan(base_plan())
    assert type(plan).__name__ == "Plan" and isinstance(plan, Record)
    assert plan.other_share == 0 and plan.calendar.start_month == 1  # from modelparts.PlanBehaviour
    other = compiled.validate_plan(base_plan())
    assert plan == other
    # The default `check:` section is a copy per plan, as pydantic makes it: changing one
    # plan's settings doesn't change another's.
    assert "check" not in plan.model_fields_set
    plan.check.ignore.append("A101")
    assert other.check.ignore == [] and plan != other
    assert repr(other.horizon) == "Horizon(start=Quarter(2027Q1), end=Quarter(2027Q4))"


def _generated(**changes):
    """A stand-in for the generated module _compiled_plan, with some of its names changed."""
    from gtmplan.plan import _compiled_plan as gen

    names = {"MODEL_FINGERPRINT": gen.MODEL_FINGERPRINT, "SCHEMAS": gen.SCHEMAS, "CONFIGS": gen.CONFIGS}
    return types.SimpleNamespace(**{**names, **changes})


def test_a_stale_model_falls_back_to_the_live_models():
    stale = _generated(MODEL_FINGERPRINT=_generated().MODEL_FINGERPRINT + 1)
    v, reason = compiled.build_validator("Plan", stale)
    assert reason == "the models changed since _compiled_plan.py was generated"
    plan = v.validate_python(base_plan())
    assert type(plan).__name__ == "Plan" and isinstance(plan, Record) and plan.other_share == 0
    with pytest.raises(ValidationError) as e:
        v.validate_python(apply_patch(base_plan(), {"company": 5}))
    assert [(x["type"], x["loc"]) for x in e.value.errors()] == [("string_type", ("company",))]


def test_a_schema_the_installed_pydantic_core_rejects_falls_back():
    broken = copy.deepcopy(_generated().SCHEMAS["Plan"])
    broken["type"] = "no-such-schema-type"  # as a pydantic-core with another schema format would see it
    with pytest.raises(SchemaError):
        from pydantic_core import SchemaValidator
        SchemaValidator(broken)
    v, reason = compiled.build_validator("Plan", _generated(SCHEMAS={**_generated().SCHEMAS, "Plan": broken}))
    assert reason.startswith("pydantic-core rejected the compiled schema")
    assert _plain(v.validate_python(base_plan())) == _plain(Plan.model_validate(base_plan()))


def test_no_generated_module_falls_back_without_a_reason_of_its_own():
    # the import failure is the reason (validator() records it); the live models still validate
    v, reason = compiled.build_validator("Plan", None)
    assert reason is None
    assert _plain(v.validate_python(base_plan())) == _plain(Plan.model_validate(base_plan()))


def test_the_generator_refuses_behaviour_written_in_a_model():
    class Section(BaseModel):
        x: int = 0

        @property
        def double(self) -> int:
            return 2 * self.x

    class Root(BaseModel):
        section: Section

    with pytest.raises(SystemExit, match=r"Section\.double: behaviour of a model goes in a mixin"):
        compiled._refuse_model_behaviour(Root, BaseModel)


def test_regeneration_is_one_command_and_check_mode_reports_staleness():
    r = subprocess.run([sys.executable, "-m", "gtmplan.plan.compiled", "--check"], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert (r.returncode, r.stderr) == (0, "")
