"""Clinker planning commands on data files: validate, demo-data and solve."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.output import EXIT_FAILED, EXIT_OK, err, print_json, print_report
from workbench.cli.session import usage_error
from workbench.clinker import read_network, validate
from workbench.clinker.cli.output import report_solve, solve_progress, write_plan
from workbench.clinker.contract.writers import write_csv_folder, write_workbook
from workbench.clinker.examples import demo_network
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.results import export

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
        help="Data to solve (as for validate); or give --scenario instead.",
        show_default=False)] = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Solve this stored scenario and record the run in the store.",
        metavar="NAME")] = None,
    as_json: JsonOpt = False,
    plan: Annotated[bool, typer.Option(
        "--plan", help="With --json: add the plan's tables (production, shipments, stock, "
                       "unmet, shadow prices, costs, KPIs) as lists of records.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the plan: an .xlsx workbook (a sheet per table), or a folder of "
                      "CSV files for any other path.", metavar="PATH")] = None,
    gap: Annotated[float | None, typer.Option(
        "--gap", min=0, max=1, help="Relative MIP gap (default: settings, 0.01)",
        metavar="G")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0, help="Seconds before stopping (default: settings, 600)",
        metavar="S")] = None,
    solver: Annotated[str, typer.Option(
        help="highs (default) or another installed MIP solver, e.g. cbc", metavar="NAME")]
    = "highs",
    no_duals: Annotated[bool, typer.Option("--no-duals", help="Skip the shadow-price LP.")]
    = False,
) -> None:
    """Solve the clinker plan for DATA, or a stored --scenario, and print the headline KPIs.

    Exit status 0 when a plan was found (optimal or feasible), 1 for bad data or no plan,
    2 for a usage error (for example an unknown solver).
    """
    if data is None and scenario is None:
        raise usage_error("name the data to solve (a CSV folder or .xlsx workbook), or a "
                          "stored scenario with --scenario NAME")
    if data is not None and scenario is not None:
        raise usage_error("give DATA or --scenario NAME, not both")
    if plan and not as_json:
        raise usage_error("--plan adds the plan's tables to --json output; add --json, or use "
                          "--out PATH to write them to files")
    from workbench.clinker.optimization import solvers

    try:
        solvers.require(solver)
    except solvers.UnknownSolver as exc:
        raise usage_error(str(exc)) from None
    options = SolveOptions(solver=solver, mip_gap=gap, time_limit_s=time_limit,
                           shadow_prices=not no_duals)
    if scenario is not None:
        from workbench.clinker.cli.plans import solve_scenario

        solve_scenario(ctx, scenario, options, as_json, plan, out)
    assert data is not None
    from workbench.clinker.optimization.solve import solve_network  # Pyomo loads only when solving

    network = read_network(data)
    with solve_progress() as on_progress:
        result = solve_network(network, options, progress=on_progress)
    tables = export.plan_tables(result) if (plan or out) else {}
    report_solve(result, str(data), as_json, tables if plan else None,
                 hint=f"`workbench validate {data}` lists them")
    if out is not None and tables:
        from workbench.clinker.store.persist import data_hash

        write_plan(tables, export.run_summary(result, str(data), data_hash(network)), out)
    raise typer.Exit(EXIT_OK if result.status.has_plan else EXIT_FAILED)
