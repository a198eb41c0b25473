"""Where a value of the plan was written: path -> ``FILE:LINE:COLUMN``.

Paths are tuples of keys and list indexes, as pydantic reports them
(``("marketing", "programs", 3, "cost")``); dotted, they read
``marketing.programs[3].cost``. Positions are looked up on demand by walking the
YAML node trees, so loading a large plan pays nothing for positions it never
reports.

A scenario or a ``--set`` flag (:mod:`gtmplan.read.overlay`) changes the plan after it
is read: the overlay puts its own nodes into the tree (new mappings and lists
where it merges into the plan's), and :meth:`SourceMap.attribute` records which
file a node came from, so a value that came from a scenario is located in the
scenario's file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

import yaml

PathT = tuple[Union[str, int], ...]
_IGNORE_RE = re.compile(r"#\s*gtmplan:\s*ignore\[([A-Za-z0-9_,\s]+)\]")


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int
    column: int
    path: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path}


def dotted(path: Iterable[Union[str, int]]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class _File:
    display: str
    text: str
    root: yaml.MappingNode


class SourceMap:
    def __init__(self) -> None:
        self._files: list[_File] = []
        self._top: dict[str, tuple[_File, yaml.Node, yaml.Node]] = {}  # top-level key -> (file, key, value)
        self._origin: dict[yaml.Node, _File] = {}  # nodes an overlay put in, by identity -> their file
        self._ignores: dict[str, dict[int, frozenset[str]]] = {}

    # -- building -----------------------------------------------------------------
    def add_file(self, display: str, text: str, root: yaml.MappingNode) -> None:
        f = _File(display, text, root)
        self._files.append(f)
        for knode, vnode in root.value:
            if isinstance(knode, yaml.ScalarNode):
                self._top.setdefault(knode.value, (f, knode, vnode))

    def add_overlay(self, display: str, text: str, root: yaml.Node) -> _File:
        """A file whose values are merged into the plan (a scenario, the --set flags)."""
        f = _File(display, text, root)
        self._files.append(f)
        self._ignores.pop(display, None)
        return f

    def top(self, key: str) -> tuple[_File, yaml.Node, yaml.Node] | None:
        """(file, key node, value node) of a top-level key, as the overlays left it."""
        entry = self._top.get(key)
        if entry is None:
            return None
        f, k, v = entry
        return self._origin.get(v, f), k, v

    def set_top(self, key: str, f: _File, knode: yaml.Node, vnode: yaml.Node) -> None:
        self._top[key] = (f, knode, vnode)

    def attribute(self, node: yaml.Node, f: _File) -> None:
        """Values at and below ``node`` were written in ``f`` (until another attributed node)."""
        self._origin[node] = f

    def origin(self, node: yaml.Node, default: _File) -> _File:
        return self._origin.get(node, default)

    def fork(self) -> SourceMap:
        """A copy that overlays can change without changing this one (the node trees are shared)."""
        other = SourceMap()
        other._files = list(self._files)
        other._top = dict(self._top)
        other._origin = dict(self._origin)
        other._ignores = self._ignores
        return other

    @property
    def files(self) -> list[str]:
        return [f.display for f in self._files]

    # -- lookups --------------------------------------------------------------------
    def locate(self, path: PathT) -> Location:
        """The value at ``path``, or its nearest ancestor that exists (and that one's path)."""
        f, node, _, depth = self._walk(path)
        m = node.start_mark
        return Location(f.display, m.line + 1, m.column + 1, dotted(path[:depth]))

    def locate_key(self, path: PathT) -> Location:
        """The key at the end of ``path`` (for unknown keys); its value's place if no key."""
        f, node, key, depth = self._walk(path)
        m = (key or node).start_mark
        return Location(f.display, m.line + 1, m.column + 1, dotted(path[:depth]))

    def split_flow_value(self, path: PathT) -> tuple[str, str, Location] | None:
        """When the key at the end of ``path`` is the tail of a value that a comma cut in
        two inside a ``{ }`` mapping (``{name: Partners (resellers, firms), share: 0.1}``
        reads a key ``firms)`` without a value): (the key whose value was cut, the value as
        the user meant it, where that value starts). None otherwise."""
        f, parent, _, depth = self._walk(path[:-1])
        if depth != len(path) - 1 or not isinstance(parent, yaml.MappingNode) or not parent.flow_style:
            return None
        pairs = parent.value
        i = next((n for n, (k, _) in enumerate(pairs) if isinstance(k, yaml.ScalarNode) and k.value == path[-1]),
                 None)
        if i is None:
            return None
        k, v = pairs[i]
        plain_null = isinstance(v, yaml.ScalarNode) and v.value == "" and not v.style
        if i == 0 or not plain_null:
            return None
        pk, pv = pairs[i - 1]
        if not (isinstance(pk, yaml.ScalarNode) and isinstance(pv, yaml.ScalarNode) and not pv.style
                and pv.value):
            return None
        m = pv.start_mark
        return pk.value, f"{pv.value}, {k.value}", Location(f.display, m.line + 1, m.column + 1, dotted(path[:-1]))

    def raw_text(self, path: PathT) -> str | None:
        """The scalar exactly as written at ``path``, if the path ends on a scalar."""
        _, node, _, depth = self._walk(path)
        return node.value if depth == len(path) and isinstance(node, yaml.ScalarNode) else None

    def quoted(self, path: PathT) -> bool:
        """Whether the scalar at ``path`` was written in quotes ("60000", '60000')."""
        _, node, _, depth = self._walk(path)
        return depth == len(path) and isinstance(node, yaml.ScalarNode) and node.style in ('"', "'")

    def ignored_codes(self, file: str, line: int) -> frozenset[str]:
        """Codes named in a ``# gtmplan: ignore[CODE,...]`` comment on that line."""
        table = self._ignores.get(file)
        if table is None:
            table = {}
            f = next((f for f in self._files if f.display == file), None)
            if f is not None and "gtmplan:" in f.text:
                for i, text in enumerate(f.text.splitlines(), 1):
                    m = _IGNORE_RE.search(text)
                    if m:
                        table[i] = frozenset(c.strip().upper() for c in m.group(1).split(",") if c.strip())
            self._ignores[file] = table
        return table.get(line, frozenset())

    def _walk(self, path: PathT) -> tuple[_File, yaml.Node, yaml.Node | None, int]:
        """(file, deepest node found, its key node, how many path parts were found)."""
        entry = self.top(path[0]) if path and isinstance(path[0], str) else None
        if entry is None:
            f = self._files[0]
            node, key_node, start = f.root, None, 0
        else:
            (f, key_node, node), start = entry, 1
        origin = self._origin
        for depth in range(start, len(path)):
            child = _child(node, path[depth])
            if child is None:
                return f, node, None, depth
            key_node, node = child
            if origin:
                f = origin.get(node, f)
        return f, node, key_node, len(path)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.SequenceNode):
        if isinstance(part, int) and 0 <= part < len(node.value):
            return None, node.value[part]
        return None
    if isinstance(node, yaml.MappingNode):
        merges: list[yaml.Node] = []
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value == part and k.tag != "tag:yaml.org,2002:merge":
                    return k, v
                if k.tag == "tag:yaml.org,2002:merge":
                    merges.extend(v.value if isinstance(v, yaml.SequenceNode) else [v])
        for m in merges:
            found = _child(m, part)
            if found is not None:
                return found
    return None
