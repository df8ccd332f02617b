"""OEE's part of `workbench demo`: a generated plant imported into the store (KPIs computed
at import), a line supervisor who sees one line, and the OEE report."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.core.access import Role
from workbench.demo import DemoContext, DemoFailed
from workbench.oee.examples import PlantSpec, demo_plant
from workbench.oee.workspace import OeeWorkspace
from workbench.store import users

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
        _supervisor(ctx)
        _report(ws, ctx)
    finally:
        ws.close()


def _supervisor(ctx: DemoContext) -> None:
    admin = OeeWorkspace.connect(ctx.store_url, "admin", ctx.password)
    try:
        with admin.store.session() as session:
            users.add_user(session, admin.user, SUPERVISOR, Role.MANAGER, ctx.password,
                           [f"line:{SUPERVISOR_LINE}"])
    finally:
        admin.close()
    ctx.users[SUPERVISOR] = f"line supervisor for {SUPERVISOR_LINE}"
    ctx.say(f"  user {SUPERVISOR}: a line supervisor who sees line {SUPERVISOR_LINE}")


def _report(ws: OeeWorkspace, ctx: DemoContext) -> None:
    from workbench.reports import history, notebooks
    from workbench.reports.run import run_report

    ctx.say("  running the OEE report (papermill) ...")
    # the kernel reads the password from its environment, never from a parameter that would be
    # written into the executed notebook
    os.environ["WORKBENCH_PASSWORD"] = ctx.password
    try:
        run = run_report(notebooks.resolve("oee_report"),
                         {"dataset": DATASET, "db_url": ctx.store_url, "user": "planner"},
                         ctx.reports_dir)
    finally:
        del os.environ["WORKBENCH_PASSWORD"]
    with ws.store.session() as session:
        history.record(session, ws.user, run)
    if not run.succeeded:
        raise DemoFailed(f"the demo's OEE report failed: {run.error}; see "
                         f"{Path(run.folder) / str(run.log)}")
    ctx.reports.append(str(Path(run.folder) / str(run.html)))
