"""`workbench demo`, the main job, end to end in a scratch folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from workbench.clinker import Workspace
from workbench.esp.workspace import EspWorkspace
from workbench.oee.workspace import OeeWorkspace
from workbench.payees.labelled import LabelledDataMissing, find_data_dir


def _payees_data() -> bool:
    """The payees part runs only where the classifier's labelled names are."""
    try:
        find_data_dir()
    except LabelledDataMissing:
        return False
    return True


def test_the_demo_builds_a_store_users_plans_and_a_report(tmp_path):
    sentinel = tmp_path / "teams-real-store.db"
    done = run_cli("demo", "--json", "--dir", str(tmp_path / "build"), "--reports",
                   str(tmp_path / "reports"), cwd=tmp_path,
                   env={"WORKBENCH_DB_URL": f"sqlite:///{sentinel}",
                        "WORKBENCH_DEMO_PASSWORD": "demo-pass-123"})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert not sentinel.exists()  # the store named by WORKBENCH_DB_URL was never touched
    assert out["store"] == f"sqlite:///{tmp_path / 'build' / 'demo.db'}"
    reports = [Path(h) if Path(h).is_absolute() else tmp_path / h for h in out["reports"]]
    payees = _payees_data()
    assert sorted(p.name for p in reports) == sorted(
        ["esp_report.html", "oee_report.html", "scenario_report.html",
         *(["payees_report.html"] if payees else [])])
    assert all(p.is_file() for p in reports)
    assert "demand-up" in out["headlines"][1] and "rail-closed" in out["headlines"][2]
    assert any(h.startswith("OEE demo plant") for h in out["headlines"])
    assert any(h.startswith("ESP demo field") for h in out["headlines"])
    assert set(out["users"]) == {"admin", "planner", "manager", "supervisor", "engineer",
                                 *(["analyst"] if payees else [])}

    planner = Workspace.connect(out["store"], "planner", "demo-pass-123")
    listed = planner.scenarios().set_index("scenario")
    planner.close()
    assert set(listed.index) == {"base", "demand-up", "rail-closed"}
    assert (listed["status"] == "optimal").all()
    assert listed.loc["base", "approved"] and not listed.loc["demand-up", "approved"]

    manager = Workspace.connect(out["store"], "manager", "demo-pass-123")
    try:
        assert manager.user.scopes == frozenset({"node:GU_001", "node:GU_002"})
        tables, _ = manager.plan_tables("base")
        assert set(tables["unmet"]["node_id"]) == {"GU_001", "GU_002"}
    finally:
        manager.close()

    # OEE: the demo plant's KPIs were stored at import; the supervisor sees one line
    supervisor = OeeWorkspace.connect(out["store"], "supervisor", "demo-pass-123")
    try:
        assert supervisor.datasets() == ["oee-demo"]
        lines = supervisor.kpis("oee-demo", ["line_id"], "day")
        assert set(lines["line_id"]) == {"S1-L1"}
        assert len(lines) == 29  # 28 days of three shifts; the last night ends on day 29
    finally:
        supervisor.close()

    # ESP: a simulated field in a telemetry store; the engineer sees the wells of field F2
    engineer = EspWorkspace.connect(out["store"], "engineer", "demo-pass-123")
    try:
        [known] = engineer.telemetry_stores()
        wells = engineer.telemetry(known["path"]).wells()
        assert set(wells["field"]) == {"F2"} and len(wells) == 10
    finally:
        engineer.close()

    # Payees: the AP file of entity IN01, classified and matched; the analyst sees both runs
    if payees:
        from workbench.payees import report

        store, analyst = report.connect(out["store"], "analyst", "demo-pass-123")
        try:
            seen = report.gather(store, analyst)
            assert seen.classify_run.scopes == seen.match_run.scopes == ["entity:IN01"]
            assert len(seen.classifications) == seen.classify_run.n_rows > 200
            assert 0 < report.match_rate(seen) < 1
        finally:
            store.dispose()


def test_without_a_demo_password_one_is_generated_and_shown_once(tmp_path):
    done = run_cli("demo", "--dir", str(tmp_path / "build"), "--reports",
                   str(tmp_path / "reports"), cwd=tmp_path, env={"WORKBENCH_DEMO_PASSWORD": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = [ln for ln in done.stdout.splitlines() if ln.startswith("password for all")]
    password = line.rsplit(": ", 1)[1]
    ws = Workspace.connect(f"sqlite:///{tmp_path / 'build' / 'demo.db'}", "admin", password)
    ws.close()
