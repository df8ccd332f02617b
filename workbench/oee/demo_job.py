"""OEE's part of `workbench demo`: a generated plant imported into the store (KPIs computed
at import), a line supervisor who sees one line, and the OEE report."""

from __future__ import annotations

from workbench.demo import DemoContext, add_demo_user, run_demo_report
from workbench.oee.examples import PlantSpec, demo_plant
from workbench.oee.workspace import OeeWorkspace

DATASET = "oee-demo"
SPEC = PlantSpec()  # one site, three lines of four machines, four weeks
SEED = 2026
SUPERVISOR, SUPERVISOR_LINE = "supervisor", "S1-L1"


def run(ctx: DemoContext) -> None:
    from workbench.oee.contract.writers import write_folder

    folder = write_folder(demo_plant(SPEC, seed=SEED), ctx.folder / "oee-demo", parquet=True)
    ws = OeeWorkspace.connect(ctx.store_url, "planner", ctx.password)
    try:
        done = ws.import_data(folder, DATASET)
        ctx.say(f"  imported {folder}: {done['events_added']:,} state events, "
                f"{done['counts_added']:,} counts; {done['kpi_rows_written']:,} KPI rows "
                "(per machine and shift, per machine and day)")
        plant = ws.kpis(DATASET, [], "day")
        oee = plant["fully_productive_min"].sum() / plant["pbt_min"].sum()
        ctx.headlines.append(f"OEE demo plant ({DATASET}): OEE {oee:.1%} over "
                             f"{len(plant)} days, {SPEC.lines_per_site} lines")
        add_demo_user(ctx, SUPERVISOR, [f"line:{SUPERVISOR_LINE}"],
                      f"line supervisor for {SUPERVISOR_LINE}")
        _report(ws, ctx)
    finally:
        ws.close()


def _report(ws: OeeWorkspace, ctx: DemoContext) -> None:
    run_demo_report(ctx, ws.store, ws.user, "oee_report",
                    {"dataset": DATASET, "user": "planner"}, "OEE report")
