"""Altair charts of OEE, shared by the report notebook and the dashboard page.

Each function takes a frame shaped by :mod:`workbench.oee.report` and returns a chart; none
fetches anything, and :func:`workbench.reports.charts.offline` renders them as SVG.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = 620
LOSS_COLOURS = {"planned busy time": "#1f4e79", "fully productive time": "#2e7d32",
                "loss": "#e45756"}


def heat_map(line_day: pd.DataFrame) -> alt.LayerChart:
    """OEE by line (rows) and day (columns); red is worse. Days a line did not run are blank."""
    base = alt.Chart(line_day, title="OEE by line and day").encode(
        x=alt.X("window_label:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("line_id:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("oee:Q", title="OEE", scale=alt.Scale(
            scheme="redyellowgreen", domain=[0, 1])),
        tooltip=["line_id", alt.Tooltip("window_label:N", title="day"),
                 alt.Tooltip("oee:Q", format=".1%"), alt.Tooltip("pbt_min:Q", format=",.0f")])
    days = line_day["window_label"].nunique()
    if days > 31:  # too narrow for a figure in each cell
        return alt.layer(cells).properties(width=WIDTH)
    text = base.mark_text(fontSize=9).encode(text=alt.Text("oee:Q", format=".0%"))
    return (cells + text).properties(width=WIDTH, height=alt.Step(24))


def waterfall(steps: pd.DataFrame) -> alt.LayerChart:
    """From planned busy time down to fully productive time, one bar per loss."""
    order = steps["step"].tolist()
    base = alt.Chart(steps, title="From planned busy time to fully productive time (hours)")
    bars = base.mark_bar().encode(
        x=alt.X("step:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("top_h:Q", title="hours"), y2="bottom_h:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=list(LOSS_COLOURS), range=list(LOSS_COLOURS.values()))),
        tooltip=["step", alt.Tooltip("hours:Q", format=",.1f")])
    labels = base.mark_text(dy=-6).encode(
        x=alt.X("step:N", sort=order), y="top_h:Q", text=alt.Text("hours:Q", format=",.0f"))
    return (bars + labels).properties(width=WIDTH)


def six_losses(losses: pd.DataFrame) -> alt.Chart:
    """The six big losses in hours, stacked by line."""
    return alt.Chart(losses, title="The six big losses (hours)").mark_bar().encode(
        x=alt.X("hours:Q", title="hours", stack="zero"),
        y=alt.Y("loss:N", sort=list(dict.fromkeys(losses["loss"])), title=None),
        color=alt.Color("line_id:N", title="line"),
        tooltip=["loss", "line_id", alt.Tooltip("hours:Q", format=",.1f")],
    ).properties(width=WIDTH)


def pareto(reasons: pd.DataFrame) -> alt.LayerChart:
    """Stop reasons by hours (bars) with their cumulative share (line)."""
    data = reasons.assign(hours=reasons["minutes"] / 60)
    order = data["label"].tolist()
    base = alt.Chart(data, title="Pareto of stop reasons").encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45,
                                                                 labelLimit=220)))
    bars = base.mark_bar(color="#4c78a8").encode(
        y=alt.Y("hours:Q", title="hours"),
        tooltip=["reason", "state", alt.Tooltip("hours:Q", format=",.1f")])
    line = base.mark_line(color="#e45756", point=True).encode(
        y=alt.Y("cumulative_share:Q", title="cumulative share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])))
    return (bars + line).resolve_scale(y="independent").properties(width=WIDTH)


def worst_machines(machines: pd.DataFrame) -> alt.Chart:
    """The machines with the lowest OEE, with availability, effectiveness and quality."""
    long = machines.melt(id_vars=["machine_id"], value_vars=["oee", "availability",
                                                             "effectiveness", "quality"],
                         var_name="measure", value_name="value")
    return alt.Chart(long, title="Worst machines by OEE").mark_bar().encode(
        x=alt.X("value:Q", title=None, axis=alt.Axis(format="%")),
        y=alt.Y("machine_id:N", sort=machines["machine_id"].tolist(), title=None),
        color=alt.Color("measure:N", title=None),
        yOffset="measure:N",
        tooltip=["machine_id", "measure", alt.Tooltip("value:Q", format=".1%")],
    ).properties(width=WIDTH)
