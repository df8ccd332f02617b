"""The OEE commands, mounted by the spine as ``workbench oee ...``."""

from workbench.oee.cli.commands import app

__all__ = ["app"]
