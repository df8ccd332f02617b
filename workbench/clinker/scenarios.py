"""What-if changes to a clinker network, stored as plain records on a scenario version.

A change is a dict with a ``kind``; changes apply in order, so a scenario built ``--from``
another one applies its parent's changes first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.core.errors import InvalidRequest

Change = dict[str, object]


class ChangeError(InvalidRequest):
    """A change that does not fit the dataset (unknown node, route, region...)."""


def demand_multiplier(factor: float, nodes: list[str] | None = None, region: str | None = None,
                      periods: list[int] | None = None) -> Change:
    if factor < 0:
        raise ChangeError(f"--demand-multiplier must be zero or more, not {factor}")
    return {"kind": "demand_multiplier", "factor": factor, "nodes": nodes or None,
            "region": region, "periods": periods or None}


def capacity(node: str, factor: float) -> Change:
    if factor < 0:
        raise ChangeError(f"--capacity {node}={factor}: the factor must be zero or more")
    return {"kind": "capacity", "node": node, "factor": factor}


def close_route(route_id: str) -> Change:
    return {"kind": "close_route", "route_id": route_id}


def penalty(inr_per_t: float) -> Change:
    if inr_per_t < 0:
        raise ChangeError(f"--penalty must be zero or more, not {inr_per_t}")
    return {"kind": "penalty", "inr_per_t": inr_per_t}


@dataclass(frozen=True)
class Reach:
    """The nodes a change touches; ``network_wide`` when it is not limited to some nodes."""

    nodes: list[str]
    network_wide: bool


def reach(change: Change, network: ClinkerNetwork) -> Reach:
    """Which nodes a change affects (for access control and the audit log)."""
    plants = network.plants
    kind = change["kind"]
    if kind == "demand_multiplier":
        nodes = _demand_nodes(change, network)
        return Reach(nodes, change["nodes"] is None and change["region"] is None)
    if kind == "capacity":
        return Reach([str(change["node"])], False)
    if kind == "close_route":
        route = network.routes[network.routes["route_id"] == change["route_id"]]
        return Reach(sorted(set(route["origin_id"]) | set(route["destination_id"])), False)
    return Reach(sorted(plants["node_id"]), True)


def check(change: Change, network: ClinkerNetwork) -> None:
    """Refuse changes that name things the dataset does not have."""
    known = set(network.plants["node_id"])
    kind = change["kind"]
    if kind == "demand_multiplier":
        unknown = sorted(set(change["nodes"] or []) - known)
        if unknown:
            raise ChangeError(f"--node {', '.join(unknown)}: no such node in the dataset")
        regions = set(network.plants["region"].dropna())
        if change["region"] is not None and change["region"] not in regions:
            raise ChangeError(f"--region {change['region']}: the dataset's regions are "
                              f"{', '.join(sorted(regions)) or 'none'}")
        bad = sorted(set(change["periods"] or []) - set(network.periods))
        if bad:
            raise ChangeError(f"--period {bad}: the dataset's periods are {network.periods}")
    elif kind == "capacity" and change["node"] not in set(network.production["node_id"]):
        raise ChangeError(f"--capacity {change['node']}: not a node with production capacity")
    elif kind == "close_route" and change["route_id"] not in set(network.routes["route_id"]):
        raise ChangeError(f"--close-route {change['route_id']}: no such route_id in the "
                          "dataset's transport_routes_modes")


def apply(network: ClinkerNetwork, changes: list[Change]) -> ClinkerNetwork:
    """A new network with the changes applied in order (the input is left untouched)."""
    tables = {name: frame.copy() for name, frame in network.tables.items()}
    settings = network.settings
    out = ClinkerNetwork(tables=tables, settings=settings, source=network.source,
                         files=dict(network.files), notes=dict(network.notes))
    for change in changes:
        check(change, out)
        _apply_one(out, change)
    return out


def _apply_one(network: ClinkerNetwork, change: Change) -> None:
    kind = change["kind"]
    if kind == "demand_multiplier":
        demand = network.tables["demand_forecast"]
        rows = _demand_rows(change, network)
        demand.loc[rows, "demand_t"] = demand.loc[rows, "demand_t"] * float(change["factor"])
    elif kind == "capacity":
        prod = network.tables["production_capacity_cost"]
        rows = prod["node_id"] == change["node"]
        prod.loc[rows, "capacity_t"] = prod.loc[rows, "capacity_t"] * float(change["factor"])
    elif kind == "close_route":
        routes = network.tables["transport_routes_modes"]
        network.tables["transport_routes_modes"] = routes[routes["route_id"] !=
                                                          change["route_id"]].copy()
    elif kind == "penalty":
        network.settings = replace(network.settings,
                                   unmet_penalty_inr_per_t=float(change["inr_per_t"]))
        # a per-row penalty in the data would otherwise win over the scenario's
        network.tables["demand_forecast"]["unmet_penalty_inr_per_t"] = float(change["inr_per_t"])
    else:
        raise ChangeError(f"unknown change kind {kind!r}")


def _demand_rows(change: Change, network: ClinkerNetwork) -> pd.Series:
    demand = network.demand
    rows = demand["node_id"].isin(_demand_nodes(change, network))
    if change["periods"]:
        rows &= demand["period"].isin(change["periods"])
    return rows


def _demand_nodes(change: Change, network: ClinkerNetwork) -> list[str]:
    plants = network.plants
    if change["nodes"]:
        return sorted(change["nodes"])
    if change["region"] is not None:
        return sorted(plants.loc[plants["region"] == change["region"], "node_id"])
    return sorted(plants["node_id"])


def describe(change: Change) -> str:
    kind = change["kind"]
    if kind == "demand_multiplier":
        where = [f"nodes {', '.join(change['nodes'])}" if change["nodes"] else "",
                 f"region {change['region']}" if change["region"] else "",
                 f"periods {change['periods']}" if change["periods"] else ""]
        scope = "; ".join(w for w in where if w) or "all nodes"
        return f"demand × {change['factor']:g} ({scope})"
    if kind == "capacity":
        return f"capacity at {change['node']} × {change['factor']:g}"
    if kind == "close_route":
        return f"route {change['route_id']} closed"
    return f"unmet-demand penalty ₹{change['inr_per_t']:,.0f} per t"


def in_force(changes: list[Change]) -> list[bool]:
    """Which changes still apply: a later penalty replaces an earlier one; every other kind
    compounds (two demand multipliers multiply) and so stays in force."""
    last_penalty = max((i for i, c in enumerate(changes) if c["kind"] == "penalty"), default=-1)
    return [c["kind"] != "penalty" or i == last_penalty for i, c in enumerate(changes)]


def describe_version(changes: list[Change], inherited: int) -> dict[str, list[str]]:
    """A version's changes split into what it inherits and what it adds, each described, with
    replaced ones marked so a reader sees what applies."""
    texts = [describe(c) + ("" if live else " (replaced by a later penalty)")
             for c, live in zip(changes, in_force(changes), strict=True)]
    return {"inherits": texts[:inherited], "adds": texts[inherited:]}
