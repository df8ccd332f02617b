"""Clinker planning commands on data files: validate, demo-data and solve."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.output import EXIT_FAILED, EXIT_OK, err, print_json, print_report
from workbench.clinker import read_network, validate
from workbench.clinker.cli.output import print_plan, solve_progress
from workbench.clinker.contract.writers import write_csv_folder, write_workbook
from workbench.clinker.examples import demo_network
from workbench.clinker.optimization.options import SolveOptions

DataArg = Annotated[Path, typer.Argument(
    help="A folder of <table>.csv files, an .xlsx workbook with a sheet per table, or the "
         "hackathon workbook / its CSV export.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

app = typer.Typer(help="Clinker supply-chain planning: validate data, solve plans, keep "
                  "and compare scenarios.", no_args_is_help=True)


@app.command("validate")
def validate_command(data: DataArg, as_json: JsonOpt = False) -> None:
    """Check clinker network data against the contract and print every finding.

    Exit status 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    network = read_network(data)
    report = validate(network)
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report, str(data))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


class DataFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@app.command("demo-data")
def demo_data_command(
    out: Annotated[Path, typer.Argument(help="Folder (csv) or .xlsx file to write.")],
    fmt: Annotated[DataFormat, typer.Option("--format", help="csv folder or xlsx workbook")]
    = DataFormat.csv,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")]
    = 2026,
) -> None:
    """Write the bundled demo network (8 IUs, 30 GUs, 6 periods) as CSVs or a workbook."""
    network = demo_network(seed=seed)
    path = write_csv_folder(network, out) if fmt is DataFormat.csv else write_workbook(network, out)
    err.print(f"wrote demo network to {path}: {network.summary()}")


@app.command("solve")
def solve_command(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Argument(
        help="Data to solve (as for validate); or give --scenario instead.", show_default=False)]
    = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Solve this stored scenario and record the run in the store.")]
    = None,
    as_json: JsonOpt = False,
    gap: Annotated[float | None, typer.Option("--gap", min=0, max=1,
                                              help="Relative MIP gap (default: settings, 0.01)")]
    = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0, help="Seconds before stopping (default: settings, 600)")] = None,
    solver: Annotated[str, typer.Option(help="highs (default) or any Pyomo solver, e.g. cbc")]
    = "highs",
    no_duals: Annotated[bool, typer.Option("--no-duals", help="Skip the shadow-price LP.")]
    = False,
) -> None:
    """Solve the clinker plan for DATA, or a stored --scenario, and print the headline KPIs.

    Exit status 0 when a plan was found (optimal or feasible), 1 otherwise.
    """
    options = SolveOptions(solver=solver, mip_gap=gap, time_limit_s=time_limit,
                           shadow_prices=not no_duals)
    if (data is None) == (scenario is None):
        err.print("[red]error:[/] give either DATA or --scenario NAME (not both)")
        raise typer.Exit(EXIT_FAILED)
    if scenario is not None:
        from workbench.clinker.cli.plans import solve_scenario

        solve_scenario(ctx, scenario, options, as_json)
    assert data is not None
    from workbench.clinker.optimization.solve import solve_network  # Pyomo loads only when solving

    network = read_network(data)
    with solve_progress() as on_progress:
        result = solve_network(network, options, progress=on_progress)
    if as_json:
        print_json(result.to_dict())
    else:
        print_plan(result, str(data))
    raise typer.Exit(EXIT_OK if result.status.has_plan else EXIT_FAILED)
