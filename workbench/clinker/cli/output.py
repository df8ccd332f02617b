"""How a solve looks on a terminal: live progress, then headline KPIs and explanations."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.results.plan import PlanResult
from workbench.core.money import format_inr

err = Console(stderr=True, highlight=False)


def _fmt(value: float | None) -> str:
    return "—" if value is None else format_inr(value)


@contextmanager
def solve_progress() -> Iterator[Callable[[SolveProgress], None]]:
    """A live line on a terminal; plain log lines (at most one per 5 s) when not on one."""
    if err.is_terminal:
        with Live(console=err, transient=True, refresh_per_second=4) as live:
            def update(p: SolveProgress) -> None:
                live.update(f"solving… {p.seconds:6.1f}s  incumbent {_fmt(p.incumbent)}  "
                            f"bound {_fmt(p.best_bound)}  gap {p.gap}")
            yield update
        return
    last = [-5.0]

    def log(p: SolveProgress) -> None:
        if p.seconds - last[0] >= 5.0:
            last[0] = p.seconds
            print(f"progress t={p.seconds:.1f}s incumbent={p.incumbent} bound={p.best_bound} "
                  f"gap={p.gap}", file=sys.stderr, flush=True)
    yield log


def print_plan(result: PlanResult, source: str) -> None:
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"{escape(source)}: {escape(result.headline())}")
    if result.validation.errors:
        for finding in result.validation.errors:
            out.print(f"error   {escape(finding.location())}: {escape(finding.message)}")
    if result.kpis:
        table = Table(title="Cost components", show_header=True)
        table.add_column("component")
        table.add_column("cost", justify="right")
        for name, value in result.components.to_dict().items():
            table.add_row(name, format_inr(value))
        table.add_row("total", format_inr(result.components.total))
        out.print(table)
        k = result.kpis
        out.print(f"tonnes by mode: {k.tonnes_by_mode}; trips by mode: {k.trips_by_mode}")
        if k.capacity_utilisation is not None:
            out.print(f"kiln capacity used: {k.capacity_utilisation:.1%}")
        out.print(f"gap {result.mip_gap or 0:.3%}; build {result.build_seconds:.2f}s, "
                  f"solve {result.solve_seconds:.2f}s ({result.solver})")
    if not result.shadow_prices.empty and not result.solver.startswith("highs"):
        out.print(f"shadow prices: from the LP with trips fixed, solved by "
                  f"{result.diagnostics_solver} (not {escape(result.solver)})")
    if result.infeasibility and not result.solver.startswith("highs"):
        out.print(f"the conflicts below were found by {result.diagnostics_solver}, "
                  "on an elastic version of the model")
    for line in result.infeasibility:
        out.print(f"conflict: {escape(line)}")
    for line in result.warnings:
        out.print(f"warning: {escape(line)}")
