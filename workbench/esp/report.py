"""The figures of the ESP report (``notebooks/esp_report.ipynb``) and the dashboard page.

:func:`gather` reads once, as the workspace's user may see the store; the other functions
shape what was read into the report's tables. Diagnoses use the ``rules`` method on 1-hour
windows, the command line's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.esp.workspace import EspField, EspWorkspace

EVIDENCE_SHOWN = ("reason", "run_fraction", "starts", "pip_mean", "temp_max")


@dataclass(frozen=True)
class EspReport:
    store_path: str
    well: str  # the well of the amp chart
    first_day: str
    last_day: str
    wells: pd.DataFrame
    quality: pd.DataFrame
    overview: pd.DataFrame  # daily rollups, every visible well
    diagnoses: pd.DataFrame
    amp_rows: pd.DataFrame


def gather(ws: EspWorkspace, store_path: str, days: int = 7, well: str = "") -> EspReport:
    """Everything the report shows over the store's last ``days`` days."""
    field = ws.telemetry(store_path)
    wells = field.wells()
    overview = field.field_overview(days)
    if overview.empty:
        empty = pd.DataFrame()
        return EspReport(store_path, well, "", "", wells, empty, overview, empty, empty)
    first = pd.Timestamp(overview["bucket"].min())
    last = pd.Timestamp(overview["bucket"].max())
    chosen = well or _busiest_well(field, first, last)
    quality = field.quality(first_day=first, last_day=last)
    found = field.diagnoses(start=first, end=last + pd.Timedelta(days=1))
    return EspReport(store_path, chosen, f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}", wells,
                     quality, overview, found, field.amp_chart(chosen, last))


def _busiest_well(field: EspField, first: pd.Timestamp, last: pd.Timestamp) -> str:
    """The visible well with the most windows not diagnosed normal on the last day."""
    found = field.diagnoses(start=last, end=last + pd.Timedelta(days=1))
    troubled = found[found["label"] != "normal"]
    if troubled.empty:
        return str(field.wells()["well_id"].iloc[0])
    return str(troubled["well_id"].value_counts().index[0])


def summary(r: EspReport) -> pd.DataFrame:
    troubled = r.diagnoses[r.diagnoses["label"] != "normal"] if len(r.diagnoses) else \
        r.diagnoses
    rows = [("telemetry store", r.store_path),
            ("days", f"{r.first_day} to {r.last_day} (UTC)"),
            ("wells", f"{len(r.wells)} in {r.wells['field'].nunique()} field(s)"
             if "field" in r.wells else f"{len(r.wells)}"),
            ("mean quality score", f"{r.quality['score'].mean():.1%}" if len(r.quality)
             else "–"),
            ("hour-windows not normal", f"{len(troubled):,} of {len(r.diagnoses):,}"),
            ("wells with a diagnosis other than normal",
             f"{troubled['well_id'].nunique() if len(troubled) else 0}")]
    return pd.DataFrame(rows, columns=["", "value"]).set_index("")


def field_table(r: EspReport) -> pd.DataFrame:
    """Per well over the period: mean flow and current, quality, windows by label."""
    if r.overview.empty:
        return pd.DataFrame()
    daily = r.overview.groupby("well_id").agg(
        flow_bpd=("flow_rate_bpd_mean", "mean"), current_a=("motor_current_a_mean", "mean"),
        temp_max_c=("motor_temp_c_max", "max"))
    quality = r.quality.groupby("well_id")["score"].mean().rename("quality")
    counts = (r.diagnoses[r.diagnoses["label"] != "normal"]
              .groupby("well_id")["label"].agg(lambda s: ", ".join(
                  f"{k} {v}" for k, v in s.value_counts().items())).rename("not normal"))
    table = daily.join(quality).join(counts).reset_index()
    table["not normal"] = table["not normal"].fillna("")
    field = r.wells.set_index("well_id")["field"] if "field" in r.wells else None
    if field is not None:
        table.insert(1, "field", table["well_id"].map(field))
    return table.round({"flow_bpd": 0, "current_a": 1, "temp_max_c": 1, "quality": 3})


def episodes(r: EspReport, limit: int = 25) -> pd.DataFrame:
    """Runs of consecutive windows of one well with the same label other than normal, newest
    first, each with the evidence of its first window (what set the diagnosis off)."""
    if r.diagnoses.empty:
        return pd.DataFrame()
    found = r.diagnoses.sort_values(["well_id", "window_start"]).reset_index(drop=True)
    step = found.groupby("well_id")["window_start"].diff().dt.total_seconds()
    width = step[step > 0].min() if (step > 0).any() else 3600.0
    new = (found["label"] != found.groupby("well_id")["label"].shift()) | (step != width)
    found["episode"] = new.cumsum()
    found = found[found["label"] != "normal"]
    rows = []
    for _, windows in found.groupby("episode"):
        first = windows.iloc[0]
        evidence = first["evidence"] if isinstance(first["evidence"], dict) else {}
        end = windows["window_start"].iloc[-1] + pd.Timedelta(seconds=width)
        rows.append({"well_id": first["well_id"], "from (UTC)": first["window_start"],
                     "to (UTC)": end, "hours": len(windows) * width / 3600,
                     "label": first["label"], "confidence": windows["confidence"].mean(),
                     **{k: evidence.get(k) for k in EVIDENCE_SHOWN}})
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows).sort_values("from (UTC)", ascending=False).head(limit)
    for col in ("from (UTC)", "to (UTC)"):
        table[col] = table[col].dt.strftime("%Y-%m-%d %H:%M")
    return table.reset_index(drop=True)
