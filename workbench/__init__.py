"""Plant operations workbench.

Operations researchers start here::

    import workbench
    net = workbench.clinker.read_network("data/")
    report = workbench.clinker.validate(net)

Domains load on first use (``workbench.clinker``, ``workbench.oee``...), so importing one part
of the package never drags in the others.
"""

from __future__ import annotations

import importlib
from typing import Any

from workbench._version import __version__
from workbench.core.findings import Finding, Severity, ValidationReport

__all__ = ["Finding", "Severity", "ValidationReport", "__version__", "clinker"]


def __getattr__(name: str) -> Any:
    # PEP 562: `workbench.clinker` works after a bare `import workbench`, without importing
    # every domain (and its store and solver) up front
    if name.isidentifier() and not name.startswith("_"):
        try:
            return importlib.import_module(f"workbench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workbench.{name}":
                raise
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
