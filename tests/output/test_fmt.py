"""gtmplan.output.fmt, the presentation layer: each figure reads the same in every output."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

import pytest

from gtmplan.output import fmt


@pytest.mark.parametrize("rng,doc,message", [
    (NS(min=50, max=1000), "50–1,000", "50-1,000"),
    (NS(min=2000, max=None), "2,000+", "2,000+"),
    (NS(min=None, max=50), "up to 50", "up to 50"),
    (NS(min=None, max=None), "any", "any number of"),
    (None, "any", "any number of"),
])
def test_employee_ranges(rng, doc, message):
    assert fmt.employees(rng) == doc
    assert fmt.employees(rng, dash="-", anything="any number of") == message


@pytest.mark.parametrize("key,value,rate,percent", [
    ("mql_to_sql", 0.3, "0.30", "30%"),
    ("win_rate", 0.255, "0.255", "25.5%"),
    ("average_deal_size", 12000, "€12,000", "€12,000"),
    ("sales_cycle_days", 91, "91 days", "91 days"),
    ("lead_to_mql", None, "not stated", "not stated"),
])
def test_assumptions(key, value, rate, percent):
    assert fmt.assumption(key, value, "EUR") == rate
    assert fmt.assumption(key, value, "EUR", percent=True) == percent


def test_plural_and_day():
    assert [fmt.plural(n, "quarter") for n in (0, 1, 2, 1500)] == ["0 quarters", "1 quarter", "2 quarters",
                                                                    "1,500 quarters"]
    assert fmt.plural(1, "column", with_count=False) == "column"
    assert fmt.plural(3, "column", with_count=False) == "columns"
    assert fmt.day(dt.date(2027, 7, 4)) == "4 Jul 2027"


@pytest.mark.parametrize("x,shown", [(0.15, "15%"), (0.999, "99.9%"), (0.9999, "99.99%"), (0.001, "0.1%"),
                                     (1.0, "100%"), (0.0, "0%"), (0.995, "99.5%"), (0.004, "0.4%")])
def test_a_share_never_reads_100_or_0_percent_unless_it_is(x, shown):
    assert fmt.share(x) == shown
