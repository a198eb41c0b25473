"""Where a plan's files come from: the disk, or a git revision (read without a checkout).

A source gives the plan's files (display name and text) and its scenarios; the
loader (:func:`gtmplan.read.loader.load`) reads any source the same way. A git source
reads ``REV:PATH`` through one ``git cat-file --batch`` process (for a whole plan,
whatever its number of files; ``diff`` reads both of its sides through the same
one, :class:`GitObjects`): the working tree, the index and HEAD are never touched,
and a shallow clone works as long as the revision was fetched.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Optional

from gtmplan.errors import InputError, Problem, printable
from gtmplan.read import yamlsource  # its limits are read when used (a test lowers yamlsource.MAX_FILE_BYTES)
from gtmplan.read.actuals import actual_files
from gtmplan.read.overlay import Scenario
from gtmplan.read.yamlsource import (
    _os_reason,
    check_link,
    decode,
    link_problem,
    read_text,
    too_many_files,
)

SCENARIO_DIR = "scenarios"
ACTUALS_DIR = "actuals"  # as gtmplan.read.actuals reads it from the disk
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_YAML = (".yaml", ".yml")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _plan_name(name: str) -> bool:
    return name.endswith(_YAML) and not name.startswith(".")


class PlanSource:
    """A plan as files. ``exists`` is False for a plan absent at a git revision (an empty plan)."""

    def __init__(self, target: str, label: str, exists: bool = True) -> None:
        self.target = target  # PLAN as the user wrote it
        self.label = label  # the side as people read it: "working tree", "origin/main", a path
        self.exists = exists

    def files(self) -> list[tuple[str, Callable[[], str]]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def scenario_names(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def actual_files(self) -> list[tuple[str, Callable[[], str]]]:  # pragma: no cover - abstract
        """(display name, text reader) of each file in the plan's ``actuals/``."""
        raise NotImplementedError

    def _scenario(self, name: str) -> Optional[tuple[str, str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def scenario(self, name: str) -> Scenario:
        """``--scenario NAME``: the plan's ``scenarios/NAME.yaml``, or the file at that path."""
        if name.endswith(_YAML) or os.sep in name or "/" in name:
            if os.path.isfile(name):
                return _disk_scenario(name)
        slug = _SLUG_RE.fullmatch(name) is not None
        found = self._scenario(name) if slug else None
        if found is not None:
            display, text = found
            return Scenario(name, display, text)
        if not slug and os.path.isfile(name):  # a slug names the plan's scenario only, never a file here
            return _disk_scenario(name)
        names = self.scenario_names()
        where = f"{self.label}: " if self.label != "working tree" and self.label != self.target else ""
        if not self.is_dir:
            raise InputError.single(None, f"--scenario: {where}no file {name!r} (a single-file plan's scenarios "
                                          "are given as paths to their files)")
        known = f" (its scenarios: {', '.join(names)})" if names else " (it has none)"
        raise InputError.single(None, f"--scenario: {where}no scenario {name!r} in "
                                      f"{os.path.join(self.target, SCENARIO_DIR)}/{known}")

    @property
    def is_dir(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def _one_file(name: str, displays: list[str]) -> None:
    if len(displays) > 1:
        raise InputError.single(displays[1], f"--scenario: two files for the scenario {name!r}: "
                                             f"{' and '.join(displays)}; keep one")


def _disk_scenario(path: str) -> Scenario:
    return Scenario(Path(path).stem, path, read_text(Path(path), path))


def _yaml_names(p: Path, quiet: bool = False) -> list[str]:
    """The plan files directly in ``p``; an unreadable directory raises OSError (or, quiet, has none)."""
    try:
        names = [n for n in os.listdir(p) if n.endswith((".yaml", ".yml")) and not n.startswith(".")]
        if len(names) > yamlsource.MAX_FILES:  # before a stat of each
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


class DiskSource(PlanSource):
    def __init__(self, target: str, label: Optional[str] = None) -> None:
        super().__init__(target, label or target)

    @property
    def is_dir(self) -> bool:
        return Path(self.target).is_dir()

    def files(self) -> list[tuple[str, Callable[[], str]]]:
        return [(display, functools.partial(read_text, path, display)) for path, display in plan_files(self.target)]

    def actual_files(self) -> list[tuple[str, Callable[[], str]]]:
        return actual_files(self.target)

    def _dir(self) -> Optional[Path]:
        d = Path(self.target) / SCENARIO_DIR
        return d if self.is_dir and d.is_dir() else None

    def scenario_names(self) -> list[str]:
        d = self._dir()
        if d is None:
            return []
        listed = [n for n in os.listdir(d) if _plan_name(n)]
        if len(listed) > yamlsource.MAX_FILES:
            raise too_many_files(os.path.join(self.target, SCENARIO_DIR), len(listed))
        names = sorted({Path(n).stem for n in listed if (d / n).is_file()})
        bad = [n for n in names if not _SLUG_RE.fullmatch(n)]
        if bad:
            raise InputError([Problem(os.path.join(self.target, SCENARIO_DIR, n + ".yaml"), None, None,
                                      "a scenario's file name must be a slug (lower-case letters, digits and "
                                      "dashes), the name --scenario takes") for n in bad])
        return names

    def _scenario(self, name: str) -> Optional[tuple[str, str]]:
        d = self._dir()
        if d is None:
            return None
        found = [(d / (name + ext), os.path.join(self.target, SCENARIO_DIR, name + ext)) for ext in _YAML
                 if os.path.lexists(d / (name + ext))]
        if not found:
            return None
        _one_file(name, [display for _, display in found])
        path, display = found[0]
        check_link(path, Path(self.target), display)
        if not path.is_file():  # a FIFO, a device, a link to one, or a dangling link: not "no scenario"
            raise InputError.single(display, "--scenario: not a regular file (a scenario is a YAML file "
                                             "in scenarios/); refused")
        return display, read_text(path, display)


# -- git -------------------------------------------------------------------------------

_Object = Optional[tuple[str, Optional[bytes], str]]
"""What ``git cat-file --batch`` answers for one request: (type, content, object id), content
None for an object too large to be read; None for a missing object."""


class _Repo:
    """Where a revision's objects are read: the processes, the directory git runs in, and the
    length of an object id in bytes. (A plain class: a dataclass costs ~3M instructions to create
    on every start-up; docs/contributing.md, "Speed".)"""

    __slots__ = ("objects", "anchor", "oid_bytes")

    def __init__(self, objects: GitObjects, anchor: str, oid_bytes: int) -> None:
        self.objects, self.anchor, self.oid_bytes = objects, anchor, oid_bytes


class GitSource(PlanSource):
    """PLAN as committed at a revision. ``flag`` (``--base``/``--head``) names the side in messages."""

    def __init__(self, target: str, rev: str, flag: str, objects: Optional[GitObjects] = None) -> None:
        super().__init__(target, rev)
        self.rev = rev
        self.flag = flag
        self._files: list[tuple[str, str]] = []  # (display, text)
        self._scenarios: dict[str, tuple[str, Optional[bytes]]] = {}  # name -> (display, content)
        self._actuals: list[tuple[str, Optional[bytes]]] = []  # (display, content) of actuals/ files
        self._scenario_files: dict[str, list[str]] = {}  # name -> its files (one, or x.yaml and x.yml)
        self._is_dir = False
        if objects is not None:
            self._read(objects)
        else:
            with GitObjects() as own:
                self._read(own)

    @property
    def is_dir(self) -> bool:
        return self._is_dir

    def files(self) -> list[tuple[str, Callable[[], str]]]:
        return [(display, functools.partial(str, text)) for display, text in self._files]

    def scenario_names(self) -> list[str]:
        return sorted(self._scenarios)

    def actual_files(self) -> list[tuple[str, Callable[[], str]]]:
        def reader(display: str, data: Optional[bytes]) -> Callable[[], str]:
            def read() -> str:
                if data is None:
                    raise InputError.single(display, f"file is larger than {_max_mib()} MiB; "
                                                     "files this large are refused")
                return decode(data, display)
            return read

        return [(display, reader(display, data)) for display, data in self._actuals]

    def _scenario(self, name: str) -> Optional[tuple[str, str]]:
        found = self._scenarios.get(name)
        if found is None:
            return None
        _one_file(name, self._scenario_files.get(name, []))
        return found[0], self._decode(found[1], found[0])

    def _display(self, *names: str) -> str:
        return f"{self.rev}:{os.path.join(self.target, *names) if names else self.target}"

    def _read(self, objects: GitObjects) -> None:
        anchor, rel = _anchor(self.target)
        spec = "./" if rel == "." else "./" + rel.replace(os.sep, "/")
        ref = f"{self.rev}:{spec}"
        parent = spec.rstrip("/").rpartition("/")[0] or "."
        first = objects.read(anchor, [f"{self.rev}^{{commit}}", ref, f"{ref.rstrip('/')}/{SCENARIO_DIR}",
                                f"{ref.rstrip('/')}/{ACTUALS_DIR}", f"{self.rev}:{parent}/{ACTUALS_DIR}",
                                f"{self.rev}:{parent}/"], self)
        commit, plan, scen, dir_actuals, file_actuals, holder = first
        if commit is None:
            branch = self.rev.removeprefix("origin/") if self.rev.startswith("origin/") else "BRANCH"
            raise InputError.single(None, f"{self.flag}: {self.rev!r} is neither an existing path nor a revision "
                                          "of this git repository (in a shallow clone, fetch it first, "
                                          f"e.g. git fetch --depth=1 origin {branch})")
        if plan is None:
            self.exists = False
            return
        kind, body, _ = plan
        at = _Repo(objects, anchor, len(commit[2]) // 2)  # 20 (SHA-1) or 32 (SHA-256) bytes an object id
        if kind == "blob":
            self._read_file(at, spec, parent, body, holder, file_actuals)
        elif body is None:
            raise InputError.single(self._display(), "a git tree too large to be a plan directory; refused")
        elif kind != "tree":
            self.exists = False
        else:
            self._read_dir(at, spec, body, scen, dir_actuals)

    def _read_file(self, at: _Repo, spec: str, parent: str, body: Optional[bytes], holder: _Object,
                   actuals: _Object) -> None:
        """A single-file plan: its actuals/ is beside it."""
        name = spec.rstrip("/").rpartition("/")[2]
        entry = None
        if holder is not None and holder[0] == "tree" and holder[1] is not None:
            entry = _parse_tree(holder[1], at.oid_bytes, self._display()).get(name)
        if entry is not None and entry[0] == "link":  # PLAN named as a link: followed, as far as git can
            folder = "" if parent == "." else parent.removeprefix("./")
            oid = self._follow(at.objects, at.anchor, "./", folder, entry[1], self._display(), at.oid_bytes,
                               climb=True)
            got = at.objects.read(at.anchor, [oid], self)[0]
            body = got[1] if got else b""  # as a plan directory's files: the object was listed in its tree
        self._files = [(self._display(), self._decode(body, self._display()))]
        beside = os.path.join(os.path.dirname(self.target), ACTUALS_DIR)
        self._read_actuals(at.objects, at.anchor, actuals, at.oid_bytes, f"{self.rev}:{beside}", f"{parent}/")

    def _read_dir(self, at: _Repo, spec: str, body: bytes, scen: _Object, actuals: _Object) -> None:
        """A plan directory: its YAML files, its scenarios (read when asked for) and its actuals/."""
        self._is_dir = True
        home = spec if spec.endswith("/") else spec + "/"
        wanted: list[tuple[str, str, str]] = []  # (kind: plan|scenario, name, object id)
        links: list[tuple[int, str, str]] = []  # (index in wanted, folder in the plan, display)
        self._list(body, at.oid_bytes, "plan", (), wanted, links)
        _few(len(wanted), self._display())
        if scen is not None and scen[0] == "tree" and scen[1] is not None:
            before = len(wanted)
            self._list(scen[1], at.oid_bytes, "scenario", (SCENARIO_DIR,), wanted, links)
            _few(len(wanted) - before, self._display(SCENARIO_DIR))
        problems: list[Problem] = []
        for i, folder, display in links:  # followed inside the plan's directory, as on the disk
            try:
                k, name, oid = wanted[i]
                wanted[i] = (k, name, self._follow(at.objects, at.anchor, home, folder, oid, display, at.oid_bytes))
            except InputError as e:
                problems.extend(e.problems)
        if problems:
            raise InputError(problems)
        if not any(k == "plan" for k, _, _ in wanted):
            self.exists = False
            return
        self._read_actuals(at.objects, at.anchor, actuals, at.oid_bytes, self._display(ACTUALS_DIR), home)
        self._keep(at.objects.read(at.anchor, [oid for _, _, oid in wanted], self), wanted)

    def _list(self, tree: bytes, oid_bytes: int, kind: str, folder: tuple[str, ...],
              wanted: list[tuple[str, str, str]], links: list[tuple[int, str, str]]) -> None:
        """Adds the YAML files of ``tree`` (the plan's directory, or its ``folder``) to ``wanted``,
        and the symbolic links among them to ``links``."""
        for name, (typ, oid) in sorted(_parse_tree(tree, oid_bytes, self._display(*folder)).items()):
            if typ in ("blob", "link") and _plan_name(name):
                if typ == "link":
                    links.append((len(wanted), "".join(folder), self._display(*folder, name)))
                wanted.append((kind, name, oid))

    def _keep(self, blobs: list[_Object], wanted: list[tuple[str, str, str]]) -> None:
        """The plan's files decoded, its scenarios kept as bytes (decoded only when asked for)."""
        problems: list[Problem] = []
        for (k, name, _), got in zip(wanted, blobs):
            display = self._display(name) if k == "plan" else self._display(SCENARIO_DIR, name)
            data = got[1] if got else b""
            if k == "scenario":  # read (decoded) only when asked for
                self._scenario_files.setdefault(Path(name).stem, []).append(display)
                self._scenarios.setdefault(Path(name).stem, (display, data))
                continue
            try:
                self._files.append((display, self._decode(data, display)))
            except InputError as e:
                problems.extend(e.problems)
        if problems:
            raise InputError(problems)

    def _read_actuals(self, objects: GitObjects, anchor: str, tree: _Object, oid_bytes: int, folder: str,
                      home: str) -> None:
        if tree is None or tree[0] != "tree" or tree[1] is None:
            return
        entries = [(name, oid, typ) for name, (typ, oid) in sorted(_parse_tree(tree[1], oid_bytes, folder).items())
                   if typ in ("blob", "link") and _plan_name(name.lower())]  # 2026Q1.YAML: named, as on the disk
        _few(len(entries), folder)
        problems: list[Problem] = []
        for i, (name, oid, typ) in enumerate(entries):
            if typ == "link":
                try:
                    oid = self._follow(objects, anchor, home, ACTUALS_DIR, oid, f"{folder}/{name}", oid_bytes)
                except InputError as e:
                    problems.extend(e.problems)
            entries[i] = (name, oid, "blob")
        if problems:
            raise InputError(problems)
        blobs = objects.read(anchor, [oid for _, oid, _ in entries], self)
        self._actuals = [(f"{folder}/{name}", got[1] if got else b"") for (name, _, _), got in zip(entries, blobs)]

    def _follow(self, objects: GitObjects, anchor: str, home: str, folder: str, link: str, display: str,
                oid_bytes: int, hops: int = 0, climb: bool = False) -> str:
        """The blob a symbolic link (object ``link``, in ``folder`` of the plan's directory
        ``home``) points at, by the rule the disk follows (yamlsource.link_problem).
        ``climb``: PLAN itself is the link: anywhere in the repository will do."""
        got = objects.read(anchor, [link], self)[0]
        target = got[1].decode("utf-8", "surrogateescape") if got and got[1] else ""
        path = posixpath.normpath(posixpath.join(folder, target)) if target else ".."
        if target.startswith("/") or path in (".", "..") or (path.startswith("../") and not climb):
            raise InputError.single(display, link_problem(target, False, False))
        parent, name = posixpath.split(path)
        tree = objects.read(anchor, [f"{self.rev}:{home}{parent}"], self)[0]
        if tree is None and climb:  # above the repository's root
            raise InputError.single(display, link_problem(target, False, False))
        entry = None
        if tree is not None and tree[0] == "tree" and tree[1] is not None:
            entry = _parse_tree(tree[1], oid_bytes, display).get(name)
        if entry is not None and entry[0] == "link" and hops < 40:
            return self._follow(objects, anchor, home, parent, entry[1], display, oid_bytes, hops + 1, climb)
        if entry is None or entry[0] != "blob":
            raise InputError.single(display, link_problem(target, True, False))
        return entry[1]

    @staticmethod
    def _decode(data: Optional[bytes], display: str) -> str:
        if data is None:
            raise InputError.single(display, f"file is larger than {_max_mib()} MiB; plan files this large are refused")
        return decode(data, display)


def _few(count: int, where: str) -> None:
    if count > yamlsource.MAX_FILES:  # before any is read
        raise too_many_files(where, count)


def _max_mib() -> int:
    return yamlsource.MAX_FILE_BYTES // 1048576


def _anchor(target: str) -> tuple[str, str]:
    """(an existing directory to run git in, PLAN relative to it)."""
    path = os.path.abspath(target)
    if os.path.isdir(path):
        return path, "."
    rest: list[str] = []
    while not os.path.isdir(path):
        path, name = os.path.split(path)
        rest.insert(0, name)
        if not name:
            break
    return path, os.path.join(*rest) if rest else "."


class _Git:
    """One ``git cat-file --batch`` process and its three pipes."""

    __slots__ = ("proc", "stdin", "stdout", "stderr")

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None  # all three piped
        self.proc, self.stdin, self.stdout, self.stderr = proc, proc.stdin, proc.stdout, proc.stderr


class GitObjects:
    """``git cat-file --batch`` processes, one per directory git runs in, each kept open
    for every request until :meth:`close` (or the end of a ``with`` block): a diff reads
    both of its sides, trees and blobs, through one process."""

    def __init__(self) -> None:
        self._procs: dict[str, _Git] = {}

    def __enter__(self) -> GitObjects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for git in self._procs.values():
            for pipe in (git.stdin, git.stdout, git.stderr):
                try:
                    pipe.close()
                except OSError:  # git already gone
                    pass
            git.proc.wait()
        self._procs.clear()

    def _process(self, cwd: str, side: GitSource) -> _Git:
        git = self._procs.get(cwd)
        if git is None:
            env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
            try:
                git = _Git(subprocess.Popen(["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
            except FileNotFoundError:
                raise InputError.single(None, f"{side.flag}: {side.rev!r} is not an existing path, and git is not "
                                              "installed to read it as a revision") from None
            self._procs[cwd] = git
        return git

    def read(self, cwd: str, requests: list[str], side: GitSource) -> list[_Object]:
        """(type, content, object id) per request, None for a missing object. Streamed: an
        object larger than a plan file may be is skipped unread (its content is None), so a
        huge file committed by mistake costs neither memory nor parse time."""
        if not requests:
            return []
        git = self._process(cwd, side)
        payload = "".join(q + "\n" for q in requests).encode()

        def feed() -> None:  # in a thread: git answers while the requests are still being written
            try:
                git.stdin.write(payload)
                git.stdin.flush()
            except OSError:  # git exited early (not a repository): its stderr says why
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        results: list[_Object] = []
        for _ in requests:
            line = git.stdout.readline()
            if not line:
                break
            results.append(_answer(git.stdout, line))
        writer.join()
        if len(results) < len(requests):  # git ended: its stderr says why
            self._failed(cwd, git, side)
        return results

    def _failed(self, cwd: str, git: _Git, side: GitSource) -> None:
        del self._procs[cwd]
        try:
            git.stdin.close()
        except OSError:
            pass
        err_text = git.stderr.read()
        git.stdout.close()
        git.stderr.close()
        code = git.proc.wait()
        err = err_text.decode(errors="replace").strip().splitlines()
        if any("not a git repository" in line for line in err):
            raise InputError.single(None, f"{side.flag}: {side.rev!r} is not an existing path, and {side.target} "
                                          "is not in a git repository, so it cannot be a revision")
        raise InputError.single(None, f"{side.flag}: git could not read {side.rev!r}: "
                                      f"{err[-1] if err else 'exit status ' + str(code)}")


def _answer(out: IO[bytes], line: bytes) -> _Object:
    """One object of ``git cat-file --batch``'s answer, its header ``line`` read: (type,
    content, object id); content None for an object larger than a plan file may be
    (skipped unread); None for a missing object."""
    header = line.decode(errors="replace").split()
    if len(header) != 3 or not header[2].isdigit():  # "<object> missing" or "ambiguous"
        return None
    size = int(header[2])
    if size > yamlsource.MAX_FILE_BYTES:
        left = size + 1
        while left:
            chunk = out.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        return header[1], None, header[0]
    body = out.read(size)
    out.read(1)  # the newline after the content
    return header[1], body, header[0]


def _parse_tree(body: bytes, oid_bytes: int, display: str) -> dict[str, tuple[str, str]]:
    """A git tree object's entries: name -> (blob|tree|commit|link, object id). Names that
    are not UTF-8 are decoded as the disk's are (surrogate escapes), so none collide. A
    malformed object (a damaged or forged repository) is refused, located at ``display``."""
    out = {}
    pos = 0
    try:
        while pos < len(body):
            sp = body.index(b" ", pos)
            nul = body.index(b"\0", sp)
            mode = body[pos:sp].decode("ascii")
            name = body[sp + 1:nul].decode("utf-8", errors="surrogateescape")
            pos = nul + 1 + oid_bytes
            if not mode.isdigit() or pos > len(body) or not name or "/" in name or name in (".", ".."):
                raise ValueError(mode)
            oid = body[nul + 1:pos].hex()
            typ = "tree" if mode.startswith("4") else "commit" if mode == "160000" else \
                "link" if mode == "120000" else "blob"
            out[name] = (typ, oid)
    except ValueError:  # UnicodeDecodeError included
        raise InputError.single(display, "git tree object is malformed; refused") from None
    return out


def open_side(spec: str, target: str, flag: str, objects: Optional[GitObjects] = None) -> PlanSource:
    """``--base``/``--head``: an existing path is a plan; anything else a git revision of
    PLAN, read through ``objects`` when given (else a git process of its own)."""
    if os.path.exists(spec):
        return DiskSource(spec)
    if not spec.strip() or spec.startswith("-"):
        raise InputError.single(None, f"{flag}: give a git revision (e.g. origin/main) or a plan path")
    bad = _CONTROL_RE.search(spec)
    if bad:  # a line break would end the request to `git cat-file --batch` early
        raise InputError.single(None, f"{flag}: a git revision cannot hold control characters "
                                      f"(0x{ord(bad.group()):02X} at character {bad.start() + 1}); refused")
    return GitSource(target, spec, flag, objects)
