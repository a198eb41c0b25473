"""`--set PATH=VALUE` (docs/reference/cli.md, '--set'): the paths read/overlay.py refuses before
changing anything, each said with the flag's number (`--set:N`), and every bad flag reported."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

PLAN = DATA / "base_plan.yaml"


@pytest.mark.parametrize(("flag", "message"), [
    # an item picked by id, with no key of it to set
    ("marketing.programs[webinars]=1",
     "marketing.programs[webinars]: set a key of the item, e.g. marketing.programs[webinars].cost=20000"),
    # [id] after something that is not a list of items (text, a mapping)
    ("currency[usd].x=1", "currency[usd].x: currency is not a list of items"),
    ("sales.assumptions[x].y=1", "sales.assumptions[x].y: sales.assumptions is not a list of items"),
    # a key below a value that has no keys: the last part, and a part on the way
    ("company.name=x", "company.name: company is not a mapping, so it has no key 'name'"),
    ("company.x.y=1", "company.x.y: company is not a mapping, so it has no key 'x'"),
    ("sales.team.count=3", "sales.team.count: sales.team is not a mapping, so it has no key 'count'"),
    ("horizon.start.x=1", "horizon.start.x: horizon.start is not a mapping, so it has no key 'x'"),
])
def test_a_path_the_plan_cannot_hold_is_refused(gtm, flag, message):
    r = gtm("check", PLAN, "--set", flag)
    assert (r.code, r.out, r.err) == (2, "", f"--set:1: {message}\n")


def test_every_bad_flag_is_reported_by_its_number_and_a_good_one_is_quiet(gtm):
    r = gtm("check", PLAN, "--set", "company.name=x", "--set", "marketing.programs[webinars].cost=20000",
            "--set", "marketing.programs[webinars]=1")
    assert r.code == 2
    assert r.err == ("--set:1: company.name: company is not a mapping, so it has no key 'name'\n"
                     "--set:3: marketing.programs[webinars]: set a key of the item, e.g. "
                     "marketing.programs[webinars].cost=20000\n")


def test_the_near_miss_sets_the_key_of_the_item(gtm):
    r = gtm("funnel", PLAN, "--set", "marketing.programs[webinars].cost=20000", "-f", "json")
    assert r.code == 0 and r.err == ""
    # 2027Q1's programs: webinars 20,000 (was 10,000) + seo 8,000 + events 2,000 = 30,000
    assert json.loads(r.out)["quarters"][0]["program_cost"] == 30000
