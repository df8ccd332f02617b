"""OEE benchmark: 10 million state events (100 machines for a year) plus their counts.

Run: ``python benchmarks/bench_oee.py [--scale 1.0] [--no-pg]``. Each phase runs in a process of
its own, one after the other (the machine has 2 shared cores), and reports its wall time and
peak memory:

1. generate four plant families with the demo generator (``workbench.oee.examples``) into one
   Parquet folder under build/ (kept and reused when the same plant is asked for again);
2. KPIs by machine and shift from Parquet with the domain's own code: read, validate,
   vectorised time model, KPIs (target < 10 s for read + KPIs);
3. the same computation as one DuckDB SQL query over the same files, and a check that both
   give the same elements for every machine and shift;
4. import into PostgreSQL (validate, COPY of events and counts, KPIs per machine and shift and
   per machine and day computed and stored), reporting rows per second;
5. dashboard reads of the precomputed rows (median of 50 calls, each in its own session).

Writes the table between the OEE markers of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
DAY_US = 86_400_000_000
REPEATS = 50

# (label, PlantSpec keyword arguments): 25 machines each, 100 in all, a year each
FAMILIES = (
    ("3x8, 3 products, frequent short stops",
     {"patterns": ("3x8",), "products_per_line": 3, "mean_run_min": 3.0, "stop_scale": 0.4}),
    ("2x12, 6 products, short stops",
     {"patterns": ("2x12",), "products_per_line": 6, "mean_run_min": 4.0, "stop_scale": 0.5}),
    ("2x8 weekdays only, 2 products, very frequent stops",
     {"patterns": ("2x8",), "products_per_line": 2, "mean_run_min": 2.0, "stop_scale": 0.3}),
    ("3x8 and 2x12 lines, 8 products, longer runs",
     {"patterns": ("3x8", "2x12"), "products_per_line": 8, "mean_run_min": 4.5,
      "stop_scale": 0.8}),
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phase 1: generate ------------------------------------------------------------------------
def generate(folder: Path, scale: float) -> dict:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.oee.contract.writers import write_folder
    from workbench.oee.examples import PlantSpec, demo_plant

    days = max(1, round(365 * scale))
    folder.mkdir(parents=True, exist_ok=True)
    small: dict[str, list] = {"machines": [], "ideal_rates": [], "calendar": []}
    writers: dict[str, pq.ParquetWriter] = {}
    rows = {"state_events": 0, "counts": 0}
    settings = None
    per_family = []
    clock = time.perf_counter()
    for i, (label, kwargs) in enumerate(FAMILIES):
        spec = PlantSpec(sites=1, lines_per_site=5, machines_per_line=5, days=days,
                         start="2024-01-01", first_site=i + 1, **kwargs)
        tables = demo_plant(spec, seed=100 + i)
        for name in small:
            small[name].append(tables[name])
        settings = tables["settings"]
        for name in rows:
            frame = tables[name]
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if name not in writers:
                writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", table.schema)
            writers[name].write_table(table.cast(writers[name].schema))
            rows[name] += len(frame)
        per_family.append({"family": label, "events": len(tables["state_events"]),
                           "counts": len(tables["counts"])})
        del tables
    for writer in writers.values():
        writer.close()
    write_folder({**{k: pd.concat(v, ignore_index=True) for k, v in small.items()},
                  "settings": settings}, folder)
    return {"seconds": time.perf_counter() - clock, **rows, "families": per_family,
            "parquet_mb": sum(p.stat().st_size for p in folder.glob("*.parquet")) / 2**20,
            "peak_mb": peak_mb()}


# --- phase 2: the domain's own code -----------------------------------------------------------
def numpy_path(folder: Path, out: Path) -> dict:
    from workbench.oee.contract.readers import read_data
    from workbench.oee.kpis import kpi_frame
    from workbench.oee.model.windows import Window
    from workbench.oee.validation import validate

    t0 = time.perf_counter()
    data = read_data(folder)
    t1 = time.perf_counter()
    frame = kpi_frame(data, ["machine_id"], Window.shift)
    t2 = time.perf_counter()
    report = validate(data)
    t3 = time.perf_counter()
    frame.to_parquet(out)
    return {"read_s": t1 - t0, "kpis_s": t2 - t1, "validate_s": t3 - t2,
            "rows": len(frame), "events": len(data.events), "counts": len(data.counts),
            "errors": len(report.errors), "warnings": len(report.warnings),
            "peak_mb": peak_mb()}


# --- phase 3: one DuckDB query ------------------------------------------------------------------
DUCKDB_SQL = """
WITH
machines AS (SELECT machine_id FROM read_csv('{d}/machines.csv', all_varchar = true)),
rates AS (SELECT machine_id, product_id, CAST(ideal_cycle_time_s AS DOUBLE) / 60 AS pri
          FROM read_csv('{d}/ideal_rates.csv', all_varchar = true)),
cal_raw AS (SELECT machine_id, epoch_us(CAST("start" AS TIMESTAMPTZ)) AS s,
                   epoch_us(CAST("end" AS TIMESTAMPTZ)) AS e, kind, shift_id
            FROM read_csv('{d}/calendar.csv', all_varchar = true)),
cal AS (SELECT * FROM cal_raw WHERE machine_id <> '*'
        UNION ALL
        SELECT m.machine_id, c.s, c.e, c.kind, c.shift_id
        FROM cal_raw c CROSS JOIN machines m WHERE c.machine_id = '*'),
-- windows: the shifts (disjoint per machine in this data)
shifts AS (SELECT DISTINCT machine_id, s AS ws, e AS we,
                  coalesce(shift_id, CAST(s AS VARCHAR)) AS label
           FROM cal WHERE kind = 'shift'),
-- the union of planned-down intervals per machine (gaps and islands)
pd_reach AS (SELECT machine_id, s, e,
                    max(e) OVER (PARTITION BY machine_id ORDER BY s, e
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
             FROM cal WHERE kind = 'planned_down'),
pd_group AS (SELECT machine_id, s, e,
                    sum(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END)
                        OVER (PARTITION BY machine_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS g
             FROM pd_reach),
pdu AS (SELECT machine_id, min(s) AS s, max(e) AS e FROM pd_group GROUP BY machine_id, g),
-- every interval is cut at UTC midnights, so range joins become equi-joins on (machine, day)
-- and an overlap is the sum of its per-day overlaps (no pair is counted twice)
sh_d AS (SELECT machine_id, ws, we, label, d FROM shifts,
         unnest(range(ws // {day}, (we - 1) // {day} + 1)) AS t(d)),
pdu_d AS (SELECT machine_id, s, e, d FROM pdu,
          unnest(range(s // {day}, (e - 1) // {day} + 1)) AS t(d)),
-- planned down inside each shift, per day: PDOT; PBT = shift − PDOT
pdw AS (SELECT sh.machine_id, sh.ws, sh.d,
               greatest(p.s, sh.ws, sh.d * {day}) AS s, least(p.e, sh.we, (sh.d + 1) * {day}) AS e
        FROM sh_d sh JOIN pdu_d p ON p.machine_id = sh.machine_id AND p.d = sh.d
        WHERE greatest(p.s, sh.ws, sh.d * {day}) < least(p.e, sh.we, (sh.d + 1) * {day})),
pbt AS (SELECT sh.machine_id, sh.ws, any_value(sh.we) AS we, any_value(sh.label) AS label,
               (any_value(sh.we) - sh.ws) - coalesce(any_value(p.pdot), 0) AS pbt_us
        FROM shifts sh LEFT JOIN (SELECT machine_id, ws, sum(e - s) AS pdot FROM pdw
                                  GROUP BY machine_id, ws) p
             ON p.machine_id = sh.machine_id AND p.ws = sh.ws
        GROUP BY sh.machine_id, sh.ws),
ev AS (SELECT machine_id, state, epoch_us("start") AS s, epoch_us("end") AS e
       FROM read_parquet('{d}/state_events.parquet')),
ev_d AS (SELECT machine_id, state, s, e, d FROM ev,
         unnest(range(s // {day}, (e - 1) // {day} + 1)) AS t(d)),
in_shift AS (SELECT ev.machine_id, sh.ws, ev.state,
                    sum(least(ev.e, sh.we, (ev.d + 1) * {day})
                        - greatest(ev.s, sh.ws, ev.d * {day})) AS us
             FROM ev_d ev JOIN sh_d sh ON sh.machine_id = ev.machine_id AND sh.d = ev.d
             WHERE least(ev.e, sh.we, (ev.d + 1) * {day}) > greatest(ev.s, sh.ws, ev.d * {day})
             GROUP BY ALL),
in_pdot AS (SELECT ev.machine_id, p.ws, ev.state,
                   sum(least(ev.e, p.e) - greatest(ev.s, p.s)) AS us
            FROM ev_d ev JOIN pdw p ON p.machine_id = ev.machine_id AND p.d = ev.d
            WHERE least(ev.e, p.e) > greatest(ev.s, p.s)
            GROUP BY ALL),
states AS (SELECT i.machine_id, i.ws,
                  sum(CASE WHEN i.state = 'running' THEN i.us - coalesce(p.us, 0) END) AS running,
                  sum(CASE WHEN i.state = 'setup' THEN i.us - coalesce(p.us, 0) END) AS setup,
                  sum(CASE WHEN i.state = 'breakdown' THEN i.us - coalesce(p.us, 0) END)
                      AS breakdown,
                  sum(CASE WHEN i.state = 'minor_stop' THEN i.us - coalesce(p.us, 0) END)
                      AS minor_stop,
                  sum(CASE WHEN i.state = 'waiting' THEN i.us - coalesce(p.us, 0) END) AS waiting,
                  sum(coalesce(p.us, 0)) AS outside
           FROM in_shift i LEFT JOIN in_pdot p USING (machine_id, ws, state)
           GROUP BY i.machine_id, i.ws),
-- a count belongs to the shift whose (start, end] holds its end, unless that end is planned
-- down time (the same open-closed rule); its ideal cycle time is its product's on its machine
ct AS (SELECT c.machine_id, epoch_us(c."end") AS e, (epoch_us(c."end") - 1) // {day} AS d,
              c.produced_qty AS pq, c.good_qty AS gq, c.rework_qty AS rq,
              c.startup_reject_qty AS su, r.pri
       FROM read_parquet('{d}/counts.parquet') c
       JOIN rates r ON r.machine_id = c.machine_id AND r.product_id = c.product_id),
ct_w AS (SELECT ct.*, sh.ws FROM ct JOIN sh_d sh ON sh.machine_id = ct.machine_id
             AND sh.d = ct.d AND sh.ws < ct.e AND ct.e <= sh.we
         WHERE NOT EXISTS (SELECT 1 FROM pdw p WHERE p.machine_id = ct.machine_id
                           AND p.d = ct.d AND p.s < ct.e AND ct.e <= p.e)),
pieces AS (SELECT machine_id, ws, sum(pq) AS pq, sum(gq) AS gq, sum(rq) AS rq,
                  sum(pq - gq - rq) AS sq, sum(su) AS su, sum(pri * pq) AS ideal_min,
                  sum(pri * gq) AS fully_productive_min,
                  sum(pri * (pq - gq - rq - su + rq)) AS process_defects_min,
                  sum(pri * su) AS reduced_yield_min
           FROM ct_w GROUP BY machine_id, ws),
elements AS (
    SELECT b.machine_id, b.ws AS window_start_us, b.label AS window_label,
           b.pbt_us / 6e7 AS pbt_min,
           coalesce(s.running, 0) / 6e7 AS running_min,
           coalesce(s.setup, 0) / 6e7 AS setup_min,
           coalesce(s.breakdown, 0) / 6e7 AS breakdown_min,
           coalesce(s.minor_stop, 0) / 6e7 AS minor_stop_min,
           coalesce(s.waiting, 0) / 6e7 AS waiting_min,
           (b.pbt_us - coalesce(s.running, 0) - coalesce(s.setup, 0)
            - coalesce(s.breakdown, 0) - coalesce(s.minor_stop, 0)
            - coalesce(s.waiting, 0)) / 6e7 AS uncovered_min,
           coalesce(s.outside, 0) / 6e7 AS outside_planned_min,
           coalesce(c.pq, 0) AS pq, coalesce(c.gq, 0) AS gq, coalesce(c.rq, 0) AS rq,
           coalesce(c.sq, 0) AS sq, coalesce(c.su, 0) AS startup_reject_qty,
           coalesce(c.ideal_min, 0) AS ideal_min,
           coalesce(c.fully_productive_min, 0) AS fully_productive_min,
           coalesce(c.process_defects_min, 0) AS process_defects_min,
           coalesce(c.reduced_yield_min, 0) AS reduced_yield_min
    FROM pbt b LEFT JOIN states s USING (machine_id, ws) LEFT JOIN pieces c USING (machine_id, ws))
SELECT *,
       running_min / nullif(pbt_min, 0) AS availability,
       ideal_min / nullif(running_min, 0) AS effectiveness,
       fully_productive_min / nullif(ideal_min, 0) AS quality,
       fully_productive_min / nullif(pbt_min, 0) AS oee,
       breakdown_min AS loss_breakdowns, setup_min AS loss_setup,
       minor_stop_min AS loss_minor_stops, running_min - ideal_min AS loss_reduced_speed,
       process_defects_min AS loss_process_defects, reduced_yield_min AS loss_reduced_yield
FROM elements
WHERE pbt_min > 0 OR outside_planned_min > 0 OR pq > 0
ORDER BY machine_id, window_start_us
"""


def duckdb_path(folder: Path, out: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2; SET memory_limit = '6GB'; SET TimeZone = 'UTC'")
    t0 = time.perf_counter()
    frame = con.execute(DUCKDB_SQL.format(d=folder, day=DAY_US)).df()
    seconds = time.perf_counter() - t0
    frame.to_parquet(out)
    return {"seconds": seconds, "rows": len(frame), "peak_mb": peak_mb(),
            "version": duckdb.__version__}


def compare(numpy_out: Path, duck_out: Path) -> dict:
    import numpy as np
    import pandas as pd

    from workbench.oee.model.timeline import ELEMENT_COLUMNS

    a = pd.read_parquet(numpy_out)
    b = pd.read_parquet(duck_out)
    both = a.merge(b, on=["machine_id", "window_start_us"], suffixes=("", "_sql"),
                   how="outer", indicator=True)
    only = int((both["_merge"] != "both").sum())
    diff = max(float(np.nanmax(np.abs(both[c] - both[f"{c}_sql"]))) for c in ELEMENT_COLUMNS)
    return {"rows_only_one_side": only, "max_abs_diff": diff,
            "labels_equal": bool((both["window_label"] == both["window_label_sql"]).all())}


# --- phases 4 and 5: PostgreSQL ---------------------------------------------------------------
def pg_import(folder: Path, url: str) -> dict:
    from workbench.core.access import BOOTSTRAP
    from workbench.oee.contract.readers import read_data
    from workbench.oee.store.persist import import_data
    from workbench.oee.validation import validate
    from workbench.store.db import open_store

    store = open_store(url)
    t0 = time.perf_counter()
    data = read_data(folder)
    report = validate(data)
    t1 = time.perf_counter()
    with store.session() as session:
        done = import_data(session, BOOTSTRAP, data, "bench", str(folder))
    t2 = time.perf_counter()
    from sqlalchemy import text

    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        partitions = conn.execute(text(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'oee_state_events'")).scalar()
    store.dispose()
    return {"read_validate_s": t1 - t0, "import_s": t2 - t1, "errors": len(report.errors),
            **done, "partitions": partitions, "peak_mb": peak_mb()}


def pg_reads(url: str) -> dict:
    """What the OEE dashboard page reads (workbench.oee.dashboard.view): SQL sums of the
    stored machine-day rows, then the ratios in numpy; and the JSON payload of
    ``workbench oee stored-kpis`` for comparison."""
    import pandas as pd

    from workbench.core.access import BOOTSTRAP, Principal, Role
    from workbench.oee.kpis import Convention, with_kpis
    from workbench.oee.model.windows import Window
    from workbench.oee.store import queries
    from workbench.store.db import open_store

    store = open_store(url)
    supervisor = Principal("sup", Role.MANAGER, frozenset({"line:S2-L3"}))
    with store.session() as session:
        last = queries.latest_day(session, BOOTSTRAP, "bench")
    week, month = last - pd.Timedelta(days=6), last - pd.Timedelta(days=27)

    def heat_map(actor):  # as the page reads it: OEE per line and day
        with store.session() as session:
            return len(queries.stored_oee(session, actor, "bench", ["line_id"], Window.day,
                                          month))

    def machines_week(actor):
        with store.session() as session:
            return len(with_kpis(queries.stored_totals(session, actor, "bench",
                                                       ["machine_id", "line_id"], week),
                                 Convention.iso))

    def shifts_json(actor):
        with store.session() as session:
            return len(queries.stored_kpis(session, actor, "bench", ["machine_id"],
                                           Window.shift, week)["rows"])

    cases = {
        "heat map: plant by line and day, 28 days": (heat_map, BOOTSTRAP),
        "worst machines: plant by machine, 7 days": (machines_week, BOOTSTRAP),
        "heat map for a line supervisor (one line)": (heat_map, supervisor),
        "stored-kpis JSON: one line's machines by shift, 7 days": (shifts_json, supervisor),
    }
    out = {}
    for label, (read, actor) in cases.items():
        times, rows = [], 0
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            rows = read(actor)
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = {"median_ms": statistics.median(times), "rows": rows}
    store.dispose()
    return out


# --- driver -----------------------------------------------------------------------------------
def phase(name: str, *args: str) -> dict:
    """Run one phase in a fresh interpreter (its own peak memory, nothing shared)."""
    done = subprocess.run([sys.executable, __file__, "--phase", name, *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of a year (1 = 365 d)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-readme", action="store_true", help="print, do not write README")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.phase:
        a = [Path(x) if "/" in x and not x.startswith("postgresql") else x for x in opts.args]
        result = {"generate": lambda: generate(a[0], float(a[1])),
                  "numpy": lambda: numpy_path(a[0], a[1]),
                  "duckdb": lambda: duckdb_path(a[0], a[1]),
                  "compare": lambda: compare(a[0], a[1]),
                  "pg_import": lambda: pg_import(a[0], a[1]),
                  "pg_reads": lambda: pg_reads(a[0])}[opts.phase]()
        print(json.dumps(result, default=str))
        return

    build = ROOT / "build" / "bench-oee"
    folder = build / f"plant-{opts.scale:g}"
    results: dict[str, object] = {}
    if not (folder / "counts.parquet").exists():
        results["generate"] = phase("generate", str(folder), str(opts.scale))
        print("generated:", results["generate"], flush=True)
    for name, out in (("numpy", build / "numpy.parquet"), ("duckdb", build / "duckdb.parquet")):
        results[name] = phase(name, str(folder), str(out))
        print(f"{name}:", results[name], flush=True)
    results["compare"] = phase("compare", str(build / "numpy.parquet"),
                               str(build / "duckdb.parquet"))
    print("compare:", results["compare"], flush=True)
    if not opts.no_pg:
        import psycopg

        name = f"bench_oee_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        try:
            results["pg_import"] = phase("pg_import", str(folder), url)
            print("pg_import:", results["pg_import"], flush=True)
            results["pg_reads"] = phase("pg_reads", url)
            print("pg_reads:", results["pg_reads"], flush=True)
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    (build / f"results-{opts.scale:g}.json").write_text(json.dumps(results, indent=1,
                                                                    default=str))
    if not opts.no_readme:
        write_readme(results)


def write_readme(r: dict) -> None:
    from readme_table import write_table

    n, d, c = r["numpy"], r["duckdb"], r["compare"]
    rows = [
        f"| data | {n['events']:,} state events + {n['counts']:,} count rows, 100 machines, "
        "4 families | – |",
        f"| KPIs by machine and shift from Parquet: read | {n['read_s']:.2f} s | – |",
        f"| KPIs by machine and shift from Parquet: time model + KPIs | {n['kpis_s']:.2f} s | – |",
        f"| **KPIs by machine and shift from Parquet: read + KPIs** | "
        f"**{n['read_s'] + n['kpis_s']:.2f} s** ({n['rows']:,} rows, peak RSS "
        f"{n['peak_mb']:,.0f} MB) | < 10 s |",
        f"| validation of the same data (all checks of spec section 4) | {n['validate_s']:.2f} s "
        f"({n['errors']} errors, {n['warnings']} warnings) | – |",
        f"| the same KPIs as one DuckDB {d['version']} SQL query (2 threads) | "
        f"{d['seconds']:.2f} s ({d['rows']:,} rows, peak RSS {d['peak_mb']:,.0f} MB) | – |",
        f"| agreement: rows on one side only / largest difference of any element | "
        f"{c['rows_only_one_side']} / {c['max_abs_diff']:.1e} | 0 / < 1e-6 |",
    ]
    if "pg_import" in r:
        p = r["pg_import"]
        rows += [
            f"| PostgreSQL import: COPY of events and counts | {p['write_seconds']:.1f} s = "
            f"{(p['events_added'] + p['counts_added']) / p['write_seconds']:,.0f} rows/s "
            f"({p['partitions']} monthly partitions) | – |",
            f"| PostgreSQL import: KPIs per machine and shift and day computed and stored | "
            f"{p['kpi_seconds']:.1f} s ({p['kpi_rows_written']:,} rows) | – |",
            f"| PostgreSQL import: whole import (after read + validation {p['read_validate_s']:.1f}"
            f" s) | {p['import_s']:.1f} s, peak RSS {p['peak_mb']:,.0f} MB | – |",
        ]
        for label, m in r["pg_reads"].items():
            rows.append(f"| dashboard read, PostgreSQL: {label} | {m['median_ms']:.1f} ms "
                        f"({m['rows']:,} rows) | < 10 ms |")
    write_table("OEE", ["measure", "value", "target"], rows,
                "OEE: 10 million state events (`benchmarks/bench_oee.py`)")


if __name__ == "__main__":
    main()
