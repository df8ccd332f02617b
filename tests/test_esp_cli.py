"""`workbench esp ...` as an operator meets it: JSON shapes, exit codes, no tracebacks, runs
recorded in the store (SQLite and PostgreSQL), and users scoped to a field see only it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _make(tmp_path, store_url):
    out = tmp_path / "sim"
    env = {"WORKBENCH_DB_URL": store_url}
    done = run_cli("esp", "simulate", str(out), "--wells", "12", "--days", "2", "--seed", "7",
                   env=env)
    assert done.returncode == 0, done.stderr
    done = run_cli("esp", "ingest", str(out / "telemetry"), "--into", str(tmp_path / "store"),
                   "--wells", str(out / "wells.csv"), "--json", env=env)
    assert done.returncode == 0, done.stderr
    return out, tmp_path / "store", env, json.loads(done.stdout)


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    folder = tmp_path_factory.mktemp("esp")
    return _make(folder, f"sqlite:///{folder / 'workbench.db'}")


@pytest.fixture
def on_each_engine(tmp_path, store_url):
    return _make(tmp_path, store_url)


def _clean(result, code):
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_ingest_json_and_the_run_in_the_store(on_each_engine):
    _out, store, env, payload = on_each_engine
    assert {"rows_in", "rows_accepted", "rows_rejected", "late", "rejected_by_reason",
            "seconds", "rows_per_second"} <= set(payload)
    assert set(payload["rejected_by_reason"]) == {"unparseable", "unknown_well", "duplicate",
                                                  "out_of_range", "frozen"}
    assert payload["rows_in"] == payload["rows_accepted"] + payload["rows_rejected"]
    from workbench.esp.lake.layout import TelemetryStore
    from workbench.esp.store.records import ingest_runs
    from workbench.store.db import open_store
    from workbench.store.users import log_in

    sql = open_store(env["WORKBENCH_DB_URL"])
    with sql.session() as session:
        runs = ingest_runs(session, log_in(sql, None, lambda: ""),
                           TelemetryStore.open(store).store_id)
    sql.dispose()
    assert runs[0]["rows_in"] == payload["rows_in"] and len(runs[0]["sources"]) == 12


def test_quality_rollup_diagnose_evaluate_archive(field):
    out, store, env, _ = field
    q = run_cli("esp", "quality", str(store), "--json", env=env)
    _clean(q, 0)
    row = json.loads(q.stdout)["rows"][0]
    assert {"well_id", "day", "score", "rejected_frozen", "longest_gap_min"} <= set(row)
    r = run_cli("esp", "rollup", str(store), "--interval", "1h", "--well", "W001", "--from",
                "2025-01-01T06:00", "--to", "2025-01-01T08:00", "--json", env=env)
    _clean(r, 0)
    rows = json.loads(r.stdout)["rows"]
    assert [x["bucket"] for x in rows] == ["2025-01-01T06:00:00Z", "2025-01-01T07:00:00Z"]
    assert "motor_current_a_last" in rows[0]
    d = run_cli("esp", "diagnose", str(store), "--well", "W002", "--window", "1d",
                "--method", "legacy", "--json", env=env)
    _clean(d, 0)
    assert len(json.loads(d.stdout)["rows"]) == 2
    e = run_cli("esp", "evaluate", str(store), "--labels", str(out / "labels.csv"), "--json",
                env=env)
    _clean(e, 0)
    payload = json.loads(e.stdout)
    assert payload["method"] == "rules" and "false_positive_rate" in payload
    a = run_cli("esp", "archive", str(store), "--older-than", "0", "--json", env=env)
    _clean(a, 0)
    assert json.loads(a.stdout)["partitions_moved"] == 24


def test_bad_input_and_usage_errors(field, tmp_path):
    _out, store, env, _ = field
    broken = tmp_path / "broken.csv"
    broken.write_text("well_id,ts\nW001,2025-01-01\n")
    _clean(run_cli("esp", "ingest", str(broken), "--into", str(store), env=env), 1)
    _clean(run_cli("esp", "ingest", str(tmp_path / "nope"), "--into", str(store), env=env), 1)
    _clean(run_cli("esp", "rollup", str(store), "--interval", "2h", "--well", "W001",
                   env=env), 2)
    _clean(run_cli("esp", "rollup", str(store), "--interval", "1h", "--well", "W404",
                   env=env), 1)
    _clean(run_cli("esp", "quality", str(tmp_path / "not-a-store"), env=env), 1)
    _clean(run_cli("esp", "rollup", str(store), "--interval", "1h", "--well", "W001",
                   "--from", "yesterday-ish", env=env), 2)


def test_a_field_manager_sees_only_their_field(field):
    out, store, env, _ = field
    _clean(run_cli("user", "add", "boss", "--role", "admin", "--password-stdin",
                   stdin="pw-boss-123\n", env=env), 0)
    admin = {**env, "WORKBENCH_USER": "boss", "WORKBENCH_PASSWORD": "pw-boss-123"}
    _clean(run_cli("user", "add", "fm", "--role", "manager", "--scope", "field:F2",
                   "--password-stdin", stdin="pw-fm-1234\n", env=admin), 0)
    fm = {**env, "WORKBENCH_USER": "fm", "WORKBENCH_PASSWORD": "pw-fm-1234"}
    q = run_cli("esp", "quality", str(store), "--json", env=fm)
    _clean(q, 0)
    assert {r["well_id"] for r in json.loads(q.stdout)["rows"]} == {"W011", "W012"}
    _clean(run_cli("esp", "rollup", str(store), "--interval", "1d", "--well", "W001",
                   env=fm), 1)
    _clean(run_cli("esp", "ingest", str(out / "telemetry"), "--into", str(store), env=fm), 1)
