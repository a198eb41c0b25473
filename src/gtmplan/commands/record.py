"""``gtmplan review --record``: a reviewed quarter written to ``actuals/QUARTER.yaml``.

The input is the review's result in its JSON shape (docs/reference/cli.md: ``metrics``, ``rates``
with ``n``, ``sources``, ``programs``), so this module does not depend on how the
review computes it. The file is written in the form a person would write by hand
(docs/reference/plan-format.md, "Actual results"), each field explained by a comment, checked by
the same reader that loads it with the plan, and written atomically; an existing
file is replaced only with ``--force``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from gtmplan.errors import InputError
from gtmplan.output.fmt import day, plural, printable, source_date_epoch
from gtmplan.plan.loaded import LoadedPlan
from gtmplan.plan.quarters import Quarter
from gtmplan.read.actuals import RATE_KEYS, actuals_dir, read_actuals

if TYPE_CHECKING:
    from gtmplan.plan.model import Plan
    from gtmplan.read.actuals import TrackRecord

# Deferred imports: review's CSV helpers (the review package: 64 ms) only when an actuals file is recorded; the writer
# and the formatting helpers with it.

READ_SIZE = 1 << 20  # bytes per read of file_facts

METRIC_COMMENTS = {
    "leads": "leads created in the quarter",
    "mqls": "leads whose MQL date is in the quarter",
    "sqls": "leads whose SQL date is in the quarter",
    "opportunities": "opportunities created in the quarter",
    "won": "deals won, closed in the quarter",
    "lost": "deals lost, closed in the quarter",
    "bookings": "{currency}: the sum of the amounts of the deals won",
    "days_to_close": "median days from created to closed, over the deals won",
}
RATE_COMMENTS = {
    "lead_to_mql": "of the leads created in the quarter, the share that became MQLs",
    "mql_to_sql": "of the quarter's MQLs, the share that became SQLs",
    "sql_to_opportunity": "of the quarter's SQLs, the share that became opportunities",
    "win_rate": "won / (won + lost), deals closed in the quarter",
}


def parse_quarter(text: str) -> Quarter:
    """--quarter with --record: any quarter (the track record before the plan is recorded too)."""
    try:
        return Quarter.parse(text.strip().upper())
    except ValueError as e:
        raise InputError.single(None, f"--quarter: {e}") from None


def record_path(target: str, quarter: Quarter) -> Path:
    return Path(actuals_dir(target)) / f"{quarter}.yaml"


def refuse_existing(target: str, quarter: Quarter, force: bool, plan: Optional[Plan] = None) -> Path:
    """The file to write; an InputError, before any export is read, when it exists and
    ``--force`` was not given, when ``actuals/`` cannot hold it, and (given the plan) when
    the quarter has not ended yet (today, or ``SOURCE_DATE_EPOCH``) or lies after the horizon."""

    path = record_path(target, quarter)
    if plan is not None:
        end = quarter.last_day(plan.calendar)
        if today() <= end:
            raise InputError.single(None, f"--quarter {quarter}: it ends on {day(end)} (today is {day(today())}); "
                                          "record a quarter once it has ended, so that its figures are complete")
        if quarter > plan.horizon.end:
            raise InputError.single(None, f"--quarter {quarter}: it is after the plan's horizon "
                                          f"({plan.horizon.start}–{plan.horizon.end}); a recorded quarter lies "
                                          "before the horizon or inside it: extend the horizon first")
    _check_folder(path.parent)
    if not force and (path.exists() or path.is_symlink()):
        raise InputError.single(str(path), f"{quarter} is already recorded; give --force to replace it")
    return path


def _check_folder(folder: Path) -> None:
    """``actuals/`` is a directory gtmplan can write in, or can be created."""
    if folder.is_symlink() and not folder.exists():
        raise InputError.single(str(folder), "is a symbolic link to nothing: remove it, or point it at a directory, "
                                             "to record quarters there")
    if folder.exists() and not folder.is_dir():
        raise InputError.single(str(folder), "is not a directory: recorded quarters go in a folder actuals/ "
                                             "(rename or remove this file)")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise InputError.single(str(folder), "cannot write: permission denied")


def file_facts(
    path: str, opened: Optional[tuple[int, int, int, int]] = None, read_size: int = READ_SIZE
) -> tuple[str, int]:
    """(SHA-256 of the file's bytes, its data rows) in one streaming pass. Rows are CSV
    records after the header (a newline inside a quoted cell does not start one).
    ``read_size``: bytes per read (the result does not depend on it).
    ``opened``: the file's identity when the review read it (csvread.identity); a file that
    is no longer that one (replaced, cut short, grown) is refused: its hash and rows would
    be recorded next to figures from other bytes."""
    from gtmplan.commands.review.csvread import changed, identity

    digest = hashlib.sha256()
    newlines = 0
    inside = False
    last = b""
    size = 0
    try:
        with open(path, "rb") as fh:
            now = identity(os.fstat(fh.fileno()))
            if opened is not None and now != opened:
                raise changed(path, opened[2], now[2])
            while chunk := fh.read(read_size):
                size += len(chunk)
                digest.update(chunk)
                parts = chunk.split(b'"')
                for i, part in enumerate(parts):
                    if not inside:
                        newlines += part.count(b"\n")
                    if i < len(parts) - 1:
                        inside = not inside
                last = chunk[-1:]
    except OSError as e:
        raise InputError.single(path, f"cannot be read: {e.strerror or e}") from None
    if opened is not None and size != opened[2]:  # changed while it was hashed
        raise changed(path, opened[2], size)
    records = newlines + (1 if last not in (b"", b"\n") else 0)
    return digest.hexdigest(), max(records - 1, 0)


def _shown_path(path: str, target: str) -> str:
    """An export's path relative to the plan directory when inside it, else its base name
    (never an absolute path of someone's machine in a file kept in git)."""
    plan_dir = Path(target) if Path(target).is_dir() else Path(target).parent
    try:
        return Path(os.path.relpath(Path(path).resolve(), plan_dir.resolve())).as_posix() \
            if Path(path).resolve().is_relative_to(plan_dir.resolve()) else Path(path).name
    except (OSError, ValueError):
        return Path(path).name


def today() -> dt.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (reproducible files, as in reproducible builds)."""

    stamp = source_date_epoch()
    return stamp.date() if stamp is not None else dt.date.today()


def _num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0")


def _fraction(actual: float, n: int) -> str:
    """Enough decimals that round(actual * n) gives back the count."""
    digits = max(4, len(str(n)) + 1)
    return f"{actual:.{digits}f}".rstrip("0").rstrip(".") if actual else "0"


def _comment(text: str) -> str:
    """User text inside a YAML comment: on one line, no control character (a newline in a
    ``company: |`` block would end the comment and start YAML)."""

    return printable(" ".join(str(text).split()))


def _line(text: str, comment: str, width: int = 44) -> str:
    return f"{text.ljust(width)} # {comment}" if comment else text


def build(loaded: LoadedPlan, result: dict, quarter: Quarter, exports: list[str],
          streamed: Optional[dict[str, tuple[str, int]]] = None,
          opened: Optional[dict[str, tuple[int, int, int, int]]] = None) -> str:
    """The text of ``actuals/QUARTER.yaml`` for a review result in cli.md's JSON shape.
    ``streamed``: (SHA-256, rows) of the exports read from a pipe, which cannot be read again."""
    plan = loaded.plan
    in_horizon = plan.horizon.start <= quarter <= plan.horizon.end
    out = [f"# What happened in {quarter} at {_comment(plan.company)}: recorded by `gtmplan review --record`.",
           "# Part of the plan: `gtmplan check` (rules E701, E702), `gtmplan calibrate` and",
           "# `gtmplan render` compare the plan with it. To record a quarter by hand, write",
           "# the same keys; only quarter and metrics are required, and any figure you",
           "# don't know is left out.",
           _line(f"quarter: {quarter}", "the fiscal quarter; must equal the file name"),
           _line(f"recorded_on: {today().isoformat()}", "when the figures were taken"),
           *_source_lines(loaded, exports, streamed, opened)]
    bad = result.get("bad_rows_total") or 0
    if bad:
        out.append(f"# {plural(bad, 'row')} of the exports could not be read and "
                   f"{'are' if bad != 1 else 'is'} in no figure below (the review lists them).")
    metrics, rates = _figures(result)
    out.append("metrics:")
    shown, missing = _shown_metrics(metrics, set(result.get("partial") or ()))
    out.extend(_line(f"  {key}: {text}", METRIC_COMMENTS[key].format(currency=plan.currency))
               for key, text in shown)
    if missing:
        out.append(f"  # not in the exports (or only in part): {', '.join(missing)}")
    if rates:
        out.append("# Each rate on the quarter's cohort: actual, and n, the rows it was measured on")
        out.append("# (E701 pools quarters as round(actual * n) of n).")
        out.append("rates:")
        out.extend(_line(f"  {key}: {{actual: {_fraction(rates[key]['actual'], rates[key]['n'])}, "
                         f"n: {rates[key]['n']}}}", RATE_COMMENTS[key], 52)
                   for key in RATE_KEYS if key in rates)
    out.extend(_segment_lines(_segments(plan, result)))
    out.extend(_program_lines(_programs(plan, result, in_horizon, getattr(loaded, "actuals", None)), in_horizon))
    return "\n".join(out) + "\n"


def _source_lines(loaded: LoadedPlan, exports: list[str], streamed: Optional[dict[str, tuple[str, int]]],
                  opened: Optional[dict[str, tuple[int, int, int, int]]]) -> list[str]:
    """``sources:``: each export's path, SHA-256 and data rows (none without exports)."""
    if not exports:
        return []
    out = ["# The exports the figures came from: path, SHA-256 of the file, data rows.", "sources:"]
    for path in exports:
        sha, rows = (streamed or {}).get(path) or file_facts(path, (opened or {}).get(path))
        shown = "standard input" if path == "-" else _shown_path(path, loaded.target)
        out.append(f"  - {{file: {json.dumps(shown)}, sha256: {sha}, rows: {rows}}}")
    return out


def _figures(block: dict) -> tuple[dict[str, Any], dict[str, dict]]:
    """The metrics and the rates of a review's result (the company's, or one segment's) to record:
    lost deals are the win rate's n minus the deals won; a rate only with an actual and an n."""
    metrics = {k: m.get("actual") for k, m in block["metrics"].items()}
    rates = {k: r for k, r in (block.get("rates") or {}).items()
             if k in RATE_KEYS and r.get("actual") is not None and r.get("n")}
    won = metrics.get("won")
    if "win_rate" in rates and won is not None:
        metrics["lost"] = rates["win_rate"]["n"] - won
    return metrics, rates


def _shown_metrics(metrics: dict[str, Any], partial: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The metrics to write as (key, text), in METRIC_COMMENTS' order, and the keys left out: those
    without a figure or counted on part of the quarter's deals or rows only (``partial``)."""
    if "won" in partial:
        partial = partial | {"lost"}  # counted on the same deals
    shown, missing = [], []
    for key in METRIC_COMMENTS:
        value = metrics.get(key)
        if value is None or key in partial:
            missing.append(key)
            continue
        shown.append((key, str(int(value)) if key not in ("bookings", "days_to_close") else _num(value)))
    return shown, missing


def _segment_lines(segments: dict) -> list[str]:
    """``segments:``: each segment's metrics and rates (none without segments with figures)."""
    if not segments:
        return []
    out = ["# Each segment's figures (the rows the exports assign to it; rows outside the ICP or",
           "# of no known segment are in the company's figures above only).",
           "segments:"]
    for sid, (seg_metrics, seg_rates, seg_missing) in segments.items():
        out.append(f"  {sid}:")
        out.append("    metrics:" + (" {}" if not seg_metrics else ""))
        out.extend(f"      {key}: {shown}" for key, shown in seg_metrics)
        if seg_missing:
            out.append(f"      # not in the exports (or only in part): {', '.join(seg_missing)}")
        if seg_rates:
            out.append("    rates:")
            out.extend(f"      {key}: {{actual: {_fraction(r['actual'], r['n'])}, n: {r['n']}}}"
                       for key, r in seg_rates)
    return out


def _program_lines(programs: list[dict], in_horizon: bool) -> list[str]:
    """``programs:``: each program's leads and cost (none without programs to record)."""
    if not programs:
        return []
    if in_horizon:
        out = ["# Each program running in the quarter: its leads (rows created in the quarter whose",
               "# source is one of its crm_sources) and its cost as planned (the exports carry no",
               "# spend: correct it if the spend differed)."]
    else:
        out = ["# Each program of the plan whose crm_sources brought leads in the quarter, or none while",
               "# another recorded quarter lists it (0). The plan does not cover the quarter, so the",
               "# cost is not known: add cost: if you know it."]
    out.append("programs:")
    for p in programs:
        cost = f", cost: {_num(p['cost'])}" if p.get("cost") is not None else ""
        out.append(f"  - {{id: {p['id']}, leads: {p['leads']}{cost}}}")
    return out


def _segments(plan: Plan, result: dict) -> dict:
    """Each of the plan's segments with figures in the review: (metrics as (key, text), rates as
    (key, rate), keys left out). ``(outside the ICP)`` and ``(unknown segment)`` are never recorded
    (docs/reference/plan-format.md, 'Resolutions (0.3)'), nor a segment whose figures are all null."""
    from gtmplan.commands.review.figures import PSEUDO_SEGMENTS

    listed = {seg.id for seg in (getattr(plan.sales, "segments", None) or [])}
    out = {}
    company_partial = set(result.get("partial") or ())
    for sid, seg in (result.get("segments") or {}).items():
        if sid in PSEUDO_SEGMENTS or sid not in listed:
            continue
        metrics, rates = _figures(seg)
        shown, missing = _shown_metrics(metrics, company_partial | set(seg.get("partial") or ()))
        if shown or rates:
            out[sid] = (shown, [(k, rates[k]) for k in RATE_KEYS if k in rates], missing)
    return out


def _programs(plan: Plan, result: dict, in_horizon: bool, track: Optional[TrackRecord] = None) -> list[dict]:
    """The programs to record. Before the horizon the plan does not say which ran: a program
    is recorded when its crm_sources brought leads, or with 0 when they brought none but the
    track record shows it running (listed in another recorded quarter), so that a quarter
    without a lead counts as a weak one (E702) rather than a missing one."""
    if in_horizon:
        return [{"id": p["id"], "leads": p["leads"], "cost": p.get("cost")}
                for p in sorted(result.get("programs") or [], key=lambda p: p["id"]) if p.get("leads") is not None]
    if (result.get("metrics") or {}).get("leads", {}).get("actual") is None:
        return []  # no leads export: no program's leads are known
    leads_by_source: dict[str, int] = {}
    for s in result.get("sources") or []:
        if s.get("leads"):
            key = str(s["source"]).strip().casefold()
            leads_by_source[key] = leads_by_source.get(key, 0) + s["leads"]
    running = {p.id for rq in (track.quarters if track else []) for p in (rq.actuals.programs or [])}
    out = []
    for p in plan.marketing.programs:
        if not p.crm_sources:
            continue  # its leads cannot be told apart
        wanted = {s.strip().casefold() for s in p.crm_sources}
        leads = sum(n for name, n in leads_by_source.items() if name in wanted)
        if leads or p.id in running:
            out.append({"id": p.id, "leads": leads, "cost": None})
    return sorted(out, key=lambda p: p["id"])


def write_record(loaded: LoadedPlan, result: dict, quarter: Quarter, exports: list[Optional[str]], force: bool,
                 streamed: Optional[dict[str, tuple[str, int]]] = None,
                 opened: Optional[dict[str, tuple[int, int, int, int]]] = None) -> Path:
    """Write ``actuals/QUARTER.yaml`` (atomically); the path written."""
    from gtmplan.output.fsutil import write_atomic

    path = refuse_existing(loaded.target, quarter, force)
    text = build(loaded, result, quarter, [e for e in exports if e], streamed, opened)
    try:  # what is written reads back, or nothing is written
        read_actuals([(str(path), lambda: text)], loaded.plan)
    except InputError as e:  # never a problem "located" in a file that was not written
        raise InputError.single(None, f"{quarter} not recorded: the file gtmplan wrote would not read back "
                                      f"({e.problems[0].message}); please report this") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError.single(str(path.parent), f"cannot create the folder: {e.strerror or e}") from None
    write_atomic(path, text, exists=None if force else f"{quarter} is already recorded; give --force to replace it")
    return path
