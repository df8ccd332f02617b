"""Reports through `workbench report`: real papermill runs on the workbench kernel, HTML with
no code and no outside reference, runs recorded (failures too), one run at a time."""

from __future__ import annotations

import fcntl
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from workbench.clinker import SolveOptions, Workspace, scenarios, synthetic_network
from workbench.reports.render import external_references


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> str:
    """A store with a base plan (approved) and a what-if, both solved."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'reports.db'}"
    ws = Workspace.connect(url)
    ws.store_network(synthetic_network(3, 5, 3), "net")
    ws.create_scenario("base", "net")
    ws.create_scenario("squeeze", "net", parent="base",
                       changes=[scenarios.demand_multiplier(1.4)])
    for name in ("base", "squeeze"):
        ws.solve(name, SolveOptions(mip_gap=0.0))
    ws.approve("base")
    ws.close()
    return url


def report(url: str, folder: Path, *args: str):
    where = () if args[0] == "list" else ("--output-dir", str(folder / "reports"))
    return run_cli("report", *args, *where, env={"WORKBENCH_DB_URL": url}, cwd=folder)


@pytest.fixture(scope="module")
def made(planned, tmp_path_factory):
    folder = tmp_path_factory.mktemp("made")
    done = report(planned, folder, "scenario_report", "-p", "scenario", "squeeze", "--json")
    assert done.returncode == 0, done.stderr
    return folder, json.loads(done.stdout)


def test_the_report_lands_in_a_dated_folder_named_by_its_parameters(made):
    folder, run = made
    assert run["status"] == "succeeded" and run["parameters"] == {"scenario": "squeeze"}
    where = Path(run["folder"])
    assert where.parent == folder / "reports" / "scenario_report"
    assert re.fullmatch(r"\d{8}-\d{6}_scenario-squeeze", where.name)
    assert {p.name for p in where.iterdir()} == {"scenario_report.ipynb",
                                                 "scenario_report.html", "run.log",
                                                 "report.json"}


def test_the_html_has_every_section_no_code_and_nothing_from_outside(made):
    _, run = made
    html = (Path(run["folder"]) / run["html"]).read_text(encoding="utf-8")
    for section in ("Summary", "Cost breakdown", "Production against capacity", "Flows",
                    "Stock against safety stock", "Against the baseline",
                    "Where more capacity is worth the most", "Warnings"):
        assert f">{section}<" in html, section
    assert "₹" in html and " Cr" in html
    assert "baseline" in html and "squeeze" in html
    assert html.count("data:image/svg+xml") >= 5  # the charts, drawn offline
    assert "import os" not in html and "Workspace.connect" not in html  # no code
    assert external_references(html) == []
    assert not re.search(r"<script[^>]*src=", html)


def test_the_run_is_recorded_with_its_lineage(made, planned):
    folder, run = made
    assert run["meta"]["data_hash"] and run["meta"]["solver_version"].startswith("highs")
    listed = json.loads(report(planned, folder, "list", "--json").stdout)
    mine = [r for r in listed if r["folder"] == run["folder"]]
    assert mine and mine[0]["status"] == "succeeded"
    assert mine[0]["data_hash"] == run["meta"]["data_hash"] and mine[0]["package_version"]


def test_the_index_lists_every_report(made):
    folder, run = made
    index = (folder / "reports" / "index.html").read_text(encoding="utf-8")
    assert "scenario=squeeze" in index and "succeeded" in index
    assert Path(run["folder"]).name in index


def test_a_failing_cell_exits_1_with_a_one_line_cause_and_is_recorded(planned, tmp_path):
    done = report(planned, tmp_path, "scenario_report", "-p", "scenario", "nope")
    assert done.returncode == 1
    failure = [line for line in done.stderr.splitlines() if "report failed" in line]
    assert len(failure) == 1
    assert re.search(r"cell \d+ raised NotFound: no scenario named 'nope'", failure[0])
    assert "Traceback" not in done.stderr
    listed = json.loads(report(planned, tmp_path, "list", "--json").stdout)
    assert listed[0]["status"] == "failed" and "nope" in listed[0]["error"]
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "failed" in index


def test_two_runs_of_one_report_never_overlap(planned, tmp_path):
    locks = tmp_path / "reports" / ".locks"
    locks.mkdir(parents=True)
    with open(locks / "scenario_report.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run in progress holds it
        done = report(planned, tmp_path, "scenario_report", "-p", "scenario", "base")
    assert done.returncode == 1 and "still going" in done.stderr


@pytest.fixture(scope="module")
def guarded(planned, tmp_path_factory) -> str:
    """The planned store, copied, with users: a cron run must now sign in."""
    from workbench.core.access import BOOTSTRAP, Role
    from workbench.store import users

    source = Path(planned.removeprefix("sqlite:///"))
    copy = tmp_path_factory.mktemp("guarded") / "guarded.db"
    copy.write_bytes(source.read_bytes())
    url = f"sqlite:///{copy}"
    ws = Workspace.connect(url)
    with ws.store.session() as session:
        users.add_user(session, BOOTSTRAP, "asha", Role.CENTRAL_PLANNER, "asha-pass-1")
    ws.close()
    return url


def test_a_cron_run_on_a_store_with_users_runs_the_notebook_as_the_signed_in_user(
        guarded, tmp_path):
    cron = {"WORKBENCH_DB_URL": guarded, "WORKBENCH_USER": "asha",
            "WORKBENCH_PASSWORD": "asha-pass-1"}
    done = run_cli("report", "scenario_report", "-p", "scenario", "squeeze", "--json",
                   "--output-dir", str(tmp_path / "reports"), env=cron, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert run["status"] == "succeeded" and run["parameters"]["user"] == "asha"
    executed = (Path(run["folder"]) / run["executed"]).read_text(encoding="utf-8")
    assert "asha-pass-1" not in executed  # the password reached the kernel, not the file
    listed = json.loads(run_cli("report", "list", "--json", env=cron).stdout)
    assert listed[0]["by"] == "asha" and listed[0]["status"] == "succeeded"


def test_a_report_never_takes_a_password_or_another_users_name(guarded, tmp_path):
    cron = {"WORKBENCH_DB_URL": guarded, "WORKBENCH_USER": "asha",
            "WORKBENCH_PASSWORD": "asha-pass-1"}
    where = ("--output-dir", str(tmp_path / "reports"))
    leaked = run_cli("report", "scenario_report", "-p", "password", "x", *where, env=cron)
    assert leaked.returncode == 2 and "WORKBENCH_PASSWORD" in leaked.stderr
    other = run_cli("report", "scenario_report", "-p", "user", "vik", *where, env=cron)
    assert other.returncode == 2 and "signed-in user 'asha'" in other.stderr
    refused = run_cli("report", "scenario_report", *where,
                      env={**cron, "WORKBENCH_PASSWORD": "wrong-pass"})
    assert refused.returncode == 1 and "login refused" in refused.stderr
    assert not (tmp_path / "reports" / "scenario_report").exists()


def test_a_failed_run_keeps_what_the_notebook_published_before_failing(planned, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('step = "late"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("from workbench.reports.meta import publish\n"
                                          "publish(data_hash='abc123')"),
                nbformat.v4.new_code_cell("raise ValueError(f'failed at {step}')")]
    path = tmp_path / "halfway.ipynb"
    nbformat.write(nb, path)
    done = report(planned, tmp_path, str(path), "--json")
    assert done.returncode == 1
    run = json.loads(done.stdout)
    assert run["status"] == "failed" and "ValueError: failed at late" in run["error"]
    assert run["meta"] == {"data_hash": "abc123"}
    listed = json.loads(report(planned, tmp_path, "list", "--json").stdout)
    assert listed[0]["data_hash"] == "abc123"


def test_an_unknown_notebook_names_the_ones_there_are(planned, tmp_path):
    done = report(planned, tmp_path, "no_such_report")
    assert done.returncode == 1 and "scenario_report" in done.stderr


def test_the_workbench_kernel_runs_this_environments_python():
    from jupyter_client.manager import start_new_kernel

    from workbench.reports.kernel import ensure_kernel

    manager, client = start_new_kernel(kernel_name=ensure_kernel())
    try:
        reply = client.execute_interactive(
            "import sys, workbench; print(sys.executable, workbench.__version__)", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
