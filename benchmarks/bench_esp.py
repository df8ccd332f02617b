"""ESP benchmark: ingestion rows/s from Parquet against a plain pandas pipeline (same run),
the same month in the file layouts other sites export (a file a day with wells interleaved,
one file, a file an hour) and at a 10 s cadence, rollup refresh after a one-hour batch on a
large store, dashboard-style query latency, and the evaluation of both diagnostic methods on
seeds the tuning never saw.

    .venv/bin/python benchmarks/bench_esp.py [--wells 100] [--days 30] [--out build/bench-esp]

Prints a JSON summary; the figures go into the "ESP" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.core.access import Principal, Role
from workbench.esp.contract.readers import read_wells
from workbench.esp.contract.schema import RANGES
from workbench.esp.dashboard import last_day_diagnoses
from workbench.esp.diagnose.evaluate import evaluate, read_labels
from workbench.esp.ingest.pipeline import ingest
from workbench.esp.lake import queries
from workbench.esp.lake.layout import INTERVALS, TelemetryStore
from workbench.esp.simulate.field import SimulationSpec, simulate, write
from workbench.esp.workspace import EspField


def pandas_baseline(csv: Path, out: Path, known: set[str]) -> float:
    """read_csv, per-row checks (a Python loop, as the seed did), to_parquet: rows/s."""
    started = time.perf_counter()
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    seen: set[tuple[str, str]] = set()
    last: dict[str, list] = {}
    reasons = []
    for row in frame.itertuples(index=False):
        reason = None
        try:
            ts = pd.Timestamp(row.ts)
            values = {c: (float(getattr(row, c)) if getattr(row, c) != "" else None)
                      for c in RANGES}
        except ValueError:
            reason = "unparseable"
        if reason is None and row.well_id not in known:
            reason = "unknown_well"
        if reason is None and (row.well_id, row.ts) in seen:
            reason = "duplicate"
        if reason is None and any(v is not None and not lo <= v <= hi
                                  for c, (lo, hi) in RANGES.items()
                                  if (v := values[c]) is not None):
            reason = "out_of_range"
        if reason is None:
            key = (values["flow_rate_bpd"], values["motor_current_a"], values["pip_psi"])
            history = last.setdefault(row.well_id, [])
            if len(history) >= 30 and all(h == key for h in history[-30:]) and \
                    (values["vsd_frequency_hz"] or 0) > 0:
                reason = "frozen"
            else:
                history.append(key)
                del history[:-30]
                seen.add((row.well_id, row.ts))
        del ts
        reasons.append(reason)
    frame["reason"] = reasons
    frame[frame["reason"].isna()].drop(columns="reason").to_parquet(out)
    return len(frame) / (time.perf_counter() - started)


def timed(fn, repeat: int = 15) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def query_timings(store: TelemetryStore, ids: list[str], end: pd.Timestamp) -> dict[str, float]:
    """Median ms of the dashboard's questions (each in a fresh DuckDB connection)."""
    day = end - pd.Timedelta(days=1)
    last = f"{day:%Y-%m-%d}"
    field = EspField(store, Principal("bench", Role.ADMIN))
    return {
        "well_day_1min": round(timed(lambda: queries.rollup(store, "1min", [ids[0]], day,
                                                              end)), 1),
        "well_30d_1h": round(timed(lambda: queries.rollup(
            store, "1h", [ids[0]], end - pd.Timedelta(days=30), end)), 1),
        "field_30d_1d": round(timed(lambda: queries.field_overview(store, ids[:10], 30,
                                                                     end)), 1),
        "all_wells_quality_last_day": round(timed(lambda: queries.quality(store, ids, last,
                                                                          last)), 1),
        "all_wells_quality_every_day": round(timed(lambda: queries.quality(store, ids)), 1),
        # computed, not read: a week of the well and its feeder mates, as the page does
        "dashboard_diagnosis": round(timed(lambda: last_day_diagnoses(
            field, ids[0], day.normalize()), repeat=7), 1)}


def year_store(out: Path, n_wells: int, months: int) -> tuple[TelemetryStore, pd.Timestamp,
                                                                 dict[str, object]]:
    """A store holding ``months`` months of ``n_wells`` wells, ingested a month at a time (as
    a monthly load would arrive); each month is simulated with its own seed."""
    store = TelemetryStore.open(out / "year", create=True)
    first = pd.Timestamp("2024-01-01", tz="UTC")
    rates, rows = [], 0
    for m in range(months):
        lo, hi = first + pd.DateOffset(months=m), first + pd.DateOffset(months=m + 1)
        sim = out / "month"
        shutil.rmtree(sim, ignore_errors=True)
        write(simulate(SimulationSpec(wells=n_wells, days=(hi - lo).days, seed=1000 + m,
                                      start=lo.strftime("%Y-%m-%d"))), sim)
        wells = read_wells(sim / "wells.csv") if m == 0 else None
        done = ingest(store, [sim / "telemetry"], wells)
        rates.append(done.rows_per_second)
        rows += done.rows_accepted
        print(f"month {m + 1}/{months}: {done.rows_in:,} rows, "
              f"{done.rows_per_second:,.0f} rows/s", flush=True)
    shutil.rmtree(out / "month", ignore_errors=True)
    end = first + pd.DateOffset(months=months)
    return store, end, {"months": months, "rows": rows,
                        "monthly_ingest_rows_per_second_median": statistics.median(rates)}


def layouts(sim_dir: Path, out: Path) -> dict[str, Path]:
    """The simulated month (a file a well) re-written as other sites export telemetry, and a
    month at a 10 s cadence (six rows in most 1 min buckets): the same checks meet rows in
    other orders, in one file or in hundreds, and buckets of several rows."""
    table = pa.concat_tables([pq.read_table(p) for p in
                              sorted((sim_dir / "telemetry").glob("*.parquet"))])
    by_time = table.sort_by([("ts", "ascending"), ("well_id", "ascending")])
    ts = by_time["ts"].cast(pa.int64()).to_numpy()
    found: dict[str, Path] = {}
    for name, width in (("a file a day, wells interleaved in time order", 86_400),
                        ("a file an hour, wells interleaved (720 files)", 3_600)):
        folder = out / f"layout-{width}"
        folder.mkdir()
        slot = ts // (width * 10**9)
        cuts = [0, *(np.flatnonzero(np.diff(slot)) + 1).tolist(), len(slot)]
        for i, (a, b) in enumerate(itertools.pairwise(cuts)):
            pq.write_table(by_time.slice(a, b - a), folder / f"{i:04d}.parquet")
        found[name] = folder
    folder = out / "layout-one"
    folder.mkdir()
    pq.write_table(table, folder / "month.parquet", row_group_size=1 << 20)
    found["one file, a well after another, 1 M-row groups"] = folder
    fast = out / "layout-10s"
    write(simulate(SimulationSpec(wells=20, days=30, seed=44, cadence_s=10,
                                  start="2025-01-01")), fast)
    found["10 s cadence, 20 wells, a file a well"] = fast / "telemetry"
    return found


def _megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wells", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("build/bench-esp"))
    parser.add_argument("--repeats", type=int, default=5,
                        help="ingest the month this many times, each into an empty store")
    parser.add_argument("--year", action="store_true",
                        help="measure the refresh and the queries on a store of 12 months, "
                             "ingested a month at a time (about 15 min and 2 GB)")
    parser.add_argument("--queries-on", type=Path, default=None,
                        help="only time the queries on an existing store (e.g. the --year one)")
    args = parser.parse_args()
    if args.queries_on is not None:
        store = TelemetryStore.open(args.queries_on)
        daily = queries.rollup(store, "1d", None)
        end = pd.Timestamp(daily["bucket"].max()) + pd.Timedelta(days=1)
        print(json.dumps({"store": str(args.queries_on), "rows_1d": len(daily),
                          "query_ms": query_timings(store, sorted(store.wells()["well_id"]),
                                                    end)}, indent=1))
        return
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    result: dict[str, object] = {}
    # 1. ingestion from Parquet, and the pandas baseline on a slice of the same rows
    sim_dir = args.out / "sim"
    t0 = time.perf_counter()
    write(simulate(SimulationSpec(wells=args.wells, days=args.days, seed=42,
                                  start="2025-01-01")), sim_dir)
    result["simulate_seconds"] = round(time.perf_counter() - t0, 1)
    wells = read_wells(sim_dir / "wells.csv")
    # the month into an empty store, several times (each into a store of its own): the first
    # run of a process pays for memory the machine has not handed it yet
    runs = []
    for attempt in range(args.repeats):
        store = TelemetryStore.open(args.out / f"store{attempt}", create=True)
        done = ingest(store, [sim_dir / "telemetry"], wells)
        runs.append(done.seconds)
        print(f"ingest run {attempt + 1}: {done.seconds:.2f} s, "
              f"{done.rows_per_second:,.0f} rows/s", flush=True)
    median = statistics.median(runs)
    result["store_mb"] = {part: round(_megabytes(folder), 1) for part, folder in (
        ("raw", store.raw_dir), *((f"rollups {i}", store.rollup_dir(i)) for i in INTERVALS),
        ("whole store", store.root))}
    result["ingest_parquet"] = {"rows": done.rows_in, "seconds": runs,
                                "median_seconds": median,
                                "rows_per_second_median": round(done.rows_in / median),
                                "rejected_by_reason": done.rejected_by_reason}
    # the same checks on other layouts and a faster cadence: three runs each, fresh stores
    result["ingest_layouts"] = {}
    for n, (name, source) in enumerate(layouts(sim_dir, args.out).items()):
        runs_l, rows = [], 0
        known = wells if "10 s" not in name else read_wells(source.parent / "wells.csv")
        for attempt in range(3):
            target = TelemetryStore.open(args.out / f"layout-store-{n}-{attempt}",
                                         create=True)
            got = ingest(target, [source], known)
            runs_l.append(got.seconds)
            rows = got.rows_in
        result["ingest_layouts"][name] = {"rows": rows, "seconds": runs_l,
                                          "rows_per_second_median":
                                              round(rows / statistics.median(runs_l))}
        print(f"{name}: {rows / statistics.median(runs_l):,.0f} rows/s", flush=True)
    sample = pd.concat([pd.read_parquet(p) for p in
                        sorted((sim_dir / "telemetry").glob("*.parquet"))[:5]])
    sample = sample[sample["ts"] < sample["ts"].min() + pd.Timedelta(days=7)]
    csv = args.out / "sample.csv"
    sample.to_csv(csv, index=False)
    result["pandas_baseline"] = {"rows": len(sample), "rows_per_second": round(
        pandas_baseline(csv, args.out / "baseline.parquet", set(wells["well_id"])), 1)}
    # the same sample through the store's ingest, for a like-for-like line
    small = TelemetryStore.open(args.out / "small", create=True)
    same = ingest(small, [csv], wells)
    result["ingest_same_csv_sample"] = {"rows": same.rows_in,
                                        "rows_per_second": same.rows_per_second}
    # 2. rollup refresh after a one-hour batch on the big store
    end = pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(days=args.days)
    if args.year:
        store, end, result["year_store"] = year_store(args.out, args.wells, 12)
        args.days = (end - pd.Timestamp("2024-01-01", tz="UTC")).days
    hour = simulate(SimulationSpec(wells=args.wells, days=1, seed=43,
                                   start=end.strftime("%Y-%m-%d"), faults=False))
    batch = pd.concat([t.to_pandas() for t in hour.telemetry.values()])
    batch = batch[batch["ts"] < end + pd.Timedelta(hours=1)]
    path = args.out / "hour.parquet"
    batch.to_parquet(path)
    t0 = time.perf_counter()
    refreshed = ingest(store, [path])
    result["one_hour_batch"] = {"rows": refreshed.rows_in,
                                "seconds": round(time.perf_counter() - t0, 3),
                                "store_rows": (result["year_store"]["rows"] if args.year
                                               else done.rows_accepted)
                                + refreshed.rows_accepted,
                                "store_days": args.days}
    # 3. dashboard-style queries
    ids = list(wells["well_id"])
    result["query_ms"] = query_timings(store, ids, end)
    # 4. evaluation on unseen seeds
    evals = {}
    for seed in (201, 202, 203):
        out = args.out / f"eval{seed}"
        write(simulate(SimulationSpec(wells=10, days=20, seed=seed)), out)
        st = TelemetryStore.open(out / "store", create=True)
        ingest(st, [out / "telemetry"], read_wells(out / "wells.csv"))
        labels = read_labels(out / "labels.csv")
        evals[seed] = {m: evaluate(st, st.wells(), labels, m) for m in ("rules", "legacy")}
    result["evaluation"] = evals
    print(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
