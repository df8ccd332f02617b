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


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, missing where the denominator is 0 (no time, no pieces: no ratio)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def rollup(elements: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Sum the elements over everything but ``by`` and the window."""
    group = [*by, "window_start_us", "window_label"]
    if elements.empty:
        return pd.DataFrame(columns=[*group, *ELEMENT_COLUMNS])
    summed = elements.groupby(group, dropna=False, sort=True)[list(ELEMENT_COLUMNS)].sum()
    return summed.reset_index()


def with_kpis(sums: pd.DataFrame, convention: Convention) -> pd.DataFrame:
    """Add the reported time elements, ratios and losses to summed elements.

    Plain numpy on the columns, then one concat: a dashboard calls this on every read, and
    forty pandas column assignments cost more than the query (about 9 ms on 125 rows).
    """
    e = {c: sums[c].to_numpy(dtype=float) for c in ELEMENT_COLUMNS}
    apt_iso, minor = e["running_min"], e["minor_stop_min"]
    if convention is Convention.vorne:
        apt, adet = apt_iso + minor, e["breakdown_min"]
    else:
        apt, adet = apt_iso, e["breakdown_min"] + minor
    aust, pbt = e["setup_min"], e["pbt_min"]
    ideal, fully = e["ideal_min"], e["fully_productive_min"]
    effectiveness, quality = _ratio(ideal, apt), _ratio(fully, ideal)
    new = {
        "apt_min": apt, "adet_min": adet, "aust_min": aust,
        "adot_min": e["waiting_min"] + e["uncovered_min"],
        "availability": _ratio(apt, pbt), "effectiveness": effectiveness, "quality": quality,
        "oee": _ratio(fully, pbt),
        "nee": _ratio(apt + aust, pbt) * effectiveness * quality,
        "technical_efficiency": _ratio(apt, apt + adet),
        "utilisation_efficiency": _ratio(apt, apt + aust + adet),
        "allocation_efficiency": _ratio(apt + aust + adet, pbt),
        "setup_ratio": _ratio(aust, apt + aust),
        "scrap_ratio": _ratio(e["sq"], e["pq"]),
        "loss_breakdowns": e["breakdown_min"], "loss_setup": aust, "loss_minor_stops": minor,
        "loss_reduced_speed": apt_iso - ideal,  # the same in both conventions
        "loss_process_defects": e["process_defects_min"],
        "loss_reduced_yield": e["reduced_yield_min"],
    }
    kept = sums.drop(columns=[c for c in new if c in sums.columns])
    return pd.concat([kept, pd.DataFrame(new, index=sums.index)], axis=1)


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


def _cells(values: pd.Series) -> list[object]:
    """A column as JSON-ready Python values: floats, with None for missing or non-finite."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float)
        cells: list[object] = numbers.tolist()
        for i in np.flatnonzero(~np.isfinite(numbers)):
            cells[i] = None
        return cells
    return [_clean(v) for v in values.tolist()]


def kpi_rows(frame: pd.DataFrame, by: Sequence[str], timezone: str) -> list[dict[str, object]]:
    """The rows of spec section 5: keys, window, elements, ratios and ``losses_min``.

    Built column by column (a dashboard's JSON read makes these on every request; pandas'
    per-row ``to_dict`` cost more than the query)."""
    if not len(frame):
        return []
    starts = iso_local(frame["window_start_us"].to_numpy(dtype=np.int64), timezone).tolist()
    fields = (*OUTPUT_TIMES, *OUTPUT_COUNTS, *RATIOS)
    keys = {k: _cells(frame[k]) for k in by}
    values = {k: _cells(frame[k]) for k in fields}
    losses = {n: _cells(frame[f"loss_{n}"]) for n in LOSSES}
    labels = frame["window_label"].tolist()
    rows = []
    for i, start in enumerate(starts):
        row: dict[str, object] = {k: keys[k][i] for k in by}
        row["window_start"] = start
        row["window_label"] = labels[i]
        row.update({k: values[k][i] for k in fields})
        row["losses_min"] = {n: losses[n][i] for n in LOSSES}
        rows.append(row)
    return rows


def compute_kpis(data: OeeData, by: Sequence[str], window: Window = Window.all,
         convention: Convention | None = None) -> dict[str, object]:
    """The ``--json`` payload of ``workbench oee kpis``."""
    convention = Convention(convention or data.settings.convention)
    frame = kpi_frame(data, by, window, convention)
    return {"convention": str(convention), "window": str(Window(window)),
            "rows": kpi_rows(frame, by, data.settings.timezone)}
