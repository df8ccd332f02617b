"""``diagnose``: window features from the store, then the ``legacy`` tree or the ``rules``
method with per-well anomaly scores."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from workbench.core.errors import InvalidRequest
from workbench.esp.diagnose.anomaly import anomaly_scores
from workbench.esp.diagnose.features import WINDOWS, full_grid, window_features
from workbench.esp.diagnose.legacy import legacy_tree
from workbench.esp.diagnose.rules import diagnose_rules
from workbench.esp.lake.layout import TelemetryStore


class Method(StrEnum):
    rules = "rules"
    legacy = "legacy"


class WindowSize(StrEnum):
    m15 = "15min"
    h1 = "1h"
    d1 = "1d"


def diagnose(store: TelemetryStore, wells: pd.DataFrame, start=None, end=None,
             window: str = "1h", method: str = "rules") -> pd.DataFrame:
    """Rows of well_id, window_start, label, confidence, evidence (JSON text) and, for
    ``rules``, anomalous and anomaly_score. ``wells`` is the registry of the wells to read.

    ``legacy`` diagnoses windows that have accepted rows; ``rules`` every window from a well's
    first to its last, a window without enough rows being a ``sensor_fault``."""
    if window not in WINDOWS:
        raise InvalidRequest(f"--window must be one of {', '.join(WINDOWS)}, not {window}")
    if method not in ("rules", "legacy"):
        raise InvalidRequest(f"--method must be rules or legacy, not {method}")
    features = window_features(store, list(wells["well_id"]), window, start, end)
    columns = ["well_id", "window_start", "label", "confidence", "evidence"]
    if features.empty:
        extra = ["anomalous", "anomaly_score"] if method == "rules" else []
        return pd.DataFrame(columns=columns + extra)
    if method == "legacy":
        out = legacy_tree(features)
        return pd.concat([features[["well_id", "window_start"]], out], axis=1)[columns]
    grid = full_grid(features, window).reset_index(drop=True)
    cadence = grid["well_id"].map(wells.set_index("well_id")["cadence_s"]).fillna(60.0)
    expected = (WINDOWS[window] / cadence).to_numpy(float)
    out = diagnose_rules(grid, wells, expected)
    anomalies = anomaly_scores(grid)
    return pd.concat([grid[["well_id", "window_start"]], out, anomalies], axis=1)
