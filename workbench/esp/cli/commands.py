"""``workbench esp ...``: simulate, ingest, quality, rollup, diagnose, evaluate, archive.

Exit status: 0 when the work was done (an ingest with rejects included), 1 when the input
cannot be used or the user may not do it (one line naming the file, row and column, no
traceback, nothing stored), 2 for a usage error. With ``--json`` stdout holds only JSON;
messages and progress go to stderr.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from workbench.cli.output import err, print_json, print_table
from workbench.cli.session import action, fail, signed_in, usage_error

app = typer.Typer(help="ESP well telemetry: simulate, ingest with quality scores, rollups, "
                  "diagnose, evaluate, archive.", no_args_is_help=True)

StoreArg = Annotated[Path, typer.Argument(help="The telemetry store (a folder).",
                                          show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="From this time (ISO 8601, UTC "
                                                            "when naive), inclusive.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Up to this time, exclusive.")]


class Interval(StrEnum):
    min1 = "1min"
    h1 = "1h"
    d1 = "1d"


class Window(StrEnum):
    m15 = "15min"
    h1 = "1h"
    d1 = "1d"


class Method(StrEnum):
    rules = "rules"
    legacy = "legacy"


@contextmanager
def _steps(quiet: bool) -> Iterator:
    """A live status line on a terminal for long work; nothing otherwise."""
    if quiet or not err.is_terminal:
        yield lambda _msg: None
        return
    with err.status("starting") as status:
        yield lambda msg: status.update(escape(msg))


def _time(value: str | None, option: str):
    if value is None:
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise usage_error(f"{option} '{value}' is not an ISO 8601 time") from None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _open(path: Path, create: bool = False):
    from workbench.core.errors import UserError
    from workbench.esp.lake.layout import TelemetryStore

    try:
        return TelemetryStore.open(path, create=create)
    except UserError as exc:
        raise fail(str(exc)) from None


def _visible_wells(ctx: typer.Context, tstore, well: str | None = None):
    """(sql store, user, the wells this user may see, narrowed to ``well`` when given)."""
    from workbench.core.errors import UserError
    from workbench.esp.store.records import require_wells, visible

    sql, actor = signed_in(ctx)
    registry = tstore.wells()
    if well is not None:
        try:
            require_wells(actor, registry, [well])
        except UserError as exc:
            raise fail(str(exc)) from None
        return sql, actor, registry[registry["well_id"] == well]
    return sql, actor, visible(actor, registry)


def _records(frame) -> list[dict]:
    frame = frame.copy()
    for col in frame.columns:
        if str(frame[col].dtype).startswith("datetime64"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Argument(help="Folder to write wells.csv, telemetry/ and "
                                             "labels.csv into.", show_default=False)],
    wells: Annotated[int, typer.Option("--wells", min=1, max=2000, help="Number of wells.")]
    = 10,
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="Days to simulate.")]
    = 14,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same data.")]
    = 1,
    cadence_s: Annotated[int, typer.Option("--cadence-s", min=1, max=3600,
                                           help="Seconds between samples.")] = 60,
    start: Annotated[str, typer.Option("--start", help="First day (UTC).")] = "2025-01-01",
    as_json: JsonOpt = False,
) -> None:
    """Simulate a field of ESP wells with labelled episodes (see docs/esp.md for the physics).

    Writes OUT/wells.csv, OUT/telemetry/<well>.parquet and OUT/labels.csv (well_id, start,
    end, label); time outside the episodes is normal."""
    from workbench.esp.simulate.field import SimulationSpec, simulate, write

    if 86_400 % cadence_s:
        raise usage_error(f"--cadence-s {cadence_s} must divide a day (86,400 s)")
    _time(start, "--start")
    with _steps(as_json) as say:
        say(f"simulating {wells} wells for {days} days")
        summary = write(simulate(SimulationSpec(wells=wells, days=days, seed=seed,
                                                cadence_s=cadence_s, start=start)), out)
    summary = {"out": str(out), **summary}
    if as_json:
        print_json(summary)
    else:
        err.print(f"wrote {summary['wells']} wells, {summary['rows']:,} rows and "
                  f"{summary['episodes']} labelled episodes to {escape(str(out))}")


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    sources: Annotated[list[Path], typer.Argument(help="Telemetry files (.csv, .parquet) or "
                                                       "folders of them.", show_default=False)],
    into: Annotated[Path, typer.Option("--into", help="The telemetry store (created on first "
                                                      "use).", show_default=False)],
    wells: Annotated[Path | None, typer.Option(
        "--wells", help="A wells.csv to register or update first.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every row (unparseable, unknown_well, duplicate, out_of_range, frozen), store the
    accepted ones, quarantine the rest with their reason, refresh the touched rollups and
    quality. Exit 0 when the batch was read, even with rejects; 1 when a source cannot be read
    (then nothing is stored)."""
    from workbench.core.errors import UserError
    from workbench.esp.contract.readers import read_wells, source_files
    from workbench.esp.ingest.pipeline import ingest
    from workbench.esp.store.records import record_ingest

    sql, actor = signed_in(ctx)
    try:
        from workbench.core.access import Permission

        actor.require(Permission.IMPORT, "ingest telemetry")
        registry = read_wells(wells) if wells is not None else None
        source_files(sources)  # a missing source stops here, before a store is created
        tstore = _open(into, create=True)
        with _steps(as_json) as say, action(sql, actor, "esp.ingest", str(into)) as session:
            result = ingest(tstore, sources, registry, str(wells or ""), progress=say)
            record_ingest(session, actor, tstore.store_id, str(tstore.root), result,
                          tstore.wells())
    except UserError as exc:
        raise fail(str(exc)) from None
    payload = result.to_json()
    if as_json:
        print_json(payload)
        return
    reasons = ", ".join(f"{k} {v:,}" for k, v in payload["rejected_by_reason"].items() if v)
    err.print(f"batch {result.batch}: {result.rows_in:,} rows in, {result.rows_accepted:,} "
              f"accepted ({result.late:,} late), {result.rows_rejected:,} rejected"
              f"{': ' + reasons if reasons else ''}; {result.rows_per_second:,.0f} rows/s")


@app.command("quality")
def quality_command(ctx: typer.Context, store: StoreArg, as_json: JsonOpt = False) -> None:
    """Quality per well and UTC day: score (accepted ÷ expected, capped at 1), reject counts
    by reason and the longest gap in minutes. Only the wells you may see."""
    from workbench.esp.lake.queries import quality

    tstore = _open(store)
    _, _, wells = _visible_wells(ctx, tstore)
    frame = quality(tstore, list(wells["well_id"]))
    if as_json:
        print_json({"rows": _records(frame)})
        return
    frame["score"] = frame["score"].map(lambda v: f"{v:.1%}")
    print_table(list(frame.columns), frame.itertuples(index=False))


@app.command("rollup")
def rollup_command(
    ctx: typer.Context, store: StoreArg,
    interval: Annotated[Interval, typer.Option("--interval", help="1min, 1h or 1d.")],
    well: Annotated[str, typer.Option("--well", help="The well.", show_default=False)],
    start: FromOpt = None, end: ToOpt = None, as_json: JsonOpt = False,
) -> None:
    """Rollup rows of one well: per bucket the count, mean, min, max and last of each metric."""
    from workbench.esp.lake.queries import rollup

    lo, hi = _time(start, "--from"), _time(end, "--to")
    tstore = _open(store)
    _visible_wells(ctx, tstore, well)
    frame = rollup(tstore, str(interval), [well], lo, hi)
    if as_json:
        print_json({"interval": str(interval), "rows": _records(frame)})
        return
    cols = ["well_id", "bucket", "rows", "flow_rate_bpd_mean", "pip_psi_mean",
            "motor_current_a_mean", "motor_current_a_max", "motor_temp_c_max"]
    print_table(cols, frame[cols].round(2).itertuples(index=False))


def _diagnose(ctx, store, well, start, end, window, method):
    from workbench.core.errors import UserError
    from workbench.esp.diagnose.diagnose import diagnose

    tstore = _open(store)
    sql, actor, wells = _visible_wells(ctx, tstore, well)
    try:
        found = diagnose(tstore, wells, _time(start, "--from"), _time(end, "--to"),
                         str(window), str(method))
    except UserError as exc:
        raise fail(str(exc)) from None
    return tstore, sql, actor, wells, found


@app.command("diagnose")
def diagnose_command(
    ctx: typer.Context, store: StoreArg,
    well: Annotated[str | None, typer.Option("--well", help="One well (default: every well "
                                                            "you may see).")] = None,
    start: FromOpt = None, end: ToOpt = None,
    window: Annotated[Window, typer.Option("--window", help="15min, 1h or 1d.")] = Window.h1,
    method: Annotated[Method, typer.Option("--method", help="rules (per-well baselines, "
                                                            "ammeter patterns) or legacy.")]
    = Method.rules,
    as_json: JsonOpt = False,
) -> None:
    """A diagnosis per well and window with its confidence and evidence; for rules also
    whether the window is anomalous for that well, with its score."""
    *_, found = _diagnose(ctx, store, well, start, end, window, method)
    if as_json:
        rows = _records(found)
        for row in rows:
            row["evidence"] = json.loads(row["evidence"]) if row.get("evidence") else None
        print_json({"method": str(method), "window": str(window), "rows": rows})
        return
    shown = found[found["label"] != "normal"] if len(found) > 200 else found
    if len(shown) < len(found):
        err.print(f"{len(found) - len(shown):,} normal windows not shown (--json lists all)")
    reason = shown["evidence"].map(lambda e: json.loads(e).get("reason", "")
                                   if method == "rules" else f"rule {json.loads(e)['rule']}")
    cols = ["well_id", "window_start", "label", "confidence"]
    extra = ["anomalous", "anomaly_score"] if method == "rules" else []
    rows = [(*r, why) for r, why in zip(shown[cols + extra].itertuples(index=False), reason,
                                        strict=True)]
    print_table(cols + extra + ["evidence"], rows)


@app.command("evaluate")
def evaluate_command(
    ctx: typer.Context, store: StoreArg,
    labels: Annotated[Path, typer.Option("--labels", help="labels.csv: well_id, start, end, "
                                                          "label.", show_default=False)],
    method: Annotated[Method, typer.Option("--method", help="rules or legacy.")]
    = Method.rules,
    window: Annotated[Window, typer.Option("--window", help="15min, 1h or 1d.")] = Window.h1,
    as_json: JsonOpt = False,
) -> None:
    """Precision and recall per label and the false-positive rate over windows, against
    labelled episodes; recorded in the store with its lineage."""
    from workbench.core.errors import UserError
    from workbench.esp.diagnose.evaluate import evaluate, read_labels
    from workbench.esp.diagnose.rules import thresholds_json
    from workbench.esp.store.records import record_evaluation

    tstore = _open(store)
    sql, actor, wells = _visible_wells(ctx, tstore)
    try:
        truth = read_labels(labels)
        with _steps(as_json) as say:
            say(f"evaluating {method} on {len(wells)} wells")
            payload = evaluate(tstore, wells, truth, str(method), str(window))
        digest = hashlib.sha256(labels.read_bytes()).hexdigest()
        batches = tstore.batches()
        with action(sql, actor, "esp.evaluate", str(store)) as session:
            payload["evaluation_id"] = record_evaluation(
                session, actor, tstore.store_id, payload, str(labels), digest,
                int(batches[-1]["batch"]) if batches else 0, wells,
                {"thresholds": thresholds_json()} if method == "rules" else {})
    except UserError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print_json(payload)
        return
    rows = [(name, v["precision"], v["recall"], v["support"])
            for name, v in payload["labels"].items()]
    print_table(["label", "precision", "recall", "support"], rows)
    err.print(f"false-positive rate on normal windows: {payload['false_positive_rate']}")


@app.command("archive")
def archive_command(
    ctx: typer.Context, store: StoreArg,
    older_than: Annotated[int, typer.Option("--older-than", min=0,
                                            help="Move raw partitions of days older than "
                                                 "this many days.", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """Move raw partitions older than DAYS into the archive (still readable; rollups stay)."""
    from workbench.core.access import Permission
    from workbench.core.errors import UserError
    from workbench.esp.lake.archive import archive

    tstore = _open(store)
    sql, actor = signed_in(ctx)
    try:
        actor.require(Permission.ADMINISTER, "archive telemetry")
        result = archive(tstore, older_than)
        with action(sql, actor, "esp.archive", str(store)) as session:
            from workbench.store import audit

            audit.record(session, actor.username, "esp.archive", object_type="esp_store",
                         object_id=str(store), detail=json.dumps(result.to_json()))
    except UserError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print_json(result.to_json())
    else:
        err.print(f"moved {result.partitions_moved:,} partitions ({result.rows_moved:,} rows) "
                  f"older than {result.cutoff_day} into the archive")
