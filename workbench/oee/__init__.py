"""OEE from machine events (ISO 22400-2): data contract, validation, time model, KPIs, store.

The public API for notebooks. Everything loads on first use, so the spine can read the domain's
registry entry without importing pandas or the store.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "OeeData": "workbench.oee.contract.data",
    "Settings": "workbench.oee.contract.data",
    "read_data": "workbench.oee.contract.readers",
    "validate": "workbench.oee.validation",
    "Window": "workbench.oee.model.windows",
    "Convention": "workbench.oee.kpis",
    "compute_kpis": "workbench.oee.kpis",
    "kpi_frame": "workbench.oee.kpis",
    "build_timeline": "workbench.oee.model.timeline",
    "demo_plant": "workbench.oee.examples",
    "stop_minutes": "workbench.oee.reasons",
    "OeeWorkspace": "workbench.oee.workspace",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench.oee' has no attribute {name!r}")
