"""The plan leaves the workbench: export tables whose totals agree with the solve's, from a
fresh solve and from the store, in Excel and CSV, scoped to the reader's plants."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from tests.conftest import run_cli
from workbench.clinker import SolveOptions, Workspace, solve_network, synthetic_network
from workbench.clinker.contract.writers import write_csv_folder
from workbench.clinker.results import export
from workbench.core.access import Role
from workbench.store import users


@pytest.fixture(scope="module")
def solved():
    network = synthetic_network(3, 5, 3)
    return network, solve_network(network, SolveOptions(mip_gap=0.0))


def test_cost_columns_add_up_to_the_six_components(solved):
    _, result = solved
    tables = export.plan_tables(result)
    for component, (table, column) in export.COMPONENT_COLUMNS.items():
        assert tables[table][column].sum() == pytest.approx(
            getattr(result.components, component), rel=1e-9, abs=1e-6), component
    costs = tables["costs"].set_index("component")["cost_inr"]
    assert costs["total"] == pytest.approx(result.objective_inr, rel=1e-9)


def test_shipments_by_mode_equal_the_kpis(solved):
    _, result = solved
    ships = export.plan_tables(result)["shipments"]
    assert ships.groupby("mode")["shipment_t"].sum().to_dict() == pytest.approx(
        result.kpis.tonnes_by_mode)
    assert ships.groupby("mode")["trips"].sum().to_dict() == result.kpis.trips_by_mode
    assert (ships["shipment_t"] <= ships["trips"] * ships["vehicle_capacity_t"] + 1e-6).all()


def test_stock_opens_where_it_closed_the_period_before(solved):
    network, result = solved
    stock = export.plan_tables(result)["stock"].sort_values(["node_id", "period"])
    for _, rows in stock.groupby("node_id"):
        assert rows["opening_stock_t"].iloc[1:].to_numpy() == pytest.approx(
            rows["closing_stock_t"].iloc[:-1].to_numpy())
    first = stock.groupby("node_id").first()["opening_stock_t"]
    opening = network.plants.set_index("node_id")["opening_stock_t"]
    assert first.to_dict() == pytest.approx(opening[first.index].to_dict())


def test_the_export_columns_are_the_ones_promised(solved):
    _, result = solved
    tables = export.plan_tables(result)
    assert list(tables) == ["production", "shipments", "stock", "unmet", "shadow_prices",
                            "costs", "kpis"]
    assert list(tables["shipments"].columns)[:10] == [
        "route_id", "origin_id", "destination_id", "mode", "period", "shipment_t", "trips",
        "vehicle_capacity_t", "freight_inr", "trip_cost_inr"]
    assert {"node_id", "period", "production_t", "capacity_t", "utilisation"} <= set(
        tables["production"].columns)
    assert {"opening_stock_t", "closing_stock_t", "safety_stock_t", "max_storage_t",
            "shortfall_t"} <= set(tables["stock"].columns)


def test_solve_out_writes_a_workbook_with_a_summary_first(tmp_path, solved):
    network, _ = solved
    data = write_csv_folder(network, tmp_path / "net")
    done = run_cli("solve", str(data), "--out", str(tmp_path / "plan.xlsx"), "--gap", "0")
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["summary", "production", "shipments", "stock", "unmet",
                               "shadow_prices", "costs", "kpis"]
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert summary["status"] == "optimal" and summary["solver"].startswith("highs")
    from workbench.clinker import read_network
    from workbench.clinker.store.persist import data_hash

    assert summary["data_hash"] == data_hash(read_network(data))  # as a stored run carries it
    ships = book["shipments"]
    assert ships["F2"].number_format == "#,##0"  # shipment_t in whole tonnes
    assert ships.column_dimensions["A"].width >= len("route_id")


def test_solve_json_plan_carries_the_tables_as_records(tmp_path, solved):
    network, result = solved
    data = write_csv_folder(network, tmp_path / "net")
    payload = json.loads(run_cli("solve", str(data), "--json", "--plan", "--gap", "0").stdout)
    plan = payload["plan"]
    assert set(plan) == {"production", "shipments", "stock", "unmet", "shadow_prices", "costs",
                         "kpis"}
    total = sum(r["shipment_t"] for r in plan["shipments"])
    assert total == pytest.approx(sum(result.kpis.tonnes_by_mode.values()))


@pytest.fixture
def stored(store_url, solved):
    network, _ = solved
    ws = Workspace.connect(store_url)
    ws.store_network(network, "net")
    ws.create_scenario("base", "net")
    run = ws.solve("base", SolveOptions(mip_gap=0.0))
    with ws.store.session() as session:
        users.add_user(session, ws.user, "gopal", Role.MANAGER, "gopal-pass-1", ["node:GU_001"])
    yield ws, run
    ws.close()


def test_a_stored_plan_exports_the_same_tables_as_the_solve(stored, solved):
    ws, run = stored
    tables, summary = ws.plan_tables("base")
    fresh = export.plan_tables(run.result)
    for name in ("production", "shipments", "stock", "unmet", "costs"):
        pd.testing.assert_frame_equal(tables[name], fresh[name], check_dtype=False,
                                      check_exact=False, rtol=1e-9)
    assert summary["run"] == run.run_id and summary["nodes"] == "all"


def test_a_gu_managers_export_holds_only_their_plants(stored, store_url):
    _, run = stored
    manager = Workspace.connect(store_url, "gopal", "gopal-pass-1")
    try:
        tables, summary = manager.plan_tables(run_id=run.run_id)
    finally:
        manager.close()
    assert summary["nodes"] == "GU_001" and summary["total_cost_inr"] is None
    for name in ("production", "stock", "unmet"):
        assert set(tables[name]["node_id"]) <= {"GU_001"}, name
    assert not tables["unmet"].empty
    ships = tables["shipments"]
    assert ((ships["origin_id"] == "GU_001") | (ships["destination_id"] == "GU_001")).all()
    assert "costs" not in tables  # network totals are not a manager's
    assert set(tables["kpis"]["node_id"]) == {"GU_001"}
