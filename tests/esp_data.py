"""Small hand-made ESP telemetry for the tests: a steady well, written as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.esp.contract.readers import read_wells
from workbench.esp.ingest.pipeline import ingest
from workbench.esp.lake.layout import TelemetryStore

STEADY = {"flow_rate_bpd": 1500.0, "pip_psi": 900.0, "motor_current_a": 50.0,
          "motor_temp_c": 100.0, "vibration_g": 0.3, "vsd_frequency_hz": 55.0,
          "torque_nm": 120.0, "gor_scf_bbl": 300.0}


def telemetry(well: str = "W1", start: str = "2025-01-01T00:00:00", n: int = 10,
              step_s: int = 60, seed: int = 0) -> pd.DataFrame:
    """``n`` rows of one well, every ``step_s`` seconds; flow varies so nothing is frozen."""
    rng = np.random.default_rng(seed)
    ts = pd.date_range(start, periods=n, freq=f"{step_s}s")
    frame = pd.DataFrame({"well_id": well, "ts": ts.strftime("%Y-%m-%dT%H:%M:%S")})
    for name, value in STEADY.items():
        frame[name] = value
    frame["flow_rate_bpd"] = np.round(1500 + rng.normal(0, 10, n), 2)
    return frame


def wells_csv(folder: Path, wells: dict[str, str] | None = None) -> Path:
    wells = wells or {"W1": "F1", "W2": "F1", "W3": "F2"}
    path = folder / "wells.csv"
    pd.DataFrame({"well_id": list(wells), "field": list(wells.values()),
                  "cadence_s": 60}).to_csv(path, index=False)
    return path


def new_store(folder: Path) -> TelemetryStore:
    """An empty store with wells W1, W2 (field F1) and W3 (field F2) registered."""
    store = TelemetryStore.open(folder / "store", create=True)
    empty = folder / "empty.csv"
    telemetry(n=0).to_csv(empty, index=False)
    ingest(store, [empty], read_wells(wells_csv(folder)))
    return store


def write_csv(frame: pd.DataFrame, folder: Path, name: str = "batch.csv") -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path
