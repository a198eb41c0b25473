"""Scenarios and ``--set``: changes applied to a plan's data after it is read, before it is validated.

docs/reference/plan-format.md ("Scenarios"): mappings are merged key by key, recursively; a list
whose items have an ``id`` is merged by id (an item whose id exists is merged
into it, a new id is appended, ``{id: x, remove: true}`` removes ``x``); any other
list, and every scalar, replaces the value it lands on; ``version`` cannot be
changed. docs/reference/cli.md: ``--set PATH=VALUE`` changes one value after any scenario; PATH
is dotted, ``[id]`` picks a list item by id, VALUE is read as YAML.

Merging never changes the data or node trees it was given (YAML aliases share
objects): it builds new mappings and lists along the paths it changes, and new
nodes for the source map, so a value is located in the file it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

import yaml

from gtmplan.errors import InputError, Problem
from gtmplan.plan.sourcemap import SourceMap, _child, _File, dotted
from gtmplan.read.yamlsource import MAX_DEPTH, compose, decode, to_python

SET_FILE = "--set"
"""The file name that locations of ``--set`` values carry (line = which flag)."""

_MAP_TAG, _SEQ_TAG, _STR_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"


@dataclass
class Scenario:
    name: str
    display: str  # the file as shown in messages
    text: str
    description: Optional[str] = None


class _Replace:
    """A value that replaces whatever it lands on (``--set`` sets; it does not merge)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _At:
    """``--set`` into the item at a position of a list whose items have no id (``sales.team[0]``)."""

    __slots__ = ("index", "value")

    def __init__(self, index: int, value: Any) -> None:
        self.index, self.value = index, value


def _plain(value: Any) -> Any:
    """``value`` without its _Replace markers (a --set path below a key the plan lacks)."""
    if isinstance(value, _Replace):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_id_list(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, dict) and "id" in i for i in items)


class _Merger:
    def __init__(self, smap: SourceMap, file: _File, whole_split: bool = True) -> None:
        self.smap = smap
        self.file = file  # the overlay's file (sourcemap._File)
        self.problems: list[Problem] = []
        # a scenario's split replaces the program's whole map; --set changes one key of it
        self.whole_split = whole_split

    def problem(self, node: yaml.Node, message: str) -> None:
        m = node.start_mark
        self.problems.append(Problem(self.file.display, m.line + 1, m.column + 1, message))

    def merge(self, base: Any, bnode: Optional[yaml.Node], bfile: _File, over: Any, onode: yaml.Node,
              path: tuple) -> tuple[Any, yaml.Node, bool]:
        """(merged value, its node, whether that node is the overlay's own). ``bnode`` is
        None where the plan has no value."""
        if isinstance(over, _Replace):
            return over.value, onode, True
        if isinstance(over, _At) and isinstance(base, list) and bnode is not None:
            return self._merge_at(base, bnode, bfile, over, onode, path)
        if bnode is None:
            if _is_id_list(over) and any("remove" in i for i in over):
                return self._merge_id_list([], None, bfile, over, onode, path)
            return _plain(over), onode, True
        if isinstance(base, dict) and isinstance(over, dict):
            if path[-1:] == ("split",) and self.whole_split:  # a scenario's split replaces the whole map
                return _plain(over), onode, True
            return self._merge_mapping(base, bnode, bfile, over, onode, path)
        if isinstance(base, list) and all(isinstance(i, dict) for i in base) and over and _is_id_list(over):
            return self._merge_id_list(base, bnode, bfile, over, onode, path)
        return _plain(over), onode, True

    def _pairs(self, data: dict, node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        pairs = {}
        for key in data:
            found = _child(node, key)
            if found is not None:
                pairs[key] = (found[0] or found[1], found[1])
        return pairs

    def _merge_mapping(self, base: dict, bnode: yaml.Node, bfile: _File, over: dict, onode: yaml.Node,
                       path: tuple) -> tuple[Any, yaml.Node, bool]:
        out = dict(base)
        pairs = self._pairs(base, bnode)
        opairs = self._pairs(over, onode)
        for key, ov in over.items():
            if ov is None and key in out:
                # `key: null` removes the key (so that a segment can switch from share to targets)
                del out[key]
                pairs.pop(key, None)
                continue
            okey, ovalue = opairs.get(key, (onode, onode))
            known = key in base and key in pairs
            bkey, bvalue = pairs[key] if known else (None, None)
            child_file = self.smap.origin(bvalue, bfile) if known else bfile
            value, vnode, own = self.merge(base.get(key), bvalue, child_file, ov, ovalue, (*path, key))
            out[key] = value
            if own:
                pairs[key] = (okey, vnode)
                self.smap.attribute(vnode, self.file)
            else:
                pairs[key] = (bkey, vnode)
        node = yaml.MappingNode(_MAP_TAG, [pairs[k] for k in out if k in pairs],
                                start_mark=bnode.start_mark, end_mark=bnode.end_mark)
        self.smap.attribute(node, bfile)
        return out, node, False

    def _merge_at(self, base: list, bnode: yaml.Node, bfile: _File, over: _At, onode: yaml.Node,
                  path: tuple) -> tuple[Any, yaml.Node, bool]:
        items, at = list(base), over.index
        nodes = list(bnode.value) if isinstance(bnode, yaml.SequenceNode) and len(bnode.value) == len(base) \
            else [bnode] * len(base)
        child_file = self.smap.origin(nodes[at], bfile)
        # the row is a mapping and so are the changes (--set refuses to set a row itself): they
        # merge key by key, into a new node _merge_mapping attributes to the row's file
        items[at], nodes[at], _ = self.merge(items[at], nodes[at], child_file, over.value, onode, (*path, at))
        node = yaml.SequenceNode(_SEQ_TAG, nodes, start_mark=bnode.start_mark, end_mark=bnode.end_mark)
        self.smap.attribute(node, bfile)
        return items, node, False

    def _merge_id_list(self, base: list, bnode: Optional[yaml.Node], bfile: _File, over: list,
                       onode: yaml.Node, path: tuple) -> tuple[Any, yaml.Node, bool]:
        items = list(base)
        if bnode is None:
            nodes: list = []
        elif isinstance(bnode, yaml.SequenceNode) and len(bnode.value) == len(base):
            nodes = list(bnode.value)
        else:
            nodes = [bnode] * len(base)
        for i, item in enumerate(over):
            inode = onode.value[i] if isinstance(onode, yaml.SequenceNode) and i < len(onode.value) else onode
            ident = item["id"]
            if ident is None or isinstance(ident, (dict, list)):  # null picks no item (nor the first without id)
                # named by its position in the overlay's list: [None] or [['a']] would mean nothing to a user
                known = [b for b in items if b.get("id") is not None]
                found = _child(inode, "id")
                self.problem(found[1] if found else inode,
                             f"{dotted((*path, i))}: an item is picked by its id; {_shown_value(ident)} is not an id"
                             + (_ids_hint(items) if known else " (the plan's items here have no ids)"))
                continue
            where = _item_path(path, ident)
            at = next((j for j, b in enumerate(items) if b.get("id") is not None and b["id"] == ident), None)
            if "remove" in item:
                rnode = _child(inode, "remove")
                if _plain(item["remove"]) is not True:  # from a scenario file, or --set PATH[id].remove=true
                    self.problem(rnode[1] if rnode else inode,
                                 f"{dotted(where)}: 'remove' takes only the value true (it removes the item)")
                elif set(item) != {"id", "remove"}:
                    self.problem(inode, f"{dotted(where)}: an item with 'remove: true' holds only its id "
                                        f"(it removes the item; to change it, leave out 'remove')")
                elif at is None:
                    self.problem(inode, f"{dotted(where)}: the plan has no item with id {ident!r} to remove"
                                        + _ids_hint(items))
                else:
                    del items[at], nodes[at]
                continue
            if at is None:
                items.append(item)
                nodes.append(inode)
                self.smap.attribute(inode, self.file)
                continue
            child_file = self.smap.origin(nodes[at], bfile)
            # the id picked the item and changes nothing: it stays where the plan writes it
            changes = {k: v for k, v in item.items() if k != "id"}
            # an item and its changes are mappings: they merge key by key (as in _merge_at)
            items[at], nodes[at], _ = self.merge(items[at], nodes[at], child_file, changes, inode, where)
        marks = bnode if bnode is not None else onode
        node = yaml.SequenceNode(_SEQ_TAG, nodes, start_mark=marks.start_mark, end_mark=marks.end_mark)
        if bnode is None:
            return items, node, True
        self.smap.attribute(node, bfile)
        return items, node, False

    def apply(self, data: dict, over: dict, root: yaml.Node) -> dict:
        """Merge ``over`` (a top-level mapping) into the plan's data; the source map follows."""
        out = dict(data)
        opairs = self._pairs(over, root)
        for key, ov in over.items():
            okey, ovalue = opairs.get(key, (root, root))
            top = self.smap.top(key) if key in data else None
            bfile, bkey, bvalue = top if top is not None else (self.file, None, None)
            value, vnode, own = self.merge(data.get(key), bvalue, bfile, ov, ovalue, (key,))
            out[key] = value
            if own:
                self.smap.set_top(key, self.file, okey, vnode)
                self.smap.attribute(vnode, self.file)
            else:
                self.smap.set_top(key, bfile, bkey, vnode)
        return out


def _shown_value(value: Any) -> str:
    return "null" if value is None else "a mapping" if isinstance(value, dict) else "a list"


def _ids_hint(items: list) -> str:
    ids = [str(i["id"]) for i in items if isinstance(i, dict) and i.get("id") is not None]
    if not ids:
        return " (the list is empty)"
    shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
    return f" (its ids: {shown})"


def _item_path(path: tuple, ident: Any) -> tuple:
    """The path of the item with id ``ident`` in the list at ``path``, as messages show it:
    ``marketing.programs[seo]`` (and ``sales.segments[smb].other_pipeline[sdr]`` below it)."""
    return (*path[:-1], f"{path[-1]}[{ident}]")


# -- scenarios -----------------------------------------------------------------------

def apply_scenario(data: dict, smap: SourceMap, scenario: Scenario) -> dict:
    """The plan's data with the scenario applied; the scenario's description is set on it."""
    display = scenario.display
    root = compose(scenario.text, display)
    if not isinstance(root, yaml.MappingNode):
        m = root.start_mark
        raise InputError([Problem(display, m.line + 1, m.column + 1,
                                  "a scenario must be a mapping of the plan's keys it changes "
                                  "(for example sales: {assumptions: {win_rate: 0.2}})")])
    over = to_python(root, display)
    f = smap.add_overlay(display, scenario.text, root)
    merger = _Merger(smap, f)
    over = {k: v for k, v in over.items() if not k.startswith("x-")}
    value_node = {key: value for key, (_, value) in merger._pairs(over, root).items()}  # every key has its node
    if "description" in over:
        desc = over.pop("description")
        if desc is not None and not isinstance(desc, str):
            merger.problem(value_node["description"], "description: expected text, "
                                                      "a sentence saying what the scenario assumes")
        else:
            scenario.description = desc
    if "version" in over:
        if over["version"] != data.get("version") or isinstance(over["version"], bool):
            merger.problem(value_node["version"],
                           f"version: a scenario cannot change the plan's format version "
                           f"({data.get('version')!r}); remove this key")
        del over["version"]
    if merger.problems:
        raise InputError(merger.problems)
    out = merger.apply(data, over, root)
    if merger.problems:
        raise InputError(merger.problems)
    return out


# -- --set -------------------------------------------------------------------------

_PART_RE = re.compile(r"\.?([^.\[\]=]+)|\[([^\[\]]*)\]")


def parse_path(text: str) -> list:
    """``marketing.programs[webinars].cost`` -> ["marketing", "programs", ("id", "webinars"), "cost"]."""
    parts: list = []
    pos = 0
    while pos < len(text):
        m = _PART_RE.match(text, pos)
        if m is None or (m.group(1) is not None and m.group(0).startswith(".") and not parts):
            raise ValueError(f"cannot read the path at {text[pos:]!r}")
        if m.group(1) is not None:
            name = m.group(1).strip()
            if not name:
                raise ValueError("a path part is empty")
            parts.append(name)
        else:
            ident = m.group(2).strip()
            if not ident:
                raise ValueError("[] needs an id, as in marketing.programs[webinars].cost")
            if not parts or isinstance(parts[-1], tuple):
                raise ValueError(f"[{ident}] must follow the name of a list")
            parts.append(("id", ident))
        pos = m.end()
    return parts  # not empty: _apply_set refuses an empty PATH


def apply_sets(data: dict, smap: SourceMap, sets: list[str]) -> dict:
    """Each ``PATH=VALUE`` in turn; problems are ``--set:N: message``."""
    f = smap.add_overlay(SET_FILE, "", yaml.MappingNode(_MAP_TAG, []))
    problems: list[Problem] = []
    for n, arg in enumerate(sets, 1):
        try:
            data = _apply_set(data, smap, f, n, arg)
        except InputError as e:  # report every bad flag, not only the first
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return data


def _set_problem(n: int, message: str) -> InputError:
    return InputError([Problem(f"{SET_FILE}:{n}", None, None, message)])


def _mark(n: int, column: int) -> yaml.Mark:
    return yaml.Mark(SET_FILE, 0, n - 1, column, None, None)


def _apply_set(data: dict, smap: SourceMap, f: _File, n: int, arg: str) -> dict:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:  # bytes the terminal could not decode (Python's surrogate escapes)
        raise _set_problem(n, f"{arg}: not UTF-8 text (check the terminal's encoding)") from None
    path_text, eq, value_text = arg.partition("=")
    if not eq or not path_text.strip():
        raise _set_problem(n, f"expected PATH=VALUE, e.g. sales.assumptions.win_rate=0.2; got {arg!r}")
    shown = path_text.strip()
    parts = _set_path(n, shown)
    mark = _mark(n, len(path_text) + 1)
    vnode, value = _set_value(n, shown, value_text, mark)
    # check the path against the data (ids must exist), then build the overlay inside out
    ids = _walk_set(n, shown, parts, data)
    over, onode = _set_overlay(parts, ids, value, vnode, mark)
    merger = _Merger(smap, f, whole_split=False)  # --set split.smb=0.7 changes that key only
    out = merger.apply(data, over, onode)
    if merger.problems:  # e.g. remove=false, or remove on an id the plan lacks
        raise InputError(merger.problems)
    return out


def _set_path(n: int, shown: str) -> list:
    """The parts of a ``--set`` PATH (``shown``, as written), refused where --set cannot go."""
    try:
        parts = parse_path(shown)
    except ValueError as e:
        raise _set_problem(n, f"{shown}: {e}") from None
    if len(parts) > MAX_DEPTH:  # the plan's own nesting limit (README.md, "Limits")
        raise _set_problem(n, f"the path has {len(parts):,} parts; nesting deeper than {MAX_DEPTH} levels: "
                              "no plan needs this; refused")
    if parts[0] == "version":
        raise _set_problem(n, "version: --set cannot change the plan's format version")
    return parts


def _set_value(n: int, shown: str, value_text: str, mark: yaml.Mark) -> tuple[yaml.Node, Any]:
    """The value, as YAML (one document), every node placed at the flag's value."""
    if value_text.strip():
        try:
            text = decode(value_text.encode("utf-8"), SET_FILE)
            vnode = compose(text, SET_FILE)
            value = to_python(vnode, SET_FILE)
        except InputError as e:
            raise _set_problem(n, f"{shown}: the value is not valid YAML: "
                                  f"{e.problems[0].message}") from None
    else:
        vnode, value = yaml.ScalarNode("tag:yaml.org,2002:null", ""), None
    for node in _nodes(vnode):
        node.start_mark = node.end_mark = mark
    return vnode, value


def _walk_set(n: int, shown: str, parts: list, data: dict) -> dict[int, Any]:
    """Follows ``parts`` through the plan's data, refusing a path it cannot hold: index of
    each ``[id]`` part -> the id as the plan writes it, or an :class:`_At` (a position)."""
    cur: Any = data
    walked: list = []
    ids: dict[int, Any] = {}
    for i, part in enumerate(parts[:-1]):
        if isinstance(part, tuple):
            continue
        walked.append(part)
        if cur is not None and not isinstance(cur, dict):
            raise _set_problem(n, f"{shown}: {dotted(walked[:-1])} is not a mapping, "  # never the top: the plan is a mapping
                                  f"so it has no key {part!r}")
        cur = cur.get(part) if cur is not None else None
        nxt = parts[i + 1]
        if isinstance(nxt, tuple):
            ids[i + 1], cur = _set_item(n, shown, walked, cur, nxt[1])
            walked[-1] = f"{walked[-1]}[{nxt[1]}]"  # marketing.programs[webinars], as the path writes it
    last = parts[-1]
    if isinstance(last, tuple):
        raise _set_problem(n, f"{shown}: set a key of the item, e.g. {shown}.cost=20000")
    if last == "id" and len(parts) > 1 and isinstance(parts[-2], tuple) and not isinstance(ids.get(len(parts) - 2), _At):
        raise _set_problem(n, f"{shown}: an item's id is how --set and scenarios find it; it cannot be changed "
                              "here (change it in the plan file)")
    if cur is not None and not isinstance(cur, dict):
        raise _set_problem(n, f"{shown}: {dotted(walked)} is not a mapping, "
                              f"so it has no key {last!r}")
    return ids


def _set_item(n: int, shown: str, walked: list, items: Any, ident: str) -> tuple[Any, dict]:
    """``[ident]`` in the list ``items`` (at ``walked``): (its id, or an :class:`_At` for items
    without ids, picked by position; the item)."""
    if items is None:  # a list the plan does not have: no item to pick
        items = []
    if isinstance(items, list) and not all(isinstance(it, dict) for it in items):  # [2027Q1, 2027Q2]
        raise _set_problem(n, f"{shown}: {dotted(walked)} is a list of values, not of items with keys: "
                              f"set the whole list, e.g. {dotted(walked)}=[a, b]")
    if not isinstance(items, list):
        raise _set_problem(n, f"{shown}: {dotted(walked)} is not a list of items")
    if items and not any(it.get("id") is not None for it in items):  # items without ids (team rows, reviews): by position
        at = _position(ident)
        if at is None or at >= len(items):
            raise _set_problem(n, f"{shown}: the items of {dotted(walked)} have no id; pick one by its "
                                  f"position, from [0] to [{len(items) - 1}]")
        return _At(at, None), items[at]
    found = next((it for it in items if it.get("id") is not None and str(it["id"]) == ident), None)
    if found is None:
        raise _set_problem(n, f"{shown}: {dotted(walked)} has no item with id {ident!r}" + _ids_hint(items))
    return found["id"], found


def _set_overlay(parts: list, ids: dict[int, Any], value: Any, vnode: yaml.Node,
                 mark: yaml.Mark) -> tuple[Any, yaml.Node]:
    """The overlay a ``--set`` makes (as a scenario would write it) and its nodes, built
    inside out from the value."""

    def scalar(text: str) -> yaml.ScalarNode:
        return yaml.ScalarNode(_STR_TAG, text, start_mark=mark, end_mark=mark)

    over: Any = _Replace(value)
    onode: yaml.Node = vnode
    item: Any = None  # the mapping built last is a list item: its id, or an _At (a position)
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        if isinstance(part, tuple):
            item = ids[i]
            if not isinstance(item, _At):  # the id picks the item (the node stays the item's mapping)
                over = {"id": item, **over}
            continue
        if isinstance(item, _At):
            over, item = _At(item.index, over), None  # the node stays the item's mapping
        elif item is not None:
            over, onode, item = [over], yaml.SequenceNode(_SEQ_TAG, [onode], start_mark=mark, end_mark=mark), None
        over = {part: over}
        onode = yaml.MappingNode(_MAP_TAG, [(scalar(part), onode)], start_mark=mark, end_mark=mark)
    return over, onode


def _position(text: str) -> Optional[int]:
    """``[2]``'s position; None for anything but plain digits (``[²]``, ``[-1]``, thousands of digits)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    stack = [node]
    seen = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
