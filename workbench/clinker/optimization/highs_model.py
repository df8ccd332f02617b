"""A small HiGHS adapter that owns a highspy model built from Pyomo's standard form.

Pyomo stays the modelling layer: the model is compiled with Pyomo's public
``LinearStandardFormCompiler`` and each highspy column keeps the Pyomo variable it came from.
Owning the highspy model lets the primal heuristics re-solve LPs with columns fixed (bound
changes, hot-started from the previous basis), hand a plan to HiGHS with ``setSolution``, and
report progress and honour interrupts through HiGHS's own callbacks rather than its log text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse  # noqa: F401  Pyomo's standard form needs it; load it with this module
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.optimization.status import Termination

INF = highspy.kHighsInf
_MODEL_STATUS = {
    highspy.HighsModelStatus.kOptimal: Termination.CONVERGED,
    highspy.HighsModelStatus.kInfeasible: Termination.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Termination.INFEASIBLE_OR_UNBOUNDED,
    highspy.HighsModelStatus.kUnbounded: Termination.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Termination.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Termination.ITERATION_LIMIT,
    highspy.HighsModelStatus.kObjectiveBound: Termination.OBJECTIVE_LIMIT,
    highspy.HighsModelStatus.kObjectiveTarget: Termination.OBJECTIVE_LIMIT,
    highspy.HighsModelStatus.kInterrupt: Termination.INTERRUPTED,
    highspy.HighsModelStatus.kSolveError: Termination.ERROR,
    highspy.HighsModelStatus.kModelEmpty: Termination.CONVERGED,
}

# The checks HiGHS offers to stop a run: the MIP's between nodes and heuristics, and the LP
# solvers' (which fire when the model has no integer columns; HiGHS 1.15 gives no callback
# inside the MIP's own LP solves or sub-MIPs, so a cancel waits for the next MIP check).
_INTERRUPTS = [highspy.cb.HighsCallbackType.kCallbackMipInterrupt,
               highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
               highspy.cb.HighsCallbackType.kCallbackIpmInterrupt]


class TriviallyInfeasible(Exception):
    """The model holds a constraint without variables that can never hold (e.g. a ``ge`` flow
    bound that matches no route)."""


@dataclass(frozen=True)
class HighsSolve:
    """What one HiGHS run gave: why it stopped, its plan (column values) and its bound."""

    termination: Termination
    objective: float | None
    bound: float | None
    x: np.ndarray | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.termination is Termination.CONVERGED and self.x is not None


class HighsModel:
    """The Pyomo model's columns and rows in one highspy ``Highs`` object."""

    def __init__(self, model: pyo.ConcreteModel, threads: int | None = None) -> None:
        try:
            form = LinearStandardFormCompiler().write(model, mixed_form=True)
        except InfeasibleConstraintException as exc:
            raise TriviallyInfeasible(str(exc)) from exc
        self.columns: list[pyo.Var] = list(form.columns)
        self._position = {id(v): j for j, v in enumerate(self.columns)}
        self.model = model
        self.offset = float(form.c_offset[0]) if len(form.c_offset) else 0.0
        n = len(self.columns)
        lower = np.array([-INF if v.lb is None else v.lb for v in self.columns], dtype=float)
        upper = np.array([INF if v.ub is None else v.ub for v in self.columns], dtype=float)
        self.integer = np.array([v.is_integer() for v in self.columns], dtype=bool)
        self.lower, self.upper = lower, upper
        rhs = np.asarray(form.rhs, dtype=float)
        kind = np.array([r.bound_type for r in form.rows], dtype=int)
        row_lower = np.where(kind <= 0, rhs, -INF)
        row_upper = np.where(kind >= 0, rhs, INF)
        a = form.A.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(rhs)
        lp.col_cost_ = np.asarray(form.c.toarray()[0] if n else [], dtype=float)
        lp.col_lower_, lp.col_upper_ = lower, upper
        lp.offset_ = self.offset
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in self.integer]
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        if threads:
            self.highs.setOptionValue("threads", int(threads))
        self.highs.passModel(lp)
        self._cost = lp.col_cost_

    # --- columns -------------------------------------------------------------------------
    def column(self, var: pyo.Var) -> int | None:
        """The highspy column of a Pyomo variable (None when the model never uses it)."""
        return self._position.get(id(var))

    def columns_of(self, variables: Sequence[pyo.Var]) -> np.ndarray:
        found = [self.column(v) for v in variables]
        return np.array([j for j in found if j is not None], dtype=np.int32)

    def objective_of(self, x: np.ndarray) -> float:
        return float(self._cost @ x) + self.offset

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        if len(columns):
            self.highs.changeColsBounds(len(columns), columns, values, values)

    def release(self, columns: np.ndarray | None = None) -> None:
        """Back to the model's own bounds (all columns when none are given)."""
        cols = np.arange(len(self.columns), dtype=np.int32) if columns is None else columns
        if len(cols):
            self.highs.changeColsBounds(len(cols), cols, self.lower[cols], self.upper[cols])

    # --- solving -------------------------------------------------------------------------
    def solve_lp(self, time_limit_s: float = INF) -> HighsSolve:
        """The LP relaxation under the current column bounds (integrality dropped)."""
        self.highs.setOptionValue("solve_relaxation", True)
        self.highs.setOptionValue("time_limit", float(time_limit_s))
        try:
            return self._run(relaxed=True)
        finally:
            self.highs.setOptionValue("solve_relaxation", False)

    def solve_mip(self, gap: float, time_limit_s: float, start: np.ndarray | None = None,
                  progress: Callable[[SolveProgress], None] | None = None,
                  interrupt: Callable[[], bool] | None = None) -> HighsSolve:
        """Branch and bound from ``start`` (a feasible plan), reporting through callbacks."""
        h = self.highs
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            h.setSolution(solution)
        began = time.perf_counter()
        callbacks = []
        if progress is not None:
            callbacks += [highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution,
                          highspy.cb.HighsCallbackType.kCallbackMipLogging]
        if interrupt is not None:
            callbacks += _INTERRUPTS

        def on_event(kind, message, data_out, data_in, user_data) -> None:
            if kind in _INTERRUPTS:  # asked afresh at every check: a cancel stops the next one
                if interrupt is not None and interrupt():
                    data_in.user_interrupt = True
                return
            if progress is not None:
                primal, dual = data_out.mip_primal_bound, data_out.mip_dual_bound
                progress(SolveProgress(
                    best_bound=dual if abs(dual) < INF else None,
                    incumbent=primal if abs(primal) < INF else None,
                    gap=f"{100 * data_out.mip_gap:.2f}%" if data_out.mip_gap < INF else "inf",
                    seconds=time.perf_counter() - began))

        if callbacks:
            h.setCallback(on_event, None)
            for kind in callbacks:
                h.startCallback(kind)
        try:
            return self._run(relaxed=not self.integer.any())
        finally:
            for kind in callbacks:
                h.stopCallback(kind)

    def _run(self, relaxed: bool) -> HighsSolve:
        began = time.perf_counter()
        self.highs.run()
        seconds = time.perf_counter() - began
        status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        termination = _MODEL_STATUS.get(status, Termination.UNKNOWN)
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.array(self.highs.getSolution().col_value) if has_plan else None
        objective = info.objective_function_value if has_plan else None
        bound = None
        if relaxed:
            bound = objective if termination is Termination.CONVERGED else None
        elif abs(info.mip_dual_bound) < INF:
            bound = info.mip_dual_bound
        return HighsSolve(termination, objective, bound, x, seconds)

    # --- back to Pyomo -------------------------------------------------------------------
    def load(self, x: np.ndarray) -> None:
        """Write a plan into the Pyomo variables; unused variables take 0 (or their bound)."""
        for var in self.model.component_data_objects(pyo.Var, descend_into=True):
            if id(var) not in self._position and not var.fixed:
                var.set_value(max(0.0, var.lb or 0.0), skip_validation=True)
        for var, value, whole in zip(self.columns, x, self.integer, strict=True):
            var.set_value(float(round(value)) if whole else float(value), skip_validation=True)
