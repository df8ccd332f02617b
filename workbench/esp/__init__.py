"""ESP well telemetry: ingestion with reject reasons and quality scores, Parquet storage by well
and day, incremental rollups, archive, a simulator, diagnostics (``legacy`` and ``rules``),
anomaly detection and their evaluation.

The public API for notebooks. Everything loads on first use, so the spine can read the domain's
registry entry without importing pandas or the store.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "TelemetryStore": "workbench.esp.lake.layout",
    "ingest": "workbench.esp.ingest.pipeline",
    "read_wells": "workbench.esp.contract.readers",
    "queries": "workbench.esp.lake",
    "simulate": "workbench.esp.simulate.field",
    "SimulationSpec": "workbench.esp.simulate.field",
    "diagnose": "workbench.esp.diagnose.diagnose",
    "evaluate": "workbench.esp.diagnose.evaluate",
    "archive": "workbench.esp.lake.archive",
    "EspWorkspace": "workbench.esp.workspace",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        return module if name == "queries" else getattr(module, name)
    raise AttributeError(f"module 'workbench.esp' has no attribute {name!r}")
