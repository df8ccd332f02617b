"""A store made by release 0.1 upgrades in place and keeps its data (SQLite and PostgreSQL).

``tests/fixtures/release_0_1/versions`` holds release 0.1's migration scripts exactly as they
shipped; they build a 0.1 schema, which we fill with a solved plan the way 0.1 wrote it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from workbench.clinker.store import results
from workbench.core.access import Role
from workbench.store import audit, datasets, runs, scenarios
from workbench.store.db import current_revisions, database_url, expected_heads, open_store
from workbench.store.users import login

OLD_SCRIPTS = Path(__file__).parent / "fixtures" / "release_0_1"
ENV = Path(__file__).parents[1] / "workbench" / "store" / "migrations"


def _release_0_1_store(url: str) -> None:
    engine = create_engine(database_url(url))
    config = Config()
    config.set_main_option("script_location", str(ENV))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(OLD_SCRIPTS / "versions"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        _fill(conn)
    engine.dispose()


def _fill(conn) -> None:
    """A dataset, scenario, solved run with results and KPIs, a GU manager and audit rows."""
    now = "2026-11-01 10:00:00+00:00"
    conn.execute(text(
        "INSERT INTO datasets (id, name, domain, content_hash, source, node_ids, summary, "
        "created_by, created_at) VALUES (1, 'nov', 'clinker', 'abc', 'net/', "
        "'[\"IU_001\", \"GU_001\", \"GU_002\"]', '{}', 'local', :now)"), {"now": now})
    conn.execute(text(
        "INSERT INTO scenarios (id, name, version, dataset_id, parent_id, changes, node_ids, "
        "description, created_by, created_at) VALUES (1, 'base', 1, 1, NULL, '[]', "
        "'[\"GU_001\"]', '', 'local', :now)"), {"now": now})
    conn.execute(text(
        "INSERT INTO optimization_run (id, scenario_id, dataset_id, parameters, solver, "
        "solver_version, package_version, data_hash, status, objective_inr, best_bound_inr, "
        "mip_gap, build_seconds, solve_seconds, warnings, created_by, started_at, "
        "finished_at, approved) VALUES (1, 1, 1, '{}', 'highs', '1.8', '0.1.0', 'abc', "
        "'optimal', 1000.0, 990.0, 0.01, 0.1, 0.2, '[]', 'local', :now, :now, :yes)"),
        {"now": now, "yes": True})
    for node, made in (("IU_001", 500.0),):
        conn.execute(text(
            "INSERT INTO result_production (run_id, node_id, period, production_t, capacity_t, "
            "cost_inr_per_t) VALUES (1, :n, 1, :t, 800, 1.5)"), {"n": node, "t": made})
    for node, unmet in (("GU_001", 10.0), ("GU_002", 20.0)):
        conn.execute(text(
            "INSERT INTO result_unmet (run_id, node_id, period, demand_t, unmet_t, reason) "
            "VALUES (1, :n, 1, 100, :u, 'supply shortfall')"), {"n": node, "u": unmet})
    conn.execute(text(
        "INSERT INTO users (id, username, password_hash, role, ius, gus, disabled, created_at) "
        "VALUES (1, 'gopal', :h, 'gu_manager', '[]', '[\"GU_001\"]', :no, :now)"),
        {"h": _hash("gopal-pass-1"), "no": False, "now": now})
    conn.execute(text(
        "INSERT INTO audit_log (at, username, action, status, object_type, object_id, nodes, "
        "detail) VALUES (:now, 'local', 'import', 'ok', 'dataset', 'nov', '[\"IU_001\"]', '')"),
        {"now": now})


def _hash(password: str) -> str:
    from workbench.core.access import hash_password

    return hash_password(password)


def test_a_release_0_1_store_upgrades_and_keeps_its_plans(store_url) -> None:
    _release_0_1_store(store_url)
    store = open_store(store_url)  # migrates on first use, as any command would
    try:
        assert current_revisions(store.engine) == expected_heads()
        with store.session() as session:
            manager = login(session, "gopal", "gopal-pass-1")
            assert manager.role is Role.MANAGER
            assert manager.scopes == frozenset({"node:GU_001"})
            dataset = datasets.get_dataset(session, manager, "nov")
            assert dataset.scopes == ["node:GU_001", "node:GU_002", "node:IU_001"]
            base = scenarios.get_scenario(session, manager, "base")
            assert base.scopes == ["node:GU_001"]
            run = runs.get_run(session, manager, 1)
            assert (run.domain, run.status, run.has_result, run.approved) == \
                ("clinker", "optimal", True, True)
            assert scenarios.latest_plan(session, manager, "base").id == 1
            # the manager still sees only their own node's rows of the old plan
            unmet = results.results(session, manager, run, "unmet")
            assert unmet["node_id"].tolist() == ["GU_001"]
            assert unmet["unmet_t"].tolist() == [10.0]
            old_entry = audit.entries(session, manager.__class__("root", Role.ADMIN),
                                      action="import")[0]
            assert old_entry.scopes == ["IU_001"]  # history is not rewritten
    finally:
        store.dispose()


@pytest.mark.parametrize("role", ["iu_manager", "gu_manager"])
def test_release_0_1_manager_roles_map_to_the_manager_role(role: str) -> None:
    from workbench.core.domain import role_presets

    assert role_presets()[role] == Role.MANAGER
