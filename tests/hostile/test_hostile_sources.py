"""Hostile input, round three (issue 27): `diff`, scenarios, `--set`, actuals and the
review reader. Each class runs gtmplan in a child process under a 1 GiB memory ceiling
and a time limit, and must end in exit 2 with located lines (or a correct result), no
traceback and no file left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import LUMEN, base_plan, dump, run_child
from test_hostile_limits import SLOW, clean, gt, only, refused

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, input=stdin, env={**os.environ, **GIT_ENV})
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def commit(repo: Path, message: str = "plan") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    monkeypatch.chdir(r)
    return r


def html_of(markdown: str) -> str:
    """The comment as a CommonMark renderer shows it (GitHub's is CommonMark plus extensions)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


# -- 1. Markdown injection through a code span ---------------------------------------------

def test_backticks_in_a_label_or_file_name_cannot_close_the_code_span(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    side = Path("b``<img src=x>``")
    side.mkdir()
    (side / "plan.yaml").write_text(dump(base_plan()))
    head = base_plan()
    head["marketing"]["programs"][0]["cost"] = 99999  # a new B401 in each quarter
    Path("p``<img src=y>`").mkdir()
    (Path("p``<img src=y>`") / "plan.yaml").write_text(dump(head))
    head_path = "p``<img src=y>`/plan.yaml"
    r = gt("diff", head_path, "--base", f"{side}/plan.yaml", "--head", head_path, "-f", "md")
    clean(r)
    page = html_of(r.stdout)
    assert "<img" not in page, page
    # CommonMark 6.1: the fence is longer than any run of backticks inside it
    assert "base ``` b``<img src=x>``/plan.yaml ```, head ``` p``<img src=y>`/plan.yaml ```." in r.stdout
    assert "(``` p``<img src=y>`/plan.yaml:114 ```)" in r.stdout


# -- 2. mentions, references and links in Markdown -----------------------------------------

NOISY = "@octocat @org/team #12 https://evil.example/x www.evil.example a@b.io &#64;x"
QUIET = ("@&#8203;octocat @&#8203;org/team \\#&#8203;12 https:&#8203;//evil.example/x www&#8203;.evil.example "
         "a@&#8203;b.io \\&\\#&#8203;64;x")


def test_mentions_and_links_are_neutralised_in_diff_and_compare_markdown(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(dump(base_plan()))
    head = base_plan()
    head["company"] = NOISY
    path = tmp_path / "plan.yaml"
    path.write_text(dump(head))
    r = gt("diff", path, "--base", base, "-f", "md")
    clean(r)
    assert f"| `company` | Testco | {QUIET} | `{path}:2` |" in r.stdout, r.stdout
    (tmp_path / "x.yaml").write_text(f"description: '{NOISY}'\n")
    r = gt("compare", path, "--scenario", tmp_path / "x.yaml", "-f", "md")
    clean(r)
    assert f"- **x**: {QUIET}" in r.stdout, r.stdout
    assert f"## Scenarios: {QUIET}" in r.stdout, r.stdout


def test_mentions_in_crm_values_are_neutralised_in_review_markdown(tmp_path):
    deals = tmp_path / "deals.csv"
    deals.write_text("id,created,closed,stage,amount,source,loss_reason\n"
                     "1,2027-04-01,2027-04-02,lost,5,@octocat,@org/team #12\n")
    r = gt("review", LUMEN, "--quarter", "2027Q2", "--deals", deals, "-f", "md")
    clean(r)
    assert "| @&#8203;org/team \\#&#8203;12 | 1 |" in r.stdout, r.stdout
    assert "loss reason in 2027Q2 was '@&#8203;org/team \\#&#8203;12'" in r.stdout
    assert "@octocat" not in r.stdout


# -- 17. control and bidi characters in every output ---------------------------------------

RAW = "\u009b\u0085\u2028\u202e\u2066"


def test_json_outputs_escape_c1_separators_and_bidi_controls(tmp_path):
    plan = base_plan()
    plan["company"] = f"a{RAW}b"
    plan["goals"][0]["target"] = 1  # a finding, so check's JSON holds a message
    path = tmp_path / "plan.yaml"
    path.write_text(dump(plan))
    base = tmp_path / "base.yaml"
    base.write_text(dump(base_plan()))
    (tmp_path / "s.yaml").write_text(dump({"description": f"x{RAW}"}))
    for args in (["check", path, "-f", "json"], ["funnel", path, "-f", "json"],
                 ["diff", path, "--base", base, "-f", "json"],
                 ["compare", path, "--scenario", tmp_path / "s.yaml", "-f", "json"],
                 ["check", path, "-f", "sarif"]):
        r = gt(*args, text=False)
        assert r.returncode in (0, 1) and b"Traceback" not in r.stderr, (args, r.stderr)
        out = r.stdout.decode("utf-8")
        assert not any(c in out for c in RAW), (args, [c for c in RAW if c in out])
        json.loads(out)  # still JSON, the characters escaped
    r = gt("diff", path, "--base", base, "-f", "json")
    assert json.loads(r.stdout)["inputs"][0]["new"] == f"a{RAW}b"
    assert "a\\u009b\\u0085\\u2028\\u202e\\u2066b" in r.stdout


def test_text_and_markdown_escape_bidi_controls(tmp_path):
    plan = base_plan()
    plan["company"] = "evil\u202etxt.exe\u2067"
    path = tmp_path / "plan.yaml"
    path.write_text(dump(plan))
    base = tmp_path / "base.yaml"
    base.write_text(dump(base_plan()))
    for f in ("text", "md"):
        r = gt("diff", path, "--base", base, "-f", f)
        clean(r)
        assert "\u202e" not in r.stdout and "\u2067" not in r.stdout
        assert "\\u202etxt.exe\\u2067" in r.stdout.replace("\\\\", "\\"), r.stdout


# -- 3. control characters in a revision -----------------------------------------------------

@pytest.mark.parametrize("flag", ["--base", "--head"])
def test_a_revision_with_a_control_character_is_refused_naming_the_flag(repo, flag):
    (repo / "plan.yaml").write_text(dump(base_plan()))
    commit(repo)
    other = "--head" if flag == "--base" else "--base"
    # a newline would end the request to `git cat-file --batch` early: the next line read
    # as another object, the answers shifted by one
    r = gt("diff", "plan.yaml", flag, "nope\nHEAD", other, "HEAD")
    err = refused(r, f"gtmplan: {flag}: a git revision cannot hold control characters (0x0A at character 5); "
                     "refused")
    assert len(err.strip().splitlines()) == 1
    refused(gt("diff", "plan.yaml", flag, "HEAD\t", other, "HEAD"), f"{flag}: a git revision cannot hold "
                                                                    "control characters (0x09 at character 5)")


# -- 5. file names that are not UTF-8 -------------------------------------------------------

def test_file_names_that_are_not_utf8_do_not_collide_at_a_revision(repo):
    plan = base_plan()
    d = repo / "plan"
    d.mkdir()
    shared = {k: v for k, v in plan.items() if k not in ("sales", "marketing")}
    (d / "gtmplan.yaml").write_text(dump(shared))
    # both names decode to "x\ufffd.yaml" if the undecodable byte is replaced
    (d / os.fsdecode(b"x\xff.yaml")).write_text(dump({"sales": plan["sales"]}))
    (d / os.fsdecode(b"x\xfe.yaml")).write_text(dump({"marketing": plan["marketing"]}))
    commit(repo)
    r = gt("diff", "plan", "--base", "HEAD")
    clean(r)
    assert "No change to the plan's numbers or findings." in r.stdout, r.stdout
    r = gt("diff", "plan", "--base", "HEAD", "--head", "HEAD", "-f", "json")
    clean(r)
    assert json.loads(r.stdout)["changed"] is False


# -- 6. malformed tree objects ---------------------------------------------------------------

def _commit_with(repo: Path, name: str, tree_body: bytes) -> str:
    """A commit whose plan directory holds ``name`` as a tree object of these (malformed) bytes."""
    bad = git(repo, "hash-object", "-w", "-t", "tree", "--literally", "--stdin", stdin=tree_body).strip()
    plan = base_plan()
    blob = git(repo, "hash-object", "-w", "--stdin", stdin=dump(plan).encode()).strip()
    inner = git(repo, "mktree", "--missing",
                stdin=f"100644 blob {blob}\tgtmplan.yaml\n040000 tree {bad}\t{name}\n".encode()).strip()
    top = git(repo, "mktree", "--missing", stdin=f"040000 tree {inner}\tplan\n".encode()).strip()
    return git(repo, "commit-tree", top, "-m", "bad", stdin=b"").strip()


@pytest.mark.parametrize("name", ["scenarios", "actuals"])
@pytest.mark.parametrize("body", [b"garbage without a space or a NUL", b"\xff\xfe x.yaml\0" + b"\x01" * 20,
                                  b"100644 x.yaml\0\x01\x02"])
def test_malformed_tree_objects_at_a_revision_are_located(repo, name, body):
    (repo / "plan").mkdir()
    (repo / "plan" / "gtmplan.yaml").write_text(dump(base_plan()))
    rev = _commit_with(repo, name, body)
    r = gt("diff", "plan", "--base", rev)
    refused(r, f"{rev}:plan/{name}: git tree object is malformed; refused")


# -- 8. --scenario NAME at a revision reads the revision only --------------------------------

def test_scenario_name_missing_at_the_head_does_not_fall_back_to_a_file_in_the_working_directory(repo):
    (repo / "plan").mkdir()
    (repo / "plan" / "gtmplan.yaml").write_text(dump(base_plan()))
    (repo / "plan" / "scenarios").mkdir()
    (repo / "plan" / "scenarios" / "other.yaml").write_text("description: x\n")
    commit(repo)
    (repo / "hire").write_text("sales: {assumptions: {win_rate: 0.9}}\n")  # not a scenario of the plan
    r = gt("diff", "plan", "--base", "HEAD", "--head", "HEAD", "--scenario", "hire")
    refused(r, "gtmplan: --scenario: HEAD: no scenario 'hire' in plan/scenarios/ (its scenarios: other)")


# -- 9. a --set path deeper than the nesting limit ---------------------------------------------

def test_a_set_path_deeper_than_64_levels_is_refused(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(dump(base_plan()))
    deep = ".".join(["x-a"] * 500)
    err = refused(gt("check", path, "--set", f"{deep}=1"),
                  "--set:1: the path has 500 parts; nesting deeper than 64 levels: no plan needs this; refused")
    assert len(err.strip().splitlines()) == 1
    r = gt("check", path, "--set", ".".join(["x-a"] * 64) + "=1")  # at the limit: read, then judged
    assert "Traceback" not in r.stderr and "nesting" not in r.stderr and "x-a" in r.stderr


# -- 15. a null id ------------------------------------------------------------------------------

def test_remove_with_a_null_id_removes_nothing_and_is_refused(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(dump(base_plan()))
    (tmp_path / "s.yaml").write_text("sales:\n  team:\n    - {id: null, remove: true}\n")
    err = refused(gt("funnel", path, "--scenario", tmp_path / "s.yaml"),
                  f"{tmp_path / 's.yaml'}:3:12: sales.team[0]: an item is picked by its id; "
                  "null is not an id (the plan's items here have no ids)")
    assert len(err.strip().splitlines()) == 1
    refused(gt("funnel", path, "--set", "sales.team[None].count=9"),
            "--set:1: sales.team[None].count: the items of sales.team have no id; pick one by its position, "
            "from [0] to [0]")
    (tmp_path / "p.yaml").write_text("marketing:\n  programs:\n    - {id: null, remove: true}\n")
    refused(gt("funnel", path, "--scenario", tmp_path / "p.yaml"),
            f"{tmp_path / 'p.yaml'}:3:12: marketing.programs[0]: an item is picked by its id; null is not an id "
            "(its ids: webinars, seo, events)")


# -- 16. --set of an item's id ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["webinars", "webinars-2"])
def test_set_of_an_items_id_is_refused_not_a_phantom_item(tmp_path, value):
    path = tmp_path / "plan.yaml"
    path.write_text(dump(base_plan()))
    err = refused(gt("funnel", path, "--set", f"marketing.programs[webinars].id={value}"),
                  "--set:1: marketing.programs[webinars].id: an item's id is how --set and scenarios find it; "
                  "it cannot be changed here (change it in the plan file)")
    assert "programs[3]" not in err


# -- 19. ids in messages --------------------------------------------------------------------------

def test_items_without_ids_are_not_listed_as_none(tmp_path):
    plan = base_plan()
    plan["marketing"]["programs"].append({"channel": "seo", "cost": 1})  # no id (check reports it)
    path = tmp_path / "plan.yaml"
    path.write_text(dump(plan))
    err = refused(gt("funnel", path, "--set", "marketing.programs[nope].cost=1"),
                  "(its ids: webinars, seo, events)")
    assert "None" not in err


# -- 19. scenario files that are not one regular file ----------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dangling"])
def test_a_scenario_that_is_not_a_regular_file_is_named(tmp_path, kind):
    d = tmp_path / "plan"
    (d / "scenarios").mkdir(parents=True)
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    target = d / "scenarios" / "x.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero" if kind == "dev-zero" else tmp_path / "gone.yaml")
    r = gt("funnel", d, "--scenario", "x", timeout=30)
    if kind == "fifo":
        refused(r, f"{target}: --scenario: not a regular file (a scenario is a YAML file in scenarios/); refused")
    else:  # a link out of the plan's directory (class 4)
        refused(r, f"{target}: a symbolic link to '{os.readlink(target)}', outside the plan's directory: refused")


def test_two_files_for_one_scenario_are_refused_on_disk_and_at_a_revision(repo):
    d = repo / "plan"
    (d / "scenarios").mkdir(parents=True)
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    (d / "scenarios" / "x.yaml").write_text("sales: {assumptions: {win_rate: 0.3}}\n")
    (d / "scenarios" / "x.yml").write_text("sales: {assumptions: {win_rate: 0.9}}\n")
    commit(repo)
    refused(gt("funnel", "plan", "--scenario", "x"),
            "plan/scenarios/x.yml: --scenario: two files for the scenario 'x': plan/scenarios/x.yaml and "
            "plan/scenarios/x.yml; keep one")
    refused(gt("diff", "plan", "--base", "HEAD", "--scenario", "x"),
            "HEAD:plan/scenarios/x.yml: --scenario: two files for the scenario 'x': HEAD:plan/scenarios/x.yaml and "
            "HEAD:plan/scenarios/x.yml; keep one")


# -- 10. SOURCE_DATE_EPOCH: one parser, one message ------------------------------------------

def _lumen_copy(tmp_path: Path) -> Path:
    import shutil

    d = tmp_path / "lumen"
    shutil.copytree(LUMEN, d, ignore=shutil.ignore_patterns("actuals"))
    return d


@pytest.mark.parametrize("epoch", ["253402300800", "9" * 20, "²", " 1830384000", "1830384000\n", "1e9", "-1"])
def test_source_date_epoch_is_read_one_way_by_record_and_render(tmp_path, epoch):
    d = _lumen_copy(tmp_path)
    shown = repr(epoch.replace("\n", "\\x0a"))
    message = (f"gtmplan: SOURCE_DATE_EPOCH={shown} is not a number of seconds or is out of range: give whole "
               "seconds since 1970-01-01 in digits only, up to 253402300799 (9999-12-31)")
    env = {"SOURCE_DATE_EPOCH": epoch}
    err = refused(gt("review", d, "--quarter", "2027Q2", "--leads", d / "crm" / "hubspot-contacts.csv",
                     "--record", env=env), message)
    assert err.strip() == message
    assert not (d / "actuals").exists()
    err = refused(gt("render", d, "-f", "ics", env=env), message)
    assert err.strip() == message


# -- 11. two --record runs at once --------------------------------------------------------------

def test_a_record_written_meanwhile_is_not_replaced(tmp_path):
    """The other run writes actuals/2027Q2.yaml after this one checked that it does not
    exist: this run refuses as if the file had been there, and the other's file stays."""

    d = _lumen_copy(tmp_path)
    record = d / "actuals" / "2027Q2.yaml"
    racer = ("import sys, gtmplan.commands.record as r\n"
             "build = r.build\n"
             "def racing(*a, **k):\n"
             f"    import os; os.makedirs({str(record.parent)!r}, exist_ok=True)\n"
             f"    open({str(record)!r}, 'w').write('the other run\\n')\n"
             "    return build(*a, **k)\n"
             "r.build = racing\n"
             "from gtmplan.__main__ import main\n"
             "sys.argv[0] = 'gtmplan'\n"
             "main()\n")
    r = run_child("review", d, "--quarter", "2027Q2", "--leads", d / "crm" / "hubspot-contacts.csv", "--record",
                  python=("-c", racer), timeout=120, ceiling=False, env={"SOURCE_DATE_EPOCH": "1830384000"})
    refused(r, f"{record}: 2027Q2 is already recorded; give --force to replace it")
    assert record.read_text() == "the other run\n"
    only(d / "actuals", "2027Q2.yaml")


# -- 13. an export in EBCDIC -------------------------------------------------------------------

def test_an_ebcdic_export_with_quotes_is_read_not_reported_changed(tmp_path):
    deals = tmp_path / "deals.csv"
    text = ("id,created,closed,stage,amount,source,loss_reason\n"
            '1,2027-04-01,2027-04-20,won,"5,000",Webinar,\n'
            '2,2027-04-02,2027-04-21,lost,100,Webinar,"price, mostly"\n')
    deals.write_bytes(text.encode("cp037"))  # '"' is byte 0x7F in EBCDIC; no byte 0x22 at all
    r = gt("review", LUMEN, "--quarter", "2027Q2", "--deals", deals, "--encoding", "cp037", "-f", "json")
    clean(r)
    doc = json.loads(r.stdout)
    # one won deal of 5,000 (the quoted amount with its thousands separator), one lost for "price, mostly"
    assert doc["metrics"]["won"]["actual"] == 1 and doc["metrics"]["bookings"]["actual"] == 5000
    assert doc["loss_reasons"] == [{"reason": "price, mostly", "count": 1}]


# -- 14. an export that changes while it is read -----------------------------------------------

def _racing_review(tmp_path: Path, patch: str, *args: str) -> subprocess.CompletedProcess:
    code = (f"import os, sys\n{patch}\n"
            "from gtmplan.__main__ import main\n"
            "sys.argv[0] = 'gtmplan'\n"
            "main()\n")
    return run_child("review", *args, python=("-c", code), timeout=120, ceiling=False,
                     env={"SOURCE_DATE_EPOCH": "1830384000"})


def test_an_export_truncated_while_it_is_read_is_refused(tmp_path):
    d = _lumen_copy(tmp_path)
    leads = d / "crm" / "hubspot-contacts.csv"
    # the export is cut to its first 100,000 bytes once its first 64 KiB are read (a CRM
    # sync rewriting it): the rest of the rows are gone
    patch = ("import gtmplan.commands.review.csvread as c\n"
             "c.CHUNK = 4096\n"  # read in small pieces, as from a slow disk
             "scan = c._scan_file\n"
             "def racing(*a, **k):\n"
             "    got = scan(*a, **k)\n"
             f"    os.truncate({str(leads)!r}, 100_000)\n"
             "    return got\n"
             "c._scan_file = racing\n")
    r = _racing_review(tmp_path, patch, d, "--quarter", "2027Q2", "--leads", leads, "-f", "json")
    refused(r, f"{leads}: changed while it was read (206,553 bytes when opened, 100,000 now): run the review again "
               "on a file nobody writes to")


def test_an_export_replaced_before_it_is_recorded_is_refused(tmp_path):
    d = _lumen_copy(tmp_path)
    leads = d / "crm" / "hubspot-contacts.csv"
    # read whole, then emptied before --record hashes it: the record would pair its
    # figures with the empty file's hash and "rows: 0"
    patch = ("import gtmplan.commands.record as r\n"
             "facts = r.file_facts\n"
             "def racing(path, *a, **k):\n"
             "    open(path, 'w').close()\n"
             "    return facts(path, *a, **k)\n"
             "r.file_facts = racing\n")
    r = _racing_review(tmp_path, patch, d, "--quarter", "2027Q2", "--leads", leads, "--record")
    refused(r, f"{leads}: changed while it was read (206,553 bytes when opened, 0 now): run the review again "
               "on a file nobody writes to")
    assert not (d / "actuals").exists()


# -- 12. --fx files are read as plan files are ------------------------------------------------

@pytest.mark.parametrize("text,message", [
    ("EUR: 1.08\nGBP: 1.2\nEUR: 97\n", "fx.yaml:3:1: duplicate key 'EUR' (first at line 1): each key may appear "
                                       "once in a mapping"),
    ("EUR: !!float 1.08\nGBP: !custom 1.2\n", "fx.yaml:2:6: YAML tag '!custom' is not allowed"),
    ("x: &a [" + ", ".join(["*b"] * 2) + "]\n", "fx.yaml:1:"),
])
def test_fx_files_refuse_duplicate_keys_and_tags(tmp_path, text, message):
    fx = tmp_path / "fx.yaml"
    fx.write_text(text)
    r = gt("review", LUMEN, "--quarter", "2027Q2", "--deals", LUMEN / "crm" / "hubspot-deals.csv", "--fx", fx)
    refused(r, message)


# -- 18. the fast path and typer agree when shell completion is asked for ----------------------

@pytest.mark.parametrize("command", [["check"], ["diff", "--base", "HEAD"],
                                     ["review", "--quarter", "2027Q2", "--deals", "d.csv"]])
def test_fast_path_leaves_shell_completion_to_typer(tmp_path, command):
    path = tmp_path / "plan.yaml"
    path.write_text(dump(base_plan()))
    args = [command[0], str(path), *command[1:]]
    env = {"_GTMPLAN_COMPLETE": "bash_source"}
    fast = run_child(*args, env=env, timeout=60, ceiling=False)
    typer = run_child(*args, python=("-c", "import sys; from gtmplan.cli import run; sys.exit(run())"), env=env,
                      timeout=60, ceiling=False)
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer.returncode, typer.stdout, typer.stderr)
    assert "Traceback" not in fast.stderr


# -- 7. memory and file counts at the documented limits ---------------------------------------

def _many_files(d: Path, count: int) -> None:
    """A plan directory of ``count`` files: the plan and count - 1 files of an extension key each."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    for i in range(count - 1):
        (d / f"x{i:04d}.yaml").write_text(f"x-{i}: 1\n")


def test_file_counts_at_the_limit_and_past_it_on_disk_and_at_a_revision(repo):
    from gtmplan.read.yamlsource import MAX_FILES

    assert MAX_FILES == 1_000  # README.md, "Limits"
    _many_files(repo / "at", MAX_FILES)
    _many_files(repo / "past", MAX_FILES + 1)
    commit(repo)
    clean(gt("check", "at"))
    clean(gt("diff", "at", "--base", "HEAD"))
    message = "1,001 YAML files in this directory, more than 1,000: a plan has a handful; refused"
    refused(gt("check", "past"), f"past: {message}")
    refused(gt("diff", "past", "--base", "HEAD", "--head", "HEAD"), f"HEAD:past: {message}")
    for folder in ("scenarios", "actuals"):
        d = repo / f"{folder}-past"
        d.mkdir()
        (d / "gtmplan.yaml").write_text(dump(base_plan()))
        (d / folder).mkdir()
        for i in range(MAX_FILES + 1):
            (d / folder / f"s{i}.yaml").write_text("description: x\n")
    commit(repo)
    refused(gt("compare", "scenarios-past"), f"scenarios-past/scenarios: {message}")
    refused(gt("diff", "scenarios-past", "--base", "HEAD", "--head", "HEAD"), f"HEAD:scenarios-past/scenarios: {message}")
    refused(gt("check", "actuals-past"), f"actuals-past/actuals: {message}")
    refused(gt("diff", "actuals-past", "--base", "HEAD", "--head", "HEAD"), f"HEAD:actuals-past/actuals: {message}")


def _plan_at_the_value_limit(d: Path, cost: int = 1000) -> None:
    """62,000 programs: 1,498,243 values (README.md, "Limits": 1,500,000), written as
    benchmarks/genplan.py writes them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("genplan", Path(__file__).parents[2] / "benchmarks" / "genplan.py")
    genplan = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(genplan)
    genplan.write_plan(d, 62_000)
    if cost != 1000:
        m = d / "marketing.yaml"
        m.write_text(m.read_text().replace("cost: 1000\n", f"cost: {cost}\n"))


@SLOW
def test_diff_and_compare_of_a_plan_at_the_value_limit_fit_the_memory_ceiling(tmp_path):
    """Every one of 62,000 programs changed: diff reads both sides under the 1 GiB ceiling
    (was a MemoryError at 50,000: both sides held whole); compare holds one plan at a time."""
    _plan_at_the_value_limit(tmp_path / "base")
    _plan_at_the_value_limit(tmp_path / "head", cost=1001)
    (tmp_path / "head" / "scenarios").mkdir()
    (tmp_path / "head" / "scenarios" / "up.yaml").write_text("sales: {assumptions: {win_rate: 0.3}}\n")
    (tmp_path / "head" / "scenarios" / "down.yaml").write_text("sales: {assumptions: {win_rate: 0.2}}\n")
    r = gt("diff", tmp_path / "head", "--base", tmp_path / "base", "--head", tmp_path / "head", "-f", "json",
           timeout=300)
    clean(r)
    doc = json.loads(r.stdout)
    assert doc["summary"]["inputs"] == 62_000
    first = doc["inputs"][0]
    assert (first["path"], first["old"], first["new"]) == ("marketing.programs[program-0].cost", 1000, 1001)
    assert first["file"] == f"{tmp_path / 'head'}/marketing.yaml"
    r = gt("compare", tmp_path / "head", "-f", "json", timeout=300)
    clean(r)
    assert [c["name"] for c in json.loads(r.stdout)["scenarios"]] == ["base", "down", "up"]


# -- 19. actuals named oddly, two exports from one standard input -------------------------------

def test_an_actuals_file_with_an_upper_case_extension_is_named_on_disk_and_at_a_revision(repo):
    d = repo / "plan"
    (d / "actuals").mkdir(parents=True)
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    (d / "actuals" / "2026Q1.YAML").write_text("quarter: 2026Q1\nmetrics: {leads: 5}\n")
    commit(repo)
    message = "an actuals file is named after its quarter, e.g. actuals/2027Q2.yaml: rename it 2026Q1.yaml"
    refused(gt("check", "plan"), f"plan/actuals/2026Q1.YAML:1:1: {message}")
    refused(gt("diff", "plan", "--base", "HEAD", "--head", "HEAD"), f"HEAD:plan/actuals/2026Q1.YAML:1:1: {message}")


def test_actuals_of_a_year_before_1000_can_be_named(tmp_path):
    d = tmp_path / "plan"
    (d / "actuals").mkdir(parents=True)
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    (d / "actuals" / "0999Q1.yaml").write_text("quarter: 0999Q1\nmetrics: {leads: 5}\n")
    clean(gt("check", d))  # the quarter is shown as written, 0999Q1, and matches its file name


def test_two_exports_from_one_standard_input_are_refused(tmp_path):
    r = gt("review", LUMEN, "--quarter", "2027Q2", "--leads", "-", "--deals", "-", stdin=subprocess.DEVNULL)
    err = refused(r, "--deals: standard input (-) is already --leads: one export can come from standard input, "
                     "give the other as a file")
    assert "empty" not in err


# -- 4. symbolic links among a plan's files: one rule on the disk and at a revision ------------

LINK_OUT = "a symbolic link to '{}', outside the plan's directory: refused (a plan's files, scenarios and actuals " \
           "are in its directory)"


def test_links_inside_the_plan_are_followed_on_disk_and_at_a_revision(repo):
    d = repo / "plan"
    (d / "scenarios").mkdir(parents=True)
    (d / "parts").mkdir()
    plan = base_plan()
    (d / "gtmplan.yaml").write_text(dump({k: v for k, v in plan.items() if k != "marketing"}))
    (d / "parts" / "marketing.yaml").write_text(dump({"marketing": plan["marketing"]}))
    (d / "marketing.yaml").symlink_to("parts/marketing.yaml")
    (d / "parts" / "up.yaml").write_text("sales: {assumptions: {win_rate: 0.3}}\n")
    (d / "scenarios" / "up.yaml").symlink_to("../parts/up.yaml")
    commit(repo)
    clean(gt("check", "plan"))
    r = gt("diff", "plan", "--base", "HEAD", "--scenario", "up")
    clean(r)
    assert "No change to the plan's numbers or findings." in r.stdout, r.stdout  # both sides read the same plan
    r = gt("diff", "plan", "--base", "HEAD", "--head", "HEAD", "-f", "json")
    clean(r)
    assert json.loads(r.stdout)["changed"] is False


@pytest.mark.parametrize("where", ["plan", "scenario", "actuals", "single"])
def test_links_out_of_the_plan_are_refused_on_disk_and_at_a_revision(repo, where):
    (repo / "secret.yaml").write_text("company: Elsewhere\n")
    d = repo / "plan"
    d.mkdir()
    (d / "gtmplan.yaml").write_text(dump(base_plan()))
    args = ["plan"]
    if where == "plan":
        link, target = d / "extra.yaml", "../secret.yaml"
    elif where == "scenario":
        (d / "scenarios").mkdir()
        link, target = d / "scenarios" / "up.yaml", "../../secret.yaml"
        args += ["--scenario", "up"]
    elif where == "actuals":
        (d / "actuals").mkdir()
        link, target = d / "actuals" / "2026Q4.yaml", "/etc/hostname"
    else:  # PLAN itself named as a link: followed on the disk (/dev/stdin works), and as far as git can
        (repo / "solo").mkdir()
        link, target = repo / "solo" / "plan.yaml", "../plan/gtmplan.yaml"
        link.symlink_to(target)
        (repo / "solo" / "out.yaml").symlink_to("/etc/hostname")
        commit(repo)
        clean(gt("check", "solo/plan.yaml"))
        r = gt("diff", "solo/plan.yaml", "--base", "HEAD", "--head", "HEAD", "-f", "json")
        clean(r)
        assert json.loads(r.stdout)["changed"] is False  # the plan it links to, read at HEAD
        refused(gt("diff", "solo/out.yaml", "--base", "HEAD", "--head", "HEAD"),
                f"HEAD:solo/out.yaml: {LINK_OUT.format('/etc/hostname')}")
        return
    link.symlink_to(target)
    commit(repo)
    shown = str(link.relative_to(repo))
    message = LINK_OUT.format(target)
    refused(gt("check" if where != "scenario" else "funnel", *args), f"{shown}: {message}")
    refused(gt("diff", *args, "--base", "HEAD", "--head", "HEAD"), f"HEAD:{shown}: {message}")
