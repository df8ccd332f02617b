"""The OEE report: `workbench report oee_report` through papermill on a store with a demo plant,
HTML with every section, no code and nothing from outside; and the report's figures, which
must add up to the stored elements and follow the user's line grants."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from workbench.core.access import Principal, Role
from workbench.oee import report
from workbench.oee.contract.writers import write_folder
from workbench.oee.examples import PlantSpec, demo_plant
from workbench.oee.kpis import LOSSES
from workbench.oee.reasons import UNCOVERED
from workbench.oee.workspace import OeeWorkspace
from workbench.reports.render import external_references
from workbench.store.db import open_store

SPEC = PlantSpec(lines_per_site=2, machines_per_line=2, days=9, patterns=("3x8", "2x8"))
SECTIONS = ("Summary", "OEE by line and day", "From planned busy time to fully productive time",
            "The six big losses", "Pareto of stop reasons", "Worst machines")


@pytest.fixture(scope="module")
def plant_folder(tmp_path_factory) -> Path:
    return write_folder(demo_plant(SPEC, seed=11), tmp_path_factory.mktemp("oee") / "plant",
                        parquet=True)


@pytest.fixture(scope="module")
def sqlite_store(plant_folder, tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'oee.db'}"
    done = run_cli("--db", url, "oee", "import", str(plant_folder), "--dataset", "plant")
    assert done.returncode == 0, done.stderr
    return url


@pytest.fixture(scope="module")
def made(sqlite_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("made")
    done = run_cli("report", "oee_report", "-p", "dataset", "plant", "-p", "days", "7",
                   "--output-dir", str(folder / "reports"), "--json",
                   env={"WORKBENCH_DB_URL": sqlite_store}, cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder, json.loads(done.stdout)


def test_the_report_runs_through_papermill_into_its_folder(made):
    folder, run = made
    assert run["status"] == "succeeded"
    assert run["parameters"] == {"dataset": "plant", "days": 7}
    where = Path(run["folder"])
    assert where.parent == folder / "reports" / "oee_report"
    assert {p.name for p in where.iterdir()} == {"oee_report.ipynb", "oee_report.html",
                                                 "run.log", "report.json"}
    assert run["meta"]["dataset"] == "plant" and run["meta"]["convention"] == "iso"
    assert re.fullmatch(r"[0-9a-f]{64}", run["meta"]["data_hash"])


def test_the_html_has_every_section_no_code_and_nothing_from_outside(made):
    _, run = made
    html = (Path(run["folder"]) / run["html"]).read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f">{section}<" in html, section
    assert html.count("data:image/svg+xml") >= 5  # heat map, waterfall, losses, Pareto, worst
    for code in ("OeeWorkspace.connect", "import os", "report.gather", "def "):
        assert code not in html, code
    assert external_references(html) == []
    assert not re.search(r"<script[^>]*src=", html)
    # 7 days were asked for; the summary says which
    assert "(7 days)" in html and "S1-L1" in html and "S1-L2" in html


def test_an_unknown_dataset_fails_in_one_line(sqlite_store, tmp_path):
    done = run_cli("report", "oee_report", "-p", "dataset", "nope", "--output-dir",
                   str(tmp_path / "reports"), env={"WORKBENCH_DB_URL": sqlite_store},
                   cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if "report failed" in ln]
    assert "no dataset named 'nope'" in line


@pytest.fixture
def workspace(store_url, plant_folder):
    store = open_store(store_url)
    ws = OeeWorkspace(store, Principal("planner", Role.CENTRAL_PLANNER))
    ws.import_data(plant_folder, "plant")
    yield ws
    store.dispose()


def test_the_figures_add_up_to_the_stored_elements(workspace):
    r = report.gather(workspace, "plant", days=5)
    days = r.days
    assert days["window_label"].nunique() == 5
    # the Pareto covers every planned minute not spent running (iso), uncovered time included
    not_running = (days["pbt_min"] - days["running_min"]).sum()
    assert r.stops["minutes"].sum() == pytest.approx(not_running, rel=1e-9)
    uncovered = r.stops.loc[r.stops["reason"] == UNCOVERED, "minutes"].sum()
    assert uncovered == pytest.approx(days["uncovered_min"].sum(), rel=1e-9)
    by_state = r.stops.groupby("state")["minutes"].sum()
    assert by_state["breakdown"] == pytest.approx(days["breakdown_min"].sum(), rel=1e-9)
    assert by_state["setup"] == pytest.approx(days["setup_min"].sum(), rel=1e-9)
    pareto = report.stop_pareto(r, top=5)
    assert len(pareto) == 6 and pareto["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert pareto["minutes"].iloc[:5].is_monotonic_decreasing

    # the waterfall walks from PBT down to exactly the fully productive time
    steps = report.waterfall_steps(r)
    assert steps["hours"].iloc[0] == pytest.approx(days["pbt_min"].sum() / 60)
    assert steps["bottom_h"].iloc[-2] == pytest.approx(days["fully_productive_min"].sum() / 60)
    assert len(steps) == 2 + len(LOSSES) + 1

    # a line's cell in the heat map is a ratio of sums, not a mean of its machines' OEE
    cells = report.line_day(r).set_index(["line_id", "window_label"])
    line, label = cells.index[0]
    mine = days[(days["line_id"] == line) & (days["window_label"] == label)]
    assert cells.loc[(line, label), "oee"] == pytest.approx(
        mine["fully_productive_min"].sum() / mine["pbt_min"].sum(), rel=1e-12)

    worst = report.worst_machines(r, 3)
    assert len(worst) == 3 and worst["oee"].is_monotonic_increasing
    everyone = report.totals(days, ["machine_id"], r.convention)
    assert worst["oee"].iloc[0] == pytest.approx(everyone["oee"].min())


def test_a_line_supervisor_sees_only_their_line(workspace):
    supervisor = OeeWorkspace(workspace.store,
                              Principal("sam", Role.MANAGER, frozenset({"line:S1-L2"})))
    r = report.gather(supervisor, "plant", days=0)
    assert set(r.days["line_id"]) == {"S1-L2"}
    assert set(r.stops["line_id"]) == {"S1-L2"}
    assert set(report.worst_machines(r, 10)["line_id"]) == {"S1-L2"}
    everyone = report.gather(workspace, "plant", days=0)
    theirs = everyone.stops[everyone.stops["line_id"] == "S1-L2"]
    pd.testing.assert_frame_equal(
        r.stops.sort_values(["machine_id", "state", "reason"], ignore_index=True),
        theirs.sort_values(["machine_id", "state", "reason"], ignore_index=True),
        check_dtype=False)
    stranger = OeeWorkspace(workspace.store,
                            Principal("kim", Role.MANAGER, frozenset({"line:S9-L9"})))
    from workbench.core.access import AccessDenied

    with pytest.raises(AccessDenied):
        report.gather(stranger, "plant")
