"""Notebooks are committed without outputs and run under papermill with their parameters."""

from __future__ import annotations

import json

import papermill as pm
import pytest

from tests.conftest import ROOT
from workbench.reports.kernel import ensure_kernel

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DASHBOARDS = sorted((ROOT / "notebooks" / "dashboards").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS + DASHBOARDS,
                         ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_committed_without_outputs_and_parameterised(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code)


def test_clinker_plan_runs_under_papermill(tmp_path, public_data):
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "clinker_plan.ipynb"), str(out),
                        parameters={"data_path": str(public_data / "toy-2iu3gu"),
                                    "mip_gap": 0.0}, kernel_name=ensure_kernel(),
                        progress_bar=False)
    text = out.read_text()
    assert "status optimal" in text


def test_clinker_scenarios_runs_under_papermill_and_records_runs(tmp_path):
    from workbench.clinker import Workspace

    url = f"sqlite:///{tmp_path / 'nb.db'}"
    out = tmp_path / "scenarios.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "clinker_scenarios.ipynb"), str(out),
                        parameters={"db_url": url, "demand_multiplier": 1.5,
                                    "capacity_factor": 0.2}, kernel_name=ensure_kernel(),
                        progress_bar=False)
    ws = Workspace.connect(url)
    listed = ws.scenarios().set_index("scenario")
    assert list(listed.index) == ["base", "demand-up"]
    assert (listed["status"] == "optimal").all()
    # demand x 1.5 with IU_001 at 20 % costs more and serves less than the base plan
    assert listed.loc["demand-up", "total_cost_inr"] > listed.loc["base", "total_cost_inr"]
    assert listed.loc["demand-up", "service_level"] < listed.loc["base", "service_level"]
    text = out.read_text()
    assert "Service level by period" in text and "image/svg+xml" in text
    assert "cdn.jsdelivr" not in text  # the chart needs nothing from outside


def test_explore_network_runs_under_papermill(tmp_path, public_data):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore_network.ipynb"), str(out),
                        parameters={"data_path": str(public_data / "toy-2iu3gu"), "mip_gap": 0.0,
                                    "region": ""}, kernel_name=ensure_kernel(),
                        progress_bar=False)
    text = out.read_text()
    assert "status optimal" in text and "image/svg+xml" in text  # charts drawn offline
    assert "cdn.jsdelivr" not in text


def test_every_notebook_a_domain_declares_exists():
    from workbench.core.domain import domains

    declared = {n for d in domains().values() for n in d.notebooks}
    assert declared <= {p.name for p in NOTEBOOKS}
