"""Indexed model inputs derived from a network: what the constraint builders iterate over.

Kept apart from the Pyomo code so the same tidy frames feed the model, the KPIs and the
tighter bounds (big-M values) the formulation uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork, lanes_matching


@dataclass
class ModelData:
    periods: list[int]
    nodes: pd.DataFrame  # node_id, node_type, region, opening_stock_t
    production: pd.DataFrame  # node_id, period, capacity_t, cost_inr_per_t
    demand: pd.DataFrame  # node_id, period, demand_t, unmet_penalty_inr_per_t (every node x period)
    policy: pd.DataFrame  # node_id, period, safety_stock_t, max_storage_t, holding_cost_inr_per_t
    lanes: pd.DataFrame  # route-period rows without self-lanes, with upper bounds and flags
    bounds: pd.DataFrame  # flow bounds with their matching (route_id, period) keys
    self_lanes: int

    def route_keys(self) -> list[tuple[str, int]]:
        return list(zip(self.lanes["route_id"], self.lanes["period"], strict=True))


def prepare(network: ClinkerNetwork) -> ModelData:
    """Derive model inputs. Assumes the network validated without errors."""
    periods = network.periods
    nodes = network.plants[["node_id", "node_type", "region", "opening_stock_t"]].copy()
    nodes["opening_stock_t"] = nodes["opening_stock_t"].fillna(0.0)
    grid = pd.MultiIndex.from_product([nodes["node_id"], periods],
                                      names=["node_id", "period"]).to_frame(index=False)

    production = network.production[["node_id", "period", "capacity_t", "cost_inr_per_t"]]
    production = production.astype({"period": int})
    production = production[production["period"].isin(periods)].reset_index(drop=True)

    penalty = network.settings.unmet_penalty_inr_per_t
    demand = grid.merge(network.demand.drop(columns=["source_row"]).astype({"period": int}),
                        on=["node_id", "period"], how="left")
    demand["demand_t"] = demand["demand_t"].fillna(0.0)
    demand["unmet_penalty_inr_per_t"] = demand["unmet_penalty_inr_per_t"].fillna(penalty)

    policy = grid.merge(network.safety_stock.drop(columns=["source_row"]).astype({"period": int}),
                        on=["node_id", "period"], how="left")
    policy["safety_stock_t"] = policy["safety_stock_t"].fillna(0.0)
    policy["holding_cost_inr_per_t"] = policy["holding_cost_inr_per_t"].fillna(0.0)

    routes = network.route_periods()
    is_self = routes["origin_id"] == routes["destination_id"]
    lanes = routes[~is_self].reset_index(drop=True)
    lanes["full_loads_only"] = lanes["full_loads_only"].fillna(False).astype(bool)
    lanes["sbq_t"] = lanes["sbq_t"].fillna(0.0)
    lanes["handling_cost_inr_per_t"] = lanes["handling_cost_inr_per_t"].fillna(0.0)
    lanes["fixed_cost_inr_per_trip"] = lanes["fixed_cost_inr_per_trip"].fillna(0.0)
    lanes["unit_cost_inr_per_t"] = lanes["variable_cost_inr_per_t"] + \
        lanes["handling_cost_inr_per_t"]
    data = ModelData(periods, nodes, production, demand, policy, lanes,
                     pd.DataFrame(), int(is_self.sum()))
    _add_shipment_caps(data)
    data.bounds = _match_bounds(network.flow_bounds, lanes)
    return data


def _add_shipment_caps(data: ModelData) -> None:
    """Upper bounds on each route-period shipment from physical limits (tight big-M values).

    A node can send at most what it could ever hold by that period: its opening stock and
    cumulative capacity, plus, when clinker can reach it, everything the network could have
    made by then. Trips are capped by that tonnage and by ``max_trips``.
    """
    cap = data.production.pivot_table(index="node_id", columns="period", values="capacity_t",
                                      aggfunc="sum").reindex(columns=data.periods).fillna(0.0)
    cum_cap = cap.cumsum(axis=1)
    network_cum = cum_cap.sum(axis=0) + data.nodes["opening_stock_t"].sum()
    opening = data.nodes.set_index("node_id")["opening_stock_t"]
    receives = set(data.lanes["destination_id"])
    lanes = data.lanes

    def available(node: str, period: int) -> float:
        if node in receives:
            return float(network_cum[period])
        own = float(cum_cap.loc[node, period]) if node in cum_cap.index else 0.0
        return own + float(opening.get(node, 0.0))

    upper = [available(o, p) for o, p in zip(lanes["origin_id"], lanes["period"], strict=True)]
    intake = _intake_caps(data)
    upper = [min(u, intake.get((d, p), math.inf)) for u, d, p in
             zip(upper, lanes["destination_id"], lanes["period"], strict=True)]
    lanes["ship_upper_t"] = upper
    trips_by_tonnes = [math.ceil(u / c - 1e-9) if c > 0 else 0
                       for u, c in zip(upper, lanes["vehicle_capacity_t"], strict=True)]
    max_trips = lanes["max_trips"]
    lanes["trips_upper"] = [int(min(t, m)) if pd.notna(m) else t
                            for t, m in zip(trips_by_tonnes, max_trips, strict=True)]
    lanes["ship_upper_t"] = lanes[["ship_upper_t"]].join(
        (lanes["trips_upper"] * lanes["vehicle_capacity_t"]).rename("by_trips")).min(axis=1)
    # a binary is only needed where the SBQ is not already implied by whole trips
    implied = lanes["full_loads_only"] & (lanes["sbq_t"] <= lanes["vehicle_capacity_t"])
    lanes["needs_use_binary"] = (lanes["sbq_t"] > 0) & ~implied
    data.lanes = lanes


def _intake_caps(data: ModelData) -> dict[tuple[str, int], float]:
    """Most a sink node can take in a period: its demand plus its storage room.

    A node that neither makes nor sends clinker ends the period holding what it received
    less what it used, so its intake is at most demand_t + max_storage_t (opening stock only
    lowers that). Small integer bounds on the trips into grinding units help HiGHS's cuts.
    """
    senders = set(data.lanes["origin_id"]) | set(data.production["node_id"])
    room = data.policy.merge(data.demand, on=["node_id", "period"])
    room = room[room["max_storage_t"].notna() & ~room["node_id"].isin(senders)]
    return dict(zip(zip(room["node_id"], room["period"], strict=True),
                    room["demand_t"] + room["max_storage_t"], strict=True))


def _match_bounds(bounds: pd.DataFrame, lanes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, rec in enumerate(bounds.to_dict("records")):
        match = lanes_matching(lanes, rec["origin_id"], rec["mode"], rec["destination_id"]) & \
            (lanes["period"] == rec["period"])
        keys = list(zip(lanes.loc[match, "route_id"], lanes.loc[match, "period"], strict=True))
        rows.append({**{k: rec[k] for k in ("origin_id", "mode", "destination_id", "bound",
                                             "quantity_t")},
                     "period": int(rec["period"]), "bound_id": i, "routes": keys})
    return pd.DataFrame(rows, columns=["bound_id", "origin_id", "mode", "destination_id",
                                       "period", "bound", "quantity_t", "routes"])
