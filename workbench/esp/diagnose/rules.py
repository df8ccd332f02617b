"""The project's diagnosis (method ``rules``): each well against its own baseline, the classic
ammeter-chart patterns, and persistence across windows. Every diagnosis carries its evidence.

Baseline: per well, the median of its steadily running windows (run fraction ≥ 98 %, enough
rows) of the affinity-normalised current, flow, torque and vibration, intake pressure and
current roughness. Medians keep a well's own episodes from moving its baseline much.

Decision, first that holds (thresholds in ``Thresholds``):

1. ``sensor_fault``: fewer than half the expected rows were accepted (frozen or missing data).
2. ``power_fluctuation``: isolated VSD frequency sags in the same window on at least two wells
   of the same feeder (or on the only well of its feeder reporting).
3. The pump stopped and started in the window (cycling):
   ``gas_lock`` when the running current is ragged (roughness), ``pump_off`` when intake
   pressure was drawn down near the pump (low against the baseline or falling fast),
   ``frequent_cycling`` for 2+ starts without either; a window with no running at all
   continues the previous window's cycling label.
4. Running throughout: ``pump_off`` when intake pressure falls fast while current declines;
   ``overload`` when normalised current is up and torque or vibration with it; ``underload``
   when normalised current and flow are both down; ``gas_interference`` when current is ragged.
   Weak overload and underload (near the threshold) need the previous window to agree.
5. Otherwise ``normal``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

LABELS = ("normal", "gas_interference", "gas_lock", "pump_off", "frequent_cycling",
          "overload", "underload", "power_fluctuation", "sensor_fault")
CYCLIC = ("gas_lock", "pump_off", "frequent_cycling")
BASE_COLUMNS = ("current_norm", "flow_norm", "torque_norm", "vibration_norm", "pip_mean",
                "roughness")


@dataclass(frozen=True)
class Thresholds:
    min_rows_share: float = 0.5
    steady_run_fraction: float = 0.98
    dips_min: int = 2
    gas_lock_roughness: float = 0.06
    pump_off_pip_share: float = 0.5
    pump_off_pip_slope_psi_h: float = -250.0
    pump_off_current_slope_pct_h: float = -8.0
    overload_current: float = 1.12
    overload_strong: float = 1.2
    overload_torque: float = 1.1
    overload_vibration: float = 1.5
    underload_current: float = 0.82
    underload_strong: float = 0.75
    underload_flow: float = 0.88
    interference_roughness: float = 0.04


def baselines(features: pd.DataFrame, expected_rows: float,
              t: Thresholds = Thresholds()) -> pd.DataFrame:
    """Per well: medians of its steadily running windows."""
    steady = features[(features["run_fraction"] >= t.steady_run_fraction) &
                      (features["rows"] >= t.min_rows_share * expected_rows)]
    base = steady.groupby("well_id")[list(BASE_COLUMNS)].median()
    return base.add_prefix("base_")


def _sync_dips(features: pd.DataFrame, wells: pd.DataFrame, t: Thresholds) -> np.ndarray:
    """Windows whose well has sags that other wells on its feeder share."""
    group = wells.set_index("well_id")
    feeder = group["feeder"] if "feeder" in group else pd.Series(dtype=object)
    field = group["field"] if "field" in group else pd.Series(dtype=object)
    line = features["well_id"].map(feeder).fillna(features["well_id"].map(field)) \
        .fillna(features["well_id"])
    dipping = features["dips"].fillna(0) >= t.dips_min
    reporting = features["rows"] > 0
    frame = pd.DataFrame({"line": line, "w": features["window_start"], "dip": dipping,
                          "rep": reporting})
    agg = frame.groupby(["line", "w"]).agg(dip=("dip", "sum"), rep=("rep", "sum"))
    joined = frame.merge(agg.add_suffix("_n"), left_on=["line", "w"], right_index=True,
                         how="left")
    return (dipping & ((joined["dip_n"] >= 2) | (joined["rep_n"] == 1))).to_numpy()


def diagnose_rules(features: pd.DataFrame, wells: pd.DataFrame, expected_rows: float,
                   t: Thresholds = Thresholds()) -> pd.DataFrame:
    """label, confidence and evidence per window (features sorted by well and window)."""
    base = baselines(features, expected_rows, t)
    f = features.join(base, on="well_id")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = {k: (f[f"{k}"] / f[f"base_{k}"]).to_numpy(float) for k in
                 ("current_norm", "flow_norm", "torque_norm", "vibration_norm", "pip_mean")}
    rows_share = f["rows"].to_numpy(float) / expected_rows
    run = f["run_fraction"].to_numpy(float)
    starts = f["starts"].to_numpy(float)
    rough = f["roughness"].to_numpy(float)
    pip_slope = f["pip_slope_psi_h"].to_numpy(float)
    cur_slope = f["current_slope_pct_h"].to_numpy(float)
    pip_min_share = (f["pip_min_running"] / f["base_pip_mean"]).to_numpy(float)
    sync = _sync_dips(f, wells, t)
    n = len(f)
    label = np.full(n, "normal", dtype=object)
    conf = np.full(n, 0.6)
    why = np.full(n, "within the well's baseline", dtype=object)
    decided = np.zeros(n, bool)

    def assign(mask, name, confidence, reason):
        mask = mask & ~decided
        label[mask] = name
        conf[mask] = confidence[mask] if isinstance(confidence, np.ndarray) else confidence
        why[mask] = reason
        decided[mask] = True

    with np.errstate(invalid="ignore"):
        assign(rows_share < t.min_rows_share, "sensor_fault", 0.8,
               "fewer than half the expected rows accepted")
        assign(sync, "power_fluctuation", 0.85, "VSD frequency sags shared across the feeder")
        cycling = (starts >= 1) | (run < t.steady_run_fraction)
        ragged = np.nan_to_num(rough) >= t.gas_lock_roughness
        drawn = (np.nan_to_num(pip_min_share, nan=1) < t.pump_off_pip_share) | \
            (np.nan_to_num(pip_slope) < t.pump_off_pip_slope_psi_h)
        assign(cycling & (run > 0) & ragged, "gas_lock",
               np.where(f["gor_mean"].to_numpy(float) > 1.5 * np.nanmedian(
                   f["gor_mean"].to_numpy(float)), 0.9, 0.8),
               "stops and restarts with ragged current (gas locking)")
        assign(cycling & (run > 0) & drawn, "pump_off", 0.85,
               "stops and restarts with intake pressure drawn down (pumped off)")
        assign(cycling & (starts >= 2), "frequent_cycling", 0.7, "two or more restarts")
        steady = run >= t.steady_run_fraction
        falling = (np.nan_to_num(pip_slope) < t.pump_off_pip_slope_psi_h) & \
            (np.nan_to_num(cur_slope) < t.pump_off_current_slope_pct_h)
        assign(steady & falling, "pump_off", 0.75,
               "intake pressure and current falling through the run (pumping off)")
        cur = np.nan_to_num(ratio["current_norm"], nan=1.0)
        with_it = (np.nan_to_num(ratio["torque_norm"], nan=1) >= t.overload_torque) | \
            (np.nan_to_num(ratio["vibration_norm"], nan=1) >= t.overload_vibration)
        over = steady & (cur >= t.overload_current) & with_it
        under = steady & (cur <= t.underload_current) & \
            (np.nan_to_num(ratio["flow_norm"], nan=1) <= t.underload_flow)
        prev_over = _previous(f, over)
        prev_under = _previous(f, under)
        assign(over & ((cur >= t.overload_strong) | prev_over), "overload",
               np.clip(0.6 + (cur - 1), 0.6, 0.95),
               "normalised current up with torque or vibration (overload)")
        assign(under & ((cur <= t.underload_strong) | prev_under), "underload",
               np.clip(0.6 + (1 - cur), 0.6, 0.95),
               "normalised current and flow down (underload)")
        assign(steady & (np.nan_to_num(rough) >= t.interference_roughness),
               "gas_interference", 0.7, "ragged current without stops (gassy fluid)")
    # a window with no running at all continues the cycling of the window before it
    stopped = (run == 0) & ~decided
    prev_label = pd.Series(label).groupby(f["well_id"].to_numpy()).shift(1).to_numpy()
    carry = stopped & np.isin(prev_label, CYCLIC)
    label[carry] = prev_label[carry]
    conf[carry] = 0.7
    why[carry] = "pump stopped; continues the previous window's cycling"
    evidence = _evidence(f, ratio, why, t)
    return pd.DataFrame({"label": label, "confidence": np.round(conf, 3),
                         "evidence": evidence}, index=features.index)


def _previous(f: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    prev = pd.Series(mask).groupby(f["well_id"].to_numpy()).shift(1)
    return prev.fillna(False).to_numpy(bool)


EVIDENCE = ("rows", "run_fraction", "starts", "roughness", "pip_mean", "pip_min_running",
            "pip_slope_psi_h", "current_slope_pct_h", "dips", "gor_mean", "temp_max")


def _evidence(f: pd.DataFrame, ratio: dict[str, np.ndarray], why: np.ndarray,
              t: Thresholds) -> list[str]:
    """A JSON object per window: the reason, the features and ratios to the baseline."""
    del t
    cols = {k: f[k].to_numpy(float) for k in EVIDENCE if k in f}
    cols.update({f"{k}_vs_baseline": v for k, v in ratio.items()})
    keys = list(cols)
    matrix = np.column_stack([np.round(cols[k], 4) for k in keys]) if keys else None
    out = []
    for i in range(len(f)):
        values = {k: (None if np.isnan(matrix[i, j]) else float(matrix[i, j]))
                  for j, k in enumerate(keys)}
        out.append(json.dumps({"reason": why[i], **values}))
    return out


def thresholds_json(t: Thresholds = Thresholds()) -> dict:
    return asdict(t)
