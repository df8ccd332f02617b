"""Dashboard query benchmark: the plan store with 1,000 stored runs.

Run: ``make bench-store`` (or ``python benchmarks/bench_store.py [--runs N]``). Solves the demo
network once per scenario, stores the runs (same results, new rows each time) across 20
scenarios, then times each dashboard query as the median of repeated calls, on SQLite and, when
one is reachable, on PostgreSQL. Writes a table into benchmarks/README.md between the STORE
markers.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from readme_table import write_table
from sqlalchemy import text
from sqlalchemy.orm import Session

from workbench.clinker import scenarios as scenario
from workbench.clinker.examples import demo_network
from workbench.clinker.optimization.solve import SolveOptions, solve_network
from workbench.clinker.store import persist, queries, results
from workbench.clinker.store.results import PlanRows
from workbench.core.access import BOOTSTRAP
from workbench.store import datasets, scenarios
from workbench.store.db import Store, open_store
from workbench.store.runs import RunRecord

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCENARIOS = 20
REPEATS = 50
OPTIONS = SolveOptions(mip_gap=0.01, shadow_prices=True)


def records() -> list[tuple[list[dict], tuple[RunRecord, PlanRows]]]:
    """Two solved variants (base and squeezed demand) to store over and over."""
    network = demo_network()
    out = []
    for changes in ([], [scenario.demand_multiplier(1.3)]):
        variant = scenario.apply(network, changes)
        result = solve_network(variant, OPTIONS)
        out.append((changes, persist.run_record(result, variant, OPTIONS, datetime.now(UTC))))
    return out


def fill(store: Store, n_runs: int,
         solved: list[tuple[list[dict], tuple[RunRecord, PlanRows]]]) -> float:
    network = demo_network()
    started = time.perf_counter()
    with store.session() as session:
        dataset = datasets.save_dataset(
            session, BOOTSTRAP, name="demo", domain="clinker", source="demo",
            tables=persist.network_tables(network),
            scopes=persist.node_scopes(network.node_ids()),
            summary=network.summary(), report={"ok": True, "errors": 0, "warnings": 0,
                                               "findings": []})
        for i in range(SCENARIOS):
            changes = solved[i % 2][0]
            scenarios.create_scenario(session, BOOTSTRAP, f"s{i:02d}", dataset, changes, [],
                                      network_wide=True)
    for i in range(n_runs):
        with store.session() as session:
            s = scenarios.get_scenario(session, BOOTSTRAP, f"s{i % SCENARIOS:02d}")
            results.save_plan(session, BOOTSTRAP, s, *solved[i % SCENARIOS % 2][1])
        if i % 100 == 99:
            print(f"  stored {i + 1} runs", flush=True)
    with store.session() as session:
        scenarios.approve(session, BOOTSTRAP, "s00")
    return time.perf_counter() - started


def median_ms(query: Callable[[Session], object], store: Store) -> float:
    times = []
    for _ in range(REPEATS):
        with store.session() as session:
            started = time.perf_counter()
            query_result = query(session)
            times.append((time.perf_counter() - started) * 1000)
            assert query_result is not None
    return statistics.median(times)


def settle(store: Store) -> None:
    """Refresh planner statistics after the bulk load, as autovacuum would soon do anyway;
    otherwise the first minutes of timings measure the background ANALYZE, not the queries."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE"))


def measure(store: Store, n_runs: int,
            solved: list[tuple[list[dict], RunRecord]]) -> dict[str, float]:
    fill_s = fill(store, n_runs, solved)
    settle(store)
    timings = {
        "latest approved plan's KPIs": median_ms(
            lambda s: queries.approved_plan_kpis(s, BOOTSTRAP), store),
        "one scenario's KPIs by period": median_ms(
            lambda s: queries.scenario_kpis_by_period(s, BOOTSTRAP, "s07"), store),
        "compare two runs": median_ms(
            lambda s: queries.compare_scenarios(s, BOOTSTRAP, "s00", "s01"), store),
    }
    return {"fill_s": fill_s, **timings}


def run(n_runs: int) -> list[str]:
    solved = records()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        rows.append(("SQLite (WAL)", measure(store, n_runs, solved)))
        store.dispose()
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        admin = None
    if admin is not None:
        name = f"wb_bench_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            store = open_store(PG_URL.rsplit("/", 1)[0] + f"/{name}")
            rows.append(("PostgreSQL 127.0.0.1", measure(store, n_runs, solved)))
            store.dispose()
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.close()
    lines = []
    for label, m in rows:
        queries_ms = [v for k, v in m.items() if k != "fill_s"]
        lines.append(f"| {label} | {n_runs} | " + " | ".join(f"{v:.2f}" for v in queries_ms) +
                     f" | {'yes' if max(queries_ms) < 10 else 'no'} | {m['fill_s']:.0f} |")
        print(lines[-1], flush=True)
    return lines


def write_readme(lines: list[str]) -> None:
    write_table("STORE", ["store", "runs", "latest approved plan's KPIs ms",
                          "one scenario's KPIs by period ms", "compare two runs ms",
                          "all < 10 ms?", "time to store the runs s"],
                lines, "Dashboard queries (`make bench-store`)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    write_readme(run(args.runs))


if __name__ == "__main__":
    main()
