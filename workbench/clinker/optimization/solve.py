"""Solve a clinker network: validate, build, hand to HiGHS (or another Pyomo solver), explain."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.optimization import duals as explain
from workbench.clinker.optimization import solvers
from workbench.clinker.optimization.highs_model import HighsModel, TriviallyInfeasible
from workbench.clinker.optimization.model import build_model
from workbench.clinker.optimization.model_data import ModelData, prepare
from workbench.clinker.optimization.options import ProgressCallback, SolveOptions
from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.optimization.status import (
    Termination,
    from_legacy,
    plan_status,
)
from workbench.clinker.optimization.warmstart import lp_and_repair
from workbench.clinker.results.diagnostics import (
    Diagnosis,
    Diagnostic,
    explain_unmet,
    reality_checks,
    unmet_diagnostics,
)
from workbench.clinker.results.extract import cost_breakdown, plan_frames
from workbench.clinker.results.kpis import plan_kpis
from workbench.clinker.results.plan import PlanResult, PlanStatus
from workbench.clinker.validation import validate


@dataclass
class _Outcome:
    termination: Termination
    has_solution: bool
    objective: float | None
    bound: float | None
    start_objective: float | None = None

    @property
    def status(self) -> PlanStatus:
        return plan_status(self.termination, self.has_solution)


def solve_network(network: ClinkerNetwork, options: SolveOptions | None = None,
                  progress: ProgressCallback | None = None) -> PlanResult:
    """Validate and solve; never raises for bad data (status ``invalid_input`` instead)."""
    options = options or SolveOptions()
    solvers.require(options.solver)
    report = validate(network)
    if not report.ok:
        return PlanResult(status=PlanStatus.INVALID_INPUT, validation=report)
    settings = network.settings
    gap = settings.mip_gap if options.mip_gap is None else options.mip_gap
    limit = settings.time_limit_s if options.time_limit_s is None else options.time_limit_s

    started = time.perf_counter()
    data = prepare(network)
    model = build_model(data, settings)
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    outcome = _run_solver(model, data, options, gap, limit, progress)
    solve_seconds = time.perf_counter() - started
    result = PlanResult(status=outcome.status, solver=_solver_label(options.solver),
                        termination_condition=str(outcome.termination),
                        objective_inr=outcome.objective, best_bound_inr=outcome.bound,
                        build_seconds=build_seconds, solve_seconds=solve_seconds,
                        start_objective_inr=outcome.start_objective, validation=report,
                        requested_gap=gap)
    if outcome.status.has_plan:
        _fill_plan(result, model, data, network)
        # a cancelled solve is stored at once: an LP for the duals of a plan the planner
        # stopped would add about half a second (national network) to the cancel
        if options.shadow_prices and not (options.cancel and options.cancel.cancelled):
            result.shadow_prices = _shadow_prices(model, data)
    elif outcome.status is PlanStatus.INFEASIBLE and options.explain_infeasibility:
        result.infeasibility = explain_infeasible(network, options, limit)
    return result


def _solver_label(name: str) -> str:
    if name == "highs":
        import highspy

        return f"highs {highspy.Highs().version()}"
    return name


def _run_solver(model: pyo.ConcreteModel, data: ModelData, options: SolveOptions, gap: float,
                limit: float, progress: ProgressCallback | None) -> _Outcome:
    if options.solver != "highs":
        return _run_legacy(model, options.solver, gap, limit)
    return _run_highs(model, data, options, gap, limit, progress)


def _run_highs(model: pyo.ConcreteModel, data: ModelData, options: SolveOptions, gap: float,
               limit: float, progress: ProgressCallback | None) -> _Outcome:
    """LP relaxation, LP-and-repair, and branch and bound only when the repair is not proven.

    The repaired plan is a proven answer when it lies within ``gap`` of the LP bound; then no
    branching is needed. Otherwise HiGHS starts from it (``setSolution``).
    """
    began = time.perf_counter()
    try:
        hm = HighsModel(model, threads=options.threads)
    except TriviallyInfeasible:
        return _Outcome(Termination.INFEASIBLE, False, None, None)
    lp = hm.solve_lp(limit)
    if lp.termination in (Termination.INFEASIBLE, Termination.INFEASIBLE_OR_UNBOUNDED,
                          Termination.UNBOUNDED):
        return _Outcome(lp.termination, False, None, None)  # no plan if the LP has none
    start = None
    cancel = options.cancel
    if options.warm_start and lp.ok:
        start = lp_and_repair(hm, model, data, lp, _left(began, limit),
                              stop=(lambda: cancel.cancelled) if cancel is not None else None)
    if start is not None and progress:
        progress(SolveProgress(lp.bound, start.objective_inr,
                               f"{100 * _gap(start.objective_inr, lp.bound):.2f}%",
                               time.perf_counter() - began))
    if start is not None and start.proves(gap):
        hm.load(start.x)
        return _Outcome(Termination.CONVERGED, True, start.objective_inr, lp.bound,
                        start.objective_inr)
    if cancel is not None and cancel.cancelled and start is not None:
        hm.load(start.x)  # cancelled before branching: the repaired plan is the best so far
        return _Outcome(Termination.INTERRUPTED, True, start.objective_inr, lp.bound,
                        start.objective_inr)
    mip = hm.solve_mip(gap, _left(began, limit), start.x if start else None, progress,
                       interrupt=(lambda: cancel.cancelled) if cancel is not None else None)
    has_plan = mip.x is not None
    if has_plan:
        hm.load(mip.x)
    bound = max((b for b in (mip.bound, lp.bound) if b is not None), default=None)
    return _Outcome(mip.termination, has_plan, mip.objective, bound,
                    start.objective_inr if start else None)


def _left(began: float, limit: float) -> float:
    return max(0.01, limit - (time.perf_counter() - began))


def _gap(objective: float, bound: float | None) -> float:
    if bound is None or not objective:
        return float("inf")
    return max(0.0, (objective - bound) / abs(objective))


def _run_legacy(model: pyo.ConcreteModel, name: str, gap: float, limit: float) -> _Outcome:
    """Any other Pyomo solver by name (CBC is the one we compare against)."""
    opt = pyo.SolverFactory(name)
    if name == "cbc":
        opt.options.update({"ratioGap": gap, "seconds": limit})
    res = opt.solve(model, load_solutions=False)
    tc = res.solver.termination_condition
    has_solution = len(res.solution) > 0
    if has_solution:
        model.solutions.load_from(res)
    objective = pyo.value(model.total_cost) if has_solution else None
    bound = res.problem.lower_bound if has_solution else None
    return _Outcome(from_legacy(tc), has_solution, objective,
                    bound if isinstance(bound, float) else None)


def _fill_plan(result: PlanResult, model: pyo.ConcreteModel, data: ModelData,
               network: ClinkerNetwork) -> None:
    frames = plan_frames(model, data, network.settings)
    components = cost_breakdown(model)
    objective = result.objective_inr if result.objective_inr is not None else components.total
    if result.best_bound_inr is not None and objective:
        result.mip_gap = max(0.0, (objective - result.best_bound_inr) / abs(objective))
    frames["unmet"] = explain_unmet(frames, data)
    result.production, result.shipments = frames["production"], frames["shipments"]
    result.stock, result.unmet = frames["stock"], frames["unmet"]
    result.safety_shortfall = frames["safety_shortfall"]
    result.components = components
    result.kpis = plan_kpis(frames, objective)
    result.warnings = reality_checks(frames, objective, components, network.settings)
    result.warnings += unmet_diagnostics(result.unmet, result.kpis.service_level,
                                         result.kpis.unmet_t)
    if result.not_proven:
        result.warnings.insert(0, Diagnostic(
            Diagnosis.GAP_ABOVE_REQUESTED,
            f"the solve stopped ({result.termination_condition}) with a gap of "
            f"{result.mip_gap:.2%}, above the requested {result.requested_gap:.2%}: this plan "
            "is not proven near the best one; allow more time (--time-limit) for a better plan"))


def _shadow_prices(model: pyo.ConcreteModel, data: ModelData) -> pd.DataFrame:
    explain.fix_integers_as_lp(model)
    res = Highs().solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    if res.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        return explain.shadow_prices(model, {}, data)
    return explain.shadow_prices(model, res.solution_loader.get_duals(), data)


def explain_infeasible(network: ClinkerNetwork, options: SolveOptions,
                       limit: float) -> list[Diagnostic]:
    """Re-solve with elastic limits and name the ones that had to give way."""
    data = prepare(network)
    model = build_model(data, network.settings)
    slacks = explain.make_elastic(model)
    res = Highs().solve(model, time_limit=limit, load_solutions=False,
                        raise_exception_on_nonoptimal_result=False)
    if res.incumbent_objective is None:
        return [Diagnostic(Diagnosis.NO_RELAXED_PLAN,
                           "the plan is infeasible even with every safety-stock, storage, "
                           "capacity and flow-bound limit relaxed; check trip limits and "
                           "full-load rules")]
    res.solution_loader.load_vars()
    return explain.describe_violations(model, slacks, data)
