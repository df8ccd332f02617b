"""Plant operations workbench.

Operations researchers start here::

    import workbench
    net = workbench.clinker.read_network("data/")
    report = workbench.clinker.validate(net)
"""

__version__ = "0.1.0"  # first: the store records it, and clinker imports the store

from workbench import clinker
from workbench.findings import Finding, Severity, ValidationReport

__all__ = ["Finding", "Severity", "ValidationReport", "__version__", "clinker"]
