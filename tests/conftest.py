"""Shared test helpers: the example plans' paths, the clean base plan, patching it, writing
plans, and running the CLI (in-process: ``run_cli`` and the ``gtm`` fixture; in a child process
under a memory ceiling: ``run_child``).

The tests live in a folder per part of the code (read/, plan/, engine/, rules/, output/,
review/, diff/, commands/, cli/, docs/, hostile/), without __init__.py: pytest's default
import mode puts each test file's folder and this one on sys.path, so ``from conftest
import ...`` works everywhere and a test file's basename must be unique across tests/
(pytest refuses a duplicate). A helper two folders share belongs here, not in a test file."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import io
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

# Test depth: HYPOTHESIS_PROFILE=ci (set by .ci/run) runs the property-based tests with
# 300 examples each and the tests marked slow (limits probed at full size, memory traced
# allocation by allocation, every combination); without it, a local `pytest` runs 25
# examples each and skips those, in under a minute.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.register_profile("ci", max_examples=300)
settings.register_profile("dev", max_examples=25)
settings.load_profile(PROFILE)
FULL = PROFILE == "ci"

TESTS = Path(__file__).parent
ROOT = TESTS.parent
DATA = TESTS / "data"
EXAMPLES = ROOT / "examples"
DELETE = "__delete__"

# The shipped example plans, and the CRM exports the tests read.
LUMEN = EXAMPLES / "lumen-analytics"  # USD, calendar quarters: 2027Q2 = Apr-Jun 2027
LUMEN_CRM = LUMEN / "crm"  # its HubSpot exports, the README's tour (hubspot-contacts.csv, hubspot-deals.csv)
BRIGHTWATER = EXAMPLES / "brightwater-pumps"  # EUR, FY from April: 2027Q1 = Apr-Jun 2027
FERNHILL = EXAMPLES / "fernhill-payroll"  # two segments (smb, enterprise)
SDR = EXAMPLES / "sdr-motion"  # an SDR team as other pipeline (a motion), its cost per quarter, attrition
CRM = DATA / "crm"  # exports shaped like each CRM's own (tests/data/crm/README.md)


@functools.cache
def _base_plan() -> dict:
    return yaml.safe_load((DATA / "base_plan.yaml").read_text(encoding="utf-8"))


def base_plan() -> dict:
    """tests/data/base_plan.yaml, parsed once per session; each call gets its own copy."""
    return copy.deepcopy(_base_plan())


@functools.cache
def _segments_plan() -> dict:
    return yaml.safe_load((DATA / "segments_plan.yaml").read_text(encoding="utf-8"))


def case_base(name: str | None) -> dict:
    """The plan a rule case patches: base_plan.yaml, or with ``base: segments`` the clean
    two-segment plan tests/data/segments_plan.yaml (a copy each call)."""
    return base_plan() if name is None else copy.deepcopy({"segments": _segments_plan}[name]())


def apply_patch(base: Any, patch: Any) -> Any:
    """Deep-merge ``patch`` into ``base``: dicts merge, ``__delete__`` removes a key (or
    list item), a dict with integer keys patches list items, anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for k, v in patch.items():
            if v == DELETE:
                out.pop(k, None)
            elif k in out:
                out[k] = apply_patch(out[k], v)
            else:
                out[k] = copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(patch, dict) and all(isinstance(k, int) for k in patch):
        out = copy.deepcopy(base)
        for k, v in patch.items():
            if v != DELETE:
                out[k] = apply_patch(out[k], v)
        for k in sorted((k for k, v in patch.items() if v == DELETE), reverse=True):
            del out[k]
        return out
    return copy.deepcopy(patch)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_plan(directory: Path, data: dict | str, name: str = "plan.yaml") -> Path:
    path = directory / name
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return path


def write_split(d: Path, data: dict) -> None:
    """A plan directory as gtmplan init writes it: shared, sales, marketing."""
    d.mkdir(parents=True, exist_ok=True)
    shared = {k: v for k, v in data.items() if k not in ("sales", "marketing")}
    (d / "gtmplan.yaml").write_text(dump(shared), encoding="utf-8")
    (d / "sales.yaml").write_text(dump({"sales": data["sales"]}), encoding="utf-8")
    (d / "marketing.yaml").write_text(dump({"marketing": data["marketing"]}), encoding="utf-8")


def as_json_data(value: object) -> object:
    """Plan data as an editor sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


# A plan in a git repository (diff, revisions): commits by a fixed author, no user or system config.
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    """git ARGS in ``repo``, which must succeed; its stdout."""
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert r.returncode == 0, r.stderr
    return r.stdout


def commit(repo: Path, message: str) -> str:
    """Commit everything in ``repo``; the new commit's id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@dataclass
class CliResult:
    """What a run of gtmplan gave: its exit code and what it printed (``code, out, err = ...``)."""

    code: int
    out: str
    err: str

    def __iter__(self) -> Iterator:
        return iter((self.code, self.out, self.err))


class _Terminal(io.StringIO):
    """Captured output that says it is a terminal, as stdout is when nothing is piped."""

    def isatty(self) -> bool:
        return True


def run_cli(*args: object, terminal: bool = False) -> CliResult:
    """Run gtmplan in-process, as the console script does: run_cli("check", path); with
    ``terminal=True`` its stdout says it is a terminal.

    Any exception other than the ones the CLI maps to exit codes escapes and fails the
    test: for a user it would be a traceback."""
    from gtmplan.cli import run

    out, err = _Terminal() if terminal else io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def gtm() -> Callable[..., CliResult]:
    """run_cli as a fixture: gtm("check", path)."""
    return run_cli


MEMORY_CEILING = 2**30  # 1 GiB of address space for a child process


def limit_memory() -> None:
    """preexec_fn of a child process: the memory ceiling (a blow-up fails instead of swapping)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def run_child(*args: object, timeout: float = 90, text: bool = True, ceiling: bool = True,
              python: tuple[str, ...] = ("-m", "gtmplan"), env: dict | None = None,
              inherit_env: bool = True, **kw: object) -> subprocess.CompletedProcess:
    """gtmplan in a child process (``python -m gtmplan ARGS``; ``python`` replaces ``-m gtmplan``,
    e.g. with ``("-c", code)``), under the memory ceiling unless ``ceiling=False``; a hang past
    ``timeout`` seconds fails the test. Output is captured unless ``stdout``/``stderr`` are given.
    ``env`` adds to this process's environment, or with ``inherit_env=False`` is the whole of it."""
    env = {**(os.environ if inherit_env else {}), **(env or {})}
    env.pop("PYTEST_CURRENT_TEST", None)
    kw.setdefault("capture_output", "stdout" not in kw and "stderr" not in kw)
    if ceiling:
        kw.setdefault("preexec_fn", limit_memory)
    return subprocess.run([sys.executable, *python, *map(str, args)], text=text, timeout=timeout,
                          env=env, **kw)


@pytest.fixture
def plan_file(tmp_path: Path) -> Callable[..., Path]:
    """plan_file(patch) -> path of the base plan with the patch applied."""

    def _make(patch: dict | None = None, name: str = "plan.yaml") -> Path:
        return write_plan(tmp_path, apply_patch(base_plan(), patch or {}), name)

    return _make


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a full-size case run only with HYPOTHESIS_PROFILE=ci (.ci/run)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if FULL:
        return
    skip = pytest.mark.skip(reason="slow: runs with HYPOTHESIS_PROFILE=ci, as .ci/run does")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite tests/golden/* from the current output (review with git diff).")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, bytes], None]:
    """golden(name, data): compare with tests/golden/NAME, or rewrite it with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def _check(name: str, data: bytes) -> None:
        path = TESTS / "golden" / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-goldens and review the diff"
        expected = path.read_bytes()
        if data != expected:
            import difflib

            diff = "".join(difflib.unified_diff(expected.decode(errors="replace").splitlines(True),
                                                data.decode(errors="replace").splitlines(True),
                                                f"golden/{name}", "rendered", n=2))
            raise AssertionError(f"{name} differs from its golden file "
                                 f"(if intended: pytest --update-goldens, then review git diff):\n{diff[:6000]}")

    return _check


def review_json(gtm: Callable[..., CliResult], plan: object, quarter: str, *args: object) -> dict:
    """`gtmplan review ... -f json` that must succeed, parsed."""
    import json

    r = gtm("review", plan, "--quarter", quarter, "-f", "json", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)


def metrics_actual(doc: dict) -> dict:
    """A review JSON's actual value of every metric."""
    return {k: v["actual"] for k, v in doc["metrics"].items()}
