"""Plain YAML data -> a typed model, every problem located and said in a user's words.

Every file gtmplan reads into a model (plans, ``--mapping`` files, and in 0.2
scenarios and actuals) comes through :func:`load_model`: the data and the
:class:`~gtmplan.plan.sourcemap.SourceMap` of where each value was written go in, the
validated model comes out, or an :class:`~gtmplan.errors.InputError` with one
``FILE:LINE:COLUMN: message`` line per problem ("unknown key 'sauce' in
leads.columns; did you mean 'source'?", "expected a whole number, got 1.5").

Text written where text is expected stays text, whatever YAML would make of it
(``NO``, ``on``, ``1e3``, ``2027-01-01``): the value is put back as written and
validated once more.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic_core import ValidationError  # pydantic's own (it re-exports this one)

from gtmplan.errors import InputError, Problem
from gtmplan.plan.compiled import model_class, validator
from gtmplan.plan.sourcemap import PathT, SourceMap, dotted
from gtmplan.read.yamlhints import quoted_scalar_message
from gtmplan.read.yamlsource import OutOfRange, out_of_range_message

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


@typing.overload
def load_model(data: Any, source: SourceMap, model: type[M], what: str = "plan") -> M: ...
@typing.overload
def load_model(data: Any, source: SourceMap, model: str, what: str = "plan") -> Any: ...


def load_model(data: Any, source: SourceMap, model: type[M] | str, what: str = "plan") -> Any:
    """``model`` validated from ``data``; an InputError locating every problem otherwise.

    ``model`` is a pydantic model, or the name of one that :mod:`gtmplan.plan.compiled`
    validates without importing pydantic ("Plan", "Actuals": what ``check`` reads).
    ``what`` names the whole document in messages about its top level ("plan",
    "mapping file")."""
    try:
        return _validate(model, data)
    except ValidationError as e:
        errors = e.errors(include_url=False)
    # Text written where text is expected stays text: put the raw text back, retry once.
    patched = False
    for err in errors:
        if err["type"] == "string_type" and not isinstance(err["input"], (list, dict, type(None))):
            loc = tuple(err["loc"])
            raw = source.raw_text(loc)
            if raw is None and loc[-1:] == (0,):  # one name written alone, read as a list of one
                loc = loc[:-1]
                raw = source.raw_text(loc)
            if raw is not None and _set(data, loc, raw):
                patched = True
    if patched:
        try:
            return _validate(model, data)
        except ValidationError as e:
            errors = e.errors(include_url=False)
    if isinstance(model, str):  # the class, for "did you mean" (imports pydantic: errors only)
        cls: type = model_class(model)
    else:
        cls = model
    raise InputError(sorted({_problem(err, source, cls, what) for err in _one_branch(errors, data)},
                            key=order)) from None


_MEMBER_TAGS = ("constrained-float", "float", "constrained-int", "int")


def _one_branch(errors: Iterable[Mapping[str, Any]], data: Any) -> list[dict[str, Any]]:
    """A value that may be written two ways (a number, or a map quarter -> number:
    ``other_pipeline[].share`` and ``cost``) fails each way; pydantic reports both, each
    with its way's name in the location. Keep the way the plan wrote (a mapping, or
    not), without that name."""
    out = []
    for err in errors:
        node: Any = data
        loc: list = []
        keep = True
        for part in err["loc"]:
            scalar = not isinstance(node, (dict, list))
            tag = isinstance(part, str) and part != "[key]" and (
                part.startswith("dict[") or part in _MEMBER_TAGS) and (scalar or part not in node)
            if tag:
                if part.startswith("dict[") != isinstance(node, dict):
                    keep = False
                    break
                continue
            loc.append(part)
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        if keep:
            out.append({**err, "loc": tuple(loc)})
    return out


def _validate(model: type[M] | str, data: Any) -> Any:
    """The one call that builds a model from data: by name, the compiled validator
    (records, no pydantic import); a class, pydantic's."""
    if isinstance(model, str):
        return validator(model).validate_python(data)
    return model.model_validate(data)


def located(source: SourceMap, issues: Iterable[tuple[PathT, str]]) -> list[Problem]:
    """(path, message) pairs found on a valid model (cross-section checks) as located problems."""
    problems = set()
    for path, message in issues:
        loc = source.locate(path)
        problems.add(Problem(loc.file, loc.line, loc.column, f"{dotted(path)}: {message}"))
    return sorted(problems, key=order)


def order(p: Problem) -> tuple[str, int, int, str]:
    """Problems are listed by file, line and column."""
    return (p.file or "", p.line or 0, p.column or 0, p.message)


# -- pydantic errors in a user's words ---------------------------------------------------

def _set(data: Any, loc: tuple, value: Any) -> bool:
    node = data
    try:
        for part in loc[:-1]:
            node = node[part]
        if isinstance(node, dict) and loc[-1] in node or isinstance(node, list):
            node[loc[-1]] = value
            return True
    except (KeyError, IndexError, TypeError):
        pass
    return False


def shorten(text: str, limit: int = 80) -> str:
    """A value echoed in a message: long ones cut in the middle, with their length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}...{text[-limit // 4:]} ({len(text):,} characters)"


def describe(value: Any) -> str:
    """A value as a person would name it in a message: 'a list', the date 2027-01-01, 'x'."""
    return shorten(_describe(value))


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _json_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _problem(err: Mapping[str, Any], source: SourceMap, model: type, what: str) -> Problem:
    loc: tuple = tuple(err["loc"])
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
    field = str(loc[-1]) if loc else what
    if err["type"] == "missing":
        return _missing(loc, field, source)
    if err["type"] == "extra_forbidden":
        return _unknown_key(loc, field, source, model)
    raw = source.raw_text(loc) if loc else None
    e = _Error(err, loc, field, raw, _shown(err.get("input"), raw, on_key))
    where = source.locate_key(loc) if on_key else source.locate(loc)
    message = _message(e, on_key)
    if loc and source.quoted(loc):
        message = quoted_scalar_message(_EXPECTED.get(e.type, ""), e.input, field) or message
    return Problem(where.file, where.line, where.column, f"{dotted(loc) or what}: {message}")


def _shown(value: Any, raw: str | None, on_key: bool) -> str:
    """The value echoed in a message: as written (numbers bare, text quoted), else described."""
    if raw is None or on_key:
        shown = describe(value)
    else:
        shown = raw if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(raw)
    return shorten(shown)


def _missing(loc: tuple, field: str, source: SourceMap) -> Problem:
    parent = loc[:-1]
    where = source.locate(parent)
    inside = f" in {dotted(parent)}" if parent else ""
    return Problem(where.file, where.line, where.column, f"missing required key {field!r}{inside}")


def _unknown_key(loc: tuple, field: str, source: SourceMap, model: type) -> Problem:
    split = source.split_flow_value(loc)
    if split is not None:
        key, meant, at = split
        return Problem(at.file, at.line, at.column,
                       f"the value of {key!r} contains a comma, which ends a value inside {{ }}: put the text "
                       f"in quotes, e.g. {key}: {_json_quoted(meant)}")
    where = source.locate_key(loc)
    parent = loc[:-1]
    known = _known_keys(model, parent)
    hint = ""
    close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    elif known:
        hint = f" (known keys: {', '.join(known)})"
    inside = f" in {dotted(parent)}" if parent else " at the top level"
    return Problem(where.file, where.line, where.column, f"unknown key {field!r}{inside}{hint}")


class _Error:
    """One pydantic error with what its message needs: where (``loc``, ``field``) and the
    value as written (``raw``) and as echoed (``shown``). (A plain class: a dataclass costs
    ~3M instructions to create on every start-up; docs/contributing.md, "Speed".)"""

    __slots__ = ("err", "loc", "field", "raw", "shown")

    def __init__(self, err: Mapping[str, Any], loc: tuple, field: str, raw: str | None, shown: str) -> None:
        self.err, self.loc, self.field, self.raw, self.shown = err, loc, field, raw, shown

    @property
    def type(self) -> str:
        return str(self.err["type"])

    @property
    def input(self) -> Any:
        return self.err.get("input")

    @property
    def ctx(self) -> dict[str, Any]:
        return dict(self.err.get("ctx") or {})


def _message(e: _Error, on_key: bool) -> str:
    """The message of an error other than a missing or unknown key."""
    if isinstance(e.input, OutOfRange) and e.type != "string_type":
        return out_of_range_message(e.input)
    if on_key and e.type == "string_pattern_mismatch":  # a map keyed by ids (split, segments ...)
        return f"key {e.field!r} is not a valid id: use lower-case letters, digits and dashes, starting with a " \
               "letter or digit"
    if on_key:
        return f"key {e.field!r}: {_ctx_error(e.err)}"
    build = _MESSAGES.get(e.type)
    return build(e) if build is not None else str(e.err["msg"])


def _number_message(e: _Error) -> str:
    message = f"expected a number, got {e.shown}"
    if isinstance(e.input, str) and e.input.strip().endswith("%"):
        message += " (a fraction: write 30% as 0.30)"
    return message


_BOUND_WORDS = {"greater_than": "above", "greater_than_equal": "at least",
                "less_than": "below", "less_than_equal": "at most"}


def _bound_message(e: _Error) -> str:
    bound = next(iter(e.ctx.values()))
    whole = isinstance(bound, int) or (isinstance(bound, float) and bound.is_integer() and abs(bound) < 1e18)
    message = f"must be {_BOUND_WORDS[e.type]} {f'{int(bound):,}' if whole else f'{bound:g}'}, got {e.shown}"
    if e.type == "less_than_equal" and bound == 1:
        message += " (a fraction: write 30% as 0.30)"
    return message


def _too_long_message(e: _Error) -> str:
    return (f"has {e.ctx.get('actual_length', 'too many')} entries; at most {e.ctx.get('max_length')} "
            f"are allowed{' (one per month: ten years)' if e.field == 'ramp' else ''}")


def _whole_number_message(e: _Error) -> str:
    return f"expected a whole number, got {e.shown}"


def _mapping_message(e: _Error) -> str:
    return f"expected a mapping of keys, got {describe(e.input)}"


_MESSAGES: dict[str, Callable[[_Error], str]] = {
    "string_type": lambda e: f"expected text, got {describe(e.input)}",
    "int_type": _whole_number_message,
    "int_from_float": _whole_number_message,
    "int_parsing": _whole_number_message,
    "float_type": _number_message,
    "float_parsing": _number_message,
    "finite_number": lambda e: "expected a finite number",
    "bool_type": lambda e: f"expected true or false, got {e.shown}",
    "date_type": lambda e: _date_message(e.raw, e.input),
    "literal_error": lambda e: f"expected {e.ctx.get('expected', 'one of the allowed values')}, got {e.shown}",
    **dict.fromkeys(_BOUND_WORDS, _bound_message),
    "string_pattern_mismatch": lambda e: _pattern_message(e.loc, e.shown),
    "string_too_short": lambda e: "must not be empty",
    "too_short": lambda e: "needs at least one entry",
    "too_long": _too_long_message,
    "list_type": lambda e: f"expected a list (e.g. [a, b] or one '- item' per line), got {describe(e.input)}",
    "dict_type": _mapping_message,
    "model_type": _mapping_message,
    "model_attributes_type": _mapping_message,
    "value_error": lambda e: _ctx_error(e.err),
}
"""Model error type -> the message of a value that fails it (else pydantic's own ``msg``)."""


_EXPECTED = {"int_type": "whole number", "int_parsing": "whole number", "float_type": "number",
             "float_parsing": "number", "date_type": "date", "bool_type": "true or false"}
"""Model error types whose value, written in quotes, says to remove the quotes (yamlhints)."""


def _ctx_error(err: Mapping[str, Any]) -> str:
    e = (err.get("ctx") or {}).get("error")
    text = str(e) if e is not None else err["msg"]
    return text.removeprefix("Value error, ")


def _date_message(raw: str | None, value: Any) -> str:
    text = raw if raw is not None else describe(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            dt.date.fromisoformat(value)
        except ValueError as e:
            return f"{value!r} is not a real date ({e})"
    return f"expected a date written YYYY-MM-DD, got {text!r}" if raw is not None else f"expected a date, got {text}"


def _pattern_message(loc: tuple, shown: str) -> str:
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if field == "currency":
        return f"expected a three-letter ISO 4217 code such as USD or EUR, got {shown}"
    if field == "sha256":
        return f"expected the file's SHA-256, 64 hexadecimal digits (0-9, a-f), got {shown}"
    if field in ("ignore", "severity"):
        return f"expected a rule code such as A101 (or a prefix such as A), got {shown}"
    return f"{shown} is not a valid id: use lower-case letters, digits and dashes, starting with a letter or digit"


def _known_keys(model: type, loc: tuple) -> list[str]:
    """The keys the model accepts at ``loc`` (for "did you mean")."""
    from pydantic import BaseModel  # here: 60 ms of import (python -X importtime) for a message on an unknown key

    t: Any = model
    for part in loc:
        t = _unwrap(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            f = t.model_fields.get(part) if isinstance(part, str) else None
            if f is None:
                return []
            t = f.annotation
        else:
            args = typing.get_args(t)
            origin = typing.get_origin(t)
            if origin is list and args:
                t = args[0]
            elif origin is dict and len(args) == 2:
                t = args[1]
            else:
                return []
    t = _unwrap(t)
    return list(t.model_fields) if isinstance(t, type) and issubclass(t, BaseModel) else []


def _unwrap(t: Any) -> Any:
    while True:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            t = typing.get_args(t)[0]
        elif origin is typing.Union or type(t).__name__ == "UnionType":
            args = [a for a in typing.get_args(t) if a is not type(None)]
            if len(args) != 1:
                return t
            t = args[0]
        else:
            return t
