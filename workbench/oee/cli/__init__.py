"""The OEE commands, mounted by the spine as ``workbench oee ...``."""

from workbench.oee.cli import store as _store  # noqa: F401  (registers its commands)
from workbench.oee.cli.commands import app

__all__ = ["app"]
