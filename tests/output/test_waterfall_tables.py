"""The waterfall split by target quarter and by creation quarter (funnel's table, the HTML
document), and funnel and review text that fit the terminal with every number whole (issue 16,
a newcomer's first hour)."""

from __future__ import annotations

import pytest
from conftest import BRIGHTWATER, LUMEN
from conftest import LUMEN_CRM as CRM

# -- 1: the waterfall split by target quarter and by creation quarter --------------------

def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def test_funnel_table_splits_target_quarters_from_creation_quarters(gtm, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = gtm("funnel", LUMEN).out
    by_target = _section(out, "By target quarter", "MQLs needed vs planned")
    assert "MQLs demanded" not in by_target and "short by" not in by_target
    assert "│ 2027Q2  │ $700,000 │    24 │   94 │  170 │         566 │        2,829 │ 2027Q1" in by_target
    assert ("Each quarter's bookings target worked back to the MQLs and leads it needs, which must be created 1"
            in by_target)
    by_created = _section(out, "MQLs needed vs planned, by the quarter they are created", "Capacity and spend")
    # 2027Q1's MQLs serve 2027Q2's target: 566 demanded, 410 planned, and 566 - 410 = 156
    assert "│ 2027Q1     │ 2027Q2        │           566 │          410 │ short by 156 │" in by_created
    assert "│ 2027Q4     │ past the plan │             – │          460 │ –" in by_created
    assert "MQLs demanded: what the target quarter's deals need created in this quarter" in by_created


def test_html_waterfall_has_two_tables_each_with_a_legend(tmp_path, gtm):
    out = tmp_path / "p.html"
    gtm("render", LUMEN, "-o", out)
    html = _section(out.read_text(encoding="utf-8"), 'id="waterfall"', "</section>")
    first = _section(html, "<h3>By target quarter</h3>", "<h3>")
    assert "MQLs demanded" not in first and "short by" not in first
    assert '<p class="note">One row per target quarter: its bookings target worked back' in first
    second = html[html.index("<h3>Needed vs planned, by the quarter the MQLs are created</h3>"):]
    assert '<p class="note">One row per quarter in which MQLs are created: MQLs demanded is what' in second
    assert ('<tr><td>2027Q1</td><td>2027Q2</td><td class="num">566</td><td class="num">410</td>'
            '<td class="status short">short by 156</td></tr>') in second


# -- 2: the terminal width ------------------------------------------------------------------

NUMBER = r"[$€£]?\d{1,3}(?:,\d{3})+|[$€£]?\d+"


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize("example, figures", [(LUMEN, ["$700,000", "2,829", "3,637", "short by 268"]),
                                              (BRIGHTWATER, ["€1,500,000", "953", "Other"])])
def test_funnel_fits_the_terminal_and_keeps_every_number_whole(gtm, monkeypatch, columns, example, figures):
    import re

    monkeypatch.setenv("COLUMNS", str(columns))
    out = gtm("funnel", example).out
    assert max(len(line) for line in out.splitlines()) <= columns
    cells = re.findall(r"│([^│\n]*)", out)
    assert all(f in out for f in figures)
    assert "…" not in out
    for cell in cells:  # a figure is never cut across lines or cells
        for token in cell.split():
            assert re.fullmatch(rf"(?:{NUMBER}|\d+%|\d{{4}}Q\d|[A-Za-z–'.,;()]+)", token), token


@pytest.mark.parametrize("columns", [80, 100])
def test_review_text_fits_the_terminal_and_breaks_no_number(gtm, monkeypatch, columns):
    import re

    monkeypatch.setenv("COLUMNS", str(columns))
    r = gtm("review", LUMEN, "--quarter", "2027Q2", "--leads", CRM / "hubspot-contacts.csv",
            "--deals", CRM / "hubspot-deals.csv")
    assert r.code == 0
    lines = r.out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    # where a suggestion wraps, the break is between words, never inside a figure
    for a, b in zip(lines, lines[1:]):
        if a.rstrip() and b.strip():  # a figure cut in two: no space at the break, digits on both sides
            assert not (re.search(r"[\d$][\d,.]*$", a) and re.match(r"[\d,.%]", b.strip())), (a, b)
    assert "$330,000" in r.out and "2,310" in r.out
