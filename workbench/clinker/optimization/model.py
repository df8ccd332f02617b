"""The clinker planning MILP (spec section 2) as a Pyomo model.

Each ``add_*`` function adds one family of variables or constraints, named as planners say
them, so a reader can check the model against the spec line by line (cf. PyPSA). The model
knows nothing of solvers; see :mod:`workbench.clinker.optimization.solve`.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from workbench.clinker.contract.network import Settings
from workbench.clinker.optimization.model_data import ModelData

COMPONENTS = ("production", "transport", "trips", "holding", "unmet_penalty", "safety_penalty")


def _dict(frame: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, object]:
    """{(key columns...): value column} for Pyomo initialisers."""
    return dict(zip(zip(*(frame[k] for k in keys), strict=True), frame[value], strict=True))


def add_sets(m: pyo.ConcreteModel, data: ModelData) -> None:
    m.period = pyo.Set(initialize=data.periods, ordered=True)
    m.node = pyo.Set(initialize=list(data.nodes["node_id"]), ordered=True)
    m.plant_period = pyo.Set(dimen=2, ordered=True,
                             initialize=list(zip(data.production["node_id"],
                                                 data.production["period"], strict=True)))
    m.route_period = pyo.Set(dimen=2, ordered=True, initialize=data.route_keys())
    use = data.lanes[data.lanes["needs_use_binary"]]
    m.sbq_route_period = pyo.Set(dimen=2, ordered=True,
                                 initialize=list(zip(use["route_id"], use["period"], strict=True)))
    m.inbound = {(n, t): [] for n in m.node for t in m.period}
    m.outbound = {(n, t): [] for n in m.node for t in m.period}
    for r, t, o, d in zip(data.lanes["route_id"], data.lanes["period"], data.lanes["origin_id"],
                          data.lanes["destination_id"], strict=True):
        m.outbound[o, t].append((r, t))
        m.inbound[d, t].append((r, t))


def add_production(m: pyo.ConcreteModel, data: ModelData) -> None:
    """X[n,t] with the kiln capacity constraint X <= capacity_t."""
    m.capacity_t = pyo.Param(m.plant_period, initialize=_dict(data.production,
                                                              ["node_id", "period"],
                                                              "capacity_t"))
    m.production_t = pyo.Var(m.plant_period, domain=pyo.NonNegativeReals)
    m.capacity = pyo.Constraint(m.plant_period,
                                rule=lambda m, n, t: m.production_t[n, t] <= m.capacity_t[n, t])


def add_shipments(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Shipments Y, trips T (integer), route use Z (binary where an SBQ needs it).

    Variable upper bounds come from physical limits (ModelData.ship_upper_t / trips_upper),
    which keeps the LP relaxation tight without loosening anything.
    """
    upper = _dict(data.lanes, ["route_id", "period"], "ship_upper_t")
    trips = _dict(data.lanes, ["route_id", "period"], "trips_upper")
    m.shipment_t = pyo.Var(m.route_period, domain=pyo.NonNegativeReals,
                           bounds=lambda m, r, t: (0, upper[r, t]))
    m.trips = pyo.Var(m.route_period, domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, r, t: (0, trips[r, t]))
    m.route_used = pyo.Var(m.sbq_route_period, domain=pyo.Binary)
    m.trips_upper = trips


def add_trip_capacity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Y <= vehicle_capacity_t * T, or Y = vehicle_capacity_t * T for full loads only."""
    vehicle = _dict(data.lanes, ["route_id", "period"], "vehicle_capacity_t")
    full = _dict(data.lanes, ["route_id", "period"], "full_loads_only")

    def rule(m: pyo.ConcreteModel, r: str, t: int) -> pyo.Expression:
        loaded = vehicle[r, t] * m.trips[r, t]
        return m.shipment_t[r, t] == loaded if full[r, t] else m.shipment_t[r, t] <= loaded

    m.trip_capacity = pyo.Constraint(m.route_period, rule=rule)


def add_minimum_batch(m: pyo.ConcreteModel, data: ModelData) -> None:
    """SBQ: Y >= sbq_t * Z and T <= trips_upper * Z where an SBQ is not implied by trips."""
    sbq = _dict(data.lanes, ["route_id", "period"], "sbq_t")
    m.minimum_batch = pyo.Constraint(
        m.sbq_route_period,
        rule=lambda m, r, t: m.shipment_t[r, t] >= sbq[r, t] * m.route_used[r, t])
    m.trips_need_route_use = pyo.Constraint(
        m.sbq_route_period,
        rule=lambda m, r, t: m.trips[r, t] <= m.trips_upper[r, t] * m.route_used[r, t])


def add_stock(m: pyo.ConcreteModel, data: ModelData, settings: Settings) -> None:
    """Closing stock I, unmet demand U <= demand, and the stock balance of every node."""
    demand = _dict(data.demand, ["node_id", "period"], "demand_t")
    opening = dict(zip(data.nodes["node_id"], data.nodes["opening_stock_t"], strict=True))
    m.demand_t = pyo.Param(m.node, m.period, initialize=demand)
    m.closing_stock_t = pyo.Var(m.node, m.period, domain=pyo.NonNegativeReals)
    m.unmet_t = pyo.Var(m.node, m.period, domain=pyo.NonNegativeReals,
                        bounds=lambda m, n, t: (0, demand[n, t]))
    first = m.period.first()

    def balance(m: pyo.ConcreteModel, n: str, t: int) -> pyo.Expression:
        before = opening[n] if t == first else m.closing_stock_t[n, m.period.prev(t)]
        made = m.production_t[n, t] if (n, t) in m.plant_period else 0
        into = sum(m.shipment_t[k] for k in m.inbound[n, t])
        out = sum(m.shipment_t[k] for k in m.outbound[n, t])
        return before + made + into - out == m.demand_t[n, t] - m.unmet_t[n, t] + \
            m.closing_stock_t[n, t]

    m.stock_balance = pyo.Constraint(m.node, m.period, rule=balance)


def add_safety_stock(m: pyo.ConcreteModel, data: ModelData, settings: Settings) -> None:
    """I >= safety_stock_t (hard), or I + S >= safety_stock_t with S penalised (soft)."""
    safety = _dict(data.policy, ["node_id", "period"], "safety_stock_t")
    keys = [k for k, v in safety.items() if v > 0]
    m.safety_key = pyo.Set(dimen=2, initialize=keys, ordered=True)
    m.safety_stock_t = pyo.Param(m.safety_key, initialize={k: safety[k] for k in keys})
    if settings.safety_stock == "soft":
        m.safety_shortfall_t = pyo.Var(m.safety_key, domain=pyo.NonNegativeReals,
                                       bounds=lambda m, n, t: (0, m.safety_stock_t[n, t]))
        m.safety_stock = pyo.Constraint(m.safety_key, rule=lambda m, n, t: (
            m.closing_stock_t[n, t] + m.safety_shortfall_t[n, t] >= m.safety_stock_t[n, t]))
    else:
        m.safety_shortfall_t = pyo.Var(m.safety_key, domain=pyo.NonNegativeReals,
                                       bounds=(0, 0))
        m.safety_stock = pyo.Constraint(m.safety_key, rule=lambda m, n, t: (
            m.closing_stock_t[n, t] >= m.safety_stock_t[n, t]))


def add_storage(m: pyo.ConcreteModel, data: ModelData) -> None:
    """I <= max_storage_t where a maximum is given."""
    limited = data.policy.dropna(subset=["max_storage_t"])
    m.storage_key = pyo.Set(dimen=2, ordered=True, initialize=list(
        zip(limited["node_id"], limited["period"], strict=True)))
    m.max_storage_t = pyo.Param(m.storage_key,
                                initialize=_dict(limited, ["node_id", "period"], "max_storage_t"))
    m.storage = pyo.Constraint(m.storage_key, rule=lambda m, n, t: (
        m.closing_stock_t[n, t] <= m.max_storage_t[n, t]))


def add_flow_bounds(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Each flow_bounds row bounds the sum of matching shipments (self-lanes never count)."""
    bounds = data.bounds.set_index("bound_id")
    m.flow_bound_id = pyo.Set(initialize=list(bounds.index), ordered=True)

    def rule(m: pyo.ConcreteModel, b: int) -> pyo.Expression:
        row = bounds.loc[b]
        flow = sum(m.shipment_t[k] for k in row["routes"])
        if not row["routes"]:
            return pyo.Constraint.Skip if row["bound"] == "le" or row["quantity_t"] == 0 else \
                pyo.Constraint.Infeasible
        if row["bound"] == "le":
            return flow <= row["quantity_t"]
        if row["bound"] == "ge":
            return flow >= row["quantity_t"]
        return flow == row["quantity_t"]

    m.flow_bound = pyo.Constraint(m.flow_bound_id, rule=rule)


def add_objective(m: pyo.ConcreteModel, data: ModelData, settings: Settings) -> None:
    """Minimise the six cost components, each kept as a named expression in raw rupees."""
    prod_cost = _dict(data.production, ["node_id", "period"], "cost_inr_per_t")
    unit = _dict(data.lanes, ["route_id", "period"], "unit_cost_inr_per_t")
    per_trip = _dict(data.lanes, ["route_id", "period"], "fixed_cost_inr_per_trip")
    hold = _dict(data.policy, ["node_id", "period"], "holding_cost_inr_per_t")
    penalty = _dict(data.demand, ["node_id", "period"], "unmet_penalty_inr_per_t")
    m.cost = pyo.Expression(list(COMPONENTS))
    m.cost["production"] = sum(prod_cost[k] * m.production_t[k] for k in m.plant_period)
    m.cost["transport"] = sum(unit[k] * m.shipment_t[k] for k in m.route_period)
    m.cost["trips"] = sum(per_trip[k] * m.trips[k] for k in m.route_period if per_trip[k])
    m.cost["holding"] = sum(hold[k] * m.closing_stock_t[k] for k in hold if hold[k])
    m.cost["unmet_penalty"] = sum(penalty[k] * m.unmet_t[k] for k in penalty)
    m.cost["safety_penalty"] = sum(settings.safety_stock_penalty_inr_per_t *
                                   m.safety_shortfall_t[k] for k in m.safety_key) \
        if settings.safety_stock == "soft" else 0
    m.total_cost = pyo.Objective(expr=sum(m.cost[c] for c in COMPONENTS), sense=pyo.minimize)


def build_model(data: ModelData, settings: Settings) -> pyo.ConcreteModel:
    """Assemble the full planning model from its families."""
    m = pyo.ConcreteModel(name="clinker_plan")
    add_sets(m, data)
    add_production(m, data)
    add_shipments(m, data)
    add_trip_capacity(m, data)
    add_minimum_batch(m, data)
    add_stock(m, data, settings)
    add_safety_stock(m, data, settings)
    add_storage(m, data)
    add_flow_bounds(m, data)
    add_objective(m, data, settings)
    return m
