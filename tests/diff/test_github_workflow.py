"""docs/github-actions/gtmplan-diff.yml: its shell steps, run here as GitHub would run them.

The workflow is parsed; its `run:` steps run in order under bash (as GitHub runs them:
`bash -e {0}`) with the workflow's env, the `${{ ... }}` expressions they use filled in,
and GITHUB_OUTPUT, in a clone of a local git repository whose `main` holds the base plan
and whose checked-out branch is the pull request. The install step runs with a `pip`
that records its arguments (no network here): it must install from a git repository at
a pinned ref, never `gtmplan` from PyPI, where it is not published. The github-script
step (JavaScript against GitHub's API) is not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import BRIGHTWATER, ROOT

WORKFLOW = ROOT / "docs" / "github-actions" / "gtmplan-diff.yml"


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def pull_request(tmp_path):
    """A repository whose main holds a clean plan in plan/, and a clone on a pull-request branch."""
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    shutil.copytree(BRIGHTWATER, origin / "plan")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "the plan")
    work = tmp_path / "work"
    # actions/checkout makes a shallow clone; the base branch is then fetched by the workflow itself
    subprocess.run(["git", "clone", "-q", "--depth=1", "--no-single-branch", f"file://{origin}", str(work)], check=True)
    subprocess.run(["git", "update-ref", "-d", "refs/remotes/origin/main"], cwd=work, check=True)
    _git(work, "checkout", "-q", "-b", "pr")
    return work


def _steps():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    return workflow, job["steps"]


def _run_steps(work, tmp_path):
    """Run the workflow's shell steps in `work`; the diff step's status and each step's result."""
    workflow, steps = _steps()
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    pip_log = tmp_path / "pip-args"
    (shim / "pip").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{pip_log}"\n')
    (shim / "pip").chmod(0o755)
    output_file = tmp_path / "github-output"
    output_file.write_text("")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update({k: str(v) for k, v in workflow["env"].items()})
    env["PATH"] = os.pathsep.join([str(shim), os.path.dirname(sys.executable), env["PATH"]])
    env["GITHUB_OUTPUT"] = str(output_file)
    outputs: dict[str, str] = {}
    results = {}
    for step in steps:
        if "run" not in step:
            continue
        condition = step.get("if")
        if condition:
            m = re.fullmatch(r"steps\.diff\.outputs\.status (!=|==) '(\d)'", condition)
            assert m, condition
            if (outputs.get("status") == m.group(2)) != (m.group(1) == "=="):
                continue
        script = step["run"].replace("${{ github.base_ref }}", "main")
        script = script.replace("${{ steps.diff.outputs.status }}", outputs.get("status", ""))
        assert "${{" not in script, script
        r = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True)
        results[step.get("name", step["run"].split()[0])] = r
        if step.get("id") == "diff":
            assert r.returncode == 0, r.stderr
            outputs.update(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return outputs, results, pip_log.read_text().split("\n")


def test_the_workflow_installs_gtmplan_from_its_repository_at_a_pinned_ref():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert not re.search(r"pip install\s+['\"]?gtmplan\b", text)
    workflow, steps = _steps()
    (install,) = [s for s in steps if "run" in s and "pip install" in s["run"]]
    assert "git+https://github.com/${GTMPLAN_REPOSITORY}@${GTMPLAN_REF}" in install["run"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+|[0-9a-f]{40}", workflow["env"]["GTMPLAN_REF"])


def test_a_pull_request_that_adds_an_error_fails_the_job(pull_request, tmp_path):
    shared = pull_request / "plan" / "gtmplan.yaml"
    shared.write_text(shared.read_text().replace("agreed_by: [sales, marketing]", "agreed_by: [marketing]"))
    _git(pull_request, "commit", "-qam", "marketing signs alone")
    outputs, results, pip_args = _run_steps(pull_request, tmp_path)
    assert pip_args[:2] == ["install", "git+https://github.com/OWNER/gtmplan@v0.3.0"]
    assert outputs["status"] == "1"
    report = (pull_request / "gtmplan-diff.md").read_text()
    assert report.splitlines()[0] == ("❌ **1 new error**: L203 the qualified-lead definition is agreed by marketing "
                                      "only: sales must sign it off too.")
    assert "L203" in results["What this pull request does to the plan"].stdout  # the job's log shows the comment
    failing = results["Fail on new errors"]
    assert failing.returncode == 1
    assert failing.stdout == "::error::this pull request adds errors to the plan (see the comment)\n"


def test_a_pull_request_that_changes_nothing_passes_quietly(pull_request, tmp_path):
    (pull_request / "notes.md").write_text("hello\n")
    _git(pull_request, "add", "notes.md")
    _git(pull_request, "commit", "-qm", "not the plan")
    outputs, results, _ = _run_steps(pull_request, tmp_path)
    assert outputs["status"] == "0"
    assert (pull_request / "gtmplan-diff.md").read_text().strip() == "No change to the plan's numbers or findings."
    assert "Fail on new errors" not in results


def test_a_base_that_cannot_be_read_fails_the_job_and_says_why(pull_request, tmp_path):
    broken = pull_request / "plan" / "sales.yaml"
    broken.write_text("sales: [\n")
    _git(pull_request, "commit", "-qam", "a broken plan")
    outputs, results, _ = _run_steps(pull_request, tmp_path)
    assert outputs["status"] == "2"
    assert "sales.yaml" in results["What this pull request does to the plan"].stderr
    failing = results["Fail on new errors"]
    assert failing.returncode == 1 and "could not read one side" in failing.stdout
