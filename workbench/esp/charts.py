"""Altair charts of ESP telemetry, shared by the report notebook and the dashboard page.

Each function takes a frame from :class:`workbench.esp.workspace.EspField` and returns a
chart; none fetches anything, and :func:`workbench.reports.charts.offline` renders them as SVG.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = 620
LABEL_COLOURS = {"normal": "#2e7d32", "gas_interference": "#9ecae9", "gas_lock": "#1f77b4",
                 "pump_off": "#ff7f0e", "frequent_cycling": "#bcbd22", "overload": "#d62728",
                 "underload": "#9467bd", "power_fluctuation": "#8c564b",
                 "sensor_fault": "#7f7f7f"}


def amp_chart(rows: pd.DataFrame, well: str) -> alt.VConcatChart:
    """The ammeter chart of one well's day: motor current, with intake pressure under it.

    The classic round chart is drawn straight: time runs left to right, so the shapes an
    engineer looks for (gas lock's falling, ragged current then a trip; pump-off's slow
    decline through each run) read the same."""
    day = rows[["ts", "motor_current_a", "pip_psi", "motor_temp_c"]].copy()
    day["ts"] = day["ts"].dt.tz_convert("UTC").dt.tz_localize(None)
    title = f"{well}: motor current, {day['ts'].min():%Y-%m-%d} (UTC)" if len(day) else well
    current = alt.Chart(day, title=title).mark_line(color="#1f4e79", strokeWidth=1).encode(
        x=alt.X("ts:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y("motor_current_a:Q", title="current (A)"),
        tooltip=[alt.Tooltip("ts:T", format="%H:%M"), alt.Tooltip("motor_current_a:Q",
                                                                    format=".1f")],
    ).properties(width=WIDTH, height=180)
    pip = alt.Chart(day).mark_line(color="#e08a00", strokeWidth=1).encode(
        x=alt.X("ts:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y("pip_psi:Q", title="intake pressure (psi)"),
    ).properties(width=WIDTH, height=90)
    return alt.vconcat(current, pip)


def quality_by_day(quality: pd.DataFrame) -> alt.LayerChart:
    """Quality score per well (rows) and UTC day (columns); red is worse."""
    frame = quality[["well_id", "day", "score"]]
    base = alt.Chart(frame, title="Data quality by well and day").encode(
        x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("well_id:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("score:Q", title="score", scale=alt.Scale(
            scheme="redyellowgreen", domain=[0.8, 1])),
        tooltip=["well_id", "day", alt.Tooltip("score:Q", format=".1%")])
    return alt.layer(cells).properties(width=WIDTH, height=alt.Step(16))


def diagnoses_over_time(found: pd.DataFrame) -> alt.Chart:
    """One row per well, one mark per window not diagnosed normal, coloured by label."""
    frame = found.loc[found["label"] != "normal", ["well_id", "window_start", "label",
                                                    "confidence"]].copy()
    frame["window_start"] = frame["window_start"].dt.tz_convert("UTC").dt.tz_localize(None)
    labels = [k for k in LABEL_COLOURS if k in set(frame["label"])] or ["normal"]
    return alt.Chart(frame, title="Diagnoses other than normal, by window").mark_tick(
        thickness=3).encode(
        x=alt.X("window_start:T", title=None),
        y=alt.Y("well_id:N", title=None),
        color=alt.Color("label:N", title=None, scale=alt.Scale(
            domain=labels, range=[LABEL_COLOURS[k] for k in labels])),
        tooltip=["well_id", alt.Tooltip("window_start:T", format="%Y-%m-%d %H:%M"), "label",
                 alt.Tooltip("confidence:Q", format=".2f")],
    ).properties(width=WIDTH, height=alt.Step(16))


def flow_trend(hourly: pd.DataFrame, well: str) -> alt.Chart:
    """Hourly mean flow of one well."""
    frame = hourly[["bucket", "flow_rate_bpd_mean"]].copy()
    frame["bucket"] = frame["bucket"].dt.tz_convert("UTC").dt.tz_localize(None)
    return alt.Chart(frame, title=f"{well}: hourly mean flow (BPD)").mark_line(
        color="#2e7d32").encode(
        x=alt.X("bucket:T", title=None),
        y=alt.Y("flow_rate_bpd_mean:Q", title="flow (BPD)"),
    ).properties(width=WIDTH, height=160)
