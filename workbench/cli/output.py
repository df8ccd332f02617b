"""Output and exit codes shared by every command: JSON for scripts, tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from workbench.core.findings import ValidationReport

err = Console(stderr=True, soft_wrap=True)  # long messages stay whole lines in logs

EXIT_OK = 0
EXIT_FAILED = 1  # bad input, no plan found, refused
EXIT_USAGE = 2  # the command was called wrongly (as click reports usage errors)


def out_console() -> Console:
    """Standard output; wide when piped (logs, cron mail) so tables are not squeezed."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain table on standard output; ``None`` cells print empty."""
    table = Table(*headers)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    out_console().print(table)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def print_report(report: ValidationReport, source: str) -> None:
    """Human form of a validation report: the headline, then one line per finding, errors
    first, each group in checklist order."""
    out = Console(highlight=False, soft_wrap=True)
    colour = "red" if report.errors else "green"
    out.print(f"{escape(source)}: [{colour}]{escape(report.headline())}[/]", markup=True)
    for finding in [*report.errors, *report.warnings]:
        colour = "red" if finding.is_error else "yellow"
        # file labels such as "net.xlsx [plant_master]" must not be read as markup
        out.print(f"[{colour}]{finding.severity:<7}[/] {escape(finding.location())}: "
                  f"{escape(finding.message)} [dim]({finding.check})[/]", markup=True)
    if len(report) > 10:  # long lists scroll: repeat the verdict where the eye ends up
        out.print(f"{escape(source)}: {report.summary()}; "
                  + ("[red]not usable[/]" if report.errors else "[green]usable[/]"), markup=True)
