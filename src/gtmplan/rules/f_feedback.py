"""F — feedback loops: does sales feed marketing what it learns?"""

from __future__ import annotations

from collections.abc import Iterator

from gtmplan.plan.vocabulary import STAGES
from gtmplan.rules.base import Context, Finding, Rule, register


@register
class NoLeadSourceQuestion(Rule):
    """Sales does not ask new leads how they heard of you.

    Why: CRM source fields are filled by forms and cookies and miss the
    conversation. The question, asked every time, is the cheapest attribution
    there is.

    Fires when: `feedback.lead_source_question` is absent.

    How to fix: agree one question and log its answer in the CRM.

    Example:
        Fires:
            feedback:
              lead_source_question: null
        Quiet:
            feedback:
              lead_source_question: "How did you hear about us?"
    """

    code, name, severity = "F601", "no-lead-source-question", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fb = ctx.plan.feedback
        if fb is None or fb.lead_source_question is None:
            yield self.finding(ctx, ("feedback", "lead_source_question"),
                               "no lead-source question: set feedback.lead_source_question "
                               "(e.g. \"How did you hear about us?\")")


@register
class NoWinLossLoop(Rule):
    """No win-loss reporting from sales to marketing.

    Why: why deals are lost (price, a competitor, the wrong buyer) is what
    marketing most needs and least sees.

    Fires when: `feedback.win_loss` is absent.

    How to fix: agree a cadence and an owner for a shared win-loss record.

    Example:
        Fires:
            feedback:
              win_loss: null
        Quiet:
            feedback:
              win_loss: {cadence: monthly, owner: sales}
    """

    code, name, severity = "F602", "no-win-loss-loop", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fb = ctx.plan.feedback
        if fb is None or fb.win_loss is None:
            yield self.finding(ctx, ("feedback", "win_loss"),
                               "no win-loss loop: set feedback.win_loss (cadence and owner)")


@register
class ContentUnusedBySales(Rule):
    """Most content assets are not used by sales.

    Why: content sales does not use is content written for nobody, or sales does
    not know it exists. Either way the money is better spent on what sales asks
    for.

    Fires when: more than half of `marketing.content` has `used_by_sales: false`.

    How to fix: ask sales (the content-feedback panel) what they need and retire
    what they don't use.

    Example:
        Fires (2 of 3 assets unused):
            marketing:
              content:
                - {id: guide, stage: awareness, used_by_sales: false}
                - {id: comparison, stage: consideration, used_by_sales: false}
                - {id: roi-calculator, stage: decision, used_by_sales: true}
        Quiet (1 of 3):
            marketing:
              content:
                - {id: guide, stage: awareness, used_by_sales: false}
                - {id: comparison, stage: consideration, used_by_sales: true}
                - {id: roi-calculator, stage: decision, used_by_sales: true}
    """

    code, name, severity = "F603", "content-unused-by-sales", "warning"

    def check(self, ctx: Context) -> Iterator[Finding]:
        content = ctx.plan.marketing.content or []
        unused = [c for c in content if c.used_by_sales is False]
        if content and len(unused) * 2 > len(content):
            names = ", ".join(c.id for c in unused[:5]) + (" ..." if len(unused) > 5 else "")
            yield self.finding(ctx, ("marketing", "content"),
                               f"{len(unused)} of {len(content)} content assets are not used by sales ({names})")


@register
class StageWithoutContent(Rule):
    """A buying stage with no content at all.

    Why: buyers move from awareness to consideration to decision; a stage with
    nothing to read is where they stall (often decision: no ROI case, no
    references).

    Fires when: content is listed and a stage (awareness, consideration,
    decision) has no asset.

    How to fix: add at least one asset for that stage.

    Example:
        Fires (nothing for the decision stage):
            marketing:
              content:
                - {id: guide, stage: awareness}
                - {id: comparison, stage: consideration}
        Quiet:
            marketing:
              content:
                - {id: guide, stage: awareness}
                - {id: comparison, stage: consideration}
                - {id: customer-references, stage: decision, used_by_sales: true}
    """

    code, name, severity = "F604", "stage-without-content", "info"

    def check(self, ctx: Context) -> Iterator[Finding]:
        content = ctx.plan.marketing.content or []
        if not content:
            return
        have = {c.stage for c in content}
        for stage in STAGES:
            if stage not in have:
                yield self.finding(ctx, ("marketing", "content"), f"no content asset serves the {stage} stage")


@register
class NoCompetitiveIntel(Rule):
    """Nobody owns competitive intelligence.

    Why: sales hears about competitors in every deal; marketing writes the
    positioning. Without an owner and readers, what sales hears never reaches the
    battle cards.

    Fires when: `feedback.competitive_intel` is absent.

    How to fix: name an owner and who reads it.

    Example:
        Fires:
            feedback:
              competitive_intel: null
        Quiet:
            feedback:
              competitive_intel: {owner: marketing, shared_with: [sales]}
    """

    code, name, severity = "F605", "no-competitive-intel", "info"

    def check(self, ctx: Context) -> Iterator[Finding]:
        fb = ctx.plan.feedback
        if fb is None or fb.competitive_intel is None:
            yield self.finding(ctx, ("feedback", "competitive_intel"),
                               "nobody owns competitive intelligence: set feedback.competitive_intel")
