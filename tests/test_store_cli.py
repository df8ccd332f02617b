"""The plan store end to end through the `workbench` command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_store_url, run_cli
from workbench.clinker.contract.writers import write_csv_folder
from workbench.clinker.examples import synthetic_network

ADMIN = {"user": "admin", "password": "admin-pass-1"}
PLANNER = {"user": "asha", "password": "asha-pass-1"}
GU_MANAGER = {"user": "gopal", "password": "gopal-pass-1"}


def as_json(done) -> object:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def session(request, tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """One operator session through the command line, run once per engine: every step's
    result by name. The tests below each check one behaviour of it."""
    tmp = tmp_path_factory.mktemp(request.param)
    with fresh_store_url(request.param, tmp) as url:
        yield _record_session(url, tmp)


def _record_session(url: str, tmp: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    steps: dict[str, subprocess.CompletedProcess[str]] = {}

    def cli(step: str, *args: str, as_user: dict | None = None, stdin: str | None = None):
        env = {"WORKBENCH_DB_URL": url, "WORKBENCH_USER": (as_user or {}).get("user", ""),
               "WORKBENCH_PASSWORD": (as_user or {}).get("password", "")}
        steps[step] = run_cli(*args, stdin=stdin, env=env, cwd=tmp)
        return steps[step]

    data = write_csv_folder(synthetic_network(3, 5, 3), tmp / "net")
    broken = tmp / "broken"
    broken.mkdir()
    (broken / "plant_master.csv").write_text("node_id,node_type\nIU_001,XX\n")

    cli("upgrade", "db", "upgrade", "--json")
    cli("first user", "user", "add", "admin", "--role", "admin", "--password-stdin",
        stdin="admin-pass-1\n")
    cli("no login", "dataset", "list")
    cli("wrong password", "dataset", "list", as_user={**ADMIN, "password": "nope"})
    cli("add planner", "user", "add", "asha", "--role", "central_planner", "--password-stdin",
        stdin="asha-pass-1\n", as_user=ADMIN)
    cli("add gu manager", "user", "add", "gopal", "--role", "gu_manager", "--gus", "GU_001",
        "--password-stdin", stdin="gopal-pass-1\n", as_user=ADMIN)
    cli("users", "user", "list", "--json", as_user=ADMIN)
    cli("bad import", "import", str(broken), "--dataset", "bad", as_user=PLANNER)
    cli("datasets after bad import", "dataset", "list", "--json", as_user=PLANNER)
    cli("import", "import", str(data), "--dataset", "net", "--json", as_user=PLANNER)
    cli("create base", "scenario", "create", "base", "--dataset", "net", as_user=PLANNER)
    cli("create squeeze", "scenario", "create", "squeeze", "--dataset", "net", "--from", "base",
        "--demand-multiplier", "1.5", "--capacity", "IU_001=0.2", as_user=PLANNER)
    cli("unknown route", "scenario", "create", "oops", "--dataset", "net", "--close-route",
        "NOPE", as_user=PLANNER)
    cli("negative capacity", "scenario", "create", "neg", "--dataset", "net", "--capacity",
        "IU_001=-1", as_user=PLANNER)
    cli("solve base", "solve", "--scenario", "base", "--json", "--no-duals", as_user=PLANNER)
    cli("solve squeeze", "solve", "--scenario", "squeeze", "--json", "--no-duals",
        as_user=PLANNER)
    cli("compare", "scenario", "compare", "base", "squeeze", "--json", as_user=PLANNER)
    cli("manager approves", "scenario", "approve", "base", as_user=GU_MANAGER)
    cli("manager solves", "solve", "--scenario", "base", as_user=GU_MANAGER)
    cli("approve", "scenario", "approve", "base", "--json", as_user=PLANNER)
    cli("compare to baseline", "scenario", "compare", "squeeze", "--json", as_user=PLANNER)
    cli("manager shows base", "scenario", "show", "base", "--json", as_user=GU_MANAGER)
    cli("show squeeze", "scenario", "show", "squeeze", "--json", as_user=PLANNER)
    cli("edit penalty", "scenario", "edit", "squeeze", "--penalty", "15000", as_user=PLANNER)
    cli("edit penalty again", "scenario", "edit", "squeeze", "--penalty", "20000",
        as_user=PLANNER)
    cli("show edited", "scenario", "show", "squeeze", "--json", as_user=PLANNER)
    junk = tmp / "junk.backup"
    junk.write_bytes(b"not a backup")
    cli("restore junk", "restore", str(junk), as_user=ADMIN)
    backup = tmp / "store.backup"
    cli("planner backs up", "backup", str(backup), as_user=PLANNER)
    cli("backup", "backup", str(backup), as_user=ADMIN)
    cli("create later", "scenario", "create", "later", "--dataset", "net", as_user=PLANNER)
    cli("restore", "restore", str(backup), as_user=ADMIN)
    cli("scenarios after restore", "scenario", "list", "--json", as_user=PLANNER)
    cli("audit", "audit", "--json", "--limit", "500", as_user=ADMIN)
    return steps


def test_no_step_shows_a_traceback(session) -> None:
    for step, done in session.items():
        assert "Traceback" not in done.stdout + done.stderr, step


def test_db_upgrade_reaches_every_branch_head(session) -> None:
    from workbench.store.db import describe, expected_heads

    assert as_json(session["upgrade"])["after"] == describe(expected_heads())


def test_the_first_user_needs_no_login(session) -> None:
    assert session["first user"].returncode == 0


def test_once_users_exist_commands_need_a_login(session) -> None:
    assert session["no login"].returncode == 1 and "--user" in session["no login"].stderr
    wrong = session["wrong password"]
    assert wrong.returncode == 1 and "login refused" in wrong.stderr


def test_the_gu_manager_preset_becomes_a_manager_with_node_scopes(session) -> None:
    users = {u["username"]: u for u in as_json(session["users"])}
    assert (users["gopal"]["role"], users["gopal"]["scopes"]) == ("manager", ["node:GU_001"])
    assert users["asha"]["role"] == "central_planner"


def test_an_import_with_errors_stores_nothing(session) -> None:
    assert session["bad import"].returncode == 1
    assert "nothing was stored" in session["bad import"].stderr
    assert as_json(session["datasets after bad import"]) == []


def test_an_import_stores_the_dataset_with_its_hash(session) -> None:
    stored = as_json(session["import"])
    assert stored["stored"] and len(stored["content_hash"]) == 64


def test_scenario_changes_naming_unknown_things_are_refused(session) -> None:
    assert session["create base"].returncode == session["create squeeze"].returncode == 0
    assert session["unknown route"].returncode == 1 and "NOPE" in session["unknown route"].stderr


def test_a_negative_capacity_factor_is_named_as_such(session) -> None:
    done = session["negative capacity"]
    assert done.returncode == 1
    assert "the factor must be zero or more" in done.stderr
    assert "NODE=FACTOR" not in done.stderr


def test_a_squeezed_scenario_leaves_more_demand_unmet(session) -> None:
    base, squeeze = as_json(session["solve base"]), as_json(session["solve squeeze"])
    assert base["status"] == squeeze["status"] == "optimal"
    assert squeeze["unmet_demand_t"] > base["unmet_demand_t"]


def test_a_comparison_changes_by_the_objectives_difference(session) -> None:
    base, squeeze = as_json(session["solve base"]), as_json(session["solve squeeze"])
    total = as_json(session["compare"])["costs_inr"]["total_cost_inr"]
    assert total["change"] == pytest.approx(squeeze["objective_inr"] - base["objective_inr"])


def test_managers_may_neither_approve_nor_solve(session) -> None:
    denied = session["manager approves"]
    assert denied.returncode == 1 and "may not approve" in denied.stderr
    assert session["manager solves"].returncode == 1


def test_a_planners_approval_makes_the_baseline(session) -> None:
    base = as_json(session["solve base"])
    assert as_json(session["approve"])["run"] == base["run_id"]
    against = as_json(session["compare to baseline"])
    assert against["a"]["run_id"] == base["run_id"] and against["a"]["label"] == "baseline"


def test_a_manager_sees_no_network_totals(session) -> None:
    mine = as_json(session["manager shows base"])
    assert mine["versions"][0]["runs"][0]["objective_inr"] is None


def test_scenario_show_gives_the_lineage(session) -> None:
    assert as_json(session["show squeeze"])["lineage"] == ["squeeze v1", "base v1"]


def test_scenario_show_says_what_each_version_adds_and_inherits(session) -> None:
    versions = as_json(session["show edited"])["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["inherits_from"] == "base v1" and versions[0]["inherits"] == []
    assert versions[1]["adds"] == ["unmet-demand penalty ₹15,000 per t"]
    assert versions[2]["inherits_from"] == "squeeze v2"
    assert versions[2]["adds"] == ["unmet-demand penalty ₹20,000 per t"]
    assert versions[2]["inherits"][-1].endswith("(replaced by a later penalty)")


def test_backups_are_for_admins_and_restore_brings_the_state_back(session) -> None:
    assert session["restore junk"].returncode == 1
    assert session["planner backs up"].returncode == 1
    assert session["backup"].returncode == session["restore"].returncode == 0
    names = [s["name"] for s in as_json(session["scenarios after restore"])]
    assert names == ["base", "squeeze"]  # "later" was made after the backup


def test_every_kind_of_action_is_audited_with_its_user(session) -> None:
    log = as_json(session["audit"])
    seen = {(e["action"], e["status"]) for e in log}
    for expected in [("login", "ok"), ("login", "refused"), ("user.add", "ok"),
                     ("import", "ok"), ("import", "failed"), ("scenario.create", "ok"),
                     ("scenario.create", "failed"), ("run", "optimal"),
                     ("scenario.compare", "ok"), ("scenario.approve", "ok"),
                     ("scenario.approve", "refused"), ("run", "refused"),
                     ("scenario.show", "ok"), ("dataset.list", "ok"), ("user.list", "ok"),
                     ("backup", "refused"), ("restore", "failed")]:
        assert expected in seen, expected
    assert all(e["user"] for e in log)


def test_default_store_is_workbench_db_in_the_current_directory(tmp_path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_DB_URL", "WORKBENCH_USER")}
    done = subprocess.run([str(Path(sys.executable).with_name("workbench")), "db", "upgrade",
                           "--json"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == "sqlite:///workbench.db"
    assert (tmp_path / "workbench.db").is_file()


@pytest.mark.parametrize("url, says", [("not a url", "is not a database URL"),
                                       ("mysql://u@127.0.0.1/db", "SQLite or PostgreSQL"),
                                       ("postgresql://u@127.0.0.1:1/db", "cannot open the store"),
                                       ("sqlite:////no/such/folder/x.db", "cannot open the store")])
def test_bad_store_urls_get_a_message_and_exit_1(url, says, tmp_path) -> None:
    done = run_cli("dataset", "list", env={"WORKBENCH_DB_URL": url}, cwd=tmp_path)
    assert done.returncode == 1
    assert says in done.stderr and "Traceback" not in done.stderr
