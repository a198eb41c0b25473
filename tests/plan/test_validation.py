"""gtmplan.plan.validation: one path from YAML data to any model, the same wording for every file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from conftest import FERNHILL
from pydantic import BaseModel, ConfigDict

from gtmplan.errors import InputError
from gtmplan.plan.validation import load_model, located
from gtmplan.read.loader import read_document


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str
    size: int


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: list[_Inner]
    note: Optional[str] = None


def _load(tmp_path: Path, text: str):
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    data, source = read_document(str(path), "a document must be a mapping")
    return str(path), data, source


def test_any_model_gets_located_problems_with_did_you_mean(tmp_path):
    path, data, source = _load(tmp_path, "items:\n  - {name: a, size: 1.5}\n  - {name: b, sise: 2}\nnotes: x\n")
    with pytest.raises(InputError) as e:
        load_model(data, source, _Doc, what="document")
    assert [str(p) for p in e.value.problems] == [
        f"{path}:2:21: items[0].size: expected a whole number, got 1.5",
        f"{path}:3:5: missing required key 'size' in items[1]",
        f"{path}:3:15: unknown key 'sise' in items[1]; did you mean 'size'?",
        f"{path}:4:1: unknown key 'notes' at the top level; did you mean 'note'?",
    ]


def test_text_stays_as_written_for_any_model(tmp_path):
    _, data, source = _load(tmp_path, "items: [{name: NO, size: 3}, {name: 1e3, size: 4}]\nnote: 2027-01-01\n")
    doc = load_model(data, source, _Doc)
    assert [i.name for i in doc.items] == ["NO", "1e3"] and doc.note == "2027-01-01"


def test_cross_checks_on_a_valid_model_are_located(tmp_path):
    path, data, source = _load(tmp_path, "items:\n  - {name: a, size: 1}\n")
    problems = located(source, [(("items", 0, "size"), "too small")])
    assert [str(p) for p in problems] == [f"{path}:2:21: items[0].size: too small"]


def test_a_key_that_is_not_an_id_is_said_in_gtmplans_words(gtm):
    # A split keyed by "mid_x" (an underscore): the id rule, not the validator's pattern.
    r = gtm("check", FERNHILL, "--set",
            "marketing.programs[webinars].split={smb: 0.7, mid_x: 0.3}")
    assert r.code == 2
    assert r.err == ("--set:1: marketing.programs[1].split.mid_x: key 'mid_x' is not a valid id: use lower-case "
                     "letters, digits and dashes, starting with a letter or digit\n")
