"""The ``workbench`` command line. Domains add their commands in their own modules."""

from __future__ import annotations

import os
import sys

# importing the command modules registers their commands on the app
from workbench.cli import admin as _admin  # noqa: F401
from workbench.cli import clinker as _clinker  # noqa: F401
from workbench.cli import plans as _plans  # noqa: F401
from workbench.cli.app import app


def main() -> None:
    """Entry point: run the app, never showing a traceback to an operator."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # last line of defence; set WORKBENCH_DEBUG=1 to see the trace
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        print(f"workbench: internal error: {type(exc).__name__}: {exc}. "
              "Re-run with WORKBENCH_DEBUG=1 and report it.", file=sys.stderr)
        sys.exit(2)
