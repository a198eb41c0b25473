"""``gtmplan diff``: what a change does to the plan (docs/reference/cli.md 0.2).

Two loads of the same plan (each side a path or a git revision, through the same
loader, scenario and ``--set`` included) compared three ways:

- inputs: the plan's values as written, path by path; list items with an ``id``
  are matched by id (``marketing.programs[webinars].cost``), other lists of
  mappings by position, lists of plain values as a whole;
- figures: each quarter's funnel row (the keys of ``gtmplan funnel --format json``);
- findings: ``check`` on both sides, matched by code, path (list items by id),
  quarter and segment, so a finding that only moved lines is neither new nor resolved.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, cast

from gtmplan.errors import InputError
from gtmplan.read.loader import LoadedPlan, load, resolve_target, source_map
from gtmplan.read.sources import DiskSource, GitObjects, PlanSource, open_side
from gtmplan.rules import Finding

if TYPE_CHECKING:
    from gtmplan.engine.funnel import Funnel
    from gtmplan.read.overlay import Scenario

# Deferred imports: the checker (61 ms) and the report's renderers only once both sides are read; os for one path test.

FAIL_ON = ("new-errors", "new-warnings", "any-change")
NO_CHANGE = "No change to the plan's numbers or findings."


@dataclass
class InputChange:
    path: str
    old: Any
    new: Any
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]

    def as_dict(self) -> dict:
        return {"path": self.path, "old": _json(self.old), "new": _json(self.new),
                "file": self.file, "line": self.line, "column": self.column}


@dataclass
class Side:
    label: str
    loaded: Optional[LoadedPlan]  # None: no plan there (counts as empty)
    rows: dict[str, dict] = field(default_factory=dict)  # quarter -> funnel JSON row
    findings: list[Finding] = field(default_factory=list)
    source: Optional[PlanSource | Remembered] = None  # where it was read (its texts kept: read again to locate values)
    currency: str = "USD"
    reload: Optional[Any] = None  # () -> SourceMap: the side's, read again (once shed)

    def shed(self) -> None:
        """Keep only what the comparison needs (the data, figures, findings): the node trees
        of the source map and the validated models, most of a large plan's memory, go. A
        value is then located by loading the side again (:meth:`locator`)."""
        if self.loaded is not None and self.loaded.source is not None:
            # a shed side's LoadedPlan has neither (locator() reloads the source map): on purpose
            self.loaded.source = None  # type: ignore[assignment]
            self.loaded.plan = None  # type: ignore[assignment]

    def locator(self) -> Optional[Any]:
        """The side's source map (loaded again if it was shed)."""
        if self.loaded is None:
            return None
        if self.loaded.source is None and self.reload is not None:
            return self.reload()
        return self.loaded.source


@dataclass
class DiffResult:
    base: Side
    head: Side
    inputs: list[InputChange]
    quarters: list[dict]  # {"quarter": q, "figures": {key: {"old", "new", "delta"}}}
    new: list[Finding]
    resolved: list[Finding]
    currency: str = "USD"

    @property
    def changed(self) -> bool:
        return bool(self.inputs or self.quarters or self.new or self.resolved)

    def count_new(self, severity: str) -> int:
        return sum(1 for f in self.new if f.severity == severity)

    @property
    def summary(self) -> dict:
        return {"inputs": len(self.inputs), "new_errors": self.count_new("error"),
                "new_warnings": self.count_new("warning"), "new_info": self.count_new("info"),
                "resolved": len(self.resolved)}

    def exit_code(self, fail_on: Optional[str]) -> int:
        if fail_on == "new-errors":
            return 1 if self.count_new("error") else 0
        if fail_on == "new-warnings":  # warnings or worse, as check --strict
            return 1 if self.count_new("error") or self.count_new("warning") else 0
        if fail_on == "any-change":
            return 1 if self.changed else 0
        return 0

    def as_dict(self) -> dict:
        # a plan with sales.segments has SEGMENT.KEY figures beside the company's (quarter_rows)
        seg = any("." in k for side in (self.base, self.head) for row in side.rows.values() for k in row)
        return {"base": self.base.label, "head": self.head.label, "changed": self.changed,
                "inputs": [c.as_dict() for c in self.inputs],
                "quarters": self.quarters,
                "findings": {"new": [f.as_dict(with_segment=seg) for f in self.new],
                             "resolved": [f.as_dict(with_segment=seg) for f in self.resolved]},
                "summary": self.summary}


# -- running -------------------------------------------------------------------------

def run_diff(target: str, base: str, head: Optional[str], scenario: Optional[str] = None,
             sets: Sequence[str] = ()) -> DiffResult:
    target = resolve_target(target)  # PLAN omitted, the plan in ./plan: both sides read plan/
    with GitObjects() as objects:  # both sides from git: one git process
        base_src = open_side(base, target, "--base", objects)
        if head is None:
            head_src: PlanSource = DiskSource(target, "working tree")
            head_src.exists = _exists_on_disk(target)
        else:
            head_src = open_side(head, target, "--head", objects)
    # One side whole in memory at a time: the base is shed (data, figures and findings kept)
    # before the head is loaded; the head is shed once its values are located.
    b = _side(Remembered(base_src), scenario, sets)
    b.shed()
    h = _side(Remembered(head_src), scenario, sets)
    if b.loaded is None and h.loaded is None:
        raise InputError.single(None, f"diff: no plan at {target!r} at either side "
                                      f"(--base {base_src.label}, --head {head_src.label})")
    return compare(b, h)


def _exists_on_disk(target: str) -> bool:

    return os.path.exists(target)


def _side(source: PlanSource | Remembered, scenario: Optional[str], sets: Sequence[str]) -> Side:
    from gtmplan.rules.checker import run_check

    if not source.exists:
        return Side(source.label, None)
    # a Remembered source is read through as the PlanSource it wraps (it delegates every attribute)
    plan_source = cast(PlanSource, source)
    loaded = load(plan_source, scenario, sets)
    checked = run_check(loaded)
    funnel = checked.funnel  # the rules' own (computed once)
    rows = quarter_rows(funnel)
    currency = loaded.plan.currency
    loaded.plan = None  # type: ignore[assignment]  # the validated models: not needed to compare (a tenth of a large plan's memory)
    return Side(source.label, loaded, rows, checked.findings, source, currency,
                lambda: source_map(plan_source, scenario, sets))


class Remembered:
    """A plan source whose texts are read once: loaded again (to locate a value), a side
    reads the very texts it was compared on, whatever the disk holds by then."""

    def __init__(self, source: PlanSource) -> None:
        self._source = source
        self._files: Optional[list] = None
        self._actuals: Optional[list] = None
        self._scenarios: dict = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    @staticmethod
    def _once(items: list) -> list:
        def remembered(read: Callable[[], str]) -> Callable[[], str]:
            kept: list = []

            def again() -> str:
                if not kept:
                    kept.append(read())
                return kept[0]
            return again
        return [(display, remembered(read)) for display, read in items]

    def files(self) -> list[tuple[str, Callable[[], str]]]:
        if self._files is None:
            self._files = self._once(self._source.files())
        return self._files

    def actual_files(self) -> list[tuple[str, Callable[[], str]]]:
        if self._actuals is None:
            self._actuals = self._once(self._source.actual_files())
        return self._actuals

    def scenario(self, name: str) -> Scenario:
        if name not in self._scenarios:
            self._scenarios[name] = self._source.scenario(name)
        return self._scenarios[name]


def compare(base: Side, head: Side) -> DiffResult:
    bdata = base.loaded.data if base.loaded else {}
    hdata = head.loaded.data if head.loaded else {}
    inputs: list[InputChange] = []
    walker = _InputDiff(base, head, inputs)
    walker.walk(bdata, hdata, "", (), ())
    del bdata, hdata
    quarters = _figures(base.rows, head.rows)
    new, resolved = _findings(base, head)
    for side in (base, head):  # what the changes hold of the data stays; the rest can go before locating
        if side.loaded is not None:
            side.loaded.data = None
    walker.locate()
    currency = (head if head.loaded else base).currency
    return DiffResult(base, head, inputs, quarters, new, resolved, currency)


# -- inputs --------------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    """Two leaves the same (walk compares mappings and lists itself; a list reaching here is not equal
    to the other): 1 and 1.0 are the same number, true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b  # (a plan's numbers are finite: no nan)
    return type(a) is type(b) and a == b


def _id_keys(items: list) -> Optional[list[str]]:
    """The ids of a list's items as keys, or None unless every item is a mapping with an id."""
    if all(isinstance(i, dict) and "id" in i for i in items):
        return [_key(i["id"]) for i in items]
    return None


def _json(value: Any) -> Any:
    """``value`` as JSON can hold it: dates as text, keys as text (a plan's numbers are finite).
    The value itself when it needs none of that (most do: no copy of a large plan's data)."""
    if _json_ready(value):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _json_ready(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if not all(type(k) is str for k in v):
                return False
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif not (v is None or isinstance(v, (str, int, float))):
            return False
    return True


class _InputDiff:
    def __init__(self, base: Side, head: Side, out: list[InputChange]) -> None:
        self.base, self.head, self.out = base, head, out
        self.at: list[tuple[Side, tuple]] = []  # where each change is located: (side, its path there)

    def record(self, path: str, old: Any, new: Any, bpath: tuple, hpath: tuple) -> None:
        self.at.append((self.base, bpath) if new is _MISSING else (self.head, hpath))
        self.out.append(InputChange(path, None if old is _MISSING else old, None if new is _MISSING else new,
                                    None, None, None))

    def locate(self) -> None:
        """Each change's file, line and column, one side at a time: the head's while it is
        loaded (then it is shed), the base's (loaded again, only when something was removed)."""
        for side in (self.head, self.base):
            wanted = [i for i, (s, _) in enumerate(self.at) if s is side]
            source = side.locator() if wanted else None
            if source is not None:
                for i in wanted:
                    loc = source.locate(self.at[i][1])
                    change = self.out[i]
                    change.file, change.line, change.column = loc.file, loc.line, loc.column
            del source
            side.shed()

    def walk(self, old: Any, new: Any, path: str, bpath: tuple, hpath: tuple) -> None:
        if old is new or (type(old) is list and type(new) is list and old == new):
            return  # the usual case, compared in C (a valid plan has no true where 1 is meant)
        # Two mappings are not compared whole first: each value is, once, at its own level below
        # (comparing a section whole, then again key by key, compared its big lists twice or more).
        if isinstance(old, dict) and isinstance(new, dict):
            for key, value in new.items():
                sub = f"{path}.{key}" if path else str(key)
                if key in old:
                    self.walk(old[key], value, sub, (*bpath, key), (*hpath, key))
                else:
                    self.record(sub, _MISSING, value, (), (*hpath, key))
            for key, value in old.items():
                if key not in new:
                    self.record(f"{path}.{key}" if path else str(key), value, _MISSING, (*bpath, key), ())
            return
        if isinstance(old, list) and isinstance(new, list):
            old_keys, new_keys = _id_keys(old), _id_keys(new)
            if old_keys is not None and new_keys is not None:  # items with an id: matched by id
                self.walk_ids(old, new, old_keys, new_keys, path, bpath, hpath)
                return
        if isinstance(old, list) and isinstance(new, list) and old and new \
                and all(isinstance(i, dict) for i in (*old, *new)):
            for i in range(max(len(old), len(new))):
                sub = f"{path}[{i}]"
                if i < len(old) and i < len(new):
                    self.walk(old[i], new[i], sub, (*bpath, i), (*hpath, i))
                elif i < len(new):
                    self.record(sub, _MISSING, new[i], (), (*hpath, i))
                else:
                    self.record(sub, old[i], _MISSING, (*bpath, i), ())
            return
        if not _same(old, new):
            self.record(path, old, new, bpath, hpath)


    def walk_ids(self, old: list, new: list, old_keys: list[str], new_keys: list[str], path: str,
                 bpath: tuple, hpath: tuple) -> None:
        if old_keys == new_keys and len(set(old_keys)) == len(old_keys):
            # The same items in the same order (the usual case): pair them by position.
            for i, (a, b) in enumerate(zip(old, new)):
                if a != b:  # most items are unchanged: compared in C
                    self.walk(a, b, f"{path}[{b['id']}]", (*bpath, i), (*hpath, i))
            return
        at_old: dict[str, int] = {}
        for i, k in enumerate(old_keys):
            at_old.setdefault(k, i)
        seen = set()
        for j, (item, k) in enumerate(zip(new, new_keys)):
            if k in at_old and k not in seen:
                i = at_old[k]
                if old[i] != item:
                    self.walk(old[i], item, f"{path}[{item['id']}]", (*bpath, i), (*hpath, j))
            else:
                self.record(f"{path}[{item['id']}]", _MISSING, item, (), (*hpath, j))
            seen.add(k)
        for i, (item, k) in enumerate(zip(old, old_keys)):
            if k not in seen:
                seen.add(k)
                self.record(f"{path}[{item['id']}]", item, _MISSING, (*bpath, i), ())


class _Missing:
    pass


_MISSING = _Missing()


def _key(ident: Any) -> str:
    return str(ident)


# -- figures -------------------------------------------------------------------------

def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def quarter_rows(funnel: Funnel) -> dict[str, dict]:
    """quarter -> the funnel JSON row of the company, and with sales.segments each segment's
    figures beside them as ``SEGMENT.KEY`` (docs/reference/cli.md, 'Segments in every command')."""
    rows = {r["quarter"]: r for r in (_flat(row.as_dict()) for row in funnel.rows)}
    for seg, f in funnel.segments.items():
        for row in f.rows:
            d = _flat(row.as_dict())
            q = d.pop("quarter")
            d.pop("segment", None)
            rows[q].update({f"{seg}.{k}": v for k, v in d.items()})
    return rows


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A funnel row with its per-source figures one by one: ``other_by_source`` {sdr: 18} ->
    ``other_by_source[sdr]`` 18, so that each is compared as a number (not a mapping)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update({f"{key}[{sub}]": v for sub, v in value.items()})
        else:
            out[key] = value
    return out


def _figures(old_rows: dict[str, dict], new_rows: dict[str, dict]) -> list[dict]:
    out = []
    for q in sorted(set(old_rows) | set(new_rows)):
        old, new = old_rows.get(q, {}), new_rows.get(q, {})
        keys = [k for k in (new or old) if k != "quarter"]
        keys += [k for k in old if k != "quarter" and k not in keys]
        figures: dict[str, dict[str, Any]] = {}
        for k in keys:
            a, b = old.get(k), new.get(k)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                if not _close(a, b):
                    figures[k] = {"old": a, "new": b, "delta": b - a}
            elif a != b:
                figures[k] = {"old": a, "new": b, "delta": None}
        if figures:
            out.append({"quarter": q, "figures": figures})
    return out


# -- findings ------------------------------------------------------------------------

def id_path(data: Any, path: str) -> str:
    """``marketing.programs[3].cost`` -> ``marketing.programs[webinars].cost`` (items with an id)."""
    if "[" not in path:
        return path
    out = []
    cur = data
    for part in _split(path):
        if isinstance(part, int):
            item = cur[part] if isinstance(cur, list) and 0 <= part < len(cur) else None
            if isinstance(item, dict) and "id" in item:
                out.append(f"[{item['id']}]")
            else:
                out.append(f"[{part}]")
            cur = item
        else:
            out.append(("." if out else "") + part)
            cur = cur.get(part) if isinstance(cur, dict) else None
    return "".join(out)


def _split(path: str) -> list:
    parts: list = []
    for chunk in path.split("."):
        name, _, rest = chunk.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append(int(index) if index.isdigit() else index)
            rest = rest.removeprefix("[")
    return parts


def _findings(base: Side, head: Side) -> tuple[list[Finding], list[Finding]]:
    def keys(side: Side) -> list[tuple]:
        data = side.loaded.data if side.loaded else {}
        return [(f.code, id_path(data, f.location.path), f.quarter, f.segment) for f in side.findings]

    bkeys, hkeys = keys(base), keys(head)
    left = Counter(bkeys)
    new = []
    for f, k in zip(head.findings, hkeys):
        if left[k] > 0:
            left[k] -= 1
        else:
            new.append(f)
    left = Counter(hkeys)
    resolved = []
    for f, k in zip(base.findings, bkeys):
        if left[k] > 0:
            left[k] -= 1
        else:
            resolved.append(f)
    return new, resolved


def render(result: DiffResult, fmt: str) -> str:
    from gtmplan.commands.diff import report

    if fmt == "json":
        return report.render_json(result)
    if fmt == "md":
        return report.render_md(result)
    return report.render_text(result)
