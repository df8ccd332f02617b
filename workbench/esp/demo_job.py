"""ESP's part of `workbench demo`: a simulated field of wells ingested into a telemetry store
under build/, a production engineer who sees one field, and the ESP report."""

from __future__ import annotations

from workbench.demo import DemoContext, add_demo_user, run_demo_report
from workbench.esp.simulate.field import SimulationSpec, simulate, write
from workbench.esp.workspace import EspWorkspace

SPEC = SimulationSpec(wells=20, days=10, seed=2026)  # two fields of ten wells
STORE = "esp-store"
ENGINEER, ENGINEER_FIELD = "engineer", "F2"


def run(ctx: DemoContext) -> None:
    sim = ctx.folder / "esp-sim"
    written = write(simulate(SPEC), sim)
    ctx.say(f"  simulated {written['wells']} wells over {SPEC.days} days: "
            f"{written['rows']:,} rows, {written['episodes']} labelled episodes")
    ws = EspWorkspace.connect(ctx.store_url, "planner", ctx.password)
    try:
        done = ws.ingest([sim / "telemetry"], ctx.folder / STORE, wells=sim / "wells.csv")
        ctx.say(f"  ingested into {ctx.folder / STORE}: {done['rows_accepted']:,} rows "
                f"accepted, {done['rows_rejected']:,} rejected with their reason, "
                f"{done['rows_per_second']:,.0f} rows/s")
        quality = ws.telemetry(ctx.folder / STORE).quality()
        ctx.headlines.append(f"ESP demo field ({STORE}): {written['wells']} wells, mean "
                             f"data quality {quality['score'].mean():.1%}")
        add_demo_user(ctx, ENGINEER, [f"field:{ENGINEER_FIELD}"],
                      f"production engineer for field {ENGINEER_FIELD}")
        _report(ws, ctx)
    finally:
        ws.close()


def _report(ws: EspWorkspace, ctx: DemoContext) -> None:
    run_demo_report(ctx, ws.store, ws.user, "esp_report",
                    {"store": str((ctx.folder / STORE).resolve()), "user": "planner"},
                    "ESP report")
