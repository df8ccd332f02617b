"""The rounded-rail warm start: a real, feasible plan that HiGHS starts from."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import TINY, write_tables
from workbench.clinker import read_network
from workbench.clinker.examples import synthetic_network
from workbench.clinker.optimization.model import build_model
from workbench.clinker.optimization.model_data import prepare
from workbench.clinker.optimization.solve import SolveOptions, solve_network
from workbench.clinker.optimization.warmstart import full_load_keys, rounded_rail_start


@pytest.fixture(scope="module")
def network():
    return synthetic_network(5, 10, 6)


def test_start_is_a_whole_rake_plan_between_lp_bound_and_cost(network) -> None:
    data = prepare(network)
    model = build_model(data, network.settings)
    start = rounded_rail_start(model, data, gap=0.01, time_limit_s=60)
    assert start is not None
    assert start.lp_bound_inr <= start.objective_inr
    for key in full_load_keys(data):
        trips = start.values[id(model.trips[key])]
        assert abs(trips - round(trips)) < 1e-6
        assert not model.trips[key].fixed  # the heuristic leaves the model as it found it


def test_full_solve_never_ends_worse_than_its_start(network) -> None:
    warm = solve_network(network, SolveOptions(mip_gap=0.01, shadow_prices=False))
    assert warm.status == "optimal"
    assert warm.start_objective_inr is not None
    assert warm.objective_inr <= warm.start_objective_inr + 1e-6


def test_warm_and_cold_agree_at_zero_gap() -> None:
    network = synthetic_network(3, 5, 3)
    options = {"mip_gap": 0.0, "shadow_prices": False}
    warm = solve_network(network, SolveOptions(**options))
    cold = solve_network(network, SolveOptions(warm_start=False, **options))
    assert cold.start_objective_inr is None
    assert warm.objective_inr == pytest.approx(cold.objective_inr, rel=1e-9)


def test_no_start_without_full_load_lanes(tmp_path) -> None:
    records = copy.deepcopy(TINY)
    for route in records["transport_routes_modes"]:
        route["full_loads_only"] = "false"
    network = read_network(write_tables(records, tmp_path / "road_only"))
    data = prepare(network)
    assert not full_load_keys(data)
    assert rounded_rail_start(build_model(data, network.settings), data, 0.01, 10) is None
