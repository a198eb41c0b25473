"""``gtmplan review``: a quarter's plan against what happened, from CRM exports.

Path: exports -> :mod:`csvread` (bytes, encoding, delimiter, rows) ->
:mod:`columns` (which export, which column) -> :mod:`figures` (one streaming pass,
counters only; :mod:`columnar` reads in blocks of columns what it can prove it reads
the same way) -> :func:`figures_of` (plan vs actual, rates with their
Wilson intervals: a :class:`ReviewResult`) -> :mod:`suggest` -> :mod:`report`.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Sequence
from typing import Optional

from gtmplan.commands.review.columnar import read_deals as read_columnar_deals
from gtmplan.commands.review.columnar import read_leads as read_columnar_leads
from gtmplan.commands.review.columns import load_mapping, recognise
from gtmplan.commands.review.csvread import open_csv
from gtmplan.commands.review.figures import (
    OTHER_SOURCES,
    PSEUDO_SEGMENTS,
    SEGMENT_LEAD_FIELDS,
    BadRows,
    DealCounts,
    LeadCounts,
    LeadScan,
    Segmenter,
    coverage,
    scan_deals,
    stage_note,
    stage_problem,
)
from gtmplan.commands.review.result import (
    RATES,
    BadRow,
    InputFile,
    LossReason,
    Metric,
    ProgramRow,
    Rate,
    ReviewResult,
    SegmentResult,
    SourceRow,
    is_weak,
)
from gtmplan.commands.review.values import check_date_format
from gtmplan.engine.funnel import compute, planned_opportunities, program_leads, program_split, stated
from gtmplan.engine.stats import fits, wilson
from gtmplan.errors import InputError, Problem
from gtmplan.output.fmt import plural
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.quarters import Quarter

__all__ = ["run_review", "ReviewResult", "figures_of"]

# the --quarter error of a review without --record, for a quarter outside the plan's horizon
REVIEW_OUTSIDE = "; to review a quarter outside it (and keep it in the track record), add --record"


def run_review(loaded: LoadedPlan, quarter: Quarter, leads: Optional[str], deals: Optional[str],
               mapping: Optional[str] = None, date_formats: Sequence[str] | str | None = (),
               progress: bool = False, encoding: Optional[str] = None, fx: Optional[str] = None) -> ReviewResult:
    if isinstance(date_formats, str):
        date_formats = (date_formats,)
    formats = tuple(date_formats or ())
    problems = [Problem("--date-format", None, None, f"{fmt!r}: {why}")
                for fmt in formats if (why := check_date_format(fmt))]
    if leads is None and deals is None:
        problems.append(Problem(None, None, None, "give --leads FILE, --deals FILE or both"))
    if leads == "-" and deals == "-":  # the second would find standard input already read ("file is empty")
        problems.append(Problem("--deals", None, None, "standard input (-) is already --leads: one export can "
                                                       "come from standard input, give the other as a file"))
    if problems:
        raise InputError(problems)
    mp = load_mapping(mapping) if mapping else None
    if mp and mp.date_format:
        why = check_date_format(mp.date_format)
        if why:
            raise InputError.single(mapping, f"date_format {mp.date_format!r}: {why}")
        formats += (mp.date_format,)
    plan = loaded.plan
    rates = load_fx(fx, plan.currency) if fx else None
    fy = plan.calendar
    lo, hi = quarter.first_day(fy).isoformat(), quarter.last_day(fy).isoformat()
    claimed = frozenset(s.strip().casefold() for p in plan.marketing.programs for s in (p.crm_sources or []))

    streamed: dict[str, tuple[str, int]] = {}
    opened: dict[str, tuple[int, int, int, int]] = {}  # regular files: their identity when read (for --record)

    def read_deals(show: bool):
        bad = BadRows()
        f = open_csv(deals, encoding=encoding)
        layout = recognise(f.header, "deals", deals, mp.deals if mp and mp.deals else None,
                           mp.deal_stages if mp else None)
        segmenter, note = segmenter_for(plan, layout, f.header, deals, mp.deal_segment if mp else None, mp)
        try:
            dc = scan_deals(_progress(f.rows, f.size, deals) if show else f.rows, f.header, layout, deals,
                            formats, lo, hi, bad, plan.currency, rates, f.delimiter, segmenter,
                            lambda scan: read_columnar_deals(f, deals, deals, scan))
        except csv.Error as e:
            raise f.failed(e) from None
        dc.info.encoding, dc.info.delimiter = f.encoding, f.delimiter
        if f.digest is not None:
            streamed[deals] = (f.digest.hexdigest(), dc.info.records)
        if f.identity is not None:
            opened[deals] = f.identity
        _usable(dc.info, deals, quarter, lo, hi, bad)
        why = stage_problem(dc, str(quarter))
        if why:
            raise InputError.single(deals, why)
        return dc, f.notes + layout.missing_notes(deals) + ([note] if note else []), bad

    def read_leads(show: bool):
        f = open_csv(leads, encoding=encoding)
        layout = recognise(f.header, "leads", leads, mp.leads if mp and mp.leads else None)
        segmenter, note = segmenter_for(plan, layout, f.header, leads, mp.lead_segment if mp else None, mp)
        scan = LeadScan(f.header, layout, leads, formats, lo, hi, BadRows(), claimed, segmenter)
        try:
            if not read_columnar_leads(f, leads, leads, scan):
                scan.read(_progress(f.rows, f.size, leads) if show else f.rows)
        except csv.Error as e:
            raise f.failed(e) from None
        lc = scan.finish()
        lc.info.encoding, lc.info.delimiter = f.encoding, f.delimiter
        if f.digest is not None:
            streamed[leads] = (f.digest.hexdigest(), lc.info.records)
        if f.identity is not None:
            opened[leads] = f.identity
        _usable(lc.info, leads, quarter, lo, hi, scan.bad)
        return lc, f.notes + layout.missing_notes(leads) + ([note] if note else []), scan.bad

    parts = []
    if leads is not None:
        parts.append(read_leads(progress))
    if deals is not None:
        parts.append(read_deals(progress))
    lc = parts[0][0] if leads is not None else None
    dc = parts[-1][0] if deals is not None else None
    notes = [n for part in parts for n in part[1]]
    bad = BadRows()
    for part in parts:
        bad.merge(part[2])
    result = figures_of(loaded, quarter, lc, dc, bad, notes)
    result.streamed = streamed
    result.opened = opened
    return result


def segmenter_for(plan, layout, header: list[str], path: str, column: Optional[str], mp) -> tuple:
    """(how a row of this export tells its segment, or None; a note when the plan has segments and
    the export cannot be split by them). docs/reference/cli.md, 'Segments in every command' and
    'Resolutions (0.3)': a segment column (named Segment, or mapped), else a company-size column
    placed in the ICP segments' employees ranges when those do not overlap."""
    from pathlib import PurePath

    from gtmplan.commands.review.columns import EMPLOYEES_COLUMNS, _norm

    if not getattr(plan.sales, "segments", None):
        return None, None
    ids = [seg.id for seg in plan.sales.segments]
    base = PurePath(path).name
    if mp is not None and mp.segment_ids:
        wrong = [sid for sid in mp.segment_ids if sid not in ids]
        if wrong:
            line, col = mp.segment_ids[wrong[0]]
            raise InputError.single(mp.path, f"segments: {wrong[0]!r} is not a segment of the plan (its "
                                              f"sales.segments are {', '.join(repr(x) for x in ids)})", line, col)
    index = dict(layout.index)
    if column is not None:  # a mapping file's segment: alone, for a recognised export
        positions = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
        if _norm(column) not in positions:
            raise InputError.single(path, f"no column {column!r}, which --mapping names as the segment column",
                                    1, 1)
        index["segment"] = positions[_norm(column)]
    icp = {seg.id: seg for seg in (plan.icp.segments or [])}
    if "segment" in index:
        names: dict[str, str] = {}
        for sid in ids:
            names[sid.casefold()] = sid
            name = getattr(icp.get(sid), "name", None)
            if name:
                names.setdefault(" ".join(name.split()).casefold(), sid)
        names.update(mp.segment_values if mp is not None else {})
        i = index["segment"]
        return Segmenter(i, header[i].strip()[:80], False, names=names), None
    if "employees" not in index:
        return None, (f"{base} has no segment column (one named Segment, or segment: in --mapping) and no "
                      f"company-size column ({', '.join(repr(c) for c in EMPLOYEES_COLUMNS[:5])}): its figures "
                      "per segment are left out (null)")
    ranges = []
    for sid in ids:
        e = getattr(icp.get(sid), "employees", None)
        lo = (e.min if e is not None and e.min is not None else 0)
        hi = e.max if e is not None else None
        ranges.append((lo, hi, sid))
    ranges.sort(key=lambda r: r[0])
    for (lo1, hi1, a), (lo2, _, b) in zip(ranges, ranges[1:]):
        if hi1 is None or lo2 <= hi1:
            def shown(r):
                return f"{r[2]} {r[0]:,}–{r[1]:,}" if r[1] is not None else f"{r[2]} {r[0]:,} and more"
            return None, (f"{base}: its rows are not split by segment: the ICP segments' employee ranges overlap "
                          f"({shown((lo1, hi1, a))}; {shown(next(r for r in ranges if r[2] == b))}), so a "
                          "company's size does not tell its segment; its figures per segment are null (give a "
                          "Segment column, or map one with --mapping)")
    i = index["employees"]
    return Segmenter(i, header[i].strip()[:80], True, ranges=tuple(ranges)), None


def _usable(info, path: str, q: Quarter, lo: str, hi: str, bad: BadRows) -> None:
    """Exit 2 when a file has no usable row or none of its dates reaches the quarter."""
    if info.rows == 0:
        raise InputError.single(path, "no rows after the header: nothing to review")
    if info.usable == 0:
        first = next((b for b in bad.listed if b["file"] == info.file), None)
        example = f" (row {first['row']}: {first['error']})" if first else ""
        raise InputError.single(path, f"no usable row: all {info.rows:,} rows are unreadable{example}")
    if info.last < lo or info.first > hi:
        raise InputError.single(path, f"its rows run from {info.first} to {info.last}, but {q} runs from {lo} "
                                      f"to {hi}: export that quarter's rows, or review a quarter the file covers")


MAX_RATE = 1e9  # units of the plan's currency for one unit of another: larger is a typo


def load_fx(path: str, plan_currency: Optional[str] = None) -> dict[str, float]:
    """``--fx FILE``: a YAML mapping of currency code -> rate into the plan's currency."""
    from pathlib import Path

    import yaml

    from gtmplan.read.yamlsource import compose, read_text, to_python

    text = read_text(Path(path), path)
    root = compose(text, path)
    to_python(root, path)  # as a plan file is read: duplicate keys, tags, aliases and limits refused, located
    if not isinstance(root, yaml.MappingNode):
        raise InputError.single(path, "an --fx file is a YAML mapping of currency code to rate, e.g. EUR: 1.08",
                                root.start_mark.line + 1, root.start_mark.column + 1)
    out: dict[str, float] = {}
    problems = []
    for k, v in root.value:
        where = (path, k.start_mark.line + 1, k.start_mark.column + 1)
        code = k.value if isinstance(k, yaml.ScalarNode) else ""
        if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()):
            problems.append(Problem(*where, f"{str(code)[:20]!r} is not a currency code (three letters, e.g. EUR)"))
            continue
        rate = None
        if isinstance(v, yaml.ScalarNode) and len(v.value) <= 30:
            try:
                rate = float(v.value)
            except ValueError:
                rate = None
        at = (path, v.start_mark.line + 1, v.start_mark.column + 1)
        if rate is not None and rate > 0 and (not math.isfinite(rate) or rate >= MAX_RATE):
            problems.append(Problem(*at, f"{code}: the rate {v.value[:30]} is too large (units of the plan's "
                                         f"currency for one unit of this one; at most {MAX_RATE:,.0f})"))
            continue
        if rate is None or not math.isfinite(rate) or not 0 < rate:
            problems.append(Problem(*at, f"{code}: the rate must be a positive number (units of the plan's currency "
                                         "for one unit of this one)"))
            continue
        if plan_currency and code.upper() == plan_currency.upper() and rate != 1:
            problems.append(Problem(*at, f"{code} is the plan's own currency: its rate is always 1 (leave it out "
                                         "or give 1)"))
            continue
        out[code.upper()] = rate
    if problems:
        raise InputError(problems)
    return out


PROGRESS_MIN_BYTES = 20_000_000


def _progress(rows, size: int, name: str):
    """Rows, with a progress bar on stderr for large files (only on a terminal, never in piped output)."""
    if size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield from rows
        return
    from rich.console import Console
    from rich.progress import Progress

    # refreshed here, not by rich's timer thread: no thread of ours while the exports are read
    with Progress(transient=True, console=Console(file=sys.stderr), auto_refresh=False) as bar:
        task = bar.add_task(f"reading {name}", total=None)
        for i, item in enumerate(rows, 1):
            if i % 50_000 == 0:
                bar.update(task, completed=i, description=f"reading {name}: {i:,} rows", refresh=True)
            yield item


def _closer(actual, sales, marketing):
    if actual is None or (sales is None and marketing is None):
        return None
    if sales is None:
        return "marketing"
    if marketing is None:
        return "sales"
    ds, dm = abs(sales - actual), abs(marketing - actual)
    if abs(ds - dm) < 1e-12:
        return "tie"
    return "sales" if ds < dm else "marketing"


def _rate(k: int, n: Optional[int], sales, marketing) -> Rate:
    actual = k / n if n else None
    interval = wilson(k, n) if n else None
    low, high = interval if interval else (None, None)
    return Rate(actual, n, k, low, high, sales, marketing, _closer(actual, sales, marketing),
                fits(sales, interval), fits(marketing, interval))


def figures_of(loaded: LoadedPlan, q: Quarter, lc: Optional[LeadCounts], dc: Optional[DealCounts],
               bad: BadRows, notes: Optional[list[str]] = None) -> ReviewResult:
    plan = loaded.plan
    notes = list(notes or [])
    tol = plan.check.tolerance
    cur = plan.currency
    f = compute(plan)
    row = f.row(q)  # None for a quarter outside the horizon (--record): no plan figures
    eff = {k: a.value for k, a in f.assumptions.items()}
    l2m = eff["lead_to_mql"]
    running = [plan.marketing.programs[i] for i in (f.by_quarter[q].programs if q in f.by_quarter and row else [])]

    plan_leads = None
    per_program = [program_leads(p, l2m) for p in running]
    if row is not None and all(x is not None for x in per_program):
        plan_leads = float(sum(per_program))
    plan_mqls = row.mqls_planned if row is not None else None
    plan_sqls = plan_mqls * eff["mql_to_sql"] if plan_mqls is not None and eff["mql_to_sql"] else None
    plan_opps = planned_opportunities(f, q)  # marketing's and sales.other_pipeline's

    actual: dict[str, Optional[float]] = dict.fromkeys(
        ("leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate", "average_deal_size",
         "days_to_close"))
    kn = dict.fromkeys(RATES, (0, 0))
    measured = set()
    if lc is not None:
        actual["leads"] = lc.leads
        if lc.has_mql:
            measured.add("lead_to_mql")
            actual["mqls"] = lc.mqls
            kn["lead_to_mql"] = (lc.created_with_mql, lc.leads)
        if lc.has_sql:
            actual["sqls"] = lc.sqls
            if lc.has_mql:
                kn["mql_to_sql"] = (lc.mql_with_sql, lc.mqls)
                measured.add("mql_to_sql")
        if lc.has_opp:
            if dc is None:
                actual["opportunities"] = lc.opportunities
            if lc.has_sql:
                kn["sql_to_opportunity"] = (lc.sql_with_opp, lc.sqls)
                measured.add("sql_to_opportunity")
        folded = lc.source_leads.folded_total
        if folded or lc.source_mqls.folded_total:
            mq = lc.source_mqls.folded_total
            notes.append(f"{plural(folded, 'lead')}{f' and {plural(mq, chr(77) + chr(81) + chr(76))}' if mq else ''} "
                         f"from sources outside the {lc.source_leads.cap:,} largest "
                         f"{'are' if folded + mq != 1 else 'is'} folded into '{OTHER_SOURCES}' "
                         "(programs' crm_sources are always counted exactly)")
        _order_notes(notes, lc)
    if dc is not None:
        actual["opportunities"] = dc.opportunities
        if lc is not None and lc.has_opp and lc.opportunities != dc.opportunities:
            notes.append(f"Opportunities: the {plural(dc.opportunities, 'deal')} created in {q} in {dc.info.file}; "
                         f"{lc.info.file} dates {plural(lc.opportunities, 'lead')} into the opportunity stage in {q} "
                         "(the rates are measured on the leads)")
        actual["won"] = dc.won
        kn["win_rate"] = (dc.won, dc.won + dc.lost)
        measured.add("win_rate")
        actual["win_rate"] = dc.won / (dc.won + dc.lost) if dc.won + dc.lost else None
        actual["days_to_close"] = dc.days_to_close()
        if dc.has_amount:
            # bookings without the won deals set aside (another currency) would read as a shortfall: none
            # when every one was set aside, else partial (shown, never compared with the target or recorded)
            actual["bookings"] = dc.bookings if dc.won_priced or not dc.other_currency else None
            actual["average_deal_size"] = dc.bookings / dc.won_priced if dc.won_priced else None
        if dc.other_currency:
            listed = ", ".join(f"{code} ({n:,})" for code, n in sorted(dc.other_currency.items()))
            total = sum(dc.other_currency.values())
            notes.append(f"{plural(total, 'won deal')} in another currency than the plan's {cur} "
                         f"({listed}) {'are' if total != 1 else 'is'} left out of bookings and the average deal "
                         "size: give --fx FILE (code: rate) to convert them"
                         + ("; bookings are therefore not compared with the target" if dc.won_priced else ""))
        if dc.backdated:
            notes.append(f"{plural(dc.backdated, 'won deal')} closed before {'they were' if dc.backdated != 1 else 'it was'} "
                         "created in the CRM (entered after the fact): counted as won, left out of days to close")
        if dc.source_won.folded_total:
            notes.append(f"{plural(dc.source_won.folded_total, 'won deal')} from sources outside the "
                         f"{dc.source_won.cap:,} largest {'are' if dc.source_won.folded_total != 1 else 'is'} "
                         f"folded into '{OTHER_SOURCES}'")
        if dc.has_amount and dc.amount_unclear:
            notes.append(f"{dc.info.file}: amounts like 1,200 could be read either way (a decimal comma or a "
                         "thousands comma); they were read as thousands: no suggestion is built on the amounts "
                         "(bookings, deal size)")
        elif dc.has_amount and dc.amount_inferred:
            notes.append(f"{dc.info.file}: amounts like 1.200 were read with a dot for thousands (1,200): "
                         "every dot in the column is followed by three digits")
        if dc.converted:
            listed = ", ".join(f"{code} ({n:,})" for code, n in sorted(dc.converted.items()))
            notes.append(f"won deals converted into {cur} with the --fx rates: {listed}")
        if dc.crm_converted:
            listed = ", ".join(f"{code} ({n:,})" for code, n in sorted(dc.crm_converted.items()))
            total = sum(dc.crm_converted.values())
            notes.append(f"{plural(total, 'won deal')} in another currency than the plan's {cur} ({listed}) "
                         f"{'are' if total != 1 else 'is'} priced by the CRM's converted amount in {cur}, column "
                         f"{dc.converted_column!r} (at the CRM's rates; --fx FILE gives your own)")
        note = stage_note(dc, str(q))
        if note:
            notes.append(note)
        _order_notes(notes, dc)

    partial: set[str] = {"bookings"} if dc is not None and dc.other_currency and dc.won_priced else set()
    partial_inputs = []
    for kind, counts, keys in (("leads", lc, ("leads", "mqls", "sqls") + (("opportunities",) if dc is None else ())),
                               ("deals", dc, ("opportunities", "won", "bookings"))):
        if counts is not None:
            note = _coverage_note(counts.info, q, q.first_day(plan.calendar).isoformat(),
                                  q.last_day(plan.calendar).isoformat())
            if note:
                notes.append(note)
                partial.update(keys)
                partial_inputs.append(kind)
    plans = {"leads": plan_leads, "mqls": plan_mqls, "sqls": plan_sqls, "opportunities": plan_opps,
             "won": row.deals if row else None, "bookings": row.target if row else None, "win_rate": eff["win_rate"],
             "average_deal_size": eff["average_deal_size"], "days_to_close": eff["sales_cycle_days"]}
    seg_results = _segment_figures(plan, q, f, running, lc, dc) if f.segments else {}
    if f.segments:
        _company_of_segments(plans, seg_results, list(f.segments), row is not None)
    metrics = {k: Metric(None if plans[k] is None else float(plans[k]), actual[k]) for k in plans}

    s_side, m_side = plan.sales.assumptions, plan.marketing.assumptions
    rates = {}
    for key in RATES:
        sv = getattr(s_side, key) if s_side else None
        mv = getattr(m_side, key) if m_side else None
        if f.segments:  # the company has no rates of its own: only one that every segment resolves to
            sv = _common(stated(plan, "sales", key, sid)[0] for sid in f.segments)
            mv = _common(stated(plan, "marketing", key, sid)[0] for sid in f.segments)
        k, n = kn[key] if key in measured else (0, None)  # n is null for a rate the exports cannot measure
        rates[key] = _rate(k, n, sv, mv)

    sources = []
    if lc is not None or dc is not None:
        names = set()
        for counter in ((lc.source_leads, lc.source_mqls) if lc else ()) + ((dc.source_won,) if dc else ()):
            names.update(counter)
        for name in names:
            sources.append(SourceRow(name or "(none)",
                                     lc.source_leads.get(name, 0) if lc else None,
                                     lc.source_mqls.get(name, 0) if lc and lc.has_mql else None,
                                     dc.source_won.get(name, 0) if dc else None,
                                     float(dc.source_bookings.get(name, 0.0)) if dc and dc.has_amount else None))
        sources.sort(key=lambda s: (s.source == OTHER_SOURCES, -(s.bookings or 0), -(s.leads or 0), s.source))

    programs = []
    for p in running:
        wanted = {s.strip().casefold() for s in (p.crm_sources or [])}
        got = sum(lc.program_leads.get(s, 0) for s in wanted) if lc is not None and lc.has_source else None
        expected = program_leads(p, l2m) if not f.segments else _program_leads_in_segments(plan, p, f)
        programs.append(ProgramRow(p.id, p.name or p.id, p.channel, got, expected, p.cost,
                                   (p.cost / got) if got else None, tuple(p.crm_sources or ()),
                                   is_weak(got, expected, tol)))
    programs.sort(key=lambda p: (p.leads is None, p.leads != 0, -(p.cost_per_lead or 0), p.id))

    losses = []
    if dc is not None:
        losses = [LossReason(r, n) for r, n in sorted(dc.loss_reasons.items(), key=lambda kv: (-kv[1], kv[0]))]

    inputs = [InputFile(kind, c.info.file, c.info.shape, c.info.rows, c.info.usable, c.info.first, c.info.last,
                        c.info.encoding, c.info.delimiter)
              for kind, c in (("leads", lc), ("deals", dc)) if c is not None]
    result = ReviewResult(
        quarter=q, currency=cur, metrics=metrics, rates=rates, sources=sources, programs=programs,
        loss_reasons=losses, bad_rows=[BadRow(**b) for b in bad.listed], bad_rows_total=bad.total,
        notes=notes, plan_bases={k: v for k, v in _plan_bases(loaded, q, eff, f).items()
                                  if k in metrics and metrics[k].plan is not None}, inputs=inputs,
        won_priced=dc.won_priced if dc is not None else None,
        unclaimed_leads=(lc.leads - sum(lc.program_leads.values()) - lc.no_source
                         if lc is not None and lc.has_source else None),
        partial=tuple(k for k in actual if k in partial), partial_inputs=tuple(partial_inputs),
        amounts_unclear=bool(dc is not None and dc.has_amount and dc.amount_unclear))
    if f.segments:
        result.segments = seg_results
    from gtmplan.commands.review.suggest import suggestions

    result.suggestions = suggestions(loaded, result, eff)
    return result


SUMMED = ("leads", "mqls", "sqls", "opportunities", "won")  # bookings: the stated sales.targets[q]
RESOLVED = ("win_rate", "average_deal_size", "days_to_close")


def _common(values) -> Optional[float]:
    """The one value every segment resolves to; None when they differ or one has none."""
    seen = set(values)
    return seen.pop() if len(seen) == 1 else None


def _company_of_segments(plans: dict, segments: dict[str, SegmentResult], ids: list[str], in_horizon: bool) -> None:
    """The company's plan figures in a plan with segments (docs/reference/plan-format.md, 'Segments' and
    its 'Resolutions (0.3)'): the counts and money are the sums of the segments' (each program's part
    becomes MQLs, and back leads, at its segment's own lead_to_mql); the company's row has no rates,
    so its win rate, deal size and days to close are null unless every segment resolves to the same
    value. A sum is null when a segment's figure is unknown."""
    if in_horizon:  # outside the horizon (--record) there are no counts to add
        for key in SUMMED:
            parts = [segments[sid].metrics[key].plan for sid in ids]
            plans[key] = None if any(x is None for x in parts) else float(sum(parts))
    for key in RESOLVED:
        plans[key] = _common(segments[sid].metrics[key].plan for sid in ids)


def _program_leads_in_segments(plan, p, f) -> Optional[float]:
    """A program's expected leads in a plan with segments: each segment's part at that segment's own
    lead_to_mql (docs/reference/plan-format.md, 'Resolutions (0.3)'), summed."""
    total = 0.0
    for sid, share in program_split(plan, p).items():
        sf = f.segments.get(sid)
        part = program_leads(p, sf.assumptions["lead_to_mql"].value if sf is not None else None)
        if part is None:
            return None
        total += part * share
    return total


def _segment_figures(plan, q: Quarter, f, running, lc: Optional[LeadCounts],
                     dc: Optional[DealCounts]) -> dict[str, SegmentResult]:
    """Each segment's plan and actual figures for the quarter, as the company's (docs/reference/cli.md,
    'Segments in every command'): the plan from the segment's own funnel, the actuals from the rows
    the exports assign to it (null from an export that cannot be split); then the rows that fit no
    segment, ``(outside the ICP)``, and those whose segment cannot be told, ``(unknown segment)``,
    with no plan figures."""
    lead_split = lc is not None and lc.segments is not None
    deal_split = dc is not None and dc.segments is not None
    keys = list(f.segments)
    for extra in PSEUDO_SEGMENTS:
        if (lead_split and extra in lc.segments) or (deal_split and extra in dc.segments):
            keys.append(extra)
    zero = [0] * len(SEGMENT_LEAD_FIELDS)
    out = {}
    for sid in keys:
        sf = f.segments.get(sid)
        row = sf.row(q) if sf is not None else None
        eff = {k: a.value for k, a in sf.assumptions.items()} if sf is not None else {}
        plans: dict[str, Optional[float]] = dict.fromkeys(
            ("leads", "mqls", "sqls", "opportunities", "won", "bookings", "win_rate", "average_deal_size",
             "days_to_close"))
        if sf is not None:
            plans["win_rate"] = eff["win_rate"]
            plans["average_deal_size"] = eff["average_deal_size"]
            plans["days_to_close"] = eff["sales_cycle_days"]
        if row is not None:
            per = [(program_leads(p, eff["lead_to_mql"]), program_split(plan, p).get(sid, 0.0)) for p in running]
            if all(x is not None for x, _ in per):
                plans["leads"] = float(sum(x * share for x, share in per))
            plans["mqls"] = row.mqls_planned
            if row.mqls_planned is not None and eff["mql_to_sql"]:
                plans["sqls"] = row.mqls_planned * eff["mql_to_sql"]
            plans["opportunities"] = planned_opportunities(sf, q)
            plans["won"], plans["bookings"] = row.deals, row.target
        actual: dict[str, Optional[float]] = dict.fromkeys(plans)
        kn: dict[str, tuple[int, Optional[int]]] = dict.fromkeys(RATES, (0, None))
        if lead_split:
            leads, mqls, sqls, opps, cwm, mws, swo = lc.segments.get(sid, zero)
            actual["leads"] = leads
            if lc.has_mql:
                actual["mqls"] = mqls
                kn["lead_to_mql"] = (cwm, leads)
            if lc.has_sql:
                actual["sqls"] = sqls
                if lc.has_mql:
                    kn["mql_to_sql"] = (mws, mqls)
            if lc.has_opp:
                if dc is None:
                    actual["opportunities"] = opps
                if lc.has_sql:
                    kn["sql_to_opportunity"] = (swo, sqls)
        partial = ()
        if deal_split:
            from gtmplan.commands.review.figures import SegmentDeals

            sd = dc.segments.get(sid) or SegmentDeals()
            actual["opportunities"] = sd.opportunities
            actual["won"] = sd.won
            kn["win_rate"] = (sd.won, sd.won + sd.lost)
            actual["win_rate"] = sd.won / (sd.won + sd.lost) if sd.won + sd.lost else None
            actual["days_to_close"] = sd.days_to_close()
            if dc.has_amount:
                actual["bookings"] = sd.bookings if sd.won_priced or not sd.other_currency else None
                actual["average_deal_size"] = sd.bookings / sd.won_priced if sd.won_priced else None
            if sd.other_currency and sd.won_priced:
                partial = ("bookings",)
        elif dc is not None and lead_split:
            actual["opportunities"] = None  # the deals export says the opportunities, and it is not split
        metrics = {k: Metric(None if plans[k] is None else float(plans[k]), actual[k]) for k in plans}
        rates = {}
        for key in RATES:
            sv = stated(plan, "sales", key, sid)[0] if sf is not None else None
            mv = stated(plan, "marketing", key, sid)[0] if sf is not None else None
            k, n = kn[key]
            rates[key] = _rate(k, n, sv, mv)
        out[sid] = SegmentResult(metrics, rates, partial)
    return out


PARTIAL_DAYS = 7  # more uncovered days than this at one end of the quarter: the export covers only part of it
BULK = 0.005  # the coverage is judged on the rows' dates between these quantiles (one stray row is no coverage)


def _coverage_note(info, q: Quarter, lo: str, hi: str) -> Optional[str]:
    """A note when the file's dates cover only part of the quarter (docs/reference/cli.md: no conclusion beyond the data).

    An export taken mid-quarter has rows from before the quarter and stops inside it (or, filtered
    from a date inside the quarter, starts there and runs past its end). A file whose rows all lie
    inside the quarter is taken as that quarter's export, quiet days at its ends included. Where the
    rows run is judged on the 0.5% and 99.5% quantiles of their dates (creation, and the close of
    deals won or lost), not on the first and last row. The uncovered part must be longer than a week
    and than five times the average gap between the rows dated in the covered part of the quarter (a
    quiet spell that long has a chance under 1% in a steady flow of rows)."""
    import datetime as dt

    bulk = coverage(info.days, BULK) if info.days else (info.first, info.last) if info.first else None
    if bulk is None:
        return None
    first, last = bulk
    d = dt.date.fromisoformat
    start, end = max(d(lo), d(first)), min(d(hi), d(last))
    days, covered = (d(hi) - d(lo)).days + 1, (end - start).days + 1
    inside = sum(n for day, n in info.days.items() if start.isoformat() <= day <= end.isoformat())
    quiet = max(PARTIAL_DAYS, 5 * max(covered, 1) / max(inside, 1))
    cut_end = first < lo and (d(hi) - end).days > quiet
    cut_start = last > hi and (start - d(lo)).days > quiet
    if not (cut_end or cut_start):
        return None
    whole = (min(info.days), max(info.days)) if info.days else (info.first, info.last)
    span = (f"its rows run from {first} to {last}" if (first, last) == whole
            else f"the bulk of its rows (99%) run from {first} to {last}")
    return (f"{info.file}: {span}, so only {covered} of the {days} days of "
            f"{q} ({lo} to {hi}) are in the export: its figures for {q} are partial, not compared with the "
            "plan, and no suggestion is made from them")


def _order_notes(notes: list[str], counts) -> None:
    group = getattr(counts, "date_order", None)
    if group is not None and group.defaulted:
        cols = ", ".join(repr(c) for c in group.defaulted)
        notes.append(f"{counts.info.file}: the dates in {cols} could be read either way (like 03/04/2027); they "
                     "were read month-first (M/D/YYYY): give --date-format %d/%m/%Y if they are day-first")


def _plan_bases(loaded: LoadedPlan, q: Quarter, eff: dict, funnel) -> dict[str, str]:
    """Where each plan figure comes from, in the plan's own terms (docs/reference/cli.md 0.2: stated plan bases)."""
    plan = loaded.plan
    other = getattr(plan.sales, "other_pipeline", None)
    motions = other and any(getattr(s, "capacity", None) is not None for s in other)
    extra = " plus other_pipeline's opportunities" if motions else " plus other_pipeline's share" if other else ""

    def side(key: str) -> str:
        a = funnel.assumptions.get(key)
        return f"the {a.side}.assumptions value" if a is not None and a.side else "not stated"

    if funnel.segments:  # the company's figures are the segments' sums (docs/reference/plan-format.md, 'Segments')
        return {
            "leads": f"the programs running in {q}: expected_leads (or each segment's part of expected_mqls / "
                     "that segment's lead_to_mql), summed over the segments",
            "mqls": f"marketing's planned MQLs: the programs running in {q}, summed over the segments",
            "sqls": "each segment's planned MQLs x its mql_to_sql, summed",
            "opportunities": f"each segment's planned MQLs x its mql_to_sql x sql_to_opportunity{extra}, summed",
            "won": f"each segment's target for {q} / its average_deal_size, summed",
            "bookings": f"sales.targets[{q}]",
            # only when every segment resolves to the same value (else null, and not listed)
            "win_rate": "the value every segment resolves to",
            "average_deal_size": "the value every segment resolves to",
            "days_to_close": "sales_cycle_days (the value every segment resolves to)",
        }
    return {
        "leads": f"the programs running in {q}: expected_leads (or expected_mqls / lead_to_mql)",
        "mqls": f"marketing's planned MQLs: the programs running in {q}",
        "sqls": "marketing's planned MQLs x mql_to_sql",
        "opportunities": f"marketing's planned MQLs x mql_to_sql x sql_to_opportunity{extra}",
        "won": f"sales.targets[{q}] / average_deal_size",
        "bookings": f"sales.targets[{q}]",
        "win_rate": side("win_rate"),
        "average_deal_size": side("average_deal_size"),
        "days_to_close": f"sales_cycle_days ({side('sales_cycle_days')})",
    }
