"""OEE commands on data files: validate, kpis and demo-data."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from workbench.cli.output import EXIT_FAILED, EXIT_OK, err, out_console, print_json, print_report
from workbench.oee.kpis import Convention, compute_kpis, parse_keys
from workbench.oee.model.windows import Window

DataArg = Annotated[Path, typer.Argument(
    help="A folder of <table>.csv files (state_events and counts may be .parquet), or an "
         ".xlsx workbook with a sheet per table.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

app = typer.Typer(help="OEE from machine events (ISO 22400-2): validate event logs, compute "
                  "availability, effectiveness, quality and the six losses, keep them in the "
                  "store.", no_args_is_help=True)


def _load(data: Path, quiet: bool):
    """Read and validate DATA, saying how long it took (stderr)."""
    from workbench.oee.contract.readers import read_data
    from workbench.oee.validation import validate

    t0 = time.perf_counter()
    loaded = read_data(data)
    if not quiet:
        err.print(f"read {escape(loaded.source or str(data))}: {loaded.summary()} "
                  f"({time.perf_counter() - t0:.1f} s)")
    t1 = time.perf_counter()
    report = validate(loaded)
    if not quiet:
        err.print(f"validated: {report.summary()} ({time.perf_counter() - t1:.1f} s)")
    return loaded, report


@app.command("validate")
def validate_command(data: DataArg, as_json: JsonOpt = False) -> None:
    """Check OEE data against the contract and print every finding.

    Exit status 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    _, report = _load(data, quiet=True)
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report, str(data))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


def _keys(text: str) -> list[str]:
    try:
        return parse_keys(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("kpis")
def kpis_command(
    data: DataArg,
    by: Annotated[str, typer.Option(
        "--by", help="Comma list of machine, line, site; or all (one row per window).")],
    window: Annotated[Window, typer.Option(
        "--window", help="shift, day, week, month or all (in settings.timezone).")]
    = Window.all,
    convention: Annotated[Convention | None, typer.Option(
        "--convention", help="iso (minor stops are delay time) or vorne (run time); default "
                             "settings.convention, else iso.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """OEE, its factors, the ISO 22400 efficiencies and the six losses, grouped and windowed.

    Every ratio is a ratio of sums: a line's OEE is its summed fully productive time over its
    summed planned busy time. Exit status 0 on success, 1 when DATA has errors.
    """
    keys = _keys(by)
    loaded, report = _load(data, quiet=False)
    if not report.ok:
        if as_json:
            print_json({"convention": str(convention or loaded.settings.convention),
                        "window": str(window), "rows": [], **report.to_dict()})
        else:
            print_report(report, str(data))
            err.print("[red]no KPIs[/]: fix the errors above and run again")
        raise typer.Exit(EXIT_FAILED)
    if report.warnings:
        err.print(f"{len(report.warnings)} warning(s); `workbench oee validate "
                  f"{escape(str(data))}` lists them")
    t0 = time.perf_counter()
    payload = compute_kpis(loaded, keys, window, convention)
    err.print(f"computed {len(payload['rows']):,} rows ({time.perf_counter() - t0:.1f} s)")
    if as_json:
        print_json(payload)
    else:
        print_kpis(payload, keys)
    raise typer.Exit(EXIT_OK)


def _pct(value: object) -> str:
    return "—" if value is None else f"{value:.1%}"


def print_kpis(payload: dict, keys: list[str]) -> None:
    table = Table(title=f"OEE by {', '.join(keys) or 'all'} and {payload['window']} "
                        f"({payload['convention']} convention)")
    for col in [*keys, "window", "PBT min", "A", "E", "Q", "OEE", "top loss"]:
        table.add_column(col, justify="right" if col not in keys else "left")
    for row in payload["rows"]:
        losses = row["losses_min"]
        worst = max(losses, key=lambda k: losses[k] or 0.0)
        table.add_row(*[str(row[k]) for k in keys], row["window_label"],
                      f"{row['pbt_min']:,.0f}", _pct(row["availability"]),
                      _pct(row["effectiveness"]), _pct(row["quality"]), _pct(row["oee"]),
                      f"{worst.replace('_', ' ')} {losses[worst]:,.0f} min")
    out_console().print(table)


class DataFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


@app.command("demo-data")
def demo_data_command(
    out: Annotated[Path, typer.Argument(help="Folder (csv, parquet) or .xlsx file to write.")],
    fmt: Annotated[DataFormat, typer.Option(
        "--format", help="csv folder; parquet (state_events and counts as Parquet, the rest "
                         "CSV); or an xlsx workbook")] = DataFormat.csv,
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days of operation.")] = 28,
    lines: Annotated[int, typer.Option(min=1, max=200, help="Lines per site.")] = 3,
    machines: Annotated[int, typer.Option(min=1, max=100, help="Machines per line.")] = 4,
    sites: Annotated[int, typer.Option(min=1, max=50, help="Sites.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")]
    = 2026,
) -> None:
    """Write a generated plant: lines of machines, shifts with breaks, products with their own
    ideal rates, breakdowns, setups, minor stops, starvation and scrap with reasons."""
    from workbench.oee.contract.writers import write_folder, write_workbook
    from workbench.oee.examples import PlantSpec, demo_plant

    spec = PlantSpec(sites=sites, lines_per_site=lines, machines_per_line=machines, days=days)
    tables = demo_plant(spec, seed=seed)
    if fmt is DataFormat.xlsx:
        path = write_workbook(tables, out)
    else:
        path = write_folder(tables, out, parquet=fmt is DataFormat.parquet)
    err.print(f"wrote demo plant to {escape(str(path))}: {len(tables['machines'])} machines, "
              f"{len(tables['state_events']):,} state events, {len(tables['counts']):,} count "
              "rows")
