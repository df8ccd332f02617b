"""The ESP report: `workbench report esp_report` through papermill on a simulated field, HTML
with every section, no code and nothing from outside; its figures follow the user's well and
field grants; episodes join consecutive windows of one label."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from workbench.core.access import AccessDenied, Principal, Role
from workbench.esp import report
from workbench.esp.workspace import EspWorkspace
from workbench.reports.render import external_references
from workbench.store.db import open_store

SECTIONS = ("Summary", "Amp chart", "Data quality by day", "Diagnoses over time",
            "Field overview")
WELL_ID = re.compile(r"\bW\d{3}\b")


@pytest.fixture(scope="module")
def field(tmp_path_factory) -> tuple[Path, str, Path]:
    """Twelve simulated wells (fields F1: W001-W010, F2: W011-W012) ingested into a store."""
    folder = tmp_path_factory.mktemp("esp-report")
    url = f"sqlite:///{folder / 'workbench.db'}"
    sim = folder / "sim"
    done = run_cli("esp", "simulate", str(sim), "--wells", "12", "--days", "4", "--seed", "5")
    assert done.returncode == 0, done.stderr
    done = run_cli("--db", url, "esp", "ingest", str(sim / "telemetry"), "--into",
                   str(folder / "tstore"), "--wells", str(sim / "wells.csv"))
    assert done.returncode == 0, done.stderr
    return folder, url, folder / "tstore"


@pytest.fixture(scope="module")
def made(field):
    folder, url, _ = field
    done = run_cli("report", "esp_report", "-p", "days", "3", "--output-dir",
                   str(folder / "reports"), "--json", env={"WORKBENCH_DB_URL": url},
                   cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_report_runs_through_papermill_and_finds_the_store(made, field):
    assert made["status"] == "succeeded"
    assert made["meta"]["store"] == str(field[2])
    assert made["meta"]["period"] == "2025-01-02/2025-01-04"
    assert WELL_ID.fullmatch(made["meta"]["well"])


def test_the_html_has_every_section_no_code_and_nothing_from_outside(made):
    html = (Path(made["folder"]) / made["html"]).read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f">{section}<" in html, section
    assert html.count("data:image/svg+xml") >= 3  # amp chart, quality, diagnoses
    for code in ("EspWorkspace.connect", "import os", "report.gather", "def "):
        assert code not in html, code
    assert external_references(html) == []
    assert not re.search(r"<script[^>]*src=", html)
    assert set(WELL_ID.findall(html)) == {f"W{i:03d}" for i in range(1, 13)}


@pytest.fixture
def planner(field):
    store = open_store(field[1])
    yield EspWorkspace(store, Principal("planner", Role.CENTRAL_PLANNER))
    store.dispose()


def test_a_field_engineer_sees_only_their_field(planner, field):
    engineer = EspWorkspace(planner.store, Principal("eve", Role.MANAGER,
                                                     frozenset({"field:F2"})))
    r = report.gather(engineer, str(field[2]), days=2)
    assert set(r.wells["well_id"]) == {"W011", "W012"}
    assert set(r.overview["well_id"]) <= {"W011", "W012"}
    assert set(r.quality["well_id"]) <= {"W011", "W012"}
    assert set(r.diagnoses["well_id"]) <= {"W011", "W012"}
    assert r.well in {"W011", "W012"}
    assert set(report.field_table(r)["well_id"]) == {"W011", "W012"}
    with pytest.raises(AccessDenied, match="W001"):
        report.gather(engineer, str(field[2]), days=2, well="W001")
    with pytest.raises(AccessDenied, match="W003"):
        engineer.telemetry(field[2]).amp_chart("W003")
    assert [s["path"] for s in engineer.telemetry_stores()] == [str(field[2])]
    stranger = EspWorkspace(planner.store, Principal("sam", Role.MANAGER,
                                                     frozenset({"field:F9"})))
    assert stranger.telemetry_stores() == []


def test_the_figures_come_from_the_store(planner, field):
    r = report.gather(planner, str(field[2]), days=2, well="W004")
    assert (r.first_day, r.last_day) == ("2025-01-03", "2025-01-04")
    # the amp chart is the well's last day, every accepted row of it
    day = planner.telemetry(field[2]).rollup("1d", "W004", "2025-01-04", "2025-01-05")
    assert len(r.amp_rows) == int(day["rows"].iloc[0])
    assert set(r.amp_rows["ts"].dt.strftime("%Y-%m-%d")) == {"2025-01-04"}
    # the field table's mean flow is the mean of the daily means it was read from
    table = report.field_table(r).set_index("well_id")
    w4 = r.overview[r.overview["well_id"] == "W004"]
    assert table.loc["W004", "flow_bpd"] == pytest.approx(
        w4["flow_rate_bpd_mean"].mean(), abs=0.5)
    # 1 h windows of every well within the two days, each once (a well's first window is
    # its first with accepted rows)
    starts = r.diagnoses["window_start"]
    assert not r.diagnoses.duplicated(["well_id", "window_start"]).any()
    assert starts.min() >= pd.Timestamp("2025-01-03", tz="UTC")
    assert starts.max() == pd.Timestamp("2025-01-04 23:00", tz="UTC")
    assert r.diagnoses["well_id"].nunique() == 12 and len(r.diagnoses) > 12 * 46


def test_episodes_join_consecutive_windows_of_one_label():
    hours = pd.date_range("2025-01-01", periods=6, freq="h", tz="UTC")
    found = pd.DataFrame({
        "well_id": ["W1"] * 6 + ["W2"] * 2,
        "window_start": [*hours, hours[0], hours[1]],
        "label": ["normal", "gas_lock", "gas_lock", "normal", "gas_lock", "overload",
                  "overload", "overload"],
        "confidence": [0.9, 0.8, 0.6, 0.9, 0.7, 0.9, 0.5, 0.7],
        "evidence": [{"reason": f"r{i}"} for i in range(8)],
    })
    r = report.EspReport("s", "W1", "", "", pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                         found, pd.DataFrame())
    got = report.episodes(r).sort_values(["well_id", "from (UTC)"]).reset_index(drop=True)
    assert got[["well_id", "label", "hours"]].values.tolist() == [
        ["W1", "gas_lock", 2.0], ["W1", "gas_lock", 1.0], ["W1", "overload", 1.0],
        ["W2", "overload", 2.0]]
    assert got["from (UTC)"].tolist()[0] == "2025-01-01 01:00"
    assert got["to (UTC)"].tolist()[0] == "2025-01-01 03:00"
    assert got["reason"].tolist() == ["r1", "r4", "r5", "r6"]  # the first window's evidence
    assert got["confidence"].tolist()[0] == pytest.approx(0.7)
