"""The plan store end to end through the `workbench` command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from workbench.clinker.contract.writers import write_csv_folder
from workbench.clinker.examples import synthetic_network


@pytest.fixture
def cli(store_url, tmp_path):
    def run(*args: str, user: str | None = None, password: str | None = None,
            stdin: str | None = None):
        env = {"WORKBENCH_DB_URL": store_url, "WORKBENCH_USER": user or "",
               "WORKBENCH_PASSWORD": password or ""}
        done = run_cli(*args, stdin=stdin, env=env, cwd=tmp_path)
        assert "Traceback" not in done.stderr + done.stdout
        return done
    return run


def as_json(done) -> object:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_store_workflow_with_roles_and_audit(cli, tmp_path) -> None:
    data = write_csv_folder(synthetic_network(3, 5, 3), tmp_path / "net")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "plant_master.csv").write_text("node_id,node_type\nIU_001,XX\n")

    upgraded = as_json(cli("db", "upgrade", "--json"))
    assert upgraded["after"] == "0003, clinker_0001"

    # no users yet: the local bootstrap administrator adds the first one
    assert cli("user", "add", "admin", "--role", "admin", "--password-stdin",
               stdin="admin-pass-1\n").returncode == 0
    admin = {"user": "admin", "password": "admin-pass-1"}
    refused = cli("dataset", "list")
    assert refused.returncode == 1 and "--user" in refused.stderr
    wrong = cli("dataset", "list", user="admin", password="nope")
    assert wrong.returncode == 1 and "login refused" in wrong.stderr

    for name, role, extra in (("asha", "central_planner", []),
                              ("gopal", "gu_manager", ["--gus", "GU_001"])):
        assert cli("user", "add", name, "--role", role, *extra, "--password-stdin",
                   stdin=f"{name}-pass-1\n", **admin).returncode == 0
    planner = {"user": "asha", "password": "asha-pass-1"}
    gm = {"user": "gopal", "password": "gopal-pass-1"}
    users = as_json(cli("user", "list", "--json", **admin))
    gopal = {u["username"]: u for u in users}["gopal"]
    assert (gopal["role"], gopal["scopes"]) == ("manager", ["node:GU_001"])

    bad = cli("import", str(broken), "--dataset", "bad", **planner)
    assert bad.returncode == 1 and "nothing was stored" in bad.stderr
    assert as_json(cli("dataset", "list", "--json", **planner)) == []
    stored = as_json(cli("import", str(data), "--dataset", "net", "--json", **planner))
    assert stored["stored"] and len(stored["content_hash"]) == 64

    assert cli("scenario", "create", "base", "--dataset", "net", **planner).returncode == 0
    assert cli("scenario", "create", "squeeze", "--dataset", "net", "--from", "base",
               "--demand-multiplier", "1.5", "--capacity", "IU_001=0.2",
               **planner).returncode == 0
    unknown = cli("scenario", "create", "oops", "--dataset", "net", "--close-route", "NOPE",
                  **planner)
    assert unknown.returncode == 1 and "NOPE" in unknown.stderr

    base = as_json(cli("solve", "--scenario", "base", "--json", "--no-duals", **planner))
    squeeze = as_json(cli("solve", "--scenario", "squeeze", "--json", "--no-duals", **planner))
    assert base["status"] == squeeze["status"] == "optimal"
    assert squeeze["unmet_demand_t"] > base["unmet_demand_t"]

    compared = as_json(cli("scenario", "compare", "base", "squeeze", "--json", **planner))
    total = compared["costs_inr"]["total_cost_inr"]
    assert total["change"] == pytest.approx(squeeze["objective_inr"] - base["objective_inr"])

    denied = cli("scenario", "approve", "base", **gm)
    assert denied.returncode == 1 and "may not approve" in denied.stderr
    assert cli("solve", "--scenario", "base", **gm).returncode == 1
    approved = as_json(cli("scenario", "approve", "base", "--json", **planner))
    assert approved["run"] == base["run_id"]

    against = as_json(cli("scenario", "compare", "squeeze", "--json", **planner))
    assert against["a"]["run_id"] == base["run_id"] and against["a"]["label"] == "baseline"
    mine = as_json(cli("scenario", "show", "base", "--json", **gm))
    assert mine["versions"][0]["runs"][0]["objective_inr"] is None  # not network totals
    lineage = as_json(cli("scenario", "show", "squeeze", "--json", **planner))["lineage"]
    assert lineage == ["squeeze v1", "base v1"]

    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup")
    assert cli("restore", str(junk), **admin).returncode == 1
    log = as_json(cli("audit", "--json", "--limit", "500", **admin))
    seen = {(e["action"], e["status"]) for e in log}
    for expected in [("login", "ok"), ("login", "refused"), ("user.add", "ok"),
                     ("import", "ok"), ("import", "failed"), ("scenario.create", "ok"),
                     ("scenario.create", "failed"), ("run", "optimal"),
                     ("scenario.compare", "ok"), ("scenario.approve", "ok"),
                     ("scenario.approve", "refused"), ("run", "refused"),
                     ("scenario.show", "ok"), ("dataset.list", "ok"), ("user.list", "ok"),
                     ("restore", "failed")]:
        assert expected in seen, expected
    assert all(e["user"] for e in log)

    path = tmp_path / "store.backup"
    assert cli("backup", str(path), **planner).returncode == 1  # admins only
    assert cli("backup", str(path), **admin).returncode == 0
    assert cli("scenario", "create", "later", "--dataset", "net", **planner).returncode == 0
    assert cli("restore", str(path), **admin).returncode == 0
    names = [s["name"] for s in as_json(cli("scenario", "list", "--json", **planner))]
    assert names == ["base", "squeeze"]


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
