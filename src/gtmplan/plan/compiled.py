"""Plan validation without importing pydantic: core schemas compiled from the models.

:mod:`gtmplan.plan.model` is the one definition of the plan format. Building its pydantic
classes at every start costs more than all of yamllint's run (measured with
callgrind: importing the models is ~640M instructions even with ``defer_build``,
yamllint's whole ``check`` of a small plan ~690M). So the pydantic-core schemas of
:class:`~gtmplan.plan.model.Plan` and :class:`~gtmplan.plan.actuals_model.Actuals` (the
``ROOTS``) are generated once, at development time, into :mod:`gtmplan.plan._compiled_plan`
(committed, never a cache), and :func:`validate_plan` / :func:`validate_actuals` run
them with ``pydantic_core.SchemaValidator``: same validation, same errors (types,
locations, messages), no pydantic import. (A constraint pydantic cannot put in the
core schema itself, such as ``min_length`` outside a one-or-many list, is one of
pydantic's own functions: the generated file then imports pydantic, ~50M instructions,
and a test says so: put the bound inside, see ``Program.quarters``.)

The validator builds *records*: small classes generated beside the schema, one per
model, with the same fields (as attributes) and the same behaviour (the mixins of
:mod:`gtmplan.plan.modelparts`). A record is not a pydantic model (no ``model_dump``; compare
with ``==``), and type checkers know it: to them the models of :mod:`gtmplan.plan.model` are
plain classes with their fields, ``model_fields_set`` and their mixins' behaviour, which is
what a record has (the pydantic class itself: :func:`model_class`).

Regenerate after any change to the models (a test fails while the file is stale)::

    python -m gtmplan.plan.compiled          # rewrites src/gtmplan/plan/_compiled_plan.py
    python -m gtmplan.plan.compiled --check  # exit 1 if it is stale

Fallback: when the model sources no longer match the file's fingerprint (edited,
not yet regenerated) or the installed pydantic-core rejects the schema, the schema is
taken from the live pydantic models instead (slow, same results, same records).
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
import typing
import zlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Optional, cast

from pydantic_core import SchemaError, SchemaValidator

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import CoreConfig, CoreSchema

    from gtmplan.plan.actuals_model import Actuals
    from gtmplan.plan.model import Plan

ROOTS = {"Plan": "gtmplan.plan.model", "Actuals": "gtmplan.plan.actuals_model"}
"""The models validated without pydantic: name -> the module that defines it."""
GENERATED = Path(__file__).with_name("_compiled_plan.py")
MODEL_SOURCES = [Path(__file__).with_name(m.rsplit(".", 1)[1] + ".py") for m in dict.fromkeys(ROOTS.values())]
_DROP = ("metadata", "serialization")  # read by pydantic's JSON Schema and serializer, never by the validator


class Record:
    """A validated plan section: the fields of its model as attributes."""

    # The attributes pydantic-core sets on the instances it builds (as on a BaseModel).
    __slots__ = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
    __pydantic_fields_set__: set[str]

    @property
    def model_fields_set(self) -> set[str]:
        """The keys the plan wrote (the others took their defaults)."""
        return self.__pydantic_fields_set__

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, like a pydantic model

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def construct(cls: type[Record], values: dict[str, Any], fields_set: Optional[set[str]] = None) -> Record:
    """A record from already-valid values (a default such as ``check: CheckSettings()``)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values) if fields_set is None else fields_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def validate_plan(data: Any) -> Plan:
    """``Plan.model_validate(data)``, as records; raises ``pydantic_core.ValidationError``."""
    return validator("Plan").validate_python(data)


def validate_actuals(data: Any) -> Actuals:
    """``Actuals.model_validate(data)``, as records; raises ``pydantic_core.ValidationError``."""
    return validator("Actuals").validate_python(data)


_validators: dict[str, SchemaValidator] = {}
fallback_reason: Optional[str] = None  # why the live models were used (None: the compiled schemas)


def validator(root: str) -> SchemaValidator:
    """The validator of the model ``root`` (a name in ``ROOTS``), built once per process."""
    global fallback_reason
    if root not in _validators:
        gen: Optional[ModuleType] = None
        import_problem = None
        try:
            from gtmplan.plan import _compiled_plan as gen  # here: it imports this module; failing, the fallback
        except ImportError as e:  # it names a pydantic function this version doesn't have
            import_problem = f"_compiled_plan.py cannot be imported: {e}"
        _validators[root], reason = build_validator(root, gen)
        fallback_reason = reason or import_problem
    return _validators[root]


def build_validator(root: str, gen: Optional[ModuleType]) -> tuple[SchemaValidator, Optional[str]]:
    """(the validator of ``root`` built from the generated module ``gen``, None), or, when
    ``gen`` is missing, stale or refused by the installed pydantic-core, (the validator of
    the live models, why they were used). Not cached: ``validator`` keeps one per process."""
    reason = None
    if gen is not None and model_fingerprint() not in (gen.MODEL_FINGERPRINT, None):
        reason = "the models changed since _compiled_plan.py was generated"
    elif gen is not None:
        try:
            return SchemaValidator(gen.SCHEMAS[root], gen.CONFIGS[root]), None
        except SchemaError as e:  # a pydantic-core whose schema format differs
            reason = f"pydantic-core rejected the compiled schema: {str(e).splitlines()[0]}"
    schema, config = live_schema(root)
    return SchemaValidator(schema, config), reason


def model_class(root: str) -> type[BaseModel]:
    """The pydantic model ``root`` (imports pydantic: for error messages and tests)."""
    return getattr(importlib.import_module(ROOTS[root]), root)


def model_fingerprint() -> Optional[int]:
    try:  # line ends as \n: the same on a Windows checkout
        return zlib.crc32(b"".join(p.read_bytes().replace(b"\r\n", b"\n") for p in MODEL_SOURCES))
    except OSError:  # installed without sources: trust the compiled schemas
        return None


# -- from the pydantic models (development time, and the fallback) ---------------------

def live_schema(root: str, records: Optional[dict[type, type]] = None) -> tuple[CoreSchema, CoreConfig]:
    """(schema, config) of the model ``root`` with the model classes replaced by records."""
    from pydantic import BaseModel  # here: 60 ms of import (python -X importtime) that `check` never pays

    model = model_class(root)
    records = {} if records is None else records

    def record_class(model: type) -> type:
        if model not in records:
            mixins = tuple(b for b in model.__mro__[1:] if not issubclass(b, BaseModel) and b is not object)
            records[model] = _new_record(model, mixins)
        return records[model]

    def walk(node: Any, key: Optional[str] = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items() if k not in _DROP}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if key in ("ref", "schema_ref") and isinstance(node, str):
            return re.sub(r":[0-9]+$", "", node)  # pydantic appends id(cls): not stable across runs
        if key == "cls" and isinstance(node, type) and issubclass(node, BaseModel):
            return record_class(node)
        if isinstance(node, BaseModel):  # a model instance as a default value
            return construct(record_class(type(node)), walk(dict(node.__dict__)), set(node.model_fields_set))
        return node

    schema = walk(model.__pydantic_core_schema__)
    top = schema["schema"] if schema["type"] == "definitions" else schema
    return schema, cast("CoreConfig", dict(top["config"]))  # what pydantic passes to SchemaValidator for the model


def _new_record(model: type, mixins: tuple[type, ...] = ()) -> type:
    return type(model.__name__, (Record, *mixins), {"__slots__": (), "__module__": __name__,
                                                     "__doc__": f"Compiled record of {model.__module__}.{model.__name__}."})


def _refuse_model_behaviour(root: type, base_model: type[BaseModel]) -> None:
    """A property or method written in a model class would be missing on its record."""
    seen, todo = set(), [root]
    while todo:
        cls = todo.pop()
        if cls in seen or not (isinstance(cls, type) and issubclass(cls, base_model)) or cls is base_model:
            continue
        seen.add(cls)
        for name, value in vars(cls).items():
            if not name.startswith("__") and (isinstance(value, (property, classmethod, staticmethod)) or (
                    callable(value) and not isinstance(value, type))):
                raise SystemExit(f"gtmplan.plan.model.{cls.__name__}.{name}: behaviour of a model goes in a mixin in "
                                 "gtmplan.plan.modelparts (as PlanBehaviour), so that the compiled records have it too")
        for f in cls.model_fields.values():
            todo.extend(_classes_in(f.annotation))
        todo.extend(cls.__bases__)


def _classes_in(annotation: Any) -> list[type]:
    out = [annotation] if isinstance(annotation, type) else []
    for arg in typing.get_args(annotation):
        out.extend(_classes_in(arg))
    return out


# -- the generated module ---------------------------------------------------------------

class _Src:
    """Python source that pprint prints as it is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def generate() -> str:
    """The text of ``_compiled_plan.py`` for the models as they are now."""
    classes: dict[str, type] = {}
    imports: set[tuple[str, str]] = set()
    blocks: dict[str, str] = {}  # one variable per model's schema, defined before its first use

    import pprint  # here: the generator's alone, not `check`'s start-up (it never generates)

    from pydantic import BaseModel  # here: 60 ms of import that `check` never pays (development time only)

    records: dict[type, type] = {}  # shared: a model used by two roots is one record class
    schemas = {}
    for root in ROOTS:
        _refuse_model_behaviour(model_class(root), BaseModel)
        schemas[root] = live_schema(root, records)
    names = [r.__name__ for r in records.values()]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise SystemExit(f"two models are named {', '.join(clash)}: the compiled records need distinct names")

    def source(node: Any) -> Any:
        if isinstance(node, dict) and node.get("type") == "model" and isinstance(node.get("cls"), type):
            text = pprint.pformat({k: source(v) for k, v in node.items()}, width=100, sort_dicts=False)
            base = name = f"{node['cls'].__name__}_SCHEMA"  # model names are unique (checked above)
            n = 1
            while blocks.get(name, text) != text:  # the same model inlined twice, differently
                n += 1
                name = f"{base}_{n}"
            blocks[name] = text
            return _Src(name)
        if isinstance(node, dict):
            return {k: source(v) for k, v in node.items()}
        if isinstance(node, list):
            return [source(v) for v in node]
        if isinstance(node, type) and issubclass(node, Record):
            classes[node.__name__] = node
            return _Src(node.__name__)
        if isinstance(node, Record):
            classes[type(node).__name__] = type(node)
            fields = pprint.pformat(source(dict(node.__dict__)), sort_dicts=False)
            fields_set = ", ".join(repr(k) for k in sorted(node.__pydantic_fields_set__))
            return _Src(f"construct({type(node).__name__}, {fields}, {{{fields_set}}})" if fields_set
                        else f"construct({type(node).__name__}, {fields}, set())")
        if isinstance(node, functools.partial):  # pydantic's own constraint checks, e.g. min_length_validator
            imports.add(("functools", "partial"))
            args = [repr(source(a)) for a in node.args] + [f"{k}={source(v)!r}" for k, v in node.keywords.items()]
            return _Src(f"partial({', '.join([repr(source(node.func)), *args])})")
        if callable(node) and not isinstance(node, type):
            module, name = node.__module__, node.__qualname__
            if module == "builtins":
                return _Src(name)
            if "." in name or module in ROOTS.values() or not module.startswith(("gtmplan.", "pydantic._internal.")):
                raise SystemExit(f"the core schema calls {module}.{name}: a validator function must be a "
                                 "top-level function of a gtmplan module without pydantic (gtmplan.plan.modelparts)")
            imports.add((module, name))
            return _Src(name)
        if isinstance(node, type):
            raise SystemExit(f"the core schema refers to the class {node!r}: not supported by the generator")
        if isinstance(node, (str, int, float, bool, type(None))):
            return node
        raise SystemExit(f"the core schema holds {node!r}: not supported by the generator")

    bodies = {root: pprint.pformat(source(schema), width=100, sort_dicts=False)
              for root, (schema, _) in schemas.items()}
    confs = {root: source(config) for root, (_, config) in schemas.items()}
    lines = [
        '"""Generated by ``python -m gtmplan.plan.compiled`` from the models: do not edit.',
        "",
        f"The pydantic-core schemas of {', '.join(f'{m}.{r}' for r, m in ROOTS.items())},",
        "with records in place of the models",
        '(see gtmplan.plan.compiled)."""',
        "",
        "# fmt: off",
        "from gtmplan.plan.compiled import Record, construct",
        *(f"from {m} import {n}" for m, n in sorted(imports)),
        *sorted({f"from {b.__module__} import {b.__qualname__}" for c in classes.values()
                 for b in c.__bases__ if b is not Record}),
        "",
        f"MODEL_FINGERPRINT = {model_fingerprint()}  # zlib.crc32 of {', '.join(p.name for p in MODEL_SOURCES)}",
        "",
    ]
    for name, cls in sorted(classes.items()):
        bases = ", ".join(b.__qualname__ for b in cls.__bases__)
        lines += ["", f"class {name}({bases}):", f"    {cls.__doc__!r}", "    __slots__ = ()", ""]
    for name, text in blocks.items():
        lines += ["", f"{name} = {text}", ""]
    lines += ["", "SCHEMAS = {", *(f"    {r!r}: {b}," for r, b in bodies.items()), "}", ""]
    lines += ["CONFIGS = " + pprint.pformat(confs, width=100, sort_dicts=False), ""]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = generate()
    current = GENERATED.read_text(encoding="utf-8") if GENERATED.exists() else ""
    if "--check" in args:
        if text != current:
            print(f"{GENERATED} is stale: run 'python -m gtmplan.plan.compiled'", file=sys.stderr)
            return 1
        return 0
    if text != current:
        GENERATED.write_text(text, encoding="utf-8")
        print(f"wrote {GENERATED}")
    else:
        print(f"{GENERATED} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
