"""A primal heuristic, LP-and-repair: a whole-vehicle plan from a few LPs, no branching.

On clinker networks the LP relaxation is already close to the optimum; what is hard is finding
a plan with whole rakes, whole trucks and settled SBQ switches. The repair makes one:

1. solve the LP relaxation (its objective is a valid lower bound);
2. round every full-load lane (rail rakes) to the nearest whole vehicle, fix it and re-solve
   the LP; if that has no solution, round down instead (less leaves each origin);
3. settle the SBQ switches: a shipment below its SBQ goes up to the SBQ or down to zero (the
   nearer one), switches are fixed and the LP re-solved until no shipment sits in between;
4. round every other lane's trips up to carry its shipment, fix them and re-solve the LP for
   the remaining continuous flows; then drop trips that carry nothing.

Between steps 2 and 3 a local search moves single rakes: one rake more or fewer on one lane,
kept when the re-solved LP is cheaper. Rounding the rakes is where nearly all of the repair's
distance to the optimum comes from (0.24-0.53 % above the LP bound on the benchmark families,
while the switches and trucks add under 0.02 %). The LP's reduced cost of a fixed rake column
says which moves can pay at all: the LP's cost is convex in a fixed column's value, so a move
whose first-order change is not negative can never make it cheaper and is never tried.

Every step only fixes integer columns at whole values and re-solves the LP, so the result is a
feasible plan of the full model. When it is within the requested gap of the LP bound it is a
proven answer; otherwise HiGHS starts from it. Nothing is relaxed or changed in the data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from workbench.clinker.optimization.highs_model import HighsModel, HighsSolve
from workbench.clinker.optimization.model_data import ModelData

_EPS = 1e-6  # LP round-off such as 2.9999999 rakes or 1e-9 t
_SETTLE_ROUNDS = 20
_DIVE_SHARE = 0.1  # share of the still-fractional rakes fixed in each dive step
# The rake search may solve this many LPs per LP of the dive: a count, not seconds, so that the
# same data give the same plan on a busy machine and an idle one.
_SEARCH_LPS_PER_DIVE_LP = 1.5
_MIN_GAIN_INR = 1.0  # a move whose first-order saving is below a rupee is not worth an LP


@dataclass(frozen=True)
class WarmStart:
    """A feasible plan for the full model, as one value per highspy column."""

    objective_inr: float
    lp_bound_inr: float
    x: np.ndarray
    seconds: float = 0.0
    lps: int = 0  # how many LPs the repair solved after the relaxation

    def proves(self, gap: float) -> bool:
        """Is the plan within ``gap`` of the LP bound (HiGHS's relative gap)?"""
        if not np.isfinite(self.lp_bound_inr):
            return False
        return self.objective_inr - self.lp_bound_inr <= gap * max(abs(self.objective_inr),
                                                                   1e-9) + _EPS


def full_load_keys(data: ModelData) -> set[tuple[str, int]]:
    lanes = data.lanes[data.lanes["full_loads_only"]]
    return set(zip(lanes["route_id"], lanes["period"], strict=True))


@dataclass(frozen=True)
class _Lanes:
    """Column indices of the lanes' variables, grouped the way the repair treats them."""

    rake_trips: np.ndarray  # full-load lanes: trips
    truck_trips: np.ndarray  # other lanes: trips
    truck_ship: np.ndarray  # other lanes: shipment
    truck_vehicle_t: np.ndarray
    switch: np.ndarray  # SBQ lanes with a binary: route use
    switch_ship: np.ndarray
    switch_sbq_t: np.ndarray


def _lanes(hm: HighsModel, m: pyo.ConcreteModel, data: ModelData) -> _Lanes:
    lanes = data.lanes
    keys = list(zip(lanes["route_id"], lanes["period"], strict=True))
    full = lanes["full_loads_only"].to_numpy()

    def cols(var: pyo.Var, chosen: list[tuple[str, int]]) -> np.ndarray:
        found = [hm.column(var[k]) for k in chosen]
        return np.array([-1 if j is None else j for j in found], dtype=np.int32)

    rakes = [k for k, f in zip(keys, full, strict=True) if f]
    trucks = [k for k, f in zip(keys, full, strict=True) if not f]
    vehicle = dict(zip(keys, lanes["vehicle_capacity_t"], strict=True))
    sbq = dict(zip(keys, lanes["sbq_t"], strict=True))
    switches = list(m.sbq_route_period)
    rake_cols = cols(m.trips, rakes)
    truck_trips, truck_ship = cols(m.trips, trucks), cols(m.shipment_t, trucks)
    keep = (truck_trips >= 0) & (truck_ship >= 0)
    switch, switch_ship = cols(m.route_used, switches), cols(m.shipment_t, switches)
    on = (switch >= 0) & (switch_ship >= 0)
    return _Lanes(rake_cols[rake_cols >= 0], truck_trips[keep], truck_ship[keep],
                  np.array([vehicle[k] for k in trucks], dtype=float)[keep],
                  switch[on], switch_ship[on],
                  np.array([sbq[k] for k in switches], dtype=float)[on])


class _Repair:
    """Fixes columns step by step on the adapter's model and undoes it all at the end."""

    def __init__(self, hm: HighsModel, time_limit_s: float,
                 stop: Callable[[], bool] | None = None) -> None:
        self.hm, self.deadline = hm, time.perf_counter() + time_limit_s
        self.fixed: list[np.ndarray] = []
        self.lps = 0
        self.stop = stop or (lambda: False)

    def out_of_time(self) -> bool:
        return time.perf_counter() >= self.deadline or self.stop()

    def fix_and_solve(self, columns: np.ndarray, values: np.ndarray) -> HighsSolve:
        self.hm.fix(columns, values)
        self.fixed.append(columns)
        self.lps += 1
        return self.hm.solve_lp(max(0.01, self.deadline - time.perf_counter()))

    def undo(self) -> None:
        for columns in self.fixed:
            self.hm.release(columns)
        self.fixed.clear()


def lp_and_repair(hm: HighsModel, m: pyo.ConcreteModel, data: ModelData, lp: HighsSolve,
                  time_limit_s: float, stop: Callable[[], bool] | None = None
                  ) -> WarmStart | None:
    """A whole-vehicle plan from the LP relaxation ``lp``; None when the repair fails.

    ``stop`` (a cancel) ends the rake search early; the repair still finishes its plan. The
    adapter's model is left as it was found (every column back to its own bounds).
    """
    if not lp.ok or lp.x is None:
        return None
    began = time.perf_counter()
    lanes = _lanes(hm, m, data)
    repair = _Repair(hm, time_limit_s, stop)
    try:
        x = _repaired(repair, lanes, lp.x)
    finally:
        repair.undo()
    if x is None:
        return None
    return WarmStart(hm.objective_of(x), float(lp.objective), x,
                     time.perf_counter() - began, repair.lps)


def _repaired(repair: _Repair, lanes: _Lanes, x: np.ndarray) -> np.ndarray | None:
    x = _round_rakes(repair, lanes.rake_trips, x)
    if x is None:
        return None
    x = _move_rakes(repair, lanes.rake_trips, x, int(_SEARCH_LPS_PER_DIVE_LP * repair.lps))
    x = _settle_switches(repair, lanes, x)
    if x is None:
        return None
    switch_on = (x[lanes.switch_ship] > _EPS).astype(float)
    repair.hm.fix(lanes.switch, switch_on)
    repair.fixed.append(lanes.switch)
    trips = np.ceil(x[lanes.truck_ship] / lanes.truck_vehicle_t - _EPS).clip(min=0)
    step = repair.fix_and_solve(lanes.truck_trips, trips)
    if not step.ok:
        return None
    x = step.x.copy()
    # trips that carry nothing after the final LP cost money and are not needed
    needed = np.ceil(x[lanes.truck_ship] / lanes.truck_vehicle_t - _EPS).clip(min=0)
    x[lanes.truck_trips] = np.minimum(trips, needed)
    x[lanes.switch] = np.where(x[lanes.switch_ship] > _EPS, x[lanes.switch], 0.0)
    return x


def _round_rakes(repair: _Repair, rakes: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Dive: fix the rakes nearest a whole number first, re-solve, repeat.

    Rounding every lane at once often fails (an origin short of clinker, a rail cap, a full
    store) or costs dearly; fixing the easy ones first lets each LP re-balance the rest. A
    batch that does not fit is halved; a single rake that does not fit is rounded the other
    way; only when neither way fits does the repair give up.
    """
    free = rakes
    while len(free):
        value = x[free]
        distance = np.abs(value - np.floor(value + 0.5))
        order = np.argsort(distance, kind="stable")
        take = max(1, int(np.ceil(_DIVE_SHARE * len(free))), int((distance <= 0.1).sum()))
        while True:
            batch = free[order[:take]]
            nearest = np.floor(x[batch] + 0.5)
            step = repair.fix_and_solve(batch, nearest)
            if step.ok:
                break
            repair.hm.release(batch)
            if take == 1:
                other = np.where(nearest > x[batch], nearest - 1, nearest + 1).clip(min=0)
                step = repair.fix_and_solve(batch, other)
                if not step.ok:
                    return None
                break
            take //= 2
        x, free = step.x, free[order[take:]]
    return x


def _move_rakes(repair: _Repair, rakes: np.ndarray, x: np.ndarray, budget: int) -> np.ndarray:
    """One rake more or fewer on one lane at a time, while the LP gets cheaper.

    The rakes are fixed when this starts (the dive left them so) and stay fixed at the values
    returned. Moves are tried in order of their first-order saving, from the reduced costs of
    the latest LP; after a round that kept a move, the reduced costs are read afresh. At most
    ``budget`` LPs are solved. (Shifting a rake between two lanes of one origin or destination
    was tried as a second move and found no cheaper plan on the benchmark families.)
    """
    hm = repair.hm
    end = repair.lps + budget
    while len(rakes) and repair.lps < end and not repair.out_of_time():
        current = repair.fix_and_solve(rakes[:0], np.zeros(0))  # the duals of x's own LP
        if not current.ok:
            return x
        x, cost = current.x, hm.objective_of(current.x)
        value = np.round(x[rakes])
        kept = False
        for j, step in _moves(value, hm.reduced_costs()[rakes]):
            if repair.lps >= end or repair.out_of_time():
                break
            col = rakes[j:j + 1]
            tried = repair.fix_and_solve(col, value[j:j + 1] + step)
            if tried.ok and hm.objective_of(tried.x) < cost - 1e-9 * abs(cost):
                x, cost, kept = tried.x, hm.objective_of(tried.x), True
                value[j] += step
            else:
                hm.fix(col, value[j:j + 1])
        if not kept:
            break
    return x


def _moves(value: np.ndarray, reduced: np.ndarray) -> list[tuple[int, float]]:
    """(lane, +1 or -1 rake), best first-order saving first, savings under a rupee left out.
    The first-order change is a lower bound on the true one (the LP's cost is convex in the
    fixed values), so a move left out for a first-order change of zero or more never pays."""
    n = len(value)
    change = np.concatenate([reduced, np.where(value >= 1, -reduced, np.inf)])
    order = np.argsort(change, kind="stable")
    return [(int(k % n), 1.0 if k < n else -1.0) for k in order[change[order] < -_MIN_GAIN_INR]]


def _settle_switches(repair: _Repair, lanes: _Lanes, x: np.ndarray) -> np.ndarray | None:
    """Fix SBQ switches where a shipment sits between zero and its SBQ, until none does."""
    if not len(lanes.switch):
        return x
    settled = np.zeros(len(lanes.switch), dtype=bool)
    for _ in range(_SETTLE_ROUNDS):
        ship = x[lanes.switch_ship]
        between = (ship > _EPS) & (ship < lanes.switch_sbq_t - _EPS) & ~settled
        if not between.any():
            return x
        up = (ship[between] >= lanes.switch_sbq_t[between] / 2).astype(float)
        step = repair.fix_and_solve(lanes.switch[between], up)
        if not step.ok:  # going up did not fit somewhere: close those lanes instead
            step = repair.fix_and_solve(lanes.switch[between], np.zeros_like(up))
        if not step.ok:
            return None
        settled |= between
        x = step.x
    return None
