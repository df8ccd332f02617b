"""``evaluate``: precision and recall per label and the false-positive rate over windows,
against labelled episodes (``labels.csv``: well_id, start, end, label).

- A window's true label is the one covering most of it; time no episode covers is ``normal``.
- ``false_positive_rate``: the share of truly normal windows labelled other than ``normal``,
  or (``rules``) flagged anomalous.
- Windows are those the method diagnoses; for ``legacy`` a window without accepted rows has
  no diagnosis and counts as ``normal``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.errors import UserError
from workbench.esp.diagnose.diagnose import diagnose
from workbench.esp.diagnose.features import WINDOWS
from workbench.esp.lake.layout import TelemetryStore


def read_labels(path: Path) -> pd.DataFrame:
    """labels.csv, checked: a problem names the file, row and column."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise UserError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
    for col in ("well_id", "start", "end", "label"):
        if col not in frame.columns:
            raise UserError(f"{path}: column {col} missing; labels have well_id, start, end, "
                            "label")
    out = pd.DataFrame({"well_id": frame["well_id"].str.strip(),
                        "label": frame["label"].str.strip()})
    for col in ("start", "end"):
        parsed = pd.to_datetime(frame[col], format="ISO8601", utc=True, errors="coerce")
        if parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0]) + 2
            raise UserError(f"{path}, row {row}, column {col}: '{frame[col].iloc[row - 2]}' "
                            "is not an ISO 8601 time")
        out[col] = parsed
    bad = out["end"] <= out["start"]
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise UserError(f"{path}, row {row}, column end: the end is not after the start")
    blank = out["label"] == ""
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise UserError(f"{path}, row {row}, column label: blank")
    return out


def true_labels(windows: pd.DataFrame, labels: pd.DataFrame, window: str) -> np.ndarray:
    """The label covering most of each window (normal where episodes cover less)."""
    width = pd.Timedelta(seconds=WINDOWS[window])
    keys = pd.MultiIndex.from_frame(windows[["well_id", "window_start"]])
    cover: dict[str, np.ndarray] = {}
    for ep in labels.itertuples(index=False):  # one pass per episode, not per row
        first = ep.start.floor(width)
        starts = pd.date_range(first, ep.end, freq=width, inclusive="left")
        if len(starts) == 0:
            continue
        lo = np.maximum(starts, ep.start)
        hi = np.minimum(starts + width, ep.end)
        seconds = (hi - lo).total_seconds().to_numpy()
        where = keys.get_indexer(pd.MultiIndex.from_arrays([[ep.well_id] * len(starts),
                                                             starts]))
        ok = where >= 0
        arr = cover.setdefault(ep.label, np.zeros(len(windows)))
        np.add.at(arr, where[ok], seconds[ok])
    names = ["normal", *cover]
    total = sum(cover.values()) if cover else np.zeros(len(windows))
    matrix = np.column_stack([width.total_seconds() - total, *cover.values()])
    return np.asarray(names, dtype=object)[np.argmax(matrix, axis=1)]


def score(truth: np.ndarray, predicted: np.ndarray,
          anomalous: np.ndarray | None) -> dict[str, object]:
    labels = sorted(set(truth) | set(predicted))
    out = {}
    for name in labels:
        tp = int(((truth == name) & (predicted == name)).sum())
        fp = int(((truth != name) & (predicted == name)).sum())
        fn = int(((truth == name) & (predicted != name)).sum())
        out[name] = {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
                     "recall": round(tp / (tp + fn), 4) if tp + fn else None,
                     "support": int((truth == name).sum())}
    normal = truth == "normal"
    flagged = predicted != "normal"
    if anomalous is not None:
        flagged = flagged | anomalous
    payload: dict[str, object] = {
        "labels": out,
        "false_positive_rate": round(float(flagged[normal].mean()), 4) if normal.any()
        else None,
        "windows": len(truth), "normal_windows": int(normal.sum())}
    if anomalous is not None:
        payload["anomaly"] = {
            "false_positive_rate": round(float(anomalous[normal].mean()), 4)
            if normal.any() else None,
            "recall": round(float(anomalous[~normal].mean()), 4) if (~normal).any() else None}
        payload["label_false_positive_rate"] = round(
            float((predicted != "normal")[normal].mean()), 4) if normal.any() else None
    return payload


def evaluate(store: TelemetryStore, wells: pd.DataFrame, labels: pd.DataFrame,
             method: str = "rules", window: str = "1h") -> dict[str, object]:
    """The evaluation payload of spec section 5 for the given wells."""
    labels = labels[labels["well_id"].isin(wells["well_id"])]
    found = diagnose(store, wells, window=window, method=method)
    if method == "legacy":
        # every window of the rules' grid, legacy's missing ones counting as normal
        grid = diagnose(store, wells, window=window, method="rules")[["well_id",
                                                                      "window_start"]]
        found = grid.merge(found, on=["well_id", "window_start"], how="left")
        found["label"] = found["label"].fillna("normal")
    truth = true_labels(found, labels, window)
    predicted = found["label"].to_numpy(dtype=object)
    anomalous = found["anomalous"].to_numpy(bool) if method == "rules" else None
    return {"method": method, "window": window, **score(truth, predicted, anomalous)}
