"""The planner's Workspace (what notebooks use) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from workbench.clinker import Workspace, scenarios
from workbench.clinker.contract.writers import write_csv_folder
from workbench.clinker.examples import synthetic_network
from workbench.clinker.optimization.solve import SolveOptions
from workbench.core.access import BOOTSTRAP, AccessDenied, Role
from workbench.store import audit, users
from workbench.store.users import LoginFailed


def test_workspace_round_trip_with_logins_and_refusals(store_url, tmp_path) -> None:
    ws = Workspace.connect(store_url)
    assert ws.user == BOOTSTRAP
    with ws.store.session() as session:
        users.add_user(session, ws.user, "asha", Role.CENTRAL_PLANNER, "asha-pass-1")
        users.add_user(session, ws.user, "vik", Role.VIEWER, "vik-pass-1", ["node:GU_001"])
    with pytest.raises(LoginFailed):
        Workspace.connect(store_url, "asha", "wrong")
    ws = Workspace.connect(store_url, "asha", "asha-pass-1")

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "plant_master.csv").write_text("node_id\n")
    outcome = ws.import_data(broken, "bad")
    assert not outcome.stored and outcome.report.errors
    assert ws.datasets() == []

    data = write_csv_folder(synthetic_network(3, 5, 3), tmp_path / "net")
    assert ws.import_data(data, "net").stored
    ws.create_scenario("base", "net")
    with pytest.raises(ValueError, match="NOPE"):
        ws.create_scenario("x", "net", changes=[scenarios.close_route("NOPE")])
    ws.create_scenario("tight", "net", parent="base",
                       changes=[scenarios.capacity("IU_001", 0.0)])
    base = ws.solve("base", SolveOptions(shadow_prices=False))
    tight = ws.solve("tight", SolveOptions(shadow_prices=False))
    assert tight.result.objective_inr > base.result.objective_inr
    assert ws.results(tight.run_id, "production").query("node_id == 'IU_001'")[
        "production_t"].sum() == 0
    v2 = ws.edit_scenario("tight", [scenarios.penalty(1.0)])
    assert v2.version == 2 and ws.scenario_network("tight").settings.unmet_penalty_inr_per_t == 1

    viewer = Workspace.connect(store_url, "vik", "vik-pass-1")
    with pytest.raises(AccessDenied):
        viewer.approve("base")
    with pytest.raises(AccessDenied):
        viewer.solve("base")
    assert set(viewer.results(base.run_id, "unmet")["node_id"]) == {"GU_001"}
    ws.approve("base")
    assert ws.scenarios().set_index("scenario").loc["base", "approved"]

    with ws.store.session() as session:
        log = {(e.username, e.action, e.status)
               for e in audit.entries(session, BOOTSTRAP, limit=1000)}
    assert {("asha", "login", "refused"), ("asha", "import", "failed"),
            ("asha", "scenario.create", "failed"), ("vik", "scenario.approve", "refused"),
            ("vik", "run", "refused"), ("asha", "scenario.approve", "ok"),
            ("vik", "run.read", "ok")} <= log
