"""Tiny networks with optima worked out by hand; across them every constraint family binds."""

from __future__ import annotations

import pytest

from tests.conftest import write_tables
from workbench.clinker import read_network
from workbench.clinker.optimization.solve import SolveOptions, solve_network
from workbench.clinker.results.plan import PlanStatus

EXACT = SolveOptions(mip_gap=0.0, time_limit_s=60)


def net(tmp_path, *, periods=(1,), capacity=1000.0, prod_cost=1000.0, demand=None,
        route=None, routes=None, opening=0.0, gu_opening=0.0, policy=None, bounds=None,
        settings=None, penalty=None):
    """One IU (IU_1) and one GU (GU_1) joined by one route unless told otherwise."""
    demand = demand if demand is not None else {p: 100.0 for p in periods}
    base = {"route_id": "R", "origin_id": "IU_1", "destination_id": "GU_1", "mode": "road",
            "vehicle_capacity_t": 1000, "cost_inr_per_t": 500}
    records = {
        "plant_master": [
            {"node_id": "IU_1", "node_type": "IU", "opening_stock_t": opening},
            {"node_id": "GU_1", "node_type": "GU", "opening_stock_t": gu_opening}],
        "production_capacity_cost": [{"node_id": "IU_1", "period": p, "capacity_t": capacity,
                                      "cost_inr_per_t": prod_cost} for p in periods],
        "demand_forecast": [{"node_id": "GU_1", "period": p, "demand_t": d,
                             **({"unmet_penalty_inr_per_t": penalty} if penalty else {})}
                            for p, d in demand.items()],
        "transport_routes_modes": routes or [{**base, **(route or {})}],
    }
    if policy:
        records["safety_stock_policy"] = policy
    if bounds:
        records["flow_bounds"] = bounds
    if settings:
        records["settings"] = [{"key": k, "value": v} for k, v in settings.items()]
    return read_network(write_tables(records, tmp_path / "net"))


def solve(network, options=EXACT):
    result = solve_network(network, options)
    assert result.status is PlanStatus.OPTIMAL, (result.status, result.validation.summary(),
                                                 result.infeasibility)
    assert result.components.total == pytest.approx(result.objective_inr, rel=1e-9)
    return result


def shipped(result, period=1, route="R"):
    s = result.shipments
    return float(s[(s.route_id == route) & (s.period == period)]["shipment_t"].sum())


def trips(result, period=1, route="R"):
    s = result.shipments
    return int(s[(s.route_id == route) & (s.period == period)]["trips"].sum())


def test_capacity_binds_and_unmet_is_penalised(tmp_path):
    r = solve(net(tmp_path, capacity=60))
    # 60 t made and shipped, 40 t unmet at the default ₹10,000/t
    assert r.objective_inr == pytest.approx(60 * 1000 + 60 * 500 + 40 * 10_000)
    assert r.unmet_demand_t == pytest.approx(40)
    assert r.unmet.loc[r.unmet.unmet_t > 0, "reason"].tolist() == ["supply shortfall"]
    [price] = r.shadow_prices[r.shadow_prices.constraint == "capacity"][
        "shadow_price_inr_per_t"]
    assert price == pytest.approx(-(10_000 - 1000 - 500))  # one more tonne saves this


def test_sbq_forces_a_bigger_batch_into_stock(tmp_path):
    r = solve(net(tmp_path, demand={1: 50}, route={"sbq_t": 80}))
    assert shipped(r) == pytest.approx(80)
    assert r.stock.set_index("node_id").loc["GU_1", "closing_stock_t"] == pytest.approx(30)
    assert r.objective_inr == pytest.approx(80 * 1500)


def test_sbq_with_no_room_leaves_demand_unmet(tmp_path):
    policy = [{"node_id": "GU_1", "period": 1, "safety_stock_t": 0, "max_storage_t": 10}]
    r = solve(net(tmp_path, demand={1: 50}, route={"sbq_t": 80}, policy=policy))
    assert shipped(r) == 0 and r.unmet_demand_t == pytest.approx(50)


def test_trips_round_up_and_pay_per_trip(tmp_path):
    r = solve(net(tmp_path, route={"vehicle_capacity_t": 30, "fixed_cost_inr_per_trip": 1000}))
    assert trips(r) == 4  # 100 t on 30 t trucks
    assert r.components.trips == pytest.approx(4000)
    assert r.objective_inr == pytest.approx(100 * 1500 + 4000)


def test_full_loads_ship_whole_rakes(tmp_path):
    r = solve(net(tmp_path, capacity=10_000, demand={1: 4500},
                  route={"vehicle_capacity_t": 3000, "full_loads_only": "true"}))
    assert shipped(r) == pytest.approx(6000) and trips(r) == 2
    assert r.stock.set_index("node_id").loc["GU_1", "closing_stock_t"] == pytest.approx(1500)


def test_storage_cap_stops_a_full_rake(tmp_path):
    policy = [{"node_id": "GU_1", "period": 1, "safety_stock_t": 0, "max_storage_t": 1000}]
    r = solve(net(tmp_path, capacity=10_000, demand={1: 1500}, policy=policy,
                  route={"vehicle_capacity_t": 3000, "full_loads_only": "true"}))
    assert shipped(r) == 0 and r.unmet_demand_t == pytest.approx(1500)
    # the same without the cap ships a rake and stocks 1,500 t
    r2 = solve(net(tmp_path / "b", capacity=10_000, demand={1: 1500},
                   route={"vehicle_capacity_t": 3000, "full_loads_only": "true"}))
    assert shipped(r2) == pytest.approx(3000)


def test_hard_safety_stock_is_shipped_for(tmp_path):
    policy = [{"node_id": "GU_1", "period": 1, "safety_stock_t": 200}]
    r = solve(net(tmp_path, policy=policy))
    assert shipped(r) == pytest.approx(300)
    assert r.objective_inr == pytest.approx(300 * 1500)


def test_soft_safety_stock_shortfall_is_penalised(tmp_path):
    policy = [{"node_id": "GU_1", "period": 1, "safety_stock_t": 200}]
    r = solve(net(tmp_path, capacity=150, policy=policy, settings={"safety_stock": "soft"}))
    # serve all 100 t of demand (₹10,000/t penalty) before stock (₹5,000/t): 50 t stocked
    assert r.unmet_demand_t == pytest.approx(0)
    assert r.safety_shortfall["shortfall_t"].sum() == pytest.approx(150)
    assert r.components.safety_penalty == pytest.approx(150 * 5000)


def test_hard_safety_stock_infeasibility_is_explained(tmp_path):
    policy = [{"node_id": "GU_1", "period": 1, "safety_stock_t": 5000}]
    r = solve_network(net(tmp_path, capacity=150, policy=policy), EXACT)
    assert r.status is PlanStatus.INFEASIBLE
    [conflict] = [d for d in r.infeasibility if d.code == "safety_stock_conflict"]
    assert (conflict.node_id, conflict.period) == ("GU_1", 1)
    assert "safety stock at GU_1 in period 1" in conflict.message


@pytest.mark.parametrize(("bound", "qty", "expect_ship", "expect_unmet"), [
    ("le", 60, 60, 40), ("ge", 120, 120, 0), ("eq", 90, 90, 10)])
def test_flow_bounds_bind(tmp_path, bound, qty, expect_ship, expect_unmet):
    bounds = [{"origin_id": "IU_1", "mode": "road", "period": 1, "bound": bound,
               "quantity_t": qty}]
    r = solve(net(tmp_path, bounds=bounds))
    assert shipped(r) == pytest.approx(expect_ship)
    assert r.unmet_demand_t == pytest.approx(expect_unmet)
    prices = r.shadow_prices[r.shadow_prices.constraint == "flow_bound"]
    assert len(prices) == 1


def test_period_varying_cost_ships_early_and_holds(tmp_path):
    routes = [{"route_id": "R", "origin_id": "IU_1", "destination_id": "GU_1", "mode": "rail",
               "vehicle_capacity_t": 1000, "cost_inr_per_t": c, "period": p}
              for p, c in ((1, 500), (2, 2000))]
    policy = [{"node_id": "GU_1", "period": p, "safety_stock_t": 0,
               "holding_cost_inr_per_t": 10} for p in (1, 2)]
    r = solve(net(tmp_path, periods=(1, 2), demand={1: 0, 2: 100}, routes=routes,
                  policy=policy))
    assert shipped(r, 1) == pytest.approx(100) and shipped(r, 2) == 0
    assert r.objective_inr == pytest.approx(100 * 1000 + 100 * 500 + 100 * 10)


def test_per_tonne_km_and_handling_costs(tmp_path):
    route = {"cost_inr_per_t": "", "cost_inr_per_t_km": 2, "distance_km": 300,
             "handling_cost_inr_per_t": 50}
    r = solve(net(tmp_path, route=route))
    assert r.components.transport == pytest.approx(100 * (2 * 300 + 50))


def test_max_trips_limits_shipments(tmp_path):
    r = solve(net(tmp_path, route={"vehicle_capacity_t": 30, "max_trips": 2}))
    assert trips(r) == 2 and shipped(r) == pytest.approx(60)
    assert r.unmet.loc[r.unmet.unmet_t > 0, "reason"].tolist() == ["route limits"]


def test_unmet_penalty_below_landed_cost_leaves_demand_unmet(tmp_path):
    r = solve(net(tmp_path, penalty=1200))  # landed cost is ₹1,500/t
    assert shipped(r) == 0
    assert r.components.unmet_penalty == pytest.approx(100 * 1200)


def test_invalid_input_is_not_solved(tmp_path):
    network = net(tmp_path, route={"vehicle_capacity_t": 0})
    r = solve_network(network, EXACT)
    assert r.status is PlanStatus.INVALID_INPUT
    assert r.validation.by_check("vehicle_capacity")


def test_shipments_respect_trips_and_sbq_on_the_demo():
    from workbench.clinker.examples import demo_network

    r = solve(demo_network(), SolveOptions(mip_gap=0.01, time_limit_s=120))
    s = r.shipments
    assert (s.shipment_t <= s.trips * s.vehicle_capacity_t + 1e-4).all()
    assert ((s.shipment_t < 1e-4) | (s.shipment_t >= s.sbq_t - 1e-4)).all()
    rail = s[(s["mode"] == "rail") & (s.shipment_t > 0)]
    assert ((rail.shipment_t - rail.trips * 3000).abs() < 1e-3).all()
    assert r.kpis and r.kpis.service_level > 0.95
    assert not [w for w in r.warnings if w.code in ("over_vehicle_capacity", "below_sbq")]
