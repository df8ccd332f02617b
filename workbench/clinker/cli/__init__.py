"""The clinker commands: validate, demo-data, solve, import, scenario and dataset.

``app`` is the domain's Typer sub-app; the spine mounts it as ``workbench clinker ...`` and,
clinker being the default domain, at the top level too.
"""

from workbench.clinker.cli import plans as _plans  # noqa: F401  (registers its commands)
from workbench.clinker.cli import sweep as _sweep  # noqa: F401
from workbench.clinker.cli.commands import app

__all__ = ["app"]
