"""KPIs of spec section 3: ratios of summed elements, both conventions, the six big losses.

Roll-ups sum the elements of machine-windows (time in minutes, PRI-weighted quantities) and only
then form ratios, so a line's OEE is Σ fully productive time / Σ PBT, never a mean of ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import pandas as pd

from workbench.oee.contract.data import OeeData
from workbench.oee.model.timeline import ELEMENT_COLUMNS, build_timeline
from workbench.oee.model.windows import Window, iso_local


class Convention(StrEnum):
    iso = "iso"  # minor stops are delay time (ADET)
    vorne = "vorne"  # minor stops are run time (Vorne / oee.com)


KEYS = {"machine": "machine_id", "line": "line_id", "site": "site_id"}
LOSSES = ("breakdowns", "setup", "minor_stops", "reduced_speed", "process_defects",
          "reduced_yield")
RATIOS = ("availability", "effectiveness", "quality", "oee", "nee", "technical_efficiency",
          "utilisation_efficiency", "allocation_efficiency", "setup_ratio", "scrap_ratio")


def parse_keys(text: str) -> list[str]:
    """``machine,line`` -> group columns; ``all`` -> none. Raises ValueError with a fix."""
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise ValueError("--by needs at least one of machine, line, site or all")
    unknown = [n for n in names if n not in (*KEYS, "all")]
    if unknown:
        raise ValueError(f"--by {text}: unknown key {', '.join(unknown)}; use a comma list of "
                         "machine, line, site, or all")
    if "all" in names and len(names) > 1:
        raise ValueError("--by all groups everything together; do not combine it with "
                         "machine, line or site")
    ordered = [KEYS[k] for k in ("site", "line", "machine") if k in names]
    return ordered


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, missing where the denominator is 0 (no time, no pieces: no ratio)."""
    den = den.astype(float)
    return (num / den.where(den != 0)).astype(float)


def rollup(elements: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Sum the elements over everything but ``by`` and the window."""
    group = [*by, "window_start_us", "window_label"]
    if elements.empty:
        return pd.DataFrame(columns=[*group, *ELEMENT_COLUMNS])
    summed = elements.groupby(group, dropna=False, sort=True)[list(ELEMENT_COLUMNS)].sum()
    return summed.reset_index()


def with_kpis(sums: pd.DataFrame, convention: Convention) -> pd.DataFrame:
    """Add the reported time elements, ratios and losses to summed elements."""
    f = sums.copy()
    apt_iso = f["running_min"]
    minor = f["minor_stop_min"]
    if convention is Convention.vorne:
        f["apt_min"], f["adet_min"] = apt_iso + minor, f["breakdown_min"]
    else:
        f["apt_min"], f["adet_min"] = apt_iso, f["breakdown_min"] + minor
    f["aust_min"] = f["setup_min"]
    f["adot_min"] = f["waiting_min"] + f["uncovered_min"]
    apt, aust, adet, pbt = f["apt_min"], f["aust_min"], f["adet_min"], f["pbt_min"]
    f["availability"] = _ratio(apt, pbt)
    f["effectiveness"] = _ratio(f["ideal_min"], apt)
    f["quality"] = _ratio(f["fully_productive_min"], f["ideal_min"])
    f["oee"] = _ratio(f["fully_productive_min"], pbt)
    f["nee"] = _ratio(apt + aust, pbt) * f["effectiveness"] * f["quality"]
    f["technical_efficiency"] = _ratio(apt, apt + adet)
    f["utilisation_efficiency"] = _ratio(apt, apt + aust + adet)
    f["allocation_efficiency"] = _ratio(apt + aust + adet, pbt)
    f["setup_ratio"] = _ratio(aust, apt + aust)
    f["scrap_ratio"] = _ratio(f["sq"], f["pq"])
    f["loss_breakdowns"] = f["breakdown_min"]
    f["loss_setup"] = aust
    f["loss_minor_stops"] = minor
    f["loss_reduced_speed"] = apt_iso - f["ideal_min"]  # the same in both conventions
    f["loss_process_defects"] = f["process_defects_min"]
    f["loss_reduced_yield"] = f["reduced_yield_min"]
    return f


def kpi_frame(data: OeeData, by: Sequence[str], window: Window = Window.all,
              convention: Convention | None = None) -> pd.DataFrame:
    """KPIs of DATA grouped by ``by`` columns (machine_id, line_id, site_id) and window."""
    convention = Convention(convention or data.settings.convention)
    timeline = build_timeline(data, Window(window))
    return with_kpis(rollup(timeline.elements, by), convention)


def _clean(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


OUTPUT_TIMES = ("pbt_min", "apt_min", "aust_min", "adet_min", "adot_min",
                "outside_planned_min")
OUTPUT_COUNTS = ("pq", "gq", "sq", "rq", "ideal_min", "fully_productive_min")


def kpi_rows(frame: pd.DataFrame, by: Sequence[str], timezone: str) -> list[dict[str, object]]:
    """The rows of spec section 5: keys, window, elements, ratios and ``losses_min``."""
    starts = iso_local(frame["window_start_us"].to_numpy(dtype=np.int64), timezone) \
        if len(frame) else []
    columns = [*by, *OUTPUT_TIMES, *OUTPUT_COUNTS, *RATIOS]
    records = frame[columns + [f"loss_{n}" for n in LOSSES] + ["window_label"]].to_dict(
        "records")
    rows = []
    for start, rec in zip(starts, records, strict=True):
        row: dict[str, object] = {k: _clean(rec[k]) for k in by}
        row["window_start"] = start
        row["window_label"] = rec["window_label"]
        row.update({k: _clean(rec[k]) for k in (*OUTPUT_TIMES, *OUTPUT_COUNTS, *RATIOS)})
        row["losses_min"] = {n: _clean(rec[f"loss_{n}"]) for n in LOSSES}
        rows.append(row)
    return rows


def compute_kpis(data: OeeData, by: Sequence[str], window: Window = Window.all,
         convention: Convention | None = None) -> dict[str, object]:
    """The ``--json`` payload of ``workbench oee kpis``."""
    convention = Convention(convention or data.settings.convention)
    frame = kpi_frame(data, by, window, convention)
    return {"convention": str(convention), "window": str(Window(window)),
            "rows": kpi_rows(frame, by, data.settings.timezone)}
