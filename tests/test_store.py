"""The plan store through its Python API, on SQLite and PostgreSQL (real databases)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from workbench.clinker import scenarios as scenario
from workbench.clinker.examples import synthetic_network
from workbench.clinker.optimization.solve import SolveOptions, solve_network
from workbench.clinker.store import compare, persist, queries, results
from workbench.clinker.store.models import NETWORK, KpiAggregated, KpiPrecomputed
from workbench.core.access import BOOTSTRAP, AccessDenied, Principal, Role
from workbench.store import audit, backup, datasets, runs, scenarios, users
from workbench.store.db import (
    StoreError,
    current_revisions,
    expected_heads,
    head_revisions,
    open_store,
)
from workbench.store.models import AuditEntry, OptimizationRun

OPTIONS = SolveOptions(mip_gap=0.01, shadow_prices=True)
_SOLVED: dict[str, object] = {}  # data hash -> PlanResult: each network is solved once
TABLES = {"datasets", "dataset_tables", "validation_reports", "optimization_run",
          "result_production", "result_shipments", "result_stock", "result_unmet",
          "result_shadow_prices", "kpi_precomputed", "kpi_aggregated", "scenarios",
          "scenario_comparison", "users", "audit_log", "job_status", "plan_approvals"}


@pytest.fixture(scope="module")
def network():
    return synthetic_network(3, 5, 3)


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.dispose()


def add_dataset(store, network, name="net", actor=BOOTSTRAP):
    with store.session() as session:
        return datasets.save_dataset(
            session, actor, name=name, domain="clinker", source="synthetic",
            tables=persist.network_tables(network),
            scopes=persist.node_scopes(network.node_ids()),
            summary=network.summary(),
            report={"ok": True, "errors": 0, "warnings": 0, "findings": []})


def solve_and_store(store, name, changes=(), actor=BOOTSTRAP):
    with store.session() as session:
        s = scenarios.get_scenario(session, actor, name)
        data = datasets.get_dataset_by_id(session, s.dataset_id)
        net = scenario.apply(persist.network_from_tables(datasets.dataset_tables(session, data)),
                             s.changes)
    key = persist.data_hash(net)
    result = _SOLVED.get(key) or _SOLVED.setdefault(key, solve_network(net, OPTIONS))
    with store.session() as session:
        s = scenarios.get_scenario(session, actor, name)
        record, rows = persist.run_record(result, net, OPTIONS, datetime.now(UTC))
        run = results.save_plan(session, actor, s, record, rows)
    return run, result


@pytest.fixture
def planned(store, network):
    """A store with one dataset, scenarios 'base' and 'squeeze', each solved once."""
    dataset = add_dataset(store, network)
    with store.session() as session:
        base = scenarios.create_scenario(session, BOOTSTRAP, "base", dataset, [], [],
                                         network_wide=False)
        squeeze = [scenario.demand_multiplier(1.5), scenario.capacity("IU_001", 0.2)]
        scenarios.create_scenario(session, BOOTSTRAP, "squeeze", dataset, squeeze,
                                  persist.node_scopes(network.node_ids()), network_wide=True,
                                  parent=base)
    base_run, base_result = solve_and_store(store, "base")
    squeeze_run, squeeze_result = solve_and_store(store, "squeeze")
    return {"base": (base_run, base_result), "squeeze": (squeeze_run, squeeze_result)}


def test_fresh_database_gets_every_table_from_the_migrations(store) -> None:
    assert current_revisions(store.engine) == head_revisions(store.engine) == expected_heads()
    assert set(inspect(store.engine).get_table_names()) >= TABLES


def test_sqlite_connections_carry_the_pragmas(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    with store.engine.connect() as conn:
        def pragma(name: str) -> object:
            return conn.execute(text(f"PRAGMA {name}")).scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 10_000


def test_dataset_round_trip_gives_the_same_data_and_plan(store, network) -> None:
    dataset = add_dataset(store, network)
    with store.session() as session:
        tables = datasets.dataset_tables(session, datasets.get_dataset(session, BOOTSTRAP,
                                                                       "net"))
    again = persist.network_from_tables(tables)
    assert persist.data_hash(again) == dataset.content_hash == persist.data_hash(network)
    assert solve_network(again, OPTIONS).objective_inr == pytest.approx(
        solve_network(network, OPTIONS).objective_inr, rel=1e-9)


def test_a_run_is_stored_with_results_and_kpis_computed_once(store, planned) -> None:
    run, result = planned["base"]
    with store.session() as session:
        stored = runs.get_run(session, BOOTSTRAP, run.id)
        assert stored.status == "optimal" and stored.solver == "highs"
        assert stored.solver_version and stored.package_version and len(stored.data_hash) == 64
        agg = session.get(KpiAggregated, run.id)
        assert agg.total_cost_inr == pytest.approx(result.objective_inr)
        parts = sum(getattr(agg, f) for f in compare.COST_FIELDS[1:])
        assert parts == pytest.approx(agg.total_cost_inr, rel=1e-9)
        by_period = results.kpis_by_period(session, BOOTSTRAP, stored)
        assert set(by_period["node_id"]) == {NETWORK}
        assert by_period["cost_inr"].sum() == pytest.approx(result.objective_inr, rel=1e-9)
        assert by_period["demand_t"].sum() == pytest.approx(result.kpis.demand_t)
        shipments = results.results(session, BOOTSTRAP, stored, "shipments")
        assert len(shipments) == len(result.shipments)
        assert shipments["trips"].sum() == result.shipments["trips"].sum()
        assert len(results.results(session, BOOTSTRAP, stored, "shadow_prices")) == \
            len(result.shadow_prices)
        assert (stored.domain, stored.termination_condition, stored.has_result) == \
            ("clinker", "converged", True)


def test_node_kpi_rows_add_up_to_the_network_rows(store, planned) -> None:
    run, result = planned["squeeze"]
    with store.session() as session:
        rows = pd.DataFrame([{c.name: getattr(r, c.name) for c in KpiPrecomputed.__table__.columns}
                             for r in session.scalars(select(KpiPrecomputed).where(
                                 KpiPrecomputed.run_id == run.id))])
    nodes, network = rows[rows["node_id"] != NETWORK], rows[rows["node_id"] == NETWORK]
    per_period = nodes.groupby("period").sum(numeric_only=True)
    network = network.set_index("period")
    for column in ("demand_t", "unmet_t", "production_t", "received_t", "dispatched_t"):
        assert per_period[column].to_numpy() == pytest.approx(network[column].to_numpy())
    # every trip leaves one node and reaches another: counted twice over the nodes
    assert (per_period["trips"] == 2 * network["trips"]).all()
    assert network["trips"].sum() == result.shipments["trips"].sum() > 0
    assert nodes["trips"].gt(0).any()


def test_gu_manager_sees_only_their_own_nodes(store, planned, network) -> None:
    run, _ = planned["base"]
    own = Principal("gm", Role.MANAGER, frozenset({"node:GU_001"}))
    with store.session() as session:
        stored = runs.get_run(session, own, run.id)
        for table in ("production", "stock", "unmet", "shadow_prices"):
            frame = results.results(session, own, stored, table)
            assert set(frame["node_id"]) <= {"GU_001"}
        unmet = results.results(session, own, stored, "unmet")
        assert set(unmet["node_id"]) == {"GU_001"}
        ships = results.results(session, own, stored, "shipments")
        assert len(ships) > 0
        assert ((ships["destination_id"] == "GU_001") | (ships["origin_id"] == "GU_001")).all()
        kpis = results.kpis_by_period(session, own, stored)
        assert set(kpis["node_id"]) == {"GU_001"}
        assert results.run_kpis(session, own, stored) is None  # network totals are not theirs
        everyone = results.results(session, BOOTSTRAP, stored, "unmet")
        assert len(everyone) > len(unmet)


def test_a_user_without_nodes_sees_nothing(store, planned) -> None:
    nobody = Principal("v", Role.VIEWER)
    run, _ = planned["base"]
    with store.session() as session:
        with pytest.raises(AccessDenied):
            runs.get_run(session, nobody, run.id)
        assert results.results(session, nobody, session.get(OptimizationRun, run.id),
                            "production").empty
        assert scenarios.list_scenarios(session, nobody) == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
def test_only_planners_and_admins_approve(store, planned, role) -> None:
    actor = Principal("x", role, frozenset({"node:IU_001", "node:GU_001"}))
    with store.session() as session, pytest.raises(AccessDenied, match="approve"):
        scenarios.approve(session, actor, "base")


def test_approval_moves_the_baseline_and_keeps_history(store, planned) -> None:
    planner = Principal("cp", Role.CENTRAL_PLANNER)
    with store.session() as session:
        scenarios.approve(session, planner, "base")
    with store.session() as session:
        scenarios.approve(session, planner, "squeeze", note="demand is coming")
    with store.session() as session:
        assert scenarios.baseline_run(session, BOOTSTRAP).id == planned["squeeze"][0].id
        history = scenarios.approvals(session, BOOTSTRAP)
        assert [a.run_id for a in history] == [planned["base"][0].id, planned["squeeze"][0].id]
        assert session.query(OptimizationRun).filter_by(approved=True).count() == 1


def test_editing_makes_a_version_and_older_results_stay(store, planned) -> None:
    with store.session() as session:
        v2 = scenarios.edit_scenario(session, BOOTSTRAP, "base",
                                     [scenario.penalty(50_000)], [], network_wide=True)
        assert v2.version == 2 and v2.changes == [scenario.penalty(50_000)]
    run2, _ = solve_and_store(store, "base")
    with store.session() as session:
        v1 = scenarios.get_scenario(session, BOOTSTRAP, "base", 1)
        assert scenarios.latest_run(session, v1).id == planned["base"][0].id
        assert run2.scenario_id == scenarios.get_scenario(session, BOOTSTRAP, "base").id


def test_squeezed_demand_leaves_demand_unmet_and_compare_says_so(store, planned) -> None:
    (a, _), (b, squeezed) = planned["base"], planned["squeeze"]
    assert squeezed.kpis.unmet_t > 0  # 1.5 x demand with IU_001 at 20 %: not all served
    with store.session() as session:
        result = compare.compare_runs(session, BOOTSTRAP, a, b, ("base", "squeeze"))
    total = result["costs_inr"]["total_cost_inr"]
    assert total["change"] == pytest.approx(squeezed.objective_inr - planned["base"][1]
                                            .objective_inr)
    assert total["change_pct"] == pytest.approx(total["change"] / total["a"] * 100)
    assert result["service_level"]["b"] < result["service_level"]["a"]
    assert result["nodes"][0]["moved_t"] >= result["nodes"][-1]["moved_t"]
    gm = Principal("gm", Role.MANAGER, frozenset({"node:GU_002"}))
    with store.session() as session:
        mine = compare.compare_runs(session, gm, a, b)
    assert "costs_inr" not in mine and {n["node_id"] for n in mine["nodes"]} <= {"GU_002"}


def test_restricted_users_only_change_their_own_nodes(store, planned) -> None:
    with store.session() as session:
        dataset = datasets.get_dataset(session, BOOTSTRAP, "net")
        gm = Principal("gm", Role.MANAGER, frozenset({"node:GU_001"}))
        scenarios.create_scenario(session, gm, "mine", dataset,
                                  [scenario.demand_multiplier(1.1, ["GU_001"])], ["node:GU_001"],
                                  network_wide=False)
        with pytest.raises(AccessDenied, match="GU_002"):
            scenarios.create_scenario(session, gm, "theirs", dataset,
                                      [scenario.demand_multiplier(1.1, ["GU_002"])],
                                      ["node:GU_002"], network_wide=False)
        with pytest.raises(AccessDenied, match="only change what they are granted"):
            scenarios.create_scenario(session, gm, "all", dataset, [scenario.penalty(1)],
                                      [], network_wide=True)
        viewer = Principal("v", Role.VIEWER, frozenset({"node:GU_001"}))
        with pytest.raises(AccessDenied):
            scenarios.create_scenario(session, viewer, "v", dataset, [], [],
                                      network_wide=False)


def test_users_hash_passwords_and_login_is_audited(store) -> None:
    with store.session() as session:
        users.add_user(session, BOOTSTRAP, "asha", Role.CENTRAL_PLANNER, "s3cret-pass")
        stored = users.list_users(session, BOOTSTRAP)[0]
        assert stored.password_hash.startswith("$argon2") and "s3cret" not in stored.password_hash
    with store.session() as session:
        assert users.login(session, "asha", "s3cret-pass").role is Role.CENTRAL_PLANNER
        with pytest.raises(users.LoginFailed):
            users.login(session, "asha", "wrong")
        with pytest.raises(users.LoginFailed, match="--user"):
            users.login(session, None, None)
        users.disable_user(session, BOOTSTRAP, "asha")
        with pytest.raises(users.LoginFailed):
            users.login(session, "asha", "s3cret-pass")
        logins = [e.status for e in audit.entries(session, BOOTSTRAP, action="login")]
    assert logins == ["refused", "refused", "ok"]


def test_audit_log_is_append_only_in_the_database(store) -> None:
    with store.session() as session:
        audit.record(session, "asha", "test", object_id=1)
    for statement in ("UPDATE audit_log SET status = 'edited'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with store.session() as session:
        assert [e.status for e in session.query(AuditEntry)] == ["ok"]


def _run_count(store) -> int:
    with store.session() as session:
        return session.query(OptimizationRun).count()


def test_backup_and_restore_round_trip_while_runs_are_written(store, planned, tmp_path) -> None:
    stop, failures = threading.Event(), []

    def write_runs() -> None:
        try:
            while not stop.is_set():
                solve_and_store(store, "base")
        except Exception as exc:  # surfaced by the assertion below
            failures.append(exc)

    writer = threading.Thread(target=write_runs)
    writer.start()
    try:
        _wait_for(lambda: _run_count(store) >= 5)
        at_start = _run_count(store)
        path = backup.backup(store, tmp_path / "store.backup")
        at_end = _run_count(store)
        _wait_for(lambda: _run_count(store) >= at_end + 3)
    finally:
        stop.set()
        writer.join()
    assert not failures
    before_restore = _run_count(store)
    backup.restore(store, path)
    restored = _run_count(store)
    assert at_start <= restored <= at_end < before_restore
    with store.session() as session:  # every restored run is whole: no torn transaction
        for run in session.query(OptimizationRun):
            assert session.get(KpiAggregated, run.id) is not None
            assert results.results(session, BOOTSTRAP, run, "shipments").shape[0] > 0
    assert current_revisions(store.engine) == head_revisions(store.engine) == expected_heads()
    solve_and_store(store, "squeeze")  # and the store takes writes again
    assert _run_count(store) == restored + 1


def _wait_for(condition, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the writer"
        time.sleep(0.05)


def test_a_backup_is_one_file(store, planned, tmp_path) -> None:
    path = backup.backup(store, tmp_path / "store.backup")
    if store.dialect == "sqlite":
        import sqlite3

        # a copy left in WAL mode grows -wal and -shm files whenever it is opened
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store.")) == \
        ["store.backup"]


def test_restore_refuses_a_file_that_is_not_a_backup(store, tmp_path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database")
    with pytest.raises(StoreError):
        backup.restore(store, junk)
    with pytest.raises(StoreError, match="already exists"):
        backup.backup(store, junk)


def test_dashboard_queries_read_the_precomputed_kpis(store, planned, network) -> None:
    with store.session() as session:
        assert queries.approved_plan_kpis(session, BOOTSTRAP) is None
        scenarios.approve(session, BOOTSTRAP, "squeeze")
    with store.session() as session:
        run, kpis = queries.approved_plan_kpis(session, BOOTSTRAP)
        assert run.id == planned["squeeze"][0].id
        assert kpis.total_cost_inr == pytest.approx(planned["squeeze"][1].objective_inr)
        by_period = queries.scenario_kpis_by_period(session, BOOTSTRAP, "base")
        assert list(by_period["period"]) == network.periods
        side = queries.compare_scenarios(session, BOOTSTRAP, "base", "squeeze")
        stored = compare.compare_runs(session, BOOTSTRAP, planned["base"][0],
                                      planned["squeeze"][0], ("base", "squeeze"))
        assert side == stored


def test_public_workbook_survives_the_store_with_its_regression_plan(store, public_xlsx) -> None:
    from tests.test_solve_cli import PUBLIC_OBJECTIVE_INR, PUBLIC_UNMET_REL, PUBLIC_UNMET_T
    from workbench.clinker import read_network

    network = read_network(public_xlsx)
    add_dataset(store, network, name="public")
    with store.session() as session:
        tables = datasets.dataset_tables(session, datasets.get_dataset(session, BOOTSTRAP,
                                                                       "public"))
    result = solve_network(persist.network_from_tables(tables),
                           SolveOptions(mip_gap=0.0, shadow_prices=False))
    assert result.status == "optimal"
    assert result.objective_inr == pytest.approx(PUBLIC_OBJECTIVE_INR, rel=1e-9)
    assert result.unmet_demand_t == pytest.approx(PUBLIC_UNMET_T, rel=PUBLIC_UNMET_REL)


def test_migrations_go_down_and_up_again(store) -> None:
    from alembic import command

    from workbench.store.db import alembic_config, describe, upgrade

    config = alembic_config(store.engine)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    assert upgrade(store.engine) == (None, describe(expected_heads()))
    assert set(inspect(store.engine).get_table_names()) >= TABLES


def test_the_migrations_create_exactly_the_models_schema(store) -> None:
    # every domain's tables too: a hand-written migration that drifts from its model fails here
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from workbench.core.domain import domains
    from workbench.store.models import Base

    for domain in domains().values():
        domain.load_models()
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_schema_head_constants_match_the_migration_scripts(store) -> None:
    # the spine's SCHEMA_HEAD and each domain's schema_head, against the scripts themselves
    assert head_revisions(store.engine) == expected_heads()


def test_two_writers_with_their_own_connections_both_land(store_url, planned, store) -> None:
    """As two `workbench solve --scenario` processes would: separate engines, same store."""
    errors: list[Exception] = []

    def writer() -> None:
        own = open_store(store_url)
        try:
            for _ in range(5):
                solve_and_store(own, "base")
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            own.dispose()

    before = _run_count(store)
    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _run_count(store) == before + 10
