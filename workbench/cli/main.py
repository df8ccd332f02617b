"""The ``workbench`` entry point: the spine's own commands (admin.py) plus every installed
domain's sub-app as ``workbench <domain> ...`` (the default domain also at the top level)."""

from __future__ import annotations

import io
import logging
import os
import sys

import typer

from workbench.cli import admin as _admin  # noqa: F401  (registers the store commands)
from workbench.cli import dashboard as _dashboard  # noqa: F401  (registers `dashboard`)
from workbench.cli import demo as _demo  # noqa: F401  (registers `workbench demo`)
from workbench.cli import jobs as _jobs  # noqa: F401  (registers `worker` and `jobs`)
from workbench.cli import reports as _reports  # noqa: F401  (registers `workbench report`)
from workbench.cli.app import app
from workbench.cli.helptext import conventional_help
from workbench.core.domain import domains

SPINE_COMMANDS = frozenset({"db", "user", "audit", "backup", "restore", "demo", "report",
                            "worker", "jobs", "dashboard"})
_GLOBAL_WITH_VALUE = ("--user", "--db")
_mounted = False


def mount_domains() -> None:
    """Every installed domain's commands on the root app (once)."""
    global _mounted
    if _mounted:
        return
    _mounted = True
    for domain in domains().values():
        sub_app = domain.load_cli()
        if sub_app is None:
            continue
        app.add_typer(sub_app, name=domain.name, help=domain.title)
        if domain.top_level:
            app.add_typer(sub_app)  # no name: its commands join the root's


def command_name(argv: list[str]) -> str | None:
    """The command a command line asks for, past the global options."""
    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def cli_for(argv: list[str]) -> typer.core.TyperGroup:
    """The command tree for this command line. A spine command (jobs, report, db...) does not
    load the domains' commands, and with them pandas: cron's calls start faster."""
    if command_name(argv) not in SPINE_COMMANDS:
        mount_domains()
    return conventional_help(typer.main.get_command(app))


def _logs_to_stderr() -> None:
    """Libraries' log records (Pyomo's among them) go to stderr, never into stdout, where
    `--json` readers expect one JSON document. Pyomo's own stdout handler stands down when the
    root logger has a handler."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)


def _native_output_to_stderr() -> None:
    """Native libraries write to file descriptor 1 behind Python's back (HiGHS 1.16 prints a
    banner when a solver object is made, whatever its output options say). Point descriptor 1
    at stderr and give Python's ``sys.stdout`` the real standard output, so that stdout carries
    only what the command itself prints: one JSON document under ``--json``."""
    try:
        sys.stdout.flush()
        real = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):  # no descriptors (an embedding host): leave things as they are
        return
    sys.stdout = io.TextIOWrapper(io.FileIO(real, "w"), encoding=sys.stdout.encoding,
                                  errors=sys.stdout.errors,
                                  line_buffering=sys.stdout.line_buffering)


def main() -> None:
    """Entry point: run the app, never showing a traceback to an operator."""
    _logs_to_stderr()
    _native_output_to_stderr()
    try:
        cli_for(sys.argv[1:])(prog_name="workbench")
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
