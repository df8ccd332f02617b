"""OEE commands on the store: import event data, read the precomputed KPIs."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape

from workbench.cli.output import EXIT_FAILED, err, print_json, print_report
from workbench.cli.session import acting_user, action, store_for
from workbench.oee.cli.commands import DataArg, JsonOpt, _keys, _load, app, print_kpis
from workbench.oee.model.windows import Window

DatasetOpt = Annotated[str, typer.Option("--dataset", help="The dataset's name in the store.")]


@app.command("import")
def import_command(ctx: typer.Context, data: DataArg, dataset: DatasetOpt,
                   as_json: JsonOpt = False) -> None:
    """Validate DATA, then append its events and counts to the dataset (created on first use).

    Rows already stored are skipped, so importing the same data again doubles nothing. KPIs
    per machine and shift and per machine and day are recomputed for the windows the new rows
    touch, in the same transaction. On any error nothing is stored (exit 1).
    """
    from workbench.oee.store.persist import import_data

    loaded, report = _load(data, quiet=as_json)
    if not report.ok:
        if as_json:
            print_json({"stored": False, "validation": report.to_dict()})
        else:
            print_report(report, str(data))
            err.print("[red]nothing was stored[/]: fix the errors above and import again")
        raise typer.Exit(EXIT_FAILED)
    store = store_for(ctx)
    actor = acting_user(ctx, store)
    t0 = time.perf_counter()
    with action(store, actor, "oee.import", dataset) as session:
        outcome = import_data(session, actor, loaded, dataset, str(data))
    outcome = {"stored": True, **outcome, "warnings": len(report.warnings),
               "seconds": round(time.perf_counter() - t0, 2)}
    if as_json:
        print_json(outcome)
    else:
        err.print(f"dataset {escape(dataset)}: {outcome['events_added']:,} events and "
                  f"{outcome['counts_added']:,} counts added, {outcome['kpi_rows_written']:,} "
                  f"KPI rows written ({outcome['seconds']} s)")


@app.command("stored-kpis")
def stored_kpis_command(
    ctx: typer.Context,
    dataset: DatasetOpt,
    by: Annotated[str, typer.Option(
        "--by", help="Comma list of machine, line, site; or all.")],
    window: Annotated[Window, typer.Option(
        "--window", help="shift or day: the windows computed at import.")] = Window.day,
    as_json: JsonOpt = False,
) -> None:
    """KPIs from the rows precomputed at import, limited to the lines and sites you may see."""
    from workbench.oee.store.queries import stored_kpis

    keys = _keys(by)
    store = store_for(ctx)
    actor = acting_user(ctx, store)
    with action(store, actor, "oee.kpis", dataset, audit_ok=True) as session:
        payload = stored_kpis(session, actor, dataset, keys, window)
    if as_json:
        print_json(payload)
    else:
        print_kpis(payload, keys)

