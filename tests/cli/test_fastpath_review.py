"""`gtmplan review` without typer (gtmplan.fastpath) against `review` through typer: every
declared option, in every spelling, gives the same output, files and exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import EXAMPLES
from test_fastpath import _both, _both_with_files, _lines  # both paths on one argv

from gtmplan import options
from gtmplan.commands import calibrate, forecast
from gtmplan.commands.review import report

LUMEN = str(EXAMPLES / "lumen-analytics")
CRM = EXAMPLES.parent / "tests" / "data" / "crm"
CONTACTS, DEALS = str(CRM / "hubspot-contacts-current.csv"), str(CRM / "salesforce-opportunity-data-export.csv")

# A value for every declared parameter of review, each given alone in each of its spellings
# (with --quarter 2027Q2 --deals DEALS, the shortest line that runs).
SAMPLES = {
    ("review", "plan"): ["lumen"], ("review", "quarter"): ["2027Q2", "2031Q1"], ("review", "leads"): [CONTACTS],
    ("review", "deals"): [DEALS], ("review", "mapping"): ["missing.yaml"], ("review", "date_format"): ["%d.%m.%Y"],
    ("review", "encoding"): ["latin-1", "klingon"], ("review", "fx"): ["missing-fx.yaml"],
    ("review", "fmt"): ["json", "md", "html", "text"], ("review", "output"): ["r.md", "r.pdf"],
    ("review", "record"): [None], ("review", "force"): [None], ("review", "scenario"): ["upside"],
    ("review", "sets"): ["company=Renamed"],
}


def test_every_declared_option_of_review_has_samples():
    assert set(SAMPLES) == {("review", p.key) for p in options.COMMANDS["review"].params}


def test_the_declared_formats_are_the_ones_the_commands_write():
    assert options.REVIEW_FORMATS == tuple(report.REPORTERS)
    assert options.CALIBRATE_FORMATS == tuple(calibrate.FORMATS)
    assert options.FORECAST_FORMATS == tuple(forecast.FORMATS)


def test_every_declared_option_of_review_same_through_both_paths(capsys, tmp_path, monkeypatch):
    shutil.copytree(LUMEN, tmp_path / "lumen")  # --record writes into the plan's actuals/
    monkeypatch.chdir(tmp_path)
    seen = set()
    for argv in _lines("review", SAMPLES, "lumen", ["--quarter", "2027Q2", "--deals", DEALS]):
        fast, slow = _both_with_files(capsys, argv, tmp_path)
        assert fast == slow, argv
        seen.add(fast[0])
    assert seen == {0, 2}
    # --record of a quarter that has ended: the same actuals file written by both paths
    history = EXAMPLES / "lumen-analytics" / "crm" / "history"
    (tmp_path / "lumen" / "actuals" / "2026Q3.yaml").unlink()
    fast, slow = _both_with_files(capsys, ["review", "lumen", "--quarter", "2026Q3", "--record", "--leads",
                                           str(history / "hubspot-contacts.csv"), "--deals",
                                           str(history / "hubspot-deals.csv")], tmp_path)
    assert fast == slow and fast[0] == 0 and [name for name, _ in fast[3]] == ["lumen/actuals/2026Q3.yaml"]


def test_review_on_several_exports_and_quarters_same_through_both_paths(capsys, tmp_path):
    fx = tmp_path / "fx.yaml"
    fx.write_text("EUR: 1.1\nGBP: 1.25\n")
    bad_fx = tmp_path / "bad-fx.yaml"
    bad_fx.write_text("EUR: -1\n")
    seen = set()
    for files in (["--leads", CONTACTS], ["--leads", CONTACTS, "--deals", DEALS], ["--deals", DEALS, "--fx", str(fx)],
                  ["--deals", DEALS, "--fx", str(bad_fx)], ["--leads", str(tmp_path / "missing.csv")], []):
        for args in ([], ["-f", "json"], ["--format=md"]):
            for quarter in ("2027Q2", "2031Q1"):  # the second is outside the plan's horizon
                fast, slow = _both(capsys, ["review", LUMEN, "--quarter", quarter, *files, *args])
                assert fast == slow, (files, args, quarter)
                seen.add(fast[0])
    assert seen == {0, 2}


def test_the_console_script_reviews_without_typer():
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "gtmplan", "review", LUMEN, "--quarter", "2027Q2",
                        "--deals", DEALS, "-f", "json"], capture_output=True, text=True, timeout=60)
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert r.returncode == 0 and '"won"' in r.stdout
    assert "typer" not in imported and "pydantic" not in imported
