import datetime as dt

import pytest

from gtmplan.plan.quarters import FiscalCalendar, Quarter, quarter_range

APRIL, FEB = FiscalCalendar(4), FiscalCalendar(2)


def test_parse_and_print():
    assert Quarter.parse("2027Q3") == Quarter(2027, 3)
    assert str(Quarter(2027, 3)) == "2027Q3"


@pytest.mark.parametrize("text", ["2027Q5", "2027Q0", "27Q1", "2027q1", "2027-Q1", "", "2027Q1 "])
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="YYYYQn"):
        Quarter.parse(text)


def test_arithmetic_crosses_years():
    q = Quarter(2027, 4)
    assert q.next() == Quarter(2028, 1)
    assert Quarter(2028, 1).previous() == q
    assert q + 5 == Quarter(2029, 1)
    assert q - 4 == Quarter(2026, 4)
    assert Quarter(2029, 1) - q == 5
    assert list(quarter_range(Quarter(2027, 3), Quarter(2028, 2))) == [
        Quarter(2027, 3), Quarter(2027, 4), Quarter(2028, 1), Quarter(2028, 2)]
    assert Quarter(2027, 4) < Quarter(2028, 1)


def test_calendar_quarters_by_default():
    q = Quarter(2027, 2)
    assert q.months() == [(2027, 4), (2027, 5), (2027, 6)]
    assert q.first_day() == dt.date(2027, 4, 1)
    assert q.last_day() == dt.date(2027, 6, 30)
    assert Quarter.of(dt.date(2027, 12, 31)) == Quarter(2027, 4)


def test_fiscal_year_starting_in_april():
    # FY2027 starts on 2027-04-01: Q1 = Apr-Jun 2027, Q4 = Jan-Mar 2028.
    assert Quarter(2027, 1).months(APRIL) == [(2027, 4), (2027, 5), (2027, 6)]
    assert Quarter(2027, 4).months(APRIL) == [(2028, 1), (2028, 2), (2028, 3)]
    assert Quarter(2027, 4).first_day(APRIL) == dt.date(2028, 1, 1)
    assert Quarter(2027, 4).last_day(APRIL) == dt.date(2028, 3, 31)
    assert Quarter.of(dt.date(2027, 3, 31), APRIL) == Quarter(2026, 4)
    assert Quarter.of(dt.date(2027, 4, 1), APRIL) == Quarter(2027, 1)
    assert Quarter.of(dt.date(2028, 2, 29), APRIL) == Quarter(2027, 4)
    assert Quarter(2027, 2).contains(dt.date(2027, 9, 30), APRIL)
    assert not Quarter(2027, 2).contains(dt.date(2027, 10, 1), APRIL)


def test_fiscal_year_starting_in_february_wraps_a_quarter_across_years():
    # FY2027 starts 2027-02-01, so Q4 = Nov 2027 - Jan 2028.
    assert Quarter(2027, 4).months(FEB) == [(2027, 11), (2027, 12), (2028, 1)]
    assert Quarter(2027, 4).last_day(FEB) == dt.date(2028, 1, 31)
    assert Quarter.of(dt.date(2028, 1, 15), FEB) == Quarter(2027, 4)
    assert Quarter.of(dt.date(2027, 1, 31), FEB) == Quarter(2026, 4)


@pytest.mark.parametrize("named_by", ["start", "end"])
@pytest.mark.parametrize("start", range(1, 13))
def test_every_day_falls_in_exactly_its_quarter(start, named_by):
    cal = FiscalCalendar(start, named_by)
    day = dt.date(2026, 1, 1)
    while day < dt.date(2029, 1, 1):
        q = Quarter.of(day, cal)
        assert q.first_day(cal) <= day <= q.last_day(cal)
        assert q.contains(day, cal)
        day += dt.timedelta(days=5)


def test_february_fiscal_year_named_by_the_year_it_ends():
    # docs/reference/plan-format.md 0.2: with end naming and a February start, 2027Q1 is February to April 2026.
    cal = FiscalCalendar(2, "end")
    assert Quarter(2027, 1).first_day(cal) == dt.date(2026, 2, 1)
    assert Quarter(2027, 1).last_day(cal) == dt.date(2026, 4, 30)
    assert Quarter(2027, 4).months(cal) == [(2026, 11), (2026, 12), (2027, 1)]
    assert Quarter(2027, 4).last_day(cal) == dt.date(2027, 1, 31)  # FY2027 ends in 2027
    assert Quarter.of(dt.date(2026, 2, 1), cal) == Quarter(2027, 1)
    assert Quarter.of(dt.date(2027, 1, 31), cal) == Quarter(2027, 4)
    assert Quarter.of(dt.date(2027, 2, 1), cal) == Quarter(2028, 1)
    assert "named by the calendar year in which they end" in cal.describe()


def test_end_naming_of_a_calendar_year_is_the_calendar_year():
    # A fiscal year from January to December starts and ends in the same calendar year.
    cal = FiscalCalendar(1, "end")
    assert Quarter(2027, 1).first_day(cal) == dt.date(2027, 1, 1)
    assert Quarter.of(dt.date(2027, 12, 31), cal) == Quarter(2027, 4)
    assert cal.describe() == ""


def test_a_bare_start_month_is_refused():
    """One place knows the calendar: an int would silently drop fiscal_year_named_by."""
    with pytest.raises(TypeError, match="plan.calendar"):
        Quarter(2027, 1).first_day(4)
    with pytest.raises(ValueError):
        FiscalCalendar(13)
    with pytest.raises(ValueError):
        FiscalCalendar(2, "middle")
