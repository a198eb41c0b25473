"""Plan files -> validated :class:`~gtmplan.plan.model.Plan`, every problem located.

This module is the file side: which files make up PLAN, reading each one as YAML
(:mod:`gtmplan.read.yamlsource`) and merging them; validation and its wording are
:mod:`gtmplan.plan.validation`'s. :func:`read_document` reads the other YAML inputs
(``--mapping`` files) the same way.

``load_plan(PLAN)`` accepts a plan file or a plan directory (every ``*.yaml`` /
``*.yml`` directly inside, sorted by name, top-level keys merged; a key in two
files is an error naming both). It raises :class:`~gtmplan.errors.InputError`
with one problem per line, ``FILE:LINE:COLUMN: message``, for everything wrong in
the plan: YAML, model and cross-section problems alike.
"""

from __future__ import annotations

import functools
import gc
import os
import typing
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from gtmplan.errors import InputError, Problem, printable
from gtmplan.plan.loaded import LoadedPlan, quarter_in_horizon  # noqa: F401  (their home before plan.py)
from gtmplan.plan.sourcemap import SourceMap
from gtmplan.plan.validation import load_model, located
from gtmplan.read.yamlsource import Budget, check_link, compose, read_text, to_python

if TYPE_CHECKING:
    from gtmplan.plan.model import Plan
    from gtmplan.read.actuals import TrackRecord
    from gtmplan.read.sources import PlanSource


def _yaml_names(p: Path, quiet: bool = False) -> list[str]:
    """The plan files directly in ``p``; an unreadable directory raises OSError (or, quiet, has none)."""
    from gtmplan.errors import printable
    from gtmplan.read.yamlsource import MAX_FILES, too_many_files

    try:
        names = [n for n in os.listdir(p) if n.endswith((".yaml", ".yml")) and not n.startswith(".")]
        if len(names) > MAX_FILES:  # before a stat of each
            raise too_many_files(printable(str(p)), len(names))
        return sorted(n for n in names if (p / n).is_file() or (p / n).is_symlink())  # links: judged by plan_files
    except OSError:
        if quiet:
            return []
        raise


def resolve_target(target: str) -> str:
    """PLAN as given; the current directory without plan files stands for ./plan when
    that holds some (docs/reference/cli.md: so that 'gtmplan init' then 'gtmplan check' works)."""
    if Path(target) == Path(".") and not _yaml_names(Path(target), True) and _yaml_names(Path("plan"), True):
        return "plan"
    return target


def plan_files(target: str) -> list[tuple[Path, str]]:
    """(path, display name) of the files that make up PLAN. Display names are printable
    (a file name that is not UTF-8 or holds control characters is shown escaped)."""
    if "\0" in target:
        raise InputError.single(printable(target), "the path contains a NUL character")
    target = resolve_target(target)
    shown = printable(target)
    p = Path(target)
    try:
        if p.is_dir():
            names = _yaml_names(p)
            if not names:
                raise InputError.single(shown, _no_plan_files(p))
            files = [(p / n, printable(os.path.join(target, n))) for n in names]
            problems = []
            for path, display in files:
                try:
                    check_link(path, p, display)
                except InputError as e:
                    problems.extend(e.problems)
            if problems:
                raise InputError(problems)
            return files
        if not p.exists():
            raise InputError.single(shown, "no such file or directory")
        # PLAN itself, a file named on the command line, is read wherever it leads (/dev/stdin)
    except OSError as e:
        from gtmplan.read.yamlsource import _os_reason

        raise InputError.single(shown, f"cannot be read: {_os_reason(e)}") from None
    return [(p, shown)]


def _no_plan_files(p: Path) -> str:
    """What to do when a directory holds no plan files: point at the subdirectories
    that do (the plan 'gtmplan init DIR' just wrote); only when none do, at init."""
    try:
        subdirs = sorted(e.name for e in os.scandir(p) if e.is_dir() and not e.name.startswith("."))[:200]
    except OSError:
        subdirs = []
    plans = [d for d in subdirs if _yaml_names(p / d, True)]
    if plans:
        shown = ", ".join(map(printable, plans[:3])) + (", ..." if len(plans) > 3 else "")
        where = printable(plans[0] if str(p) == "." else os.path.join(str(p), plans[0]))
        return (f"no plan files (*.yaml) in this directory, but {shown} {'holds' if len(plans) == 1 else 'hold'} "
                f"some: give the plan directory, e.g. 'gtmplan check {where}'")
    return "no plan files (*.yaml) in this directory; give the plan's directory or file, or write a plan with 'gtmplan init'"


def read_plan_data(target: str) -> tuple[dict, SourceMap]:
    """The merged plain data of PLAN and where each value came from (no model yet)."""
    return read_files([(display, functools.partial(read_text, path, display)) for path, display in plan_files(target)])


def read_files(files: typing.Iterable[tuple[str, typing.Callable[[], str]]]) -> tuple[dict, SourceMap]:
    """(display name, function returning the text) of each plan file -> merged data and source map.
    The files come from any source (gtmplan.read.sources: the disk, a git revision)."""
    source = SourceMap()
    merged: dict[str, Any] = {}
    where: dict[str, tuple[str, int]] = {}
    problems: list[Problem] = []
    budget = Budget()  # values in all the plan's files together
    for display, read in files:
        try:
            text = read()
            root, data = _parse_mapping(text, display, PLAN_NOT_A_MAPPING, budget)
        except InputError as e:
            problems.extend(e.problems)
            continue
        source.add_file(display, text, root)
        key_lines = {k.value: k.start_mark for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
        for key, value in data.items():
            if key.startswith("x-"):  # extension fields (as in Docker Compose): a place for YAML anchors
                continue
            mark = key_lines.get(key)
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if key in where:
                other, other_line = where[key]
                problems.append(Problem(display, line, col,
                                        f"top-level key {key!r} is also in {other} (line {other_line}): "
                                        "a section belongs in one file"))
                continue
            where[key] = (display, line)
            merged[key] = value
    if problems:
        raise InputError(problems)
    return merged, source


def read_document(path: str, not_a_mapping: str) -> tuple[Any, SourceMap]:
    """One YAML file whose top level is a mapping (a ``--mapping`` file, an actuals
    file): its plain data and where each value came from, ready for
    :func:`gtmplan.plan.validation.load_model`. ``not_a_mapping`` says what it should hold."""
    text, root, data = _read_mapping(Path(path), path, not_a_mapping)
    source = SourceMap()
    source.add_file(path, text, root)
    return data, source


PLAN_NOT_A_MAPPING = "a plan file must be a mapping of keys (version:, company:, sales:, ...)"


def _read_mapping(path: Path, display: str, not_a_mapping: str,
                  budget: Budget | None = None) -> tuple[str, yaml.MappingNode, dict]:
    text = read_text(path, display)
    return (text, *_parse_mapping(text, display, not_a_mapping, budget))


def _parse_mapping(text: str, display: str, not_a_mapping: str,
                   budget: Budget | None = None) -> tuple[yaml.MappingNode, dict]:
    root = compose(text, display, budget)
    if not isinstance(root, yaml.MappingNode):
        m = root.start_mark
        kind = "list" if isinstance(root, yaml.SequenceNode) else "single value"
        raise InputError.single(display, f"{not_a_mapping}, not a {kind}", m.line + 1, m.column + 1)
    return root, to_python(root, display, budget)


def load_plan(target: str, scenario: str | None = None, sets: typing.Sequence[str] = ()) -> LoadedPlan:
    """PLAN from the disk, with ``--scenario`` and ``--set`` applied."""
    from gtmplan.read.sources import DiskSource

    return load(DiskSource(resolve_target(target)), scenario, sets)


def load(source: PlanSource, scenario: str | None = None, sets: typing.Sequence[str] = ()) -> LoadedPlan:
    """Any plan source (gtmplan.read.sources): read, apply the scenario, then --set, and validate."""
    with _gc_paused():
        data, smap = read_files(source.files())
        return _finish(source, data, smap, scenario, sets, lambda plan: _actuals(source, plan))


def load_each(source: PlanSource, scenarios: typing.Sequence[str | None],
              sets: typing.Sequence[str] = ()) -> typing.Iterator[LoadedPlan]:
    """The plan once per scenario (None: the plan itself), its files read once; one at a
    time, so that a caller done with one (compare: its column) holds one plan, not all."""
    with _gc_paused():
        data, smap = read_files(source.files())
    read: dict[tuple, TrackRecord] = {}  # the actuals, read once per horizon and calendar they are checked against

    def actuals(plan: Plan) -> TrackRecord:
        key = (plan.horizon.start, plan.horizon.end, plan.calendar)
        if key not in read:
            read[key] = _actuals(source, plan)
        return read[key]

    for name in scenarios:
        with _gc_paused():
            loaded = _finish(source, data, smap.fork(), name, sets, actuals)
        yield loaded
        del loaded


def source_map(source: PlanSource, scenario: str | None = None, sets: typing.Sequence[str] = ()) -> SourceMap:
    """Where each value of the plan ``load`` gives is written (scenario and --set applied),
    without validating it again: for a caller that loaded the plan, kept its data and let
    the rest go (diff, locating what a change removed)."""
    with _gc_paused():
        if scenario is None and not sets:  # the files' node trees are the whole map: no data needed
            smap = SourceMap()
            for display, read in source.files():  # read once already, without a problem
                text = read()
                smap.add_file(display, text, compose(text, display))
            return smap
        data, smap = read_files(source.files())
        if scenario is not None:
            from gtmplan.read.overlay import apply_scenario

            data = apply_scenario(data, smap, source.scenario(scenario))
        if sets:
            from gtmplan.read.overlay import apply_sets

            apply_sets(data, smap, list(sets))
        del data
        return smap


def _actuals(source: PlanSource, plan: Plan) -> TrackRecord:
    """The plan's recorded quarters (actuals/), from the same source as its files, checked
    against the plan's horizon and calendar."""
    from gtmplan.read.actuals import TrackRecord, read_actuals

    files = source.actual_files()
    return TrackRecord(read_actuals(files, plan) if files else [])


def _finish(source: PlanSource, data: dict, smap: SourceMap, scenario: str | None, sets: typing.Sequence[str],
            actuals: typing.Callable[[Plan], TrackRecord]) -> LoadedPlan:
    """Scenario, then --set, then validation: the one path every source and overlay takes."""
    applied = None
    if scenario is not None:
        from gtmplan.read.overlay import apply_scenario

        applied = source.scenario(scenario)
        data = apply_scenario(data, smap, applied)
    if sets:
        from gtmplan.read.overlay import apply_sets

        data = apply_sets(data, smap, list(sets))
    try:
        plan = validate(data, smap)
    except InputError as e:  # a --set value's problem is "--set:N: message" (N counts the flags)
        if not sets:
            raise
        from gtmplan.read.overlay import SET_FILE

        raise InputError([Problem(f"{SET_FILE}:{p.line}", None, None, p.message) if p.file == SET_FILE else p
                          for p in e.problems]) from None
    return LoadedPlan(plan, smap, source.target, actuals=actuals(plan), data=data, scenario=applied)


@contextmanager
def _gc_paused() -> typing.Iterator[None]:
    """Loading builds many objects that all stay alive (the node trees keep positions);
    the cyclic garbage collector would traverse them again and again for nothing.
    Measured on a 5,000-program plan: 1.2 s with collection, 0.5 s without."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate(data: dict, source: SourceMap) -> Plan:
    """The plan model from merged plan data, with the checks that span sections."""
    from gtmplan.plan.integrity import check_integrity

    plan = load_model(data, source, "Plan")  # compiled (gtmplan.plan.compiled): no pydantic import
    issues = check_integrity(plan)
    if issues:
        raise InputError(located(source, issues))
    return plan
