"""The data behind the ESP dashboard page, read as the page's user may see it.

The page reads rollups and the quality table (a few rows per well and day) and, for the one
well chosen, its last day of 1-minute rows and that day's diagnoses; never the whole store.
A user granted some fields or wells gets those wells only, with the same filter as
``workbench esp ...`` and the report, and a forged choice shows nothing and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.dashboards.page import PageSession
from workbench.esp.lake.layout import TelemetryStore
from workbench.esp.store import records
from workbench.esp.workspace import EspField

TREND_DAYS = 7


@dataclass(frozen=True)
class EspView:
    store: str
    well: str
    day: str
    tiles: list[tuple[str, str, str]]
    field: list[dict[str, object]]  # a row per visible well: its last day
    amp_rows: pd.DataFrame  # the chosen well's last day at 1 min
    hourly: pd.DataFrame  # the chosen well's last TREND_DAYS days at 1 h
    episodes: list[dict[str, object]]  # the chosen well's last day, other than normal


def store_choices(page: PageSession) -> list[str]:
    """Telemetry stores (their folders) with an ingest run this user may see."""
    with page.store.session() as session:
        return [str(s["path"]) for s in records.telemetry_stores(session, page.user)]


def _field(page: PageSession, store: object) -> EspField | None:
    if isinstance(store, str) and store in store_choices(page):
        return EspField(TelemetryStore.open(Path(store)), page.user)
    page.allowed("telemetry_store", store)  # records the refusal
    return None


def well_choices(page: PageSession, store: object) -> list[str]:
    field = _field(page, store)
    return [] if field is None else sorted(field.wells()["well_id"])


def _checked_well(page: PageSession, field: EspField, well: object) -> str | None:
    if isinstance(well, str) and well in set(field.wells()["well_id"]):
        return well
    page.allowed("well", well)
    return None


def last_day_diagnoses(field: EspField, well: str, last: pd.Timestamp) -> pd.DataFrame:
    """The well's windows of its last day, diagnosed as the report does: against a baseline
    from a week of its own windows, beside the other wells on its feeder (or field), since a
    power fluctuation is a sag that several wells of one feeder share."""
    wells = field.wells().set_index("well_id")
    group = "feeder" if "feeder" in wells and pd.notna(wells.at[well, "feeder"]) else "field"
    mates = [well]
    if group in wells and pd.notna(wells.at[well, group]):
        mates = list(wells.index[wells[group] == wells.at[well, group]])
    found = field.diagnoses(well=None if len(mates) > 1 else well,
                            start=last - pd.Timedelta(days=TREND_DAYS - 1),
                            end=last + pd.Timedelta(days=1), wells=mates)
    return found[(found["well_id"] == well) & (found["window_start"] >= last)]


def view(page: PageSession, store: object, well: object) -> EspView | None:
    """The page's figures for one store and well, or None for a forged choice."""
    from workbench.esp import report

    field = _field(page, store)
    if field is None:
        return None
    chosen = _checked_well(page, field, well)
    if chosen is None:
        return None
    daily = field.field_overview(days=1)
    if daily.empty:
        return EspView(str(store), chosen, "", [], [], pd.DataFrame(), pd.DataFrame(), [])
    last = pd.Timestamp(daily["bucket"].max())
    day = f"{last:%Y-%m-%d}"
    quality = field.quality(first_day=day, last_day=day).set_index("well_id")["score"]
    found = last_day_diagnoses(field, chosen, last)
    episodes = report.episodes(report.EspReport(str(store), chosen, day, day, field.wells(),
                                                pd.DataFrame(), daily, found, pd.DataFrame()))
    rows = []
    for w in daily.sort_values("well_id").itertuples(index=False):
        score = quality.get(w.well_id)
        rows.append({"well": w.well_id, "flow (BPD)": f"{w.flow_rate_bpd_mean:,.0f}",
                     "current (A)": f"{w.motor_current_a_mean:.1f}",
                     "motor temp max (°C)": f"{w.motor_temp_c_max:.1f}",
                     "quality": "–" if score is None else f"{score:.1%}"})
    troubled = found[found["label"] != "normal"]
    tiles = [("Wells", f"{len(rows)}", f"yours, on {day} (UTC)"),
             ("Field flow", f"{daily['flow_rate_bpd_mean'].sum():,.0f} BPD",
              "sum of the wells' daily means"),
             ("Data quality", f"{quality.mean():.1%}" if len(quality) else "–",
              "mean of the wells' scores that day"),
             (chosen, "normal" if troubled.empty else
              str(troubled["label"].value_counts().index[0]),
              f"{len(troubled)} of {len(found)} hours other than normal")]
    hourly = field.rollup("1h", chosen, last - pd.Timedelta(days=TREND_DAYS - 1),
                          last + pd.Timedelta(days=1))
    shown = [{"from (UTC)": e["from (UTC)"], "to (UTC)": e["to (UTC)"],
              "hours": f"{e['hours']:.0f}", "label": e["label"],
              "confidence": f"{e['confidence']:.2f}", "why": e["reason"]}
             for e in episodes.to_dict("records")]
    return EspView(str(store), chosen, day, tiles, rows, field.amp_chart(chosen, last),
                   hourly, shown)
