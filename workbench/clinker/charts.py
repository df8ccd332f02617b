"""Altair charts of a plan, shared by the report notebooks and the dashboards.

Each function takes the export tables (see :mod:`workbench.clinker.results.export`) and
returns a chart; none fetches anything, and :func:`workbench.reports.charts.offline` renders
them as SVG.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.core.money import CRORE

WIDTH = 560


def cost_breakdown(costs: pd.DataFrame) -> alt.Chart:
    parts = costs[costs["component"] != "total"].assign(cost_cr=lambda f: f["cost_inr"] / CRORE)
    return alt.Chart(parts, title="Cost breakdown (₹ crore)").mark_bar().encode(
        x=alt.X("cost_cr:Q", title="₹ crore"),
        y=alt.Y("component:N", sort="-x", title=None),
        tooltip=["component", alt.Tooltip("cost_cr:Q", format=",.2f")],
    ).properties(width=WIDTH)


def production_vs_capacity(production: pd.DataFrame) -> alt.LayerChart:
    by_plant = production.groupby("node_id", as_index=False)[["production_t", "capacity_t"]].sum()
    order = by_plant.sort_values("production_t", ascending=False)["node_id"].tolist()
    base = alt.Chart(by_plant, title="Production (bars) against kiln capacity (ticks), by plant")
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("node_id:N", sort=order, title=None), y=alt.Y("production_t:Q", title="tonnes"))
    caps = base.mark_tick(color="#e45756", thickness=2, size=18).encode(
        x=alt.X("node_id:N", sort=order), y="capacity_t:Q")
    return (bars + caps).properties(width=WIDTH)


def flow_map(plants: pd.DataFrame, shipments: pd.DataFrame,
             production: pd.DataFrame) -> alt.LayerChart | None:
    """Plants at their coordinates sized by volume, lanes as lines sized by tonnes."""
    located = plants.dropna(subset=["latitude", "longitude"])
    if located.empty:
        return None
    made = production.groupby("node_id")["production_t"].sum()
    received = shipments.groupby("destination_id")["shipment_t"].sum()
    volume = made.add(received, fill_value=0).rename("volume_t")
    points = located.merge(volume, left_on="node_id", right_index=True, how="left").fillna(
        {"volume_t": 0.0})
    where = located.set_index("node_id")[["latitude", "longitude"]]
    lanes = shipments.groupby(["origin_id", "destination_id"], as_index=False)["shipment_t"].sum()
    lanes = lanes[lanes["origin_id"].isin(where.index) & lanes["destination_id"].isin(where.index)]
    lanes = lanes.join(where, on="origin_id").join(where, on="destination_id", rsuffix="_to")
    lines = alt.Chart(lanes).mark_rule(opacity=0.5, color="#72b7b2").encode(
        longitude="longitude:Q", latitude="latitude:Q", longitude2="longitude_to:Q",
        latitude2="latitude_to:Q",
        strokeWidth=alt.StrokeWidth("shipment_t:Q", title="lane t",
                                    scale=alt.Scale(range=[0.5, 6])))
    dots = alt.Chart(points).mark_circle(opacity=0.85).encode(
        longitude="longitude:Q", latitude="latitude:Q",
        size=alt.Size("volume_t:Q", title="plant t", scale=alt.Scale(range=[30, 900])),
        color=alt.Color("node_type:N", title="plant"), tooltip=["node_id", "volume_t"])
    return (lines + dots).project(type="mercator").properties(
        width=WIDTH, height=WIDTH, title="Flows: plants by volume, lanes by tonnes")


def stock_vs_safety(stock: pd.DataFrame, nodes: list[str] | None = None) -> alt.Chart:
    shown = stock if nodes is None else stock[stock["node_id"].isin(nodes)]
    long = shown.melt(id_vars=["node_id", "period"],
                      value_vars=["closing_stock_t", "safety_stock_t"], var_name="series",
                      value_name="tonnes")
    return alt.Chart(long, title="Closing stock against safety stock (t)").mark_line(
        point=True).encode(
        x=alt.X("period:O"), y=alt.Y("tonnes:Q"),
        color=alt.Color("series:N", title=None),
        facet=alt.Facet("node_id:N", columns=6, title=None),
    ).properties(width=120, height=90)


def shadow_prices(prices: pd.DataFrame, top: int = 15) -> alt.Chart:
    """Where one more tonne of a limit is worth the most (₹ per tonne saved)."""
    worth = prices.assign(worth_inr_per_t=lambda f: -f["shadow_price_inr_per_t"])
    worth = worth[worth["worth_inr_per_t"] > 0].nlargest(top, "worth_inr_per_t")
    worth = worth.assign(limit=lambda f: f["constraint"] + " " + f["node_id"].astype(str) +
                         " p" + f["period"].astype(str))
    return alt.Chart(worth, title="What one more tonne of a limit is worth (₹/t)").mark_bar(
        color="#54a24b").encode(
        x=alt.X("worth_inr_per_t:Q", title="₹ saved per extra tonne"),
        y=alt.Y("limit:N", sort="-x", title=None), tooltip=["description", "worth_inr_per_t"],
    ).properties(width=WIDTH)
