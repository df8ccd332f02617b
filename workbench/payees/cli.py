"""``workbench payees ...``: classify names, match them to a supplier master, make a master.

Exit status: 0 when the file was read and the work done, 1 for input that cannot be used (the
message names the file, column and fix), 2 for a usage error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from workbench.cli.output import err, out_console, print_json
from workbench.cli.session import acting_user, action, fail, store_for

app = typer.Typer(help="Payee classification and supplier matching, offline.",
                  no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="A .csv, .parquet or .xlsx file with a name "
                                              "column.", show_default=False)]
ColumnOpt = Annotated[str, typer.Option("--column", help="The column holding the names.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Write every row with its results to this .csv or .parquet file.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RecordOpt = Annotated[bool, typer.Option(
    "--record", help="Record the run and its rows in the store (--db), with lineage.")]
EntityOpt = Annotated[list[str] | None, typer.Option(
    "--entity", help="Legal entity / company code the run belongs to (repeatable); users "
                     "granted entity:CODE see it.")]
PROGRESS_FROM = 20_000  # batches at least this long show a progress bar on a terminal


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long batches on a terminal; a final line elsewhere."""
    if total < PROGRESS_FROM or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def _read(path: Path, column: str) -> tuple:
    from workbench.payees.tables import TableError, name_column, read_table

    try:
        table = read_table(path)
        return table, name_column(table, path, column)
    except TableError as exc:
        raise fail(str(exc)) from None


def _check_out(out: Path | None) -> None:
    from workbench.payees.tables import TableError, check_output

    if out is not None:
        try:
            check_output(out)
        except TableError as exc:
            raise fail(str(exc)) from None


def _classifier(ctx: typer.Context, record: bool):
    """The classifier, trained with the store's corrections when the run is recorded."""
    from workbench.payees.classify import load_classifier
    from workbench.payees.labelled import LabelledDataMissing

    corrections = None
    if record:
        from workbench.payees.store.records import training_corrections

        with store_for(ctx).session() as session:
            corrections = training_corrections(session)
    try:
        return load_classifier(corrections=corrections)
    except LabelledDataMissing as exc:
        raise fail(str(exc)) from None


@app.command("classify")
def classify_command(ctx: typer.Context, file: FileArg, column: ColumnOpt = "name",
                     out: OutOpt = None, as_json: JsonOpt = False, record: RecordOpt = False,
                     entity: EntityOpt = None) -> None:
    """Label every name business, individual or government, with confidence and reason.

    Blank names stay, with an empty label and a reason. The model is trained from the labelled
    names on first use (then cached); with --record, analysts' corrections join the training.
    """
    from workbench.payees.classify import MODEL_VERSION

    _check_out(out)
    table, names = _read(file, column)
    classifier = _classifier(ctx, record)
    started = time.perf_counter()
    with _progress(len(names), "classifying") as progress:
        result = classifier.classify(names, progress=progress)
    seconds = time.perf_counter() - started
    rate = len(names) / seconds if seconds > 0 else 0.0
    counts = result["label"].replace("", "(blank)").value_counts().to_dict()
    output = table.copy()
    for col in result.columns:
        output[col] = result[col].to_numpy()
    if out is not None:
        _write(output, out)
    run_id = None
    if record:
        run_id = _record_classification(ctx, file, classifier, names, result, rate, counts,
                                        column, entity or [])
    if as_json:
        rows = [{"name": _json_name(n), **r} for n, r in
                zip(names, _records(output.drop(columns=[column])), strict=True)]
        print_json({"rows": rows, "names_per_second": round(rate, 1), "counts": counts,
                    "model": MODEL_VERSION, "run_id": run_id})
        return
    _print_classification(output, column, counts, rate, out, run_id)


def _json_name(name: object) -> object:
    return name if isinstance(name, str | int | float) and name == name else None


def _records(frame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _write(frame, out: Path) -> None:
    from workbench.payees.tables import TableError, write_table

    try:
        write_table(frame, out)
    except (TableError, OSError) as exc:
        raise fail(f"{out}: cannot write ({exc})") from None


def _record_classification(ctx, file, classifier, names, result, rate, counts, column,
                           entities) -> int:
    from workbench.core.access import scope
    from workbench.payees.classify import MODEL_VERSION
    from workbench.payees.store.records import RunInfo, save_classification_run
    from workbench.payees.tables import file_hash

    store = store_for(ctx)
    user = acting_user(ctx, store)
    info = RunInfo(kind="classify", source=str(file), source_hash=file_hash(file),
                   model_version=MODEL_VERSION, model_fingerprint=classifier.fingerprint(),
                   parameters={"column": column, "seed": classifier.seed,
                               "training_names": classifier.n_training},
                   names_per_second=rate, summary={"labels": counts},
                   scopes=[scope("entity", e) for e in entities])
    with action(store, user, "payees classify", str(file)) as session:
        run = save_classification_run(session, user, info, names, result)
        return run.id


def _print_classification(output, column, counts, rate, out, run_id) -> None:
    console = out_console()
    if out is None:
        table = Table(column, "label", "confidence", "reason")
        for _, row in output.head(50).iterrows():
            table.add_row(escape(str(row[column])), row["label"] or "-",
                          f"{row['confidence']:.2f}", escape(row["reason"]))
        console.print(table)
        if len(output) > 50:
            console.print(f"... {len(output) - 50} more rows; use --out to keep them all")
    mix = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    low = int(((output["confidence"] < 0.9) & (output["label"] != "")).sum())
    err.print(f"{len(output)} names ({mix}); {low} below confidence 0.9 to review; "
              f"{rate:,.0f} names/s" + (f"; wrote {escape(str(out))}" if out else "")
              + (f"; recorded as run {run_id}" if run_id else ""))


# --- match ---------------------------------------------------------------------------------
MasterOpt = Annotated[str, typer.Option(
    "--master", help="Supplier master: a .csv, .parquet or .xlsx file with supplier_id and "
                     "name (optional address, city, postal_code, country, tax_id), or "
                     "dataset:NAME for a master kept in the store.", show_default=False)]


def _load_master(ctx: typer.Context, master: str):
    from workbench.payees.tables import TableError, file_hash, read_table

    if master.startswith("dataset:"):
        from workbench.payees.store.records import load_master

        store = store_for(ctx)
        user = acting_user(ctx, store)
        with action(store, user, "payees read master", master, audit_ok=True) as session:
            return load_master(session, user, master.removeprefix("dataset:"))
    path = Path(master)
    try:
        return read_table(path), file_hash(path)
    except TableError as exc:
        raise fail(str(exc)) from None


@app.command("match")
def match_command(
    ctx: typer.Context, file: FileArg, master: MasterOpt, column: ColumnOpt = "name",
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50,
                                       help="Candidates per name.")] = 3,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0,
        help="A candidate is a match when its score is at least this (default 0.8).")] = None,
    out: OutOpt = None, as_json: JsonOpt = False, record: RecordOpt = False,
    entity: EntityOpt = None,
) -> None:
    """Find each name's best suppliers in the master: top-k candidates with score and match.

    Tax id, postal code and country count when both the file and the master have them.
    """
    from workbench.payees.match import DEFAULT_THRESHOLD, OPTIONAL_FIELDS, SupplierIndex

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    _check_out(out)
    table, names = _read(file, column)
    master_table, master_hash = _load_master(ctx, master)
    missing = {"supplier_id", "name"} - set(master_table.columns)
    if missing:
        raise fail(f"{master}: the master needs columns supplier_id and name; missing "
                   f"{', '.join(sorted(missing))}")
    built = time.perf_counter()
    index = SupplierIndex(master_table)
    build_seconds = time.perf_counter() - built
    queries = table.rename(columns={column: "_query_name"}).assign(name=names)
    queries = queries[["name", *[f for f in OPTIONAL_FIELDS if f in queries.columns]]]
    started = time.perf_counter()
    with _progress(len(names), "matching") as progress:
        found = index.match(queries, top_k=top_k, threshold=threshold, progress=progress)
    seconds = time.perf_counter() - started
    rate = len(names) / seconds if seconds > 0 else 0.0
    matched = sum(1 for c in found if c and c[0].match)
    if out is not None:
        _write(_long_form(table, found), out)
    run_id = None
    if record:
        run_id = _record_match(ctx, file, master, master_hash, names, found, rate, matched,
                               column, top_k, threshold, entity or [])
    if as_json:
        rows = [{"name": _json_name(n), "candidates": [c.to_dict() for c in cands]}
                for n, cands in zip(names, found, strict=True)]
        print_json({"rows": rows, "names_per_second": round(rate, 1), "matched": matched,
                    "threshold": threshold, "index_seconds": round(build_seconds, 2),
                    "run_id": run_id})
        return
    _print_matches(names, found, column, matched, rate, out, run_id)


def _long_form(table, found):
    """One row per (name, candidate); a name with no candidate keeps one row."""
    import pandas as pd

    rows = []
    for i, cands in enumerate(found):
        if not cands:
            rows.append({"_row": i, "rank": None, "supplier_id": None, "supplier_name": None,
                         "score": None, "match": False})
        rows += [{"_row": i, "rank": k, "supplier_id": c.supplier_id, "supplier_name": c.name,
                  "score": round(c.score, 4), "match": c.match}
                 for k, c in enumerate(cands, start=1)]
    long = pd.DataFrame(rows)
    return table.reset_index(drop=True).join(long.set_index("_row"), how="right")


def _record_match(ctx, file, master, master_hash, names, found, rate, matched, column, top_k,
                  threshold, entities) -> int:
    from workbench.core.access import scope
    from workbench.payees.store.records import RunInfo, save_match_run
    from workbench.payees.tables import file_hash

    store = store_for(ctx)
    user = acting_user(ctx, store)
    info = RunInfo(kind="match", source=str(file), source_hash=file_hash(file),
                   model_version="payees-match-1", master=master, master_hash=master_hash,
                   parameters={"column": column, "top_k": top_k, "threshold": threshold},
                   names_per_second=rate, summary={"matched": matched, "names": len(names)},
                   scopes=[scope("entity", e) for e in entities])
    with action(store, user, "payees match", str(file)) as session:
        return save_match_run(session, user, info, names, found).id


def _print_matches(names, found, column, matched, rate, out, run_id) -> None:
    if out is None:
        table = Table(column, "supplier_id", "supplier", "score", "match")
        for name, cands in list(zip(names, found, strict=True))[:50]:
            best = cands[0] if cands else None
            table.add_row(escape(str(name)), best.supplier_id if best else "-",
                          escape(best.name) if best else "-",
                          f"{best.score:.2f}" if best else "-",
                          "yes" if best and best.match else "no")
        out_console().print(table)
    err.print(f"{len(names)} names, {matched} matched; {rate:,.0f} names/s"
              + (f"; wrote {escape(str(out))}" if out else "")
              + (f"; recorded as run {run_id}" if run_id else ""))


# --- synthetic master ----------------------------------------------------------------------
@app.command("synth-master")
def synth_master_command(
    out: Annotated[Path, typer.Argument(help="The .csv or .parquet file to write.")],
    rows: Annotated[int, typer.Option("--rows", min=1, help="Suppliers.")] = 483_227,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same master.")] = 7,
) -> None:
    """Write a synthetic supplier master (India, US, UK) with near-duplicates on purpose."""
    from workbench.payees.synth import synth_master

    _check_out(out)
    started = time.perf_counter()
    master = synth_master(rows, seed=seed)
    _write(master, out)
    err.print(f"wrote {len(master):,} suppliers to {escape(str(out))} "
              f"({time.perf_counter() - started:.1f} s)")


# --- store: masters, runs and corrections --------------------------------------------------
@app.command("import-master")
def import_master_command(
    ctx: typer.Context, file: FileArg,
    dataset: Annotated[str, typer.Option("--dataset", help="Name to keep it under.")],
    entity: EntityOpt = None,
) -> None:
    """Keep a supplier master in the store (as a dataset), for `match --master dataset:NAME`."""
    from workbench.core.access import scope
    from workbench.payees.store.records import save_master
    from workbench.payees.tables import TableError, read_table

    try:
        master = read_table(file)
    except TableError as exc:
        raise fail(str(exc)) from None
    missing = {"supplier_id", "name"} - set(master.columns)
    if missing:
        raise fail(f"{file}: the master needs columns supplier_id and name; missing "
                   f"{', '.join(sorted(missing))}")
    store = store_for(ctx)
    user = acting_user(ctx, store)
    with action(store, user, "import", dataset) as session:
        save_master(session, user, dataset, str(file), master,
                    [scope("entity", e) for e in entity or []])
    err.print(f"stored {len(master):,} suppliers as dataset {escape(dataset)}")


@app.command("runs")
def runs_command(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Recorded classification and match runs the acting user may see."""
    from workbench.payees.store.records import list_runs

    store = store_for(ctx)
    user = acting_user(ctx, store)
    with action(store, user, "payees runs", audit_ok=True) as session:
        rows = [{"id": r.id, "kind": r.kind, "source": r.source, "rows": r.n_rows,
                 "source_hash": r.source_hash, "master": r.master, "model": r.model_version,
                 "model_fingerprint": r.model_fingerprint, "summary": r.summary,
                 "names_per_second": r.names_per_second, "scopes": r.scopes,
                 "created_by": r.created_by, "created_at": r.created_at}
                for r in list_runs(session, user)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "kind", "source", "rows", "summary", "by")
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], escape(r["source"]), str(r["rows"]),
                      escape(str(r["summary"])), r["created_by"])
    out_console().print(table)


@app.command("correct")
def correct_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The payee name as it appears in the file.")],
    label: Annotated[str, typer.Option("--label", help="business, individual or government.")],
    run: Annotated[int | None, typer.Option("--run", help="The run whose label this "
                                                          "confirms or corrects.")] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    entity: EntityOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm or correct a name's label; stored, audited, and used by the next training."""
    from workbench.core.access import scope
    from workbench.payees.store.records import add_correction

    store = store_for(ctx)
    user = acting_user(ctx, store)
    with action(store, user, "payees correct", name) as session:
        fix = add_correction(session, user, name, label, run_id=run, note=note,
                             scopes=[scope("entity", e) for e in entity] if entity else None)
        result = {"id": fix.id, "name": fix.name, "label": fix.label,
                  "previous_label": fix.previous_label, "confirmed": fix.confirmed}
    if as_json:
        print_json(result)
    else:
        verb = "confirmed" if result["confirmed"] else "recorded"
        err.print(f"{verb}: {escape(name)} is {label} (correction {result['id']})")
