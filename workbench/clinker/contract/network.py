"""One data container for a clinker network, whichever file it came from (cf. PyPSA's Network)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

import pandas as pd

from workbench.clinker.contract.schema import ROW, TABLES, empty_frame
from workbench.core.findings import Finding


@dataclass(frozen=True)
class Settings:
    """Model settings from the ``settings`` table, with the contract's defaults."""

    unmet_penalty_inr_per_t: float = 10000.0
    safety_stock: Literal["hard", "soft"] = "hard"
    safety_stock_penalty_inr_per_t: float = 5000.0
    mip_gap: float = 0.01
    time_limit_s: float = 600.0
    min_realistic_total_cost_inr: float = 2_000_000.0


# the settings table's keys and defaults, read off the dataclass so they cannot drift apart
SETTING_DEFAULTS: dict[str, object] = {f.name: f.default for f in fields(Settings)}


def lanes_matching(lanes: pd.DataFrame, origin: object, mode: object = None,
                   destination: object = None) -> pd.Series:
    """Which lanes a flow bound covers: from its origin, by its mode and to its destination
    when it names them (a blank mode or destination means any)."""
    match = lanes["origin_id"] == origin
    if isinstance(mode, str):
        match &= lanes["mode"] == mode
    if isinstance(destination, str):
        match &= lanes["destination_id"] == destination
    return match


def _table(name: str) -> property:
    """A read-only attribute for one contract table (``network.demand`` and so on)."""
    return property(lambda self: self.tables[name], doc=f"The ``{name}`` table.")


@dataclass
class ClinkerNetwork:
    """The contract's tables as typed DataFrames, plus where each came from.

    Every table has a ``source_row`` column: the spreadsheet row the record was read from,
    so that any later finding can point the planner at the cell to fix.
    """

    tables: dict[str, pd.DataFrame]
    settings: Settings = field(default_factory=Settings)
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)
    read_findings: list[Finding] = field(default_factory=list)
    notes: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, spec in TABLES.items():
            self.tables.setdefault(name, empty_frame(spec))

    plants = _table("plant_master")
    production = _table("production_capacity_cost")
    demand = _table("demand_forecast")
    safety_stock = _table("safety_stock_policy")
    routes = _table("transport_routes_modes")
    flow_bounds = _table("flow_bounds")

    def file_of(self, table: str) -> str:
        return self.files.get(table, table)

    @property
    def periods(self) -> list[int]:
        """Sorted distinct periods of demand and production (spec section 2)."""
        values = pd.concat([self.demand["period"], self.production["period"]]).dropna()
        return sorted({int(p) for p in values})

    def node_ids(self, node_type: str | None = None) -> list[str]:
        plants = self.plants.dropna(subset=["node_id"])
        if node_type:
            plants = plants[plants["node_type"] == node_type]
        return sorted(plants["node_id"].astype(str).unique())

    def route_periods(self) -> pd.DataFrame:
        """One row per (route, period) the route exists in, with that period's costs.

        A route row without ``period`` applies to every model period; rows with ``period``
        make the route exist only in those periods.
        """
        routes = self.routes.drop(columns=[ROW])
        periods = pd.DataFrame({"model_period": self.periods})
        timed = routes[routes["period"].notna()].copy()
        timed["model_period"] = timed["period"].astype(int)
        untimed = routes[routes["period"].isna()].merge(periods, how="cross")
        both = pd.concat([timed, untimed], ignore_index=True)
        both = both[both["model_period"].isin(self.periods)]
        both = both.drop(columns=["period"]).rename(columns={"model_period": "period"})
        both["variable_cost_inr_per_t"] = both["cost_inr_per_t"].fillna(
            both["cost_inr_per_t_km"] * both["distance_km"])
        return both.sort_values(["route_id", "period"]).reset_index(drop=True)

    def summary(self) -> dict[str, int]:
        return {
            "nodes": len(self.plants),
            "ius": len(self.node_ids("IU")),
            "gus": len(self.node_ids("GU")),
            "periods": len(self.periods),
            "routes": int(self.routes["route_id"].nunique()),
            "flow_bounds": len(self.flow_bounds),
        }
