"""How a solve looks on a terminal: live progress, then headline KPIs and explanations."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from workbench.cli.output import err, print_json
from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.results import export
from workbench.clinker.results.plan import PlanResult
from workbench.core.money import format_inr
from workbench.core.tables import write_tables


def _fmt(value: float | None) -> str:
    return "—" if value is None else format_inr(value)


@contextmanager
def solve_progress() -> Iterator[Callable[[SolveProgress], None]]:
    """A live line on a terminal; plain log lines (at most one per 5 s) when not on one."""
    if err.is_terminal:
        with Live(console=err, transient=True, refresh_per_second=4) as live:
            def update(p: SolveProgress) -> None:
                live.update(f"solving… {progress_line(p)}")
            yield update
        return
    last = [-5.0]

    def log(p: SolveProgress) -> None:
        if p.seconds - last[0] >= 5.0:
            last[0] = p.seconds
            print(f"progress {progress_line(p)}", file=sys.stderr, flush=True)
    yield log


def progress_line(p: SolveProgress) -> str:
    """Elapsed time, then the plan found so far; until there is one, only the bound."""
    if p.incumbent is None:
        return f"{p.seconds:6.1f}s  no plan yet, bound {_fmt(p.best_bound)}"
    return (f"{p.seconds:6.1f}s  best plan {_fmt(p.incumbent)}  bound {_fmt(p.best_bound)}  "
            f"gap {p.gap}")


def report_solve(result: PlanResult, source: str, as_json: bool,
                 tables: dict[str, pd.DataFrame] | None, hint: str,
                 extra: dict[str, object] | None = None) -> None:
    """A solve's outcome: JSON for scripts (with the plan's tables when asked), or the
    headline, costs and warnings for people, plus a one-line note on validation warnings."""
    if as_json:
        payload = {**(extra or {}), **result.to_dict()}
        if tables is not None:
            payload["plan"] = export.records(tables)
        print_json(payload)
        return
    print_plan(result, source)
    warnings = result.validation.warnings
    if warnings:
        common = Counter(str(f.check) for f in warnings).most_common(3)
        top = ", ".join(f"{check} ×{n}" for check, n in common)
        err.print(f"{len(warnings)} validation warning{'s' if len(warnings) != 1 else ''} "
                  f"({top}); {hint}")


def write_plan(tables: dict[str, pd.DataFrame], summary: dict[str, object], out: Path) -> None:
    path = write_tables(tables, out, summary)
    sizes = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items())
    err.print(f"wrote the plan to {path} ({sizes} rows)")


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
        modes = Table("mode", "tonnes", "trips", title="Shipped by mode")
        for mode in sorted(k.tonnes_by_mode):
            modes.add_row(mode, f"{k.tonnes_by_mode[mode]:,.0f}",
                          f"{k.trips_by_mode.get(mode, 0):,}")
        out.print(modes)
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
        out.print(f"conflict: {escape(str(line))}")
    for line in result.warnings:
        out.print(f"warning: {escape(str(line))}")
