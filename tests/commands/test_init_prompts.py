"""`gtmplan init` that helps: each answer checked when typed, the dates of a quarter shown,
reviews on working days, an occupied or impossible directory refused before anything is
written (issue 16, a newcomer's first hour)."""

from __future__ import annotations

import pytest
from conftest import LUMEN
from conftest import LUMEN_CRM as CRM

# -- 6-10: init that helps --------------------------------------------------------------------

def _drive(args, answers, cwd, timeout=60):
    """Run gtmplan on a pseudo-terminal, typing each answer when a prompt (': ') shows."""
    import os
    import pty
    import subprocess
    import sys
    import time

    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "gtmplan", *map(str, args)], stdin=slave, stdout=slave,
                         stderr=slave, cwd=cwd)
    os.close(slave)
    answers = iter(answers)
    out = b""
    deadline = time.monotonic() + timeout
    while p.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        out += chunk
        if out.endswith(b": "):
            answer = next(answers, None)
            if answer is None:
                break
            os.write(master, (answer + "\n").encode())
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(master)
    return p.returncode, out.decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_init_checks_each_answer_when_typed_and_shows_the_dates_of_a_quarter(tmp_path):
    from gtmplan.read.loader import load_plan

    code, out = _drive(["init", "p"], ["Acme", "dollars", "usd", "Aprl", "April", "4", "middle", "start", "2027 Q5",
                                       "2027 Q1", "0", "4", "lots", "$1.2M", "30k", "y", "150%", "30%", "n", "y"],
                      tmp_path)  # ... "n": one segment
    assert code == 0, out
    assert "Error: 'dollars' is not a three-letter ISO 4217 code such as USD" in out
    assert "Error: 'Aprl' is not a month: give its number, 1-12, or its name (4 or April)" in out
    assert "Error: '2027Q5' is not a quarter: write it as YYYYQn, e.g. 2027Q3" in out
    assert "Error: 0 is out of range (1-12)" in out
    assert "Error: 'lots' is not an amount" in out
    assert "Error: 'middle' is neither start nor end" in out
    assert "Error: 1.5 is not a share from 0 to below 1 (write 30% as 0.3)" in out
    assert "  2027Q1 = 1 Apr–30 Jun 2027\n" in out
    assert "--start" not in out and "--quarters" not in out  # no flag the user never typed
    plan = load_plan(str(tmp_path / "p")).plan
    assert (plan.currency, plan.fiscal_year_start_month, str(plan.horizon.start)) == ("USD", 4, "2027Q1")
    assert sum(plan.sales.targets.values()) == 1_200_000
    assert plan.other_share == pytest.approx(0.3)
    assert plan.sales.assumptions.average_deal_size == 30_000  # "30k"
    assert plan.lead_definition.agreed_by == ["sales", "marketing"]  # the last answer, y


def test_init_default_first_quarter_follows_the_fiscal_year_answer(tmp_path, gtm):
    from gtmplan.commands.init import default_start, quarter_dates
    from gtmplan.plan.quarters import FiscalCalendar

    expected = default_start(FiscalCalendar(4))
    code, out = _drive(["init", "p"], ["Acme", "USD", "4", "start", "", "4", "1200000", "30000", "", "", ""],
                       tmp_path)
    assert code == 0, out
    assert f"First quarter of the plan ({quarter_dates(expected, 4)}) [{expected}]: " in out
    assert gtm("init", tmp_path / "y", "--yes", "--fiscal-year-start-month", "4").code == 0
    from gtmplan.read.loader import load_plan
    assert load_plan(str(tmp_path / "p")).plan.horizon.start == expected
    assert load_plan(str(tmp_path / "y")).plan.horizon.start == expected


def test_quarter_dates_read_as_a_person_writes_them():
    from gtmplan.commands.init import quarter_dates
    from gtmplan.plan.quarters import Quarter

    assert quarter_dates(Quarter(2027, 1), 4) == "2027Q1 = 1 Apr–30 Jun 2027"
    assert quarter_dates(Quarter(2027, 3), 11) == "2027Q3 = 1 May–31 Jul 2028"
    assert quarter_dates(Quarter(2027, 2), 12) == "2027Q2 = 1 Mar–31 May 2028"
    assert quarter_dates(Quarter(2027, 1), 12) == "2027Q1 = 1 Dec 2027–29 Feb 2028"  # a leap year


def test_init_refuses_an_occupied_directory_before_asking_anything(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "sales.yaml").write_text("mine\n")
    code, out = _drive(["init", "p"], ["Acme"] * 10, tmp_path)
    assert code == 2
    assert "Company name" not in out
    assert "sales.yaml: already exists; nothing was written (use --force to overwrite)" in out


@pytest.mark.parametrize("fy", range(1, 13))
def test_init_schedules_reviews_on_working_days(fy):
    from gtmplan.commands.init import Answers, design
    from gtmplan.plan.quarters import FiscalCalendar, Quarter

    for year in (2026, 2027, 2028):
        for n in (1, 2, 3, 4):
            reviews = design(Answers(start=Quarter(year, n), quarters=5, fy_start=fy))["reviews"]
            days = [r["date"] for r in reviews]
            assert all(d.weekday() < 5 for d in days), [d.strftime("%a %Y-%m-%d") for d in days]
            q = [Quarter(year, n) + i for i in range(5)]
            assert [Quarter.of(d, FiscalCalendar(fy)) for d in days] == [*q, q[-1] + 1]  # still inside its quarter


def test_init_then_check_in_the_same_directory_works(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert gtm("init", "--yes", "--agreed").code == 0
    r = gtm("check")
    assert r.code == 0 and r.out.startswith("plan: no problems found"), r.out + r.err
    assert gtm("funnel", "-f", "json").code == 0


def test_the_no_plan_files_hint_points_at_the_plan_just_written(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert gtm("init", "acme", "--yes").code == 0
    r = gtm("check")
    assert r.code == 2
    assert r.err.strip() == (".: no plan files (*.yaml) in this directory, but acme holds some: give the plan "
                             "directory, e.g. 'gtmplan check acme'")
    assert "gtmplan init" not in r.err
    (tmp_path / "empty").mkdir()
    r = gtm("check", "empty")
    assert "write a plan with 'gtmplan init'" in r.err


def test_init_example_copies_the_crm_exports_the_readme_tour_uses(tmp_path, gtm, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = gtm("init", "lumen", "--example", "lumen-analytics")
    assert r.code == 0
    assert "wrote lumen/crm/hubspot-contacts.csv" in r.out and "wrote lumen/crm/hubspot-deals.csv" in r.out
    assert (tmp_path / "lumen/crm/hubspot-deals.csv").read_bytes() == (CRM / "hubspot-deals.csv").read_bytes()
    assert "wrote lumen/actuals/2026Q4.yaml" in r.out and "wrote lumen/crm/history/hubspot-deals.csv" in r.out
    assert not (tmp_path / "lumen/crm/make_sample.py").exists()
    assert gtm("check", "lumen").out == gtm("check", LUMEN).out.replace(str(LUMEN), "lumen")  # same findings
    r = gtm("review", "lumen", "--quarter", "2027Q2", "--leads", "lumen/crm/hubspot-contacts.csv",
            "--deals", "lumen/crm/hubspot-deals.csv")
    assert r.code == 0 and "$330,000" in r.out


def test_init_force_checks_every_target_before_writing_any(tmp_path, gtm):
    target = tmp_path / "plan"
    assert gtm("init", target, "--yes").code == 0
    (target / "sales.yaml").unlink()
    (target / "sales.yaml").mkdir()  # a target that cannot be replaced by a file
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    r = gtm("init", target, "--yes", "--company", "Other", "--force")
    assert r.code == 2
    assert r.err.strip() == f"{target / 'sales.yaml'}: is a directory, so it cannot be replaced by a file; nothing was written"
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_init_refuses_when_the_directory_cannot_be_created(tmp_path, gtm):
    (tmp_path / "file").write_text("x")
    r = gtm("init", tmp_path / "file" / "plan", "--yes")
    assert r.code == 2
    assert f"{tmp_path / 'file'}' is not a directory; nothing was written" in r.err
