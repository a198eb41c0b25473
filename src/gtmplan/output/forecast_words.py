"""The forecast in words: the sentences ``gtmplan forecast`` prints and ``gtmplan render``
embeds (the document's "Chance of making the plan" section, the workbook's Forecast sheet).

The computation is :mod:`gtmplan.engine.forecast` (numpy: imported by :func:`simulate`
only when a forecast is made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, cast

from gtmplan.output import fmt

if TYPE_CHECKING:  # numpy: imported only when a forecast is made
    from gtmplan.engine.forecast import Result
    from gtmplan.plan.loaded import LoadedPlan

# Deferred imports: the simulation (numpy, 35 ms by python -X importtime) only when a forecast is run.

RATE_WORDS = {"lead_to_mql": "lead-to-MQL rate", "mql_to_sql": "MQL-to-SQL rate",
              "sql_to_opportunity": "SQL-to-opportunity rate", "win_rate": "win rate"}


def simulate(loaded: LoadedPlan, runs: Optional[int] = None, seed: Optional[int] = None, fixed_rates: bool = False,
             fixed_volume: bool = False) -> Result:
    """The forecast of ``loaded`` (its ``forecast:`` settings, overridden by the arguments given)."""
    from gtmplan.engine.forecast import forecast, settings_for

    return forecast(loaded, settings_for(loaded.plan, runs, seed, fixed_rates, fixed_volume))


def chance(p: Optional[float]) -> str:
    """A probability as people read it: 38%; never 0% or 100% for what some run did
    (or failed) to reach: "under 1%", "over 99%"."""
    if p is None:
        return "–"
    if p == 0:
        return "0%"
    if p == 1:
        return "100%"
    if p < 0.005:
        return "under 1%"
    if p >= 0.995:
        return "over 99%"
    return f"{round(p * 100):.0f}%"


def span(quarters: list[str]) -> str:
    if not quarters:
        return "no quarter"
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]}–{quarters[-1]}"


def sentence(label: str, row: dict, currency: str) -> str:
    m = lambda x: fmt.money(x, currency)  # noqa: E731
    if row["p_target"] is None:
        return f"{label}: no figure for {m(row['target'])}: its deals come from MQLs created before the plan " \
               "and the plan states no sales.opening_pipeline"
    return (f"{label}: {chance(row['p_target'])} chance of reaching {m(row['target'])} "
            f"(median {m(row['median'])}; 10–90%: {m(row['p10'])}–{m(row['p90'])})")


def driver_lines(result: Result) -> list[str]:
    d = result.as_dict()
    drivers = d["drivers"]
    base = d["horizon"]["p_target"]
    if d["fixed_rates"]:
        return ["No driver: --fixed-rates keeps every rate at its stated value."]
    if not drivers:
        return ["No driver: no rate is drawn (each is stated as 1)."] if base is not None else []
    if all(x["p_target_fixed"] == base for x in drivers):
        return [f"No single rate's uncertainty moves the chance: fixed at its mean, each leaves it at {chance(base)}."]
    out = []
    for i, x in enumerate(drivers):
        key = x["assumption"].rsplit(".", 1)[1]
        words = f"{'The' if i == 0 else 'Then the'} {RATE_WORDS.get(key, key)}'s uncertainty"
        what = " moves the chance most" if i == 0 else ""
        fixed, now = chance(x["p_target_fixed"]), chance(base)
        change = f"still {now}" if fixed == now else f"{fixed} instead of {now}"
        out.append(f"{words} ({x['assumption']}){what}: fixed at its mean ({fmt.rate(round(x['mean'], 4))}), "
                   f"{change}.")
    return out


def notes(result: Result, currency: str) -> list[str]:
    s = result.settings
    sc = result.scopes[0]
    out: list[str] = []
    ev = result.evidence
    how = ("Each rate stays at the plan's value (--fixed-rates)" if s.fixed_rates else
           f"Each rate is drawn around the plan's value, weighted as {fmt.number(s.prior_n)} observations "
           f"(forecast.prior_n)" + (f", updated by what {span(ev)} recorded (actuals/)" if ev else
                                    "; no recorded quarter (actuals/) to update it"))
    out.append(how + ".")
    out.append("Program volumes are " + ("the planned counts (--fixed-volume)" if s.fixed_volume else
                                         "drawn around the planned counts (Poisson)")
               + "; deal sizes " + ("are all average_deal_size (forecast.deal_size_cv: 0)" if s.deal_size_cv == 0
                                   else f"vary around average_deal_size by {fmt.pct(s.deal_size_cv)} "
                                        "(forecast.deal_size_cv)") + ".")
    if sc.segment is not None:
        out.append("Each segment is simulated with its own targets, assumptions and lag; the company's figures are "
                   "the sums of the segments' runs. A company-wide rate is one draw shared by the segments that "
                   "use it" + ("; --fixed-volume divides each program's planned count among its segments by a "
                               "random draw of its split" if s.fixed_volume else "") + ".")
    for sc in result.scopes:
        who = f"{sc.segment}: " if sc.segment is not None else ""
        early = [str(q) for i, q in enumerate(sc.quarters) if i < sc.lag]
        if early and sc.opening is not None:
            out.append(f"{who}{span(early)}: deals from MQLs created before the plan come from the opening "
                       f"pipeline ({fmt.money(cast(float, sc.opening_opportunities) * sc.deal_size, currency)} / "
                       f"{fmt.money(sc.deal_size, currency)} = {fmt.count(sc.opening_opportunities)} opportunities, "
                       "won at the drawn win rate).")
        elif early:
            covered = result.horizon["quarters"]
            out.append(f"{who}{span(early)}: deals come from MQLs created before the plan, and the plan states no "
                       f"sales.opening_pipeline: no chance is given for {'it' if len(early) == 1 else 'them'}; "
                       f"the whole-plan figure covers {span(covered)} only.")
        if sc.lag and sc.quarters:
            late = [str(q) for q in sc.quarters[len(sc.quarters) - min(sc.lag, len(sc.quarters)):]]
            out.append(f"{who}Deals from MQLs created in {span(late)} close after the plan's horizon: not counted.")
    return out
