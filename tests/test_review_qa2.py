"""`gtmplan review` defects found by the second hostile QA pass (issue 13), figures by hand."""

from __future__ import annotations

import json

from conftest import EXAMPLES

LUMEN = EXAMPLES / "lumen-analytics"  # USD, calendar quarters: 2027Q2 = Apr-Jun 2027


def review(gtm, plan, quarter, *args) -> dict:
    r = gtm("review", plan, "--quarter", quarter, "-f", "json", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)


def actual(doc: dict) -> dict:
    return {k: v["actual"] for k, v in doc["metrics"].items()}


EU_DEALS = ("Record ID;Deal Name;Create Date;Close Date;Deal Stage;Amount;Original Source\n"
            "1;A;2027-04-02;2027-05-06;closedwon;{a};Webinar\n"
            "2;B;2027-04-03;2027-05-08;closedwon;{b};Webinar\n"
            "3;C;2027-04-04;2027-05-09;closedlost;{c};Webinar\n")


# -- D1: a dot for thousands in whole-euro amounts -------------------------------------------

def test_whole_amounts_with_a_thousands_dot_are_read_as_thousands(gtm, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(EU_DEALS.format(a="42.000", b="18.000", c="36.000"))
    doc = review(gtm, LUMEN, "2027Q2", "--deals", path)
    assert actual(doc)["bookings"] == 60000.0
    assert actual(doc)["average_deal_size"] == 30000.0


def test_thousands_dot_in_a_comma_file_is_read_as_thousands_with_a_note(gtm, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(EU_DEALS.format(a="42.000", b="18.000", c="36.000").replace(";", ","))
    doc = review(gtm, LUMEN, "2027Q2", "--deals", path)
    assert actual(doc)["bookings"] == 60000.0
    assert any("read with a dot for thousands" in n for n in doc["notes"]), doc["notes"]


def test_a_decimal_dot_elsewhere_in_the_column_keeps_the_dot_a_decimal(gtm, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(EU_DEALS.format(a="42.000", b="18.50", c="36.000").replace(";", ","))
    assert actual(review(gtm, LUMEN, "2027Q2", "--deals", path))["bookings"] == 60.5


def test_a_comma_that_cannot_be_told_is_noted_and_nothing_is_suggested_on_amounts(gtm, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(EU_DEALS.format(a="42,000", b="18,000", c="36,000"))
    doc = review(gtm, LUMEN, "2027Q2", "--deals", path)
    assert any("could be read either way" in n and "no suggestion is built on the amounts" in n
               for n in doc["notes"]), doc["notes"]
    assert not [s for s in doc["suggestions"] if "average_deal_size" in s or s.startswith("Bookings")]


