"""The clinker domain's job kinds: ``clinker.solve`` solves a stored scenario in a worker."""

from __future__ import annotations

import math
from dataclasses import replace

from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.workspace import Workspace
from workbench.jobs.worker import JobContext, JobOutcome

FIRST_PLAN_PERCENT = 10.0


def percent_done(p: SolveProgress, target_gap: float) -> float:
    """From the gap, on a log scale: 10 % at the first plan, 100 % at the requested gap."""
    if p.incumbent is None or p.best_bound is None:
        return 5.0
    gap = abs(p.incumbent - p.best_bound) / max(abs(p.incumbent), 1e-9)
    target = max(target_gap, 1e-6)
    if gap <= target:
        return 100.0
    share = 1 - math.log(gap / target) / math.log(max(1.0, 1 / target) + 1e-9) if gap < 1 \
        else 0.0
    return FIRST_PLAN_PERCENT + (100 - FIRST_PLAN_PERCENT) * max(0.0, min(1.0, share))


def solve(ctx: JobContext) -> JobOutcome:
    """Solve the job's scenario as the user who submitted it, and store the run."""
    payload = ctx.job.payload
    options = replace(SolveOptions(**payload.get("options", {})), cancel=ctx.cancel)
    ws = Workspace(ctx.store, ctx.actor)
    target = options.mip_gap if options.mip_gap is not None else 0.01

    def report(p: SolveProgress) -> None:
        if p.incumbent is None:
            ctx.progress(5.0, f"{p.seconds:.0f}s: searching for a first plan")
        else:
            ctx.progress(percent_done(p, target),
                         f"{p.seconds:.0f}s: best plan ₹{p.incumbent:,.0f}, bound "
                         f"₹{p.best_bound or 0:,.0f}, gap {p.gap}")

    ctx.progress(1.0, "building the model" + (" and a starting plan" if options.warm_start
                                              else ""))
    stored = ws.solve(payload["scenario"], options, progress=report)
    result = {"run_id": stored.run_id, "scenario": stored.scenario, "version": stored.version,
              **stored.result.to_dict()}
    return JobOutcome(stored.run_id, result, cancelled=ctx.cancel.cancelled)
