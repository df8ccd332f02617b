"""Payees: classify the names accounts payable pays, and match them against a supplier master.

The public API for notebooks. Everything loads on first use, so the spine can read the domain's
registry entry without importing scikit-learn, rapidfuzz or the store.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "normalize": "workbench.payees.normalize",
    "PayeeClassifier": "workbench.payees.classify",
    "load_classifier": "workbench.payees.classify",
    "classify_names": "workbench.payees.classify",
    "SupplierIndex": "workbench.payees.match",
    "synth_master": "workbench.payees.synth",
    "evaluate_classifier": "workbench.payees.evaluate",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench.payees' has no attribute {name!r}")
