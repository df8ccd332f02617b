"""Typed results of a planning solve (cf. linopy): a status enum and result dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import pandas as pd

from workbench.core.findings import ValidationReport

if TYPE_CHECKING:
    from workbench.clinker.results.diagnostics import Diagnostic
from workbench.core.money import format_inr


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    INTERRUPTED = "interrupted"  # stopped (cancelled) before any plan was found
    SOLVER_ERROR = "solver_error"
    INVALID_INPUT = "invalid_input"

    @property
    def has_plan(self) -> bool:
        return self in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


@dataclass(frozen=True)
class CostBreakdown:
    """The six objective components of spec section 2, in raw rupees."""

    production: float = 0.0
    transport: float = 0.0
    trips: float = 0.0
    holding: float = 0.0
    unmet_penalty: float = 0.0
    safety_penalty: float = 0.0

    @property
    def total(self) -> float:
        return sum(vars(self).values())

    def to_dict(self) -> dict[str, float]:
        return dict(vars(self))


@dataclass(frozen=True)
class PlanKPIs:
    total_cost_inr: float
    demand_t: float
    delivered_t: float
    unmet_t: float
    cost_per_t_delivered_inr: float | None
    service_level: float | None
    trips_by_mode: dict[str, int]
    tonnes_by_mode: dict[str, float]
    capacity_utilisation: float | None
    storage_utilisation: float | None

    def to_dict(self) -> dict[str, object]:
        return dict(vars(self))


@dataclass
class PlanResult:
    """Everything a solve produced. Frames are empty when no plan was found."""

    status: PlanStatus
    solver: str = ""
    termination_condition: str | None = None  # see optimization.status.Termination
    objective_inr: float | None = None
    best_bound_inr: float | None = None
    mip_gap: float | None = None
    components: CostBreakdown = field(default_factory=CostBreakdown)
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    start_objective_inr: float | None = None  # the warm start's plan, when one was used
    requested_gap: float | None = None
    # Duals and infeasibility explanations always come from an LP solved by HiGHS (the one
    # solver here that returns duals through Pyomo's interface), whatever solved the MIP.
    diagnostics_solver: str = "highs"
    production: pd.DataFrame = field(default_factory=pd.DataFrame)
    shipments: pd.DataFrame = field(default_factory=pd.DataFrame)
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmet: pd.DataFrame = field(default_factory=pd.DataFrame)
    safety_shortfall: pd.DataFrame = field(default_factory=pd.DataFrame)
    shadow_prices: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpis: PlanKPIs | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    infeasibility: list[Diagnostic] = field(default_factory=list)
    validation: ValidationReport = field(default_factory=ValidationReport)

    @property
    def unmet_demand_t(self) -> float:
        return float(self.unmet["unmet_t"].sum()) if not self.unmet.empty else 0.0

    def to_dict(self) -> dict[str, object]:
        """The JSON form of spec section 4 (raw rupees) plus KPIs and explanations."""
        return {
            "status": str(self.status),
            "termination_condition": self.termination_condition,
            "objective_inr": self.objective_inr,
            "best_bound_inr": self.best_bound_inr,
            "mip_gap": self.mip_gap,
            "requested_gap": self.requested_gap,
            "components": self.components.to_dict(),
            "unmet_demand_t": self.unmet_demand_t,
            "solve_seconds": round(self.solve_seconds, 3),
            "build_seconds": round(self.build_seconds, 3),
            "start_objective_inr": self.start_objective_inr,
            "solver": self.solver,
            "diagnostics_solver": self.diagnostics_solver,
            "kpis": self.kpis.to_dict() if self.kpis else None,
            "warnings": [w.to_dict() for w in self.warnings],
            "infeasibility": [d.to_dict() for d in self.infeasibility],
            "validation": self.validation.to_dict(),
        }

    @property
    def not_proven(self) -> bool:
        """A plan whose gap is above the one asked for (stopped by a limit or a cancel)."""
        return (self.status is PlanStatus.FEASIBLE and self.mip_gap is not None
                and self.requested_gap is not None and self.mip_gap > self.requested_gap + 1e-9)

    def headline(self) -> str:
        if not self.status.has_plan or self.kpis is None:
            return f"status {self.status}"
        k = self.kpis
        status = str(self.status)
        if self.not_proven:
            # %g keeps a requested 0.5 % from reading as "0%"
            status += (f" (not proven within {100 * self.requested_gap:g}%: gap "  # type: ignore[operator]
                       f"{self.mip_gap:.1%})")
        return (f"status {status}, total cost {format_inr(k.total_cost_inr)}, "
                f"service level {k.service_level:.1%}, unmet {k.unmet_t:,.0f} t, "
                f"cost per tonne delivered {format_inr(k.cost_per_t_delivered_inr or 0)}")
