"""SARIF 2.1.0, for code-scanning dashboards: one ``rule`` per code with its help text."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from gtmplan import __version__
from gtmplan.output.fmt import json_text
from gtmplan.plan.sourcemap import Location
from gtmplan.rules import all_rules
from gtmplan.rules.checker import CheckResult

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _uri(path: str) -> str:
    """A SARIF artifact URI (RFC 3986): relative paths percent-encoded, absolute ones as file: URIs."""
    p = PurePath(path)
    if p.is_absolute():
        return Path(p).as_uri()
    return quote(p.as_posix(), safe="/")


def _location(loc: Location) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(loc.file)},
                                 "region": {"startLine": loc.line, "startColumn": loc.column}},
            "logicalLocations": [{"fullyQualifiedName": loc.path or "(plan)", "kind": "member"}]}


class SarifReporter:
    def __init__(self, color: bool = False) -> None:
        pass

    def render(self, result: CheckResult) -> str:
        rules = all_rules()
        index = {r.code: i for i, r in enumerate(rules)}
        descriptors = [{
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary()},
            "fullDescription": {"text": r.documentation()},
            "help": {"text": r.documentation()},
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
            "properties": {"family": r.code[0]},
        } for r in rules]
        results = []
        for f in result.findings:
            item: dict[str, Any] = {"ruleId": f.code, "ruleIndex": index[f.code], "level": _LEVEL[f.severity],
                    "message": {"text": f.message}, "locations": [_location(f.location)]}
            if f.related:
                item["relatedLocations"] = [dict(_location(r), id=i + 1) for i, r in enumerate(f.related)]
            if f.quarter:
                item["properties"] = {"quarter": str(f.quarter)}
            if f.segment:
                item.setdefault("properties", {})["segment"] = f.segment
            results.append(item)
        doc = {"$schema": SCHEMA, "version": "2.1.0",
               "runs": [{"tool": {"driver": {"name": "gtmplan", "version": __version__,
                                             "informationUri": "https://pypi.org/project/gtmplan/",
                                             "rules": descriptors}},
                         "results": results}]}
        return json_text(doc)
