"""Anomaly detection calibrated per well: a robust z-score of each window's features against
that well's own history (median and MAD of its windows), the score being the largest.

A window is ``anomalous`` when its score exceeds ``threshold``. The features are the
affinity-normalised current, flow, torque and vibration, the current's roughness and the run
fraction, so a VSD set-point change alone is not an anomaly. Scale floors keep a very quiet
well from flagging noise (a MAD below the floor uses the floor).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = {  # feature -> scale floor, as a share of the median (ratio) or absolute
    "current_norm": ("rel", 0.02),
    "flow_norm": ("rel", 0.02),
    "torque_norm": ("rel", 0.02),
    "vibration_norm": ("rel", 0.08),
    "roughness": ("abs", 0.004),
    "run_fraction": ("abs", 0.02),
}
THRESHOLD = 8.0


def anomaly_scores(features: pd.DataFrame, threshold: float = THRESHOLD) -> pd.DataFrame:
    """anomalous and anomaly_score for each window; windows with no rows score NaN."""
    scores = np.zeros(len(features))
    wells = features["well_id"].to_numpy()
    for name, (kind, floor) in FEATURES.items():
        values = features[name].astype(float)
        grouped = values.groupby(wells)
        median = grouped.transform("median")
        mad = (values - median).abs().groupby(wells).transform("median") * 1.4826
        floor_v = (median.abs() * floor) if kind == "rel" else pd.Series(floor, index=values.index)
        scale = np.maximum(mad.fillna(0), floor_v.fillna(floor))
        z = ((values - median).abs() / scale).to_numpy(float)
        scores = np.fmax(scores, np.nan_to_num(z, nan=0.0))
    empty = features["rows"].to_numpy() == 0
    scores = np.where(empty, np.nan, scores)
    return pd.DataFrame({"anomalous": np.nan_to_num(scores, nan=0.0) > threshold,
                         "anomaly_score": np.round(scores, 3)}, index=features.index)
