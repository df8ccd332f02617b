"""Clinker supply-chain planning: data contract, validation, the planning model and its store.

The public API for notebooks. Everything loads on first use, so the
spine can read the domain's registry entry without importing pandas, Pyomo or the store.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "ClinkerNetwork": "workbench.clinker.contract.network",
    "Settings": "workbench.clinker.contract.network",
    "read_network": "workbench.clinker.contract.readers",
    "validate": "workbench.clinker.validation",
    "Workspace": "workbench.clinker.workspace",
    "SolveOptions": "workbench.clinker.optimization.options",
    "solve_network": "workbench.clinker.optimization.solve",
    "PlanResult": "workbench.clinker.results.plan",
    "PlanStatus": "workbench.clinker.results.plan",
    "demo_network": "workbench.clinker.examples",
    "synthetic_network": "workbench.clinker.examples",
}

__all__ = ["scenarios", *_LAZY]


def __getattr__(name: str) -> Any:
    if name == "scenarios":
        return importlib.import_module("workbench.clinker.scenarios")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench.clinker' has no attribute {name!r}")
