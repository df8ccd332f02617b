"""One table from (termination condition, has a solution) to plan status, for every solver.

Each solver adapter only translates its solver's own termination condition into
:class:`Termination`; :func:`plan_status` then decides the status the same way for all of them
(cf. linopy's ``Status``/``TerminationCondition`` pair).
"""

from __future__ import annotations

from enum import StrEnum

from workbench.clinker.results.plan import PlanStatus


class Termination(StrEnum):
    """Why the solver stopped, in solver-neutral words (kept on the result and the run)."""

    CONVERGED = "converged"  # proven optimal within the requested gap
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    OBJECTIVE_LIMIT = "objective_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    INTERRUPTED = "interrupted"  # a user or a callback stopped it
    ERROR = "error"  # the solver failed: licence, crash, numerical trouble
    UNKNOWN = "unknown"


_LIMITS = {Termination.TIME_LIMIT, Termination.ITERATION_LIMIT, Termination.OBJECTIVE_LIMIT,
           Termination.UNKNOWN}


def plan_status(termination: Termination, has_solution: bool) -> PlanStatus:
    """The status a planner sees, decided the same way for every solver."""
    if termination is Termination.CONVERGED and has_solution:
        return PlanStatus.OPTIMAL
    if termination in (Termination.INFEASIBLE, Termination.INFEASIBLE_OR_UNBOUNDED):
        return PlanStatus.INFEASIBLE
    if termination is Termination.UNBOUNDED:
        return PlanStatus.UNBOUNDED
    if termination is Termination.ERROR:
        return PlanStatus.SOLVER_ERROR
    if has_solution:
        return PlanStatus.FEASIBLE  # stopped early (limit or interrupt) with a plan in hand
    if termination is Termination.INTERRUPTED:
        return PlanStatus.INTERRUPTED
    if termination in _LIMITS:
        return PlanStatus.TIME_LIMIT_NO_SOLUTION
    return PlanStatus.SOLVER_ERROR


def from_contrib(condition: object) -> Termination:
    """``pyomo.contrib.solver`` (HiGHS) termination conditions."""
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    return {
        TC.convergenceCriteriaSatisfied: Termination.CONVERGED,
        TC.maxTimeLimit: Termination.TIME_LIMIT,
        TC.iterationLimit: Termination.ITERATION_LIMIT,
        TC.objectiveLimit: Termination.OBJECTIVE_LIMIT,
        TC.minStepLength: Termination.ERROR,
        TC.provenInfeasible: Termination.INFEASIBLE,
        TC.locallyInfeasible: Termination.INFEASIBLE,
        TC.infeasibleOrUnbounded: Termination.INFEASIBLE_OR_UNBOUNDED,
        TC.unbounded: Termination.UNBOUNDED,
        TC.interrupted: Termination.INTERRUPTED,
        TC.licensingProblems: Termination.ERROR,
        TC.error: Termination.ERROR,
        TC.emptyModel: Termination.CONVERGED,
    }.get(condition, Termination.UNKNOWN)  # type: ignore[call-overload]


def from_legacy(condition: object) -> Termination:
    """Classic ``pyo.SolverFactory`` termination conditions (CBC, GLPK...)."""
    import pyomo.environ as pyo

    tc = pyo.TerminationCondition
    return {
        tc.optimal: Termination.CONVERGED,
        tc.globallyOptimal: Termination.CONVERGED,
        tc.locallyOptimal: Termination.CONVERGED,
        tc.maxTimeLimit: Termination.TIME_LIMIT,
        tc.maxIterations: Termination.ITERATION_LIMIT,
        tc.maxEvaluations: Termination.ITERATION_LIMIT,
        tc.minFunctionValue: Termination.OBJECTIVE_LIMIT,
        tc.infeasible: Termination.INFEASIBLE,
        tc.infeasibleOrUnbounded: Termination.INFEASIBLE_OR_UNBOUNDED,
        tc.unbounded: Termination.UNBOUNDED,
        tc.userInterrupt: Termination.INTERRUPTED,
        tc.error: Termination.ERROR,
        tc.solverFailure: Termination.ERROR,
        tc.internalSolverError: Termination.ERROR,
        tc.licensingProblems: Termination.ERROR,
    }.get(condition, Termination.UNKNOWN)  # type: ignore[call-overload]
