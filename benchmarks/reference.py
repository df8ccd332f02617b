"""The yardstick: the spec's model (section 2) written plainly with highspy.

No bound tightening, no heuristic, big-M values from the data: every lane with an SBQ gets a
binary, trips are bounded by ``max_trips`` where given and otherwise only by the big-M that ties
them to the binary. Never used by the product; the solve benchmark runs it on every instance.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork

INF = highspy.kHighsInf


@dataclass
class ReferenceResult:
    status: str
    objective_inr: float | None
    bound_inr: float | None
    build_seconds: float
    solve_seconds: float
    # (seconds since the solve began, objective) for each improving plan HiGHS found
    incumbents: list[tuple[float, float]] = field(default_factory=list)

    @property
    def model_seconds(self) -> float:
        return self.build_seconds + self.solve_seconds


class _Problem:
    """Columns and rows gathered in Python lists, passed to HiGHS in one go."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[float, float, dict[int, float]]] = []

    def var(self, cost: float = 0.0, lower: float = 0.0, upper: float = INF,
            integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, coefs: dict[int, float], lower: float = -INF, upper: float = INF) -> None:
        self.rows.append((lower, upper, coefs))

    def to_highs(self, h: highspy.Highs) -> None:
        n = len(self.cost)
        h.addVars(n, np.array(self.lower), np.array(self.upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                np.array(self.integer, dtype=np.uint8))
        starts, index, value = [], [], []
        for _, _, coefs in self.rows:
            starts.append(len(index))
            index += list(coefs)
            value += list(coefs.values())
        h.addRows(len(self.rows), np.array([r[0] for r in self.rows]),
                  np.array([r[1] for r in self.rows]), len(index),
                  np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                  np.array(value))


def build(network: ClinkerNetwork) -> _Problem:
    """The model of spec section 2, one family after another, straight from the tables."""
    s = network.settings
    periods = network.periods
    nodes = list(network.plants["node_id"])
    opening = dict(zip(nodes, network.plants["opening_stock_t"].fillna(0.0), strict=True))
    p = _Problem()
    flow: dict[tuple[str, int], dict[int, float]] = {(n, t): {} for n in nodes for t in periods}

    for r in network.production.itertuples():  # 1. capacity
        x = p.var(r.cost_inr_per_t, 0.0, r.capacity_t)
        flow[r.node_id, int(r.period)][x] = 1.0

    # big-M from the data: nothing can ever move more than all stock and all capacity
    big_t = float(network.plants["opening_stock_t"].fillna(0).sum() +
                  network.production["capacity_t"].sum())
    lanes = network.route_periods()
    lanes = lanes[lanes["origin_id"] != lanes["destination_id"]]
    ship: dict[tuple[str, int], int] = {}
    for r in lanes.itertuples():
        t = int(r.period)
        unit = r.variable_cost_inr_per_t + (0.0 if pd.isna(r.handling_cost_inr_per_t)
                                            else r.handling_cost_inr_per_t)
        per_trip = 0.0 if pd.isna(r.fixed_cost_inr_per_trip) else r.fixed_cost_inr_per_trip
        y = p.var(unit)
        trips_max = INF if pd.isna(r.max_trips) else float(r.max_trips)
        n_trips = p.var(per_trip, 0.0, trips_max, integer=True)
        ship[r.route_id, t] = y
        flow[r.origin_id, t][y] = flow[r.origin_id, t].get(y, 0.0) - 1.0
        flow[r.destination_id, t][y] = flow[r.destination_id, t].get(y, 0.0) + 1.0
        cap = float(r.vehicle_capacity_t)
        if bool(r.full_loads_only) if pd.notna(r.full_loads_only) else False:  # 5. trips
            p.row({y: 1.0, n_trips: -cap}, 0.0, 0.0)
        else:
            p.row({y: 1.0, n_trips: -cap}, upper=0.0)
        sbq = 0.0 if pd.isna(r.sbq_t) else float(r.sbq_t)
        if sbq > 0:  # 6. SBQ with a binary; trips (and so Y) zero unless it is on
            z = p.var(0.0, 0.0, 1.0, integer=True)
            p.row({y: 1.0, z: -sbq}, lower=0.0)
            p.row({n_trips: 1.0, z: -math.ceil(big_t / cap)}, upper=0.0)

    demand = {(r.node_id, int(r.period)): (r.demand_t, r.unmet_penalty_inr_per_t)
              for r in network.demand.itertuples()}
    policy = {(r.node_id, int(r.period)): r for r in network.safety_stock.itertuples()}
    stock: dict[tuple[str, int], int] = {}
    for n in nodes:
        for k, t in enumerate(periods):
            d, pen = demand.get((n, t), (0.0, None))
            pen = s.unmet_penalty_inr_per_t if pen is None or pd.isna(pen) else pen
            pol = policy.get((n, t))
            hold = 0.0 if pol is None or pd.isna(pol.holding_cost_inr_per_t) \
                else pol.holding_cost_inr_per_t
            room = INF if pol is None or pd.isna(pol.max_storage_t) else pol.max_storage_t
            i = p.var(hold, 0.0, room)  # 4. storage as the stock's upper bound
            u = p.var(pen, 0.0, d)
            stock[n, t] = i
            # 2. balance: I[t-1] + X + in - out - I[t] + U = demand
            coefs = {**flow[n, t], i: -1.0, u: 1.0}
            rhs = d - (opening[n] if k == 0 else 0.0)
            if k > 0:
                coefs[stock[n, periods[k - 1]]] = 1.0
            p.row(coefs, rhs, rhs)
            safety = 0.0 if pol is None or pd.isna(pol.safety_stock_t) else pol.safety_stock_t
            if safety > 0:  # 3. safety stock
                if s.safety_stock == "soft":
                    short = p.var(s.safety_stock_penalty_inr_per_t)
                    p.row({i: 1.0, short: 1.0}, lower=safety)
                else:
                    p.row({i: 1.0}, lower=safety)

    for b in network.flow_bounds.itertuples():  # 7. flow bounds
        match = lanes[(lanes["origin_id"] == b.origin_id) & (lanes["period"] == b.period)]
        if isinstance(b.mode, str):
            match = match[match["mode"] == b.mode]
        if isinstance(b.destination_id, str):
            match = match[match["destination_id"] == b.destination_id]
        coefs = {ship[r, int(t)]: 1.0 for r, t in zip(match["route_id"], match["period"],
                                                      strict=True)}
        q = float(b.quantity_t)
        lo, up = {"le": (-INF, q), "ge": (q, INF), "eq": (q, q)}[b.bound]
        p.row(coefs, lo, up)
    return p


def solve_reference(network: ClinkerNetwork, gap: float, time_limit_s: float,
                    threads: int = 1) -> ReferenceResult:
    """Build and solve with HiGHS defaults; only the gap, time limit and threads are set."""
    started = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    build(network).to_highs(h)
    build_seconds = time.perf_counter() - started
    for name, value in (("mip_rel_gap", gap), ("time_limit", time_limit_s),
                        ("threads", threads)):
        h.setOptionValue(name, value)
    incumbents: list[tuple[float, float]] = []
    began = time.perf_counter()

    def improving(callback_type, message, data_out, data_in, user_data) -> None:
        incumbents.append((time.perf_counter() - began, data_out.objective_function_value))

    h.setCallback(improving, None)
    h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution)
    h.run()
    solve_seconds = time.perf_counter() - began
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2
    status = h.modelStatusToString(h.getModelStatus())
    return ReferenceResult(status, info.objective_function_value if has_plan else None,
                           info.mip_dual_bound, build_seconds, solve_seconds, incumbents)
