"""`gtmplan review` names the CRM sources no program lists (issue 16, a newcomer's first hour)."""

from __future__ import annotations

import json


def _review_files(tmp_path, sources):
    leads = tmp_path / "leads.csv"
    rows = ["id,created,source,mql_date,sql_date,opportunity_date"]
    rows += [f"{i},2027-05-0{1 + i % 9},{s},,," for i, s in enumerate(sources)]
    leads.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return leads


def test_review_names_the_sources_no_program_lists_and_says_1_lead(tmp_path, gtm, plan_file):
    path = plan_file({"marketing": {"programs": {0: {"crm_sources": ["Webinar"], "expected_leads": 300,
                                                     "expected_mqls": "__delete__"},
                                                 1: {"crm_sources": ["SEO"]}}}})
    leads = _review_files(tmp_path, ["Webinar"] * 4 + ["SEO", "Podcast"])
    r = gtm("review", path, "--quarter", "2027Q2", "--leads", leads, "--format", "json")
    assert r.code == 0, r.err
    said = "\n".join(json.loads(r.out)["suggestions"])
    assert ("1 of 6 leads in 2027Q2 came from a source no program lists in crm_sources: 'Podcast' (1). "
            "Add it to the programs' crm_sources, or the portfolio cannot be judged.") in said
    assert "Cut or rework program seo: 1 lead against 400 forecast" in said
