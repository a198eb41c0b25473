"""R — the quarterly review rhythm: do the two sides meet, and about what?"""

from __future__ import annotations

from collections.abc import Iterator

from gtmplan.plan.quarters import Quarter
from gtmplan.plan.vocabulary import SIDES
from gtmplan.rules.base import Context, Finding, Rule, register


@register
class QuarterWithoutReview(Rule):
    """A horizon quarter with no joint review dated in it.

    Why: a plan that never meets its results drifts. The quarterly review, with
    both sides in the room, is where assumptions are checked against the CRM and
    weak programs are replaced.

    Fires when: no review in `reviews` is dated inside a horizon quarter (fiscal
    quarters, by `fiscal_year_start_month` and `fiscal_year_named_by`).

    How to fix: put the review on the calendar now, usually in the last two weeks
    of the quarter (`gtmplan render --format ics` makes the invitations).

    Example:
        Fires (the horizon is 2027Q1-2027Q4; nothing is dated in 2027Q3):
            reviews:
              - {date: 2027-03-24, attendees: [sales, marketing]}
              - {date: 2027-06-24, attendees: [sales, marketing]}
              - {date: 2027-12-16, attendees: [sales, marketing]}
        Quiet:
            reviews:
              - {date: 2027-03-24, attendees: [sales, marketing]}
              - {date: 2027-06-24, attendees: [sales, marketing]}
              - {date: 2027-09-23, attendees: [sales, marketing]}
              - {date: 2027-12-16, attendees: [sales, marketing]}
    """

    code, name, severity = "R501", "quarter-without-review", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fy = ctx.plan.calendar
        reviewed = {Quarter.of(r.date, fy) for r in ctx.plan.reviews or []}
        for row in ctx.funnel.rows:
            if row.quarter not in reviewed:
                q = row.quarter
                yield self.finding(ctx, ("reviews",),
                                   f"no joint review is dated in {q} ({q.first_day(fy)} to {q.last_day(fy)})",
                                   quarter=q)


@register
class OneSidedReview(Rule):
    """A review meeting without sales or without marketing.

    Why: a review of a shared plan with one side absent becomes a complaint
    session about the other side.

    Fires when: a review's `attendees` lack `sales` or `marketing`.

    How to fix: invite both functions (and say so in `attendees`).

    Example:
        Fires:
            reviews:
              - {date: 2027-06-24, attendees: [sales, finance]}
        Quiet:
            reviews:
              - {date: 2027-06-24, attendees: [sales, marketing, finance]}
    """

    code, name, severity = "R502", "one-sided-review", "error"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fy = ctx.plan.calendar
        for i, r in enumerate(ctx.plan.reviews or []):
            missing = [s for s in SIDES if s not in r.attendees]
            if missing:
                yield self.finding(ctx, ("reviews", i, "attendees"),
                                   f"the review on {r.date} has no {' and no '.join(missing)} among its attendees",
                                   quarter=Quarter.of(r.date, fy))


@register
class NextReviewNotScheduled(Rule):
    """No review is scheduled after the horizon ends.

    Why: the review after the last quarter is the one that closes this plan and
    starts the next. If it is not on the calendar, the next plan starts from
    scratch.

    Fires when: no review is dated after the last day of `horizon.end`.

    How to fix: add the first review of the next period.

    Example:
        Fires (the horizon ends on 2027-12-31 and so do the reviews):
            reviews:
              - {date: 2027-12-16, attendees: [sales, marketing]}
        Quiet:
            reviews:
              - {date: 2027-12-16, attendees: [sales, marketing]}
              - {date: 2028-01-20, attendees: [sales, marketing], agenda: [next-quarter]}
    """

    code, name, severity = "R503", "next-review-not-scheduled", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        end = ctx.plan.horizon.end.last_day(ctx.plan.calendar)
        if not any(r.date > end for r in ctx.plan.reviews or []):
            yield self.finding(ctx, ("reviews",),
                               f"no review is scheduled after the horizon ends on {end}: "
                               "the next one is not on the calendar")


@register
class ReviewWithoutFeedback(Rule):
    """A review whose agenda has neither win-loss nor lead quality.

    Why: the review is where sales tells marketing which leads were good and why
    deals were lost. Without that, marketing optimises for volume.

    Fires when: a review's `agenda` contains neither `win-loss` nor `lead-quality`.

    How to fix: add one (or both) to the agenda.

    Example:
        Fires:
            reviews:
              - {date: 2027-06-24, attendees: [sales, marketing], agenda: [next-quarter]}
        Quiet:
            reviews:
              - {date: 2027-06-24, attendees: [sales, marketing], agenda: [win-loss, lead-quality, next-quarter]}
    """

    code, name, severity = "R504", "review-without-feedback", "info"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fy = ctx.plan.calendar
        for i, r in enumerate(ctx.plan.reviews or []):
            agenda = r.agenda or []
            if "win-loss" not in agenda and "lead-quality" not in agenda:
                yield self.finding(ctx, ("reviews", i, "agenda") if r.agenda else ("reviews", i),
                                   f"the review on {r.date} has neither win-loss nor lead-quality on its agenda",
                                   quarter=Quarter.of(r.date, fy))
