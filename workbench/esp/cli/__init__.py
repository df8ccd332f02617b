"""The ESP commands, mounted by the spine as ``workbench esp ...``."""

from workbench.esp.cli.commands import app

__all__ = ["app"]
