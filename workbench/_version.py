"""The installed package's version, read from its metadata (nothing imports the package root)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
