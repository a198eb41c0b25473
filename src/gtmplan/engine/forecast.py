"""The chance that the plan makes its numbers: a Monte Carlo simulation of the funnel
(docs/reference/cli.md, "gtmplan forecast [PLAN]"; docs/reference/forecast.md in plain words).

Pure computation with numpy, vectorised over the runs; imported only by ``gtmplan
forecast`` and by ``render`` when the plan has recorded actuals or a ``forecast:``
section (``gtmplan check`` never imports numpy).

The simulation runs per *scope* (:class:`Scope`: a set of targets, the rate values
that apply to them, the programs' volumes, a lag, other and opening pipeline); the
company's figures are the sums over scopes. A plan without segments is one scope.

In each run and scope:

- each rate ``p`` the funnel uses is drawn from Beta(p·prior_n + successes,
  (1 − p)·prior_n + failures), the successes and failures being the ones E701 pools
  from ``actuals/``; a rate stated as 1 stays 1;
- the leads of the programs stating ``expected_leads`` (those stating only
  ``expected_mqls``: their MQLs) are Poisson with the planned mean, per quarter
  they run (a sum of Poisson volumes is Poisson with the summed mean: one draw);
- each stage is a binomial draw with the run's rate: leads → MQLs → SQLs →
  opportunities; other pipeline adds the opportunities the waterfall plans for
  the quarter (rounded to whole ones); opportunities → deals won, closing ``lag``
  quarters after the MQLs were created (``funnel.lag_quarters``);
- the quarters whose deals come from MQLs created before the horizon draw from the
  opening pipeline (``opening_pipeline / average_deal_size`` opportunities, divided
  among them in proportion to their targets), won with the run's win rate; without
  an opening pipeline they have no figure and the horizon covers the other quarters;
- the bookings of ``n`` won deals are a sum of ``n`` gamma sizes with mean
  ``average_deal_size`` and coefficient of variation ``deal_size_cv``, i.e. one
  Gamma(n / cv², average_deal_size · cv²) draw (cv 0: exactly n × the average).

Random numbers come from one ``numpy.random.Generator(PCG64(...))`` per component
(a rate, a stage, the volumes, the deal sizes), each seeded from ``(seed, scope,
component)``: never numpy's global state, the same numbers on every machine, and
the same draws for every component but the one a driver fixes (common random
numbers).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np

from gtmplan.engine.funnel import (
    Assumption,
    FunnelRow,
    compute,
    effective_assumptions,
    lag_quarters,
    program_split,
    segment_targets,
)
from gtmplan.engine.pipeline import apportion
from gtmplan.errors import InputError
from gtmplan.plan.quarters import Quarter, quarter_range

if TYPE_CHECKING:
    from gtmplan.plan.loaded import LoadedPlan
    from gtmplan.plan.model import Plan, Program, SalesSegment

RATE_KEYS = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate")
DEFAULT_RUNS = 10_000
MAX_RUNS = 1_000_000
DEFAULT_SEED = 0
DEFAULT_PRIOR_N = 50.0
DEFAULT_CV = 0.5
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class RateInput:
    """One rate of the funnel: the plan's value, where it is stated, and its track record."""

    key: str
    path: str  # e.g. sales.assumptions.win_rate
    stated: float
    successes: int = 0
    failures: int = 0
    # the segment whose entry states it; None: a company-wide value, one draw shared by every scope using it
    scope: Optional[str] = None

    def beta(self, prior_n: float) -> tuple[float, float]:
        return (self.stated * prior_n + self.successes, (1 - self.stated) * prior_n + self.failures)

    def drawn(self) -> bool:
        """A rate stated as 1 stays 1 (no uncertainty to draw)."""
        return self.stated < 1

    def mean(self, prior_n: float) -> float:
        """Its posterior mean: the value a driver fixes it at."""
        if not self.drawn():
            return 1.0
        a, b = self.beta(prior_n)
        return a / (a + b)


@dataclass
class Scope:
    """What one funnel simulates: the company, or (later) one segment."""

    segment: Optional[str]
    quarters: list[Quarter]
    targets: list[float]
    rates: dict[str, RateInput]
    deal_size: float
    lag: int
    leads: list[list[float]]  # per horizon quarter created: each running program's expected_leads (x split)
    mqls: list[list[float]]  # per horizon quarter created: expected_mqls of programs stating no leads (x split)
    other: list[float]  # per target quarter: opportunities planned from other pipeline
    opening: Optional[list[int]]  # per target quarter: opening-pipeline opportunities (None: no opening pipeline)
    opening_opportunities: Optional[float] = None  # opening_pipeline / average_deal_size, exact
    # a segment's part of each running program, per horizon quarter created: (program index, share, leads?)
    parts: list[list[tuple[int, float, bool]]] = field(default_factory=list)
    # --fixed-volume with segments: the counts the multinomial split gave this scope, per name ("leads",
    # "mqls"): runs x created quarters (None: the scope's own planned counts)
    split_volumes: Optional[dict[str, np.ndarray]] = None

    def covered(self, i: int) -> bool:
        """Whether target quarter i has a figure: its deals come from MQLs created in the
        horizon, or from the opening pipeline."""
        return i >= self.lag or self.opening is not None


@dataclass
class Settings:
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    prior_n: float = DEFAULT_PRIOR_N
    deal_size_cv: float = DEFAULT_CV
    fixed_rates: bool = False
    fixed_volume: bool = False


@dataclass
class Result:
    settings: Settings
    currency: str
    quarters: list[dict]
    horizon: dict
    drivers: list[dict]
    scopes: list[Scope]
    evidence: list[str] = field(default_factory=list)  # recorded quarters pooled

    def as_dict(self) -> dict:
        return {"runs": self.settings.runs, "seed": self.settings.seed, "currency": self.currency,
                "quarters": self.quarters, "horizon": self.horizon, "drivers": self.drivers,
                "prior_n": self.settings.prior_n, "deal_size_cv": self.settings.deal_size_cv,
                "fixed_rates": self.settings.fixed_rates, "fixed_volume": self.settings.fixed_volume,
                "evidence_quarters": self.evidence}


# -- from a plan to scopes ----------------------------------------------------------------

def settings_for(plan: Plan, runs: Optional[int] = None, seed: Optional[int] = None, fixed_rates: bool = False,
                 fixed_volume: bool = False) -> Settings:
    """The flags over the plan's ``forecast:`` section over the defaults."""
    f = getattr(plan, "forecast", None)
    return Settings(
        runs=runs if runs is not None else (f.runs if f is not None and f.runs is not None else DEFAULT_RUNS),
        seed=seed if seed is not None else (f.seed if f is not None and f.seed is not None else DEFAULT_SEED),
        prior_n=float(f.prior_n) if f is not None else DEFAULT_PRIOR_N,
        deal_size_cv=float(f.deal_size_cv) if f is not None else DEFAULT_CV,
        fixed_rates=fixed_rates, fixed_volume=fixed_volume)


def company_scope(loaded: LoadedPlan) -> tuple[Scope, list[str]]:
    """The plan as one scope, and the recorded quarters whose figures update its rates."""
    plan = loaded.plan
    a = effective_assumptions(plan)
    programs = plan.marketing.programs
    needed, missing = _needed(a, any(p.expected_leads is not None for p in programs))
    if missing:
        raise InputError.single(loaded.target, "forecast: the funnel needs " + ", ".join(missing) + " and neither "
                                "sales.assumptions nor marketing.assumptions states "
                                + ("it" if len(missing) == 1 else "them"))
    track = loaded.actuals
    window = plan.check.evidence_quarters
    rates = {}
    for key in needed:
        pooled = track.pooled_rate(key, window) if track else None
        k, n = (pooled.k, pooled.n) if pooled else (0, 0)
        rates[key] = RateInput(key, f"{a[key].side}.assumptions.{key}", _stated(a, key), k, n - k)
    evidence = [str(rq.quarter) for rq in track.latest(window)] if track else []
    horizon = list(quarter_range(plan.horizon.start, plan.horizon.end))
    leads, mqls, _ = _volumes(programs, [{"": 1.0}] * len(programs), "", horizon, whole=True)
    f = compute(plan)
    lag = lag_quarters(a["sales_cycle_days"].value)
    deal = _stated(a, "average_deal_size")  # checked with the other needed assumptions
    targets = [float(plan.sales.targets[q]) for q in horizon]
    opening = None
    opening_opps = None
    if plan.sales.opening_pipeline is not None:
        early = targets[:min(lag, len(horizon))]
        opening_opps = plan.sales.opening_pipeline / deal
        whole = _half_up(opening_opps)
        parts = apportion(whole, early) if early else []
        opening = parts + [0] * (len(horizon) - len(parts))
    other = [r.other_opportunities or 0.0 for r in f.rows]
    return Scope(None, horizon, targets, rates, deal, lag, leads, mqls, other, opening, opening_opps), evidence


def _needed(a: Mapping[str, Assumption], with_leads: bool) -> tuple[list[str], list[str]]:
    """(the rates the funnel draws, the assumptions it needs that nothing states)."""
    rates = [k for k in RATE_KEYS if k != "lead_to_mql" or with_leads]
    return rates, [k for k in [*rates, "average_deal_size"] if a[k].value is None]


def _stated(a: Mapping[str, Assumption], key: str) -> float:
    value = a[key].value
    assert value is not None  # `_needed` found no missing one
    return float(value)


def _volumes(programs: Sequence[Program], splits: Sequence[Mapping[str, float]], sid: str, horizon: list[Quarter],
             whole: bool = False) -> tuple[list[list[float]], list[list[float]], list[list[tuple[int, float, bool]]]]:
    """(leads, MQLs, parts) per horizon quarter created: each running program's expected_leads,
    else its expected_mqls, times its share (``splits[j][sid]``) in the scope ``sid``. ``whole``:
    the company's volumes, whole numbers as the plan states them."""
    index = {q: i for i, q in enumerate(horizon)}
    leads: list[list[float]] = [[] for _ in horizon]
    mqls: list[list[float]] = [[] for _ in horizon]
    parts: list[list[tuple[int, float, bool]]] = [[] for _ in horizon]
    for j, p in enumerate(programs):
        share = splits[j].get(sid, 0.0)
        if not share:
            continue
        for i in (index[q] for q in set(p.quarters) if q in index):
            if p.expected_leads is not None:
                leads[i].append(int(p.expected_leads) if whole else p.expected_leads * share)
                parts[i].append((j, share, True))
            elif p.expected_mqls is not None:
                mqls[i].append(int(p.expected_mqls) if whole else p.expected_mqls * share)
                parts[i].append((j, share, False))
    return leads, mqls, parts


def segment_scopes(loaded: LoadedPlan) -> tuple[list[Scope], list[str]]:
    """A plan with ``sales.segments`` as one scope per segment (docs/reference/cli.md, 'gtmplan
    forecast'): each with its own targets, resolved assumptions, lag, other pipeline and its part
    (``split``) of each program's volume. A rate the segment's entry states is updated by the
    segment's recorded figures, a company-wide one by the company's (as E701 pools them).
    Opening pipeline: a segment's own ``opening_pipeline``; the company's is divided among the
    segments that state none, in proportion to their early quarters' targets."""
    plan = loaded.plan
    track = loaded.actuals
    window = plan.check.evidence_quarters
    evidence = [str(rq.quarter) for rq in track.latest(window)] if track else []
    horizon = list(quarter_range(plan.horizon.start, plan.horizon.end))
    f = compute(plan)
    splits = [program_split(plan, p) for p in plan.marketing.programs]
    segments = list(plan.sales.segments or [])
    scopes = [_segment_scope(loaded, seg, horizon, splits, f.segments[seg.id].rows) for seg in segments]
    _share_opening(scopes, segments, plan.sales.opening_pipeline, len(horizon))
    return scopes, evidence


def _segment_scope(loaded: LoadedPlan, seg: SalesSegment, horizon: list[Quarter], splits: list[dict[str, float]],
                   rows: Sequence[FunnelRow]) -> Scope:
    """One segment's scope, its opening pipeline not yet given (:func:`_share_opening`)."""
    plan = loaded.plan
    sid = seg.id
    programs = plan.marketing.programs
    a = effective_assumptions(plan, segment=sid)
    needed, missing = _needed(a, any(p.expected_leads is not None and splits[j].get(sid)
                                     for j, p in enumerate(programs)))
    if missing:
        raise InputError.single(loaded.target, f"forecast: segment {sid}'s funnel needs " + ", ".join(missing)
                                + " and neither its entries in sales.segments and marketing.segments nor "
                                "sales.assumptions and marketing.assumptions state "
                                + ("it" if len(missing) == 1 else "them"))
    rates = {key: _segment_rate(loaded, a, key, sid) for key in needed}
    leads, mqls, parts = _volumes(programs, splits, sid, horizon)
    lag = lag_quarters(a["sales_cycle_days"].value)
    targets_by_q = segment_targets(plan, seg)
    targets = [float(targets_by_q[q]) for q in horizon]
    other = [r.other_opportunities or 0.0 for r in rows]
    return Scope(sid, horizon, targets, rates, _stated(a, "average_deal_size"), lag, leads, mqls, other, None,
                 None, parts)


def _segment_rate(loaded: LoadedPlan, a: Mapping[str, Assumption], key: str, sid: str) -> RateInput:
    """A segment's rate: stated in its entry, updated by its own track record; else the
    company-wide value and record."""
    track = loaded.actuals
    own = a[key].segment  # stated in the segment's entry: its own track record
    pooled = track.pooled_rate(key, loaded.plan.check.evidence_quarters, own) if track else None
    k, total = (pooled.k, pooled.n) if pooled else (0, 0)
    side = a[key].side or "sales"
    if own is not None:  # by id, as --set PATH=VALUE takes it (sales.segments[enterprise]...)
        path = f"{side}.segments[{sid}].assumptions.{key}"
    else:
        path = f"{a[key].side}.assumptions.{key}"
    return RateInput(key, path, _stated(a, key), k, total - k, own)


def _share_opening(scopes: list[Scope], segments: list[SalesSegment], company_opening: Optional[float],
                   horizon_len: int) -> None:
    """Opening pipeline: the segment's own, else its part of the company's."""
    without = [(sc, seg) for sc, seg in zip(scopes, segments) if seg.opening_pipeline is None]
    weights = {sc.segment: sum(sc.targets[:min(sc.lag, horizon_len)]) for sc, _ in without}
    total_weight = sum(weights.values())
    for sc, seg in zip(scopes, segments):
        money = seg.opening_pipeline
        if money is None and company_opening is not None and total_weight > 0 and weights[sc.segment] > 0:
            money = company_opening * weights[sc.segment] / total_weight
        if money is None:
            continue
        early = sc.targets[:min(sc.lag, horizon_len)]
        sc.opening_opportunities = money / sc.deal_size
        whole = _half_up(sc.opening_opportunities)
        parts_early = apportion(whole, early) if early and sum(early) > 0 else [0] * len(early)
        sc.opening = parts_early + [0] * (horizon_len - len(parts_early))


def split_fixed_volumes(scopes: list[Scope], plan: Plan, s: Settings) -> None:
    """``--fixed-volume`` with segments: each program's planned count in a quarter, rounded to a whole
    number, divided among the segments by one multinomial draw of its split per run (the same draw for
    every segment, so the parts add up to the count)."""
    if not s.fixed_volume or len(scopes) < 1 or scopes[0].segment is None:
        return
    programs = plan.marketing.programs
    q = len(scopes[0].quarters)
    for sc in scopes:
        sc.split_volumes = {"leads": np.zeros((s.runs, q), dtype=np.int64),
                            "mqls": np.zeros((s.runs, q), dtype=np.int64)}
    order = [sc.segment for sc in scopes]
    seen: set[tuple[int, int]] = set()
    for sc in scopes:
        for i, items in enumerate(sc.parts):
            for j, _, is_leads in items:
                if (j, i) in seen:
                    continue
                seen.add((j, i))
                p = programs[j]
                planned = p.expected_leads if is_leads else p.expected_mqls
                assert planned is not None  # a scope's parts are the programs stating it
                count = _half_up(float(planned))
                split = program_split(plan, p)
                pvals = np.array([split.get(sid or "", 0.0) for sid in order])
                pvals = pvals / pvals.sum()
                draws = _stream(s.seed, None, f"split:{p.id}:{i}").multinomial(count, pvals, size=s.runs)
                for k, target in enumerate(scopes):
                    assert target.split_volumes is not None
                    target.split_volumes["leads" if is_leads else "mqls"][:, i] += draws[:, k]


def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


# -- the simulation -----------------------------------------------------------------------

def _stream(seed: int, scope: Optional[str], component: str) -> np.random.Generator:
    ss = np.random.SeedSequence(seed, spawn_key=(zlib.crc32((scope or "").encode()), zlib.crc32(component.encode())))
    return np.random.Generator(np.random.PCG64(ss))


def _rate(scope: Scope, key: str, s: Settings, fix: Optional[tuple]) -> np.ndarray:
    r = scope.rates[key]
    if s.fixed_rates or not r.drawn():
        return np.full(s.runs, r.stated)
    if fix == (key, r.scope):
        return np.full(s.runs, r.mean(s.prior_n))
    a, b = r.beta(s.prior_n)
    # a company-wide value is one uncertain quantity: every segment inheriting it gets the same draw
    return _stream(s.seed, r.scope, "rate:" + key).beta(a, b, size=s.runs)


def _volume(scope: Scope, counts: list[list[float]], name: str, s: Settings, created: int) -> np.ndarray:
    if s.fixed_volume and scope.split_volumes is not None:
        return scope.split_volumes[name][:, :created]
    means = np.array([float(sum(c)) for c in counts[:created]])
    if s.fixed_volume or not means.any():
        return np.broadcast_to(np.rint(means).astype(np.int64), (s.runs, created)).copy()
    return _stream(s.seed, scope.segment, name).poisson(means, size=(s.runs, created))


def simulate_scope(scope: Scope, s: Settings, fix: Optional[tuple] = None) -> np.ndarray:
    """Bookings per run (rows) and target quarter (columns) of one scope; NaN where the
    quarter has no figure (its deals come from before the horizon, no opening pipeline)."""
    q = len(scope.quarters)
    created = max(q - scope.lag, 0)  # MQLs created later close after the horizon: not drawn
    win = _rate(scope, "win_rate", s, fix)
    opps = np.zeros((s.runs, q), dtype=np.int64)
    if created:
        mqls = _volume(scope, scope.mqls, "mqls", s, created)
        leads = _volume(scope, scope.leads, "leads", s, created)
        if "lead_to_mql" in scope.rates:
            l2m = _rate(scope, "lead_to_mql", s, fix)
            mqls = mqls + _stream(s.seed, scope.segment, "stage:lead_to_mql").binomial(leads, l2m[:, None])
        stage = mqls
        for key in ("mql_to_sql", "sql_to_opportunity"):
            p = _rate(scope, key, s, fix)
            stage = _stream(s.seed, scope.segment, "stage:" + key).binomial(stage, p[:, None])
        opps[:, scope.lag:] = stage
    extra = np.array([_half_up(x) for x in scope.other], dtype=np.int64)
    if scope.opening is not None:
        extra = extra + np.array(scope.opening, dtype=np.int64)
    opps += extra[None, :]
    won = _stream(s.seed, scope.segment, "stage:win_rate").binomial(opps, win[:, None])
    if s.deal_size_cv == 0:
        bookings = won * scope.deal_size
    else:
        cv2 = s.deal_size_cv ** 2
        bookings = _stream(s.seed, scope.segment, "deal_size").gamma(won / cv2, scope.deal_size * cv2)
    bookings = bookings.astype(float)
    for i in range(q):
        if not scope.covered(i):
            bookings[:, i] = np.nan
    return bookings


def simulate(scopes: list[Scope], s: Settings, fix: Optional[tuple] = None,
             per_scope: Optional[list] = None) -> np.ndarray:
    """The company's bookings per run and quarter: the sum over scopes (each scope's draws are
    appended to ``per_scope`` when given)."""
    total = None
    for sc in scopes:
        b = simulate_scope(sc, s, fix)
        if per_scope is not None:
            per_scope.append(b)
        total = b if total is None else total + b
    assert total is not None
    return total


def _summary(values: np.ndarray, target: float) -> dict:
    p10, median, p90 = (float(x) for x in np.percentile(values, PERCENTILES, method="inverted_cdf"))
    return {"target": target, "p10": p10, "median": median, "p90": p90, "p_target": _p_target(values, target)}


def _p_target(values: np.ndarray, target: float) -> float:
    # float noise must not decide a tie (20 deals x 10,000 against a target of 200,000)
    return float(np.mean(values >= target - 1e-9 * max(1.0, abs(target))))


def _rows(quarters: list[Quarter], draws: np.ndarray, targets: list[float], covered: list[int],
          segment: Optional[str]) -> list[dict]:
    rows = []
    for i, q in enumerate(quarters):
        if i in covered:
            rows.append({"quarter": str(q), "segment": segment, **_summary(draws[:, i], targets[i])})
        else:
            rows.append({"quarter": str(q), "segment": segment, "target": targets[i], "p10": None, "median": None,
                         "p90": None, "p_target": None})
    return rows


def forecast(loaded: LoadedPlan, settings: Settings) -> Result:
    """The forecast of a plan: per quarter (per segment, then the company's sum), the horizon and
    the drivers."""
    plan = loaded.plan
    if getattr(plan.sales, "segments", None):
        scopes, evidence = segment_scopes(loaded)
        split_fixed_volumes(scopes, plan, settings)
    else:
        scope, evidence = company_scope(loaded)
        scopes = [scope]
    per_scope: list[np.ndarray] = []
    base = simulate(scopes, settings, per_scope=per_scope)
    horizon_quarters = scopes[0].quarters
    # the company's quarter has a figure when every scope's has one
    covered = [i for i in range(len(horizon_quarters)) if all(sc.covered(i) for sc in scopes)]
    targets = [sum(sc.targets[i] for sc in scopes) for i in range(len(horizon_quarters))]
    quarters = []
    if scopes[0].segment is not None:
        for sc, draws in zip(scopes, per_scope):
            own = [i for i in range(len(sc.quarters)) if sc.covered(i)]
            quarters += _rows(sc.quarters, draws, sc.targets, own, sc.segment)
    quarters += _rows(horizon_quarters, base, targets, covered, None)
    horizon_target = sum(targets[i] for i in covered)
    if covered:
        horizon = _summary(base[:, covered].sum(axis=1), horizon_target)
    else:
        horizon = {"target": horizon_target, "p10": None, "median": None, "p90": None, "p_target": None}
    horizon["quarters"] = [str(horizon_quarters[i]) for i in covered]
    drivers = []
    if covered and not settings.fixed_rates:
        p0 = horizon["p_target"]
        moved = []
        inputs: dict[tuple, RateInput] = {}
        for sc in scopes:  # each uncertain value once: a company-wide one is shared by the segments using it
            for key in RATE_KEYS:
                r = sc.rates.get(key)
                if r is not None and r.drawn():
                    inputs.setdefault((key, r.scope), r)
        for order, ((key, owner), r) in enumerate(inputs.items()):
            fixed = simulate(scopes, settings, fix=(key, owner))
            p = _p_target(fixed[:, covered].sum(axis=1), horizon_target)
            moved.append((-abs(p - p0), order, {"assumption": r.path, "segment": owner, "p_target_fixed": p,
                                                "mean": r.mean(settings.prior_n)}))
        drivers = [d for _, _, d in sorted(moved, key=lambda t: (t[0], t[1]))[:3]]
    return Result(settings, plan.currency, quarters, horizon, drivers, scopes, evidence)
