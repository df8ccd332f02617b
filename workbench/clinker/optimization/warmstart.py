"""A primal heuristic: round the LP's rail rakes down, solve the rest, start HiGHS from it.

Full-load lanes (rail rakes of 3,000 t) are what make the MILP hard: the LP spreads fractional
rakes everywhere and HiGHS's root cut loop can spend seconds before a sub-MIP finds a good plan.
Rounding the LP's rakes *down* keeps every origin within its clinker (less leaves it), so the
remaining MIP (road trips and SBQ switches) is almost always feasible and solves quickly; its
plan is then handed to HiGHS as the first incumbent. Nothing is relaxed: the final solve is the
full model and its gap is measured against HiGHS's own bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from workbench.clinker.optimization.model_data import ModelData

_OK = TerminationCondition.convergenceCriteriaSatisfied


@dataclass(frozen=True)
class WarmStart:
    """A feasible plan for the full model, as values for every variable."""

    objective_inr: float
    lp_bound_inr: float
    values: dict[int, float]  # id(VarData) -> value, the key Pyomo's solver maps use
    seconds: float = 0.0


def full_load_keys(data: ModelData) -> set[tuple[str, int]]:
    lanes = data.lanes[data.lanes["full_loads_only"]]
    return set(zip(lanes["route_id"], lanes["period"], strict=True))


def rounded_rail_start(model: pyo.ConcreteModel, data: ModelData, gap: float,
                       time_limit_s: float) -> WarmStart | None:
    """Solve the LP, fix full-load trips at floor(LP), solve the rest; None if that fails."""
    rail = full_load_keys(data)
    if not rail:
        return None
    relaxed = model.clone()
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(relaxed)
    lp = Highs().solve(relaxed, time_limit=time_limit_s, load_solutions=False,
                       raise_exception_on_nonoptimal_result=False)
    if lp.termination_condition != _OK:
        return None
    lp.solution_loader.load_vars()
    fixed = [model.trips[k] for k in rail]
    for var in fixed:
        # 1e-6 absorbs LP round-off such as 2.9999999 rakes
        var.fix(math.floor((relaxed.trips[var.index()].value or 0) + 1e-6))
    try:
        sub = Highs().solve(model, rel_gap=gap, time_limit=time_limit_s, load_solutions=False,
                            raise_exception_on_nonoptimal_result=False)
        if sub.incumbent_objective is None:
            return None
        sub.solution_loader.load_vars()
        values = {id(v): v.value or 0.0 for v in model.component_data_objects(pyo.Var)}
    finally:
        for var in fixed:
            var.unfix()
    return WarmStart(objective_inr=sub.incumbent_objective,
                     lp_bound_inr=lp.incumbent_objective or float("-inf"), values=values)


def give_to_highs(solver: Highs, start: WarmStart) -> bool:
    """Pass the plan to HiGHS as its starting incumbent; call after ``set_instance``.

    Pyomo's HiGHS interface has no warm-start option, so this reaches the highspy model it
    keeps. If a Pyomo release renames those attributes we fall back to a cold start.
    """
    import highspy

    highs = getattr(solver, "_solver_model", None)
    columns = getattr(solver, "_pyomo_var_to_solver_var_map", None)
    if highs is None or columns is None:
        return False
    col_value = [0.0] * highs.getNumCol()
    for var_id, column in columns.items():
        col_value[column] = start.values.get(var_id, 0.0)
    solution = highspy.HighsSolution()
    solution.col_value = col_value
    solution.value_valid = True
    return highs.setSolution(solution) == highspy.HighsStatus.kOk
