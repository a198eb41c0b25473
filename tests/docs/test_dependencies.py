"""The lower-bounds job tests what pyproject.toml declares: constraints/lower-bounds.txt pins
every runtime dependency at exactly its declared floor (docs/contributing.md, "What CI runs")."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def _floors() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    out = {}
    for d in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(?:,<[0-9.]+)?", d.replace(" ", ""))
        assert m, f"{d}: every runtime dependency declares a floor (>=), so the lower-bounds job can test it"
        out[m[1].lower()] = m[2]
    return out


def _pins() -> dict[str, str]:
    text = (ROOT / "constraints" / "lower-bounds.txt").read_text(encoding="utf-8")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def _release(version: str | None) -> tuple[int, ...] | None:
    """6.0 and 6.0.0 are one release."""
    if version is None:
        return None
    parts = [int(x) for x in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_the_lower_bounds_job_pins_each_declared_floor():
    floors, pins = _floors(), _pins()
    assert {k: _release(pins.get(k)) for k in floors} == {k: _release(v) for k, v in floors.items()}


def test_ci_runs_the_suite_on_the_lower_bounds():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints/lower-bounds.txt" in run
