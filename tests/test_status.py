"""The one table from (termination condition, has a solution) to the status a planner sees,
and the adapters that translate each solver's words into it."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.common.results import TerminationCondition as TC

from workbench.clinker.optimization.status import (
    Termination,
    from_contrib,
    from_legacy,
    plan_status,
)
from workbench.clinker.results.plan import PlanStatus

T, S = Termination, PlanStatus


@pytest.mark.parametrize(("termination", "has_solution", "status"), [
    (T.CONVERGED, True, S.OPTIMAL),
    (T.TIME_LIMIT, True, S.FEASIBLE),
    (T.ITERATION_LIMIT, True, S.FEASIBLE),
    (T.INTERRUPTED, True, S.FEASIBLE),
    (T.TIME_LIMIT, False, S.TIME_LIMIT_NO_SOLUTION),
    (T.OBJECTIVE_LIMIT, False, S.TIME_LIMIT_NO_SOLUTION),
    (T.INTERRUPTED, False, S.INTERRUPTED),
    (T.INFEASIBLE, False, S.INFEASIBLE),
    (T.INFEASIBLE_OR_UNBOUNDED, False, S.INFEASIBLE),
    (T.UNBOUNDED, False, S.UNBOUNDED),
    (T.ERROR, False, S.SOLVER_ERROR),
    (T.ERROR, True, S.SOLVER_ERROR),  # a failed solver's values are not a plan to trust
    (T.CONVERGED, False, S.SOLVER_ERROR),  # "optimal" with nothing to read back
])
def test_one_table_decides_the_status(termination, has_solution, status) -> None:
    assert plan_status(termination, has_solution) is status


def test_every_termination_and_solution_pair_has_a_status() -> None:
    for termination in Termination:
        for has_solution in (True, False):
            status = plan_status(termination, has_solution)
            assert status.has_plan is (has_solution and termination is not T.ERROR
                                       and termination not in (T.INFEASIBLE, T.UNBOUNDED,
                                                               T.INFEASIBLE_OR_UNBOUNDED))


def test_both_adapters_speak_the_same_words() -> None:
    lc = pyo.TerminationCondition
    pairs = [(TC.convergenceCriteriaSatisfied, lc.optimal, T.CONVERGED),
             (TC.maxTimeLimit, lc.maxTimeLimit, T.TIME_LIMIT),
             (TC.iterationLimit, lc.maxIterations, T.ITERATION_LIMIT),
             (TC.provenInfeasible, lc.infeasible, T.INFEASIBLE),
             (TC.unbounded, lc.unbounded, T.UNBOUNDED),
             (TC.interrupted, lc.userInterrupt, T.INTERRUPTED),
             (TC.error, lc.solverFailure, T.ERROR),
             (TC.licensingProblems, lc.licensingProblems, T.ERROR)]
    for contrib, legacy, neutral in pairs:
        assert from_contrib(contrib) is neutral
        assert from_legacy(legacy) is neutral
    assert from_contrib(TC.unknown) is T.UNKNOWN
    assert from_legacy(lc.unknown) is T.UNKNOWN
