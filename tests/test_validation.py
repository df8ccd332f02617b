"""Every validation check: an input that trips it and the clean input that passes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workbench.clinker import read_network, validate
from workbench.core.findings import Severity

Mutation = Callable[[dict], None]


def _set(table: str, index: int, **values: object) -> Mutation:
    def mutate(records: dict) -> None:
        records[table][index].update(values)
    return mutate


def _drop_col(table: str, column: str) -> Mutation:
    def mutate(records: dict) -> None:
        for row in records[table]:
            row.pop(column, None)
    return mutate


def _add(table: str, row: dict) -> Mutation:
    def mutate(records: dict) -> None:
        records[table].append(row)
    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(records: dict) -> None:
        for m in mutations:
            m(records)
    return mutate


def _drop_table(table: str) -> Mutation:
    def mutate(records: dict) -> None:
        del records[table]
    return mutate


E, W = Severity.ERROR, Severity.WARNING
CASES: list[tuple[str, Mutation, str, Severity, str, str | None]] = [
    # (case id, mutation, check, severity, table, column)
    ("missing table", _drop_table("demand_forecast"), "missing_table", E, "demand_forecast", None),
    ("missing column", _drop_col("production_capacity_cost", "capacity_t"), "missing_column", E,
     "production_capacity_cost", "capacity_t"),
    ("text in number", _set("production_capacity_cost", 0, capacity_t="lots"), "bad_type", E,
     "production_capacity_cost", "capacity_t"),
    ("duplicate key", _add("plant_master", {"node_id": "GU_X", "node_type": "GU"}),
     "duplicate_key", E, "plant_master", "node_id"),
    ("unknown node type", _set("plant_master", 2, node_type="XU"), "unknown_node_type", E,
     "plant_master", "node_type"),
    ("unknown bound", _set("flow_bounds", 0, bound="lt"), "unknown_bound", E, "flow_bounds",
     "bound"),
    ("blank required", _set("demand_forecast", 0, demand_t=""), "blank_required_cell", E,
     "demand_forecast", "demand_t"),
    ("fractional period", _set("demand_forecast", 0, period="1.5"), "non_integer_period", E,
     "demand_forecast", "period"),
    ("negative capacity", _set("production_capacity_cost", 0, capacity_t=-5), "negative_value",
     E, "production_capacity_cost", "capacity_t"),
    ("negative cost", _set("production_capacity_cost", 1, cost_inr_per_t=-1), "negative_value",
     E, "production_capacity_cost", "cost_inr_per_t"),
    ("negative demand", _set("demand_forecast", 1, demand_t=-10), "negative_value", E,
     "demand_forecast", "demand_t"),
    ("negative opening stock", _set("plant_master", 0, opening_stock_t=-1), "negative_value", E,
     "plant_master", "opening_stock_t"),
    ("negative storage", _set("safety_stock_policy", 1, max_storage_t=-3), "negative_value", E,
     "safety_stock_policy", "max_storage_t"),
    ("blank cost", _set("production_capacity_cost", 0, cost_inr_per_t=""), "blank_required_cell",
     E, "production_capacity_cost", "cost_inr_per_t"),
    ("cheap production", _set("production_capacity_cost", 0, cost_inr_per_t=50), "low_cost", W,
     "production_capacity_cost", "cost_inr_per_t"),
    ("cheap freight", _set("transport_routes_modes", 0, cost_inr_per_t=20), "low_cost", W,
     "transport_routes_modes", "cost_inr_per_t"),
    ("two cost forms", _set("transport_routes_modes", 0, cost_inr_per_t_km=2, distance_km=300),
     "route_cost_form", E, "transport_routes_modes", "cost_inr_per_t"),
    ("no cost form", _set("transport_routes_modes", 0, cost_inr_per_t=""), "route_cost_form", E,
     "transport_routes_modes", "cost_inr_per_t"),
    ("half a km cost", _set("transport_routes_modes", 1, distance_km=""), "route_cost_form", E,
     "transport_routes_modes", "distance_km"),
    ("unknown origin", _set("transport_routes_modes", 0, origin_id="IU_Z"), "unknown_node", E,
     "transport_routes_modes", "origin_id"),
    ("unknown destination", _set("transport_routes_modes", 0, destination_id="GU_Q"),
     "unknown_node", E, "transport_routes_modes", "destination_id"),
    ("demand nobody can serve",
     _both(_add("plant_master", {"node_id": "GU_Z", "node_type": "GU"}),
           _add("demand_forecast", {"node_id": "GU_Z", "period": 1, "demand_t": 70})),
     "unreachable_demand", W, "demand_forecast", "node_id"),
    ("route from an empty node",
     _both(_add("plant_master", {"node_id": "EXT_1", "node_type": "EXT"}),
           _add("transport_routes_modes", {"route_id": "R9", "origin_id": "EXT_1",
                                           "destination_id": "GU_X", "mode": "rail",
                                           "vehicle_capacity_t": 3000, "cost_inr_per_t": 500})),
     "route_from_empty_node", W, "transport_routes_modes", "origin_id"),
    ("SBQ above vehicle", _set("transport_routes_modes", 0, sbq_t=40), "sbq_above_vehicle", E,
     "transport_routes_modes", "sbq_t"),
    ("SBQ near vehicle", _set("transport_routes_modes", 0, sbq_t=28), "sbq_near_vehicle", W,
     "transport_routes_modes", "sbq_t"),
    ("demand above supply", _set("demand_forecast", 0, demand_t=9000), "demand_exceeds_supply",
     W, "demand_forecast", "demand_t"),
    ("safety above storage", _set("safety_stock_policy", 1, safety_stock_t=2000),
     "safety_above_storage", E, "safety_stock_policy", "safety_stock_t"),
    ("opening below safety", _set("safety_stock_policy", 0, safety_stock_t=60),
     "opening_below_safety", W, "safety_stock_policy", "safety_stock_t"),
    ("zero vehicle", _set("transport_routes_modes", 0, vehicle_capacity_t=0), "vehicle_capacity",
     E, "transport_routes_modes", "vehicle_capacity_t"),
    ("fractional max trips", _set("transport_routes_modes", 0, max_trips=2.5), "max_trips", E,
     "transport_routes_modes", "max_trips"),
    ("negative max trips", _set("transport_routes_modes", 0, max_trips=-1), "max_trips", E,
     "transport_routes_modes", "max_trips"),
    ("bound on no route", _add("flow_bounds", {"origin_id": "IU_B", "mode": "road", "period": 1,
                                               "bound": "le", "quantity_t": 5}),
     "bound_without_route", W, "flow_bounds", "origin_id"),
    ("eq and le contradict", _add("flow_bounds", {"origin_id": "IU_A", "mode": "road",
                                                  "period": 1, "bound": "eq",
                                                  "quantity_t": 1000}),
     "contradictory_bounds", E, "flow_bounds", "quantity_t"),
    ("route rows disagree", _set("transport_routes_modes", 3, origin_id="IU_B"),
     "route_inconsistent", E, "transport_routes_modes", "origin_id"),
    ("extra column", _set("plant_master", 0, colour="red"), "extra_column", W, "plant_master",
     "colour"),
    ("unknown setting", _add("settings", {"key": "speed", "value": 3}), "unknown_setting", W,
     "settings", "key"),
    ("bad setting", _add("settings", {"key": "safety_stock", "value": "firm"}), "bad_setting", E,
     "settings", "value"),
]


def test_clean_network_has_no_findings(tiny, tiny_folder):
    report = validate(read_network(tiny_folder(tiny)))
    assert report.findings == []
    assert report.ok


@pytest.mark.parametrize(("mutation", "check", "severity", "table", "column"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_trips(tiny, tiny_folder, mutation, check, severity, table, column):
    mutation(tiny)
    report = validate(read_network(tiny_folder(tiny)))
    hits = report.by_check(check)
    assert hits, f"expected {check}, got {[str(f) for f in report]}"
    hit = hits[0]
    assert hit.severity is severity
    assert hit.table == table
    assert hit.column == column
    assert hit.message
    # each mutation breaks one rule: a warning check adds no error, an error check no other
    # kind of error (a spurious finding from a mutant check would show up here)
    if severity is Severity.WARNING:
        assert report.errors == [] and report.ok
    else:
        assert {f.check for f in report.errors} == {check} and not report.ok


def test_finding_points_at_spreadsheet_row(tiny, tiny_folder):
    tiny["production_capacity_cost"][2]["capacity_t"] = -1  # third data row = line 4
    [hit] = validate(read_network(tiny_folder(tiny))).by_check("negative_value")
    assert hit.row == 4
    assert hit.file == "production_capacity_cost.csv"
    assert "production_capacity_cost.csv, row 4, column capacity_t" in str(hit)


def test_column_case_hint(tiny, tiny_folder):
    for row in tiny["plant_master"]:
        row["Node_ID"] = row.pop("node_id")
    [hit] = validate(read_network(tiny_folder(tiny))).by_check("missing_column")
    assert "Node_ID" in hit.message and "lower case" in hit.message


def test_contradictory_ge_above_le(tiny, tiny_folder):
    tiny["flow_bounds"].append({"origin_id": "IU_A", "mode": "road", "period": 1, "bound": "ge",
                                "quantity_t": 950})
    assert validate(read_network(tiny_folder(tiny))).by_check("contradictory_bounds")


def test_consistent_bounds_pass(tiny, tiny_folder):
    tiny["flow_bounds"].append({"origin_id": "IU_A", "mode": "road", "period": 1, "bound": "ge",
                                "quantity_t": 100})
    report = validate(read_network(tiny_folder(tiny)))
    assert not report.by_check("contradictory_bounds")
    assert report.ok


def test_misspelt_header_gives_one_error_with_a_suggestion(tiny, tiny_folder):
    for row in tiny["demand_forecast"]:
        row["demnd_t"] = row.pop("demand_t")
    report = validate(read_network(tiny_folder(tiny)))
    assert [(f.check, f.column) for f in report] == [("missing_column", "demand_t")]
    assert "did you mean 'demnd_t'?" in report.errors[0].message


def test_unreadable_cell_is_one_error_not_also_a_blank(tiny, tiny_folder):
    tiny["demand_forecast"][0]["demand_t"] = "lots"
    report = validate(read_network(tiny_folder(tiny)))
    assert [(f.check, f.row, f.column) for f in report] == [("bad_type", 2, "demand_t")]
