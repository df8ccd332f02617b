"""A small HiGHS adapter that owns a highspy model built from Pyomo's standard form.

Pyomo stays the modelling layer: the model is compiled with Pyomo's public
``LinearStandardFormCompiler`` and each highspy column keeps the Pyomo variable it came from.
Owning the highspy model lets the primal heuristics re-solve LPs with columns fixed (bound
changes, hot-started from the previous basis), hand a plan to HiGHS with ``setSolution``, and
report progress and honour interrupts through HiGHS's own callbacks rather than its log text.
"""

from __future__ import annotations

import threading
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


# How long a cancelled MIP is given to reach HiGHS's next interrupt check before the solve
# answers with its best plan so far and leaves HiGHS to stop on its own: HiGHS 1.15 runs its
# sub-MIP heuristics (RINS, RENS) without any callback, for up to several seconds.
CANCEL_GRACE_S = 0.5


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


class _Best:
    """The best plan a MIP has found so far, as its callbacks report it."""

    def __init__(self, x: np.ndarray | None, objective: float | None) -> None:
        self.x, self.objective = x, objective
        self.bound: float | None = None

    def offer(self, x: np.ndarray, objective: float) -> None:
        if self.objective is None or objective < self.objective:
            self.x, self.objective = x, objective


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
        self._running: threading.Thread | None = None  # a cancelled MIP still winding down

    # --- columns -------------------------------------------------------------------------
    def column(self, var: pyo.Var) -> int | None:
        """The highspy column of a Pyomo variable (None when the model never uses it)."""
        return self._position.get(id(var))

    def columns_of(self, variables: Sequence[pyo.Var]) -> np.ndarray:
        found = [self.column(v) for v in variables]
        return np.array([j for j in found if j is not None], dtype=np.int32)

    def reduced_costs(self) -> np.ndarray:
        """The columns' reduced costs in the latest LP solve (of a fixed column too: what one
        unit more would change, to first order)."""
        return np.asarray(self.highs.getSolution().col_dual, dtype=float)

    def objective_of(self, x: np.ndarray) -> float:
        return float(self._cost @ x) + self.offset

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        self._wait_idle()
        if len(columns):
            self.highs.changeColsBounds(len(columns), columns, values, values)

    def release(self, columns: np.ndarray | None = None) -> None:
        """Back to the model's own bounds (all columns when none are given)."""
        self._wait_idle()
        cols = np.arange(len(self.columns), dtype=np.int32) if columns is None else columns
        if len(cols):
            self.highs.changeColsBounds(len(cols), cols, self.lower[cols], self.upper[cols])

    # --- solving -------------------------------------------------------------------------
    def solve_lp(self, time_limit_s: float = INF) -> HighsSolve:
        """The LP relaxation under the current column bounds (integrality dropped)."""
        self._wait_idle()
        self.highs.setOptionValue("solve_relaxation", True)
        self.highs.setOptionValue("time_limit", float(time_limit_s))
        try:
            return self._run(relaxed=True)
        finally:
            self.highs.setOptionValue("solve_relaxation", False)

    def solve_mip(self, gap: float, time_limit_s: float, start: np.ndarray | None = None,
                  progress: Callable[[SolveProgress], None] | None = None,
                  interrupt: Callable[[], bool] | None = None) -> HighsSolve:
        """Branch and bound from ``start`` (a feasible plan), reporting through callbacks.

        With ``interrupt``, a cancel is answered within :data:`CANCEL_GRACE_S` of being seen:
        HiGHS stops at its next check, or, when it is inside a sub-MIP that has none, the best
        plan so far is returned while HiGHS winds down in the background.
        """
        self._wait_idle()
        h = self.highs
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            h.setSolution(solution)
        began = time.perf_counter()
        best = _Best(start, self.objective_of(start) if start is not None else None)
        callbacks = []
        if progress is not None:
            callbacks += [highspy.cb.HighsCallbackType.kCallbackMipLogging]
        if progress is not None or interrupt is not None:
            callbacks += [highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution]
        if interrupt is not None:
            callbacks += _INTERRUPTS
        abandoned = threading.Event()

        def on_event(kind, message, data_out, data_in, user_data) -> None:
            if abandoned.is_set():  # the caller has answered; only stop, never report
                if kind in _INTERRUPTS:
                    data_in.user_interrupt = True
                return
            if kind in _INTERRUPTS:  # asked afresh at every check: a cancel stops the next one
                if interrupt is not None and interrupt():
                    data_in.user_interrupt = True
                return
            primal, dual = data_out.mip_primal_bound, data_out.mip_dual_bound
            if abs(dual) < INF:
                best.bound = dual
            if kind == highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution:
                x = np.array(data_out.mip_solution, dtype=float)
                if len(x) == len(self.columns):
                    best.offer(x, self.objective_of(x))
            if progress is not None:
                progress(SolveProgress(
                    best_bound=dual if abs(dual) < INF else None,
                    incumbent=primal if abs(primal) < INF else None,
                    gap=f"{100 * data_out.mip_gap:.2f}%" if data_out.mip_gap < INF else "inf",
                    seconds=time.perf_counter() - began))

        if callbacks:
            h.setCallback(on_event, None)
            for kind in callbacks:
                h.startCallback(kind)

        def stop_callbacks() -> None:
            for kind in callbacks:
                h.stopCallback(kind)

        relaxed = not self.integer.any()
        if interrupt is None or relaxed:
            try:
                return self._run(relaxed)
            finally:
                stop_callbacks()
        return self._run_cancellable(interrupt, best, abandoned, stop_callbacks, began)

    def _run_cancellable(self, interrupt: Callable[[], bool], best: _Best,
                         abandoned: threading.Event, stop_callbacks: Callable[[], None],
                         began: float) -> HighsSolve:
        """Run the MIP in a thread of its own so that a cancel is answered on time."""
        outcome: list[HighsSolve | BaseException] = []

        def run() -> None:
            try:
                outcome.append(self._run(relaxed=False))
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)
            finally:
                stop_callbacks()

        thread = threading.Thread(target=run, name="highs-mip", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.05)
            if thread.is_alive() and interrupt():
                thread.join(CANCEL_GRACE_S)
                if thread.is_alive():
                    abandoned.set()
                    self._running = thread  # the next use of this model waits for it
                    return HighsSolve(Termination.INTERRUPTED, best.objective, best.bound,
                                      best.x, time.perf_counter() - began)
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _wait_idle(self) -> None:
        if self._running is not None:
            self._running.join()
            self._running = None

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
