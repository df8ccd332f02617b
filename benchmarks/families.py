"""Instance families for the solve benchmark: networks built the way planners' networks look.

`workbench.clinker.examples.synthetic_network` makes one kind of network (road lanes without
SBQ at a flat ₹1,500 per trip, rail rakes). A family here varies, instance by instance (issue 13):

- SBQ on road lanes, from half a truck up to a full truck. Validation rejects an SBQ above the
  vehicle capacity (`sbq_above_vehicle`), so "a few hundred tonnes" on a 30 t truck lane cannot
  reach the solver today; the generator stays within what the product accepts;
- per-trip costs on every lane: road ₹2,000-6,000 per 30 t truck, rail ₹40,000-90,000 per
  3,000 t rake; some road lanes ship full trucks only;
- per-tonne-km freight on about a third of the lanes, freight varying by period on others;
- IUs with their own demand and inbound lanes from other IUs (some IUs are short of clinker);
- rail caps (`flow_bounds`, `le`) on a third of the IUs at about 40 % of their capacity;
- `max_trips` on some road lanes;
- storage and safety stock at every node;
- demand above supply (unmet demand) in some instances, soft safety stock in some.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workbench.clinker.contract.network import ClinkerNetwork, Settings
from workbench.clinker.examples import _km, _tables

TRUCK_T = 30.0
RAKE_T = 3000.0


@dataclass(frozen=True)
class Size:
    label: str
    ius: int
    gus: int
    periods: int
    target_s: float  # model time to 1 % (issue 3 targets; national: whole command)


SIZES = (Size("seed small", 3, 5, 3, 1.0), Size("seed medium", 5, 10, 6, 2.0),
         Size("seed large", 10, 20, 12, 3.0), Size("national", 20, 80, 12, 30.0))


def _freight_rows(route: dict[str, object], periods: int, rng: np.random.Generator,
                  per_t: float) -> list[dict[str, object]]:
    """The route with freight that moves month to month (one row per period)."""
    phase, swing = rng.uniform(0, 2 * math.pi), rng.uniform(0.04, 0.12)
    return [{**route, "cost_inr_per_t": round(per_t * (1 + swing * math.sin(t + phase)), 2),
             "period": t} for t in range(1, periods + 1)]


class _Lanes:
    """Collects lane records and decides each lane's cost form, SBQ and limits."""

    def __init__(self, rng: np.random.Generator, periods: int, sbq_share: float) -> None:
        self.rng, self.periods, self.sbq_share = rng, periods, sbq_share
        self.records: list[dict[str, object]] = []
        self.road_tonnes: dict[str, float] = {}  # route_id -> typical tonnes a period

    def _cost(self, route: dict[str, object], km: float, per_t: float) -> None:
        pick = self.rng.uniform()
        if pick < 1 / 3:  # per-tonne-km freight
            rate = per_t / km
            self.records.append({**route, "cost_inr_per_t_km": round(rate, 3),
                                 "distance_km": round(km)})
        elif pick < 2 / 3:  # freight varying by period
            self.records += _freight_rows(route, self.periods, self.rng, per_t)
        else:
            self.records.append({**route, "cost_inr_per_t": round(per_t, 2)})

    def road(self, origin: str, dest: str, km: float, typical_t: float) -> None:
        rng = self.rng
        full = rng.uniform() < 0.2
        sbq = 0.0
        if not full and rng.uniform() < self.sbq_share:
            sbq = float(rng.choice([15.0, 20.0, 25.0, 30.0]))  # half a truck .. one truck
        max_trips = None
        if rng.uniform() < 0.3:  # a contracted fleet: some share of the lane's typical need
            max_trips = float(max(1, round(rng.uniform(0.3, 0.9) * typical_t / TRUCK_T)))
        route = dict(route_id=f"{origin}-{dest}-ROAD", origin_id=origin, destination_id=dest,
                     mode="road", vehicle_capacity_t=TRUCK_T, sbq_t=sbq,
                     handling_cost_inr_per_t=round(rng.uniform(0, 40)),
                     fixed_cost_inr_per_trip=round(rng.uniform(2_000, 6_000), -1),
                     max_trips=max_trips, full_loads_only=bool(full))
        self._cost(route, km, per_t=rng.uniform(2.4, 3.6) * km + rng.uniform(50, 150))

    def rail(self, origin: str, dest: str, km: float) -> None:
        rng = self.rng
        route = dict(route_id=f"{origin}-{dest}-RAIL", origin_id=origin, destination_id=dest,
                     mode="rail", vehicle_capacity_t=RAKE_T, sbq_t=RAKE_T,
                     handling_cost_inr_per_t=round(rng.uniform(60, 120)),
                     fixed_cost_inr_per_trip=round(rng.uniform(40_000, 90_000), -3),
                     full_loads_only=True)
        self._cost(route, km, per_t=rng.uniform(0.8, 1.1) * km + rng.uniform(100, 250))


def family_network(size: Size, seed: int) -> ClinkerNetwork:
    """One network of a family: the same (size, seed) always gives the same network."""
    rng = np.random.default_rng([size.ius, size.gus, size.periods, seed])
    periods = size.periods
    short = rng.uniform() < 0.35  # demand above what the kilns can make: unmet demand
    soft = rng.uniform() < 0.35
    sbq_share = rng.uniform(0.3, 0.9)
    kiln_xy = rng.uniform([9, 70], [31, 90], size=(size.ius, 2))
    market_xy = rng.uniform([9, 70], [31, 90], size=(size.gus, 2))
    capacity = rng.uniform(120_000, 320_000, size.ius)
    # a third of the IUs make little and grind a lot: they need clinker from other IUs
    own_share = np.where(rng.uniform(size=size.ius) < 1 / 3, rng.uniform(0.5, 1.1, size.ius),
                         rng.uniform(0.05, 0.2, size.ius))
    iu_demand = capacity * own_share
    load = rng.uniform(1.05, 1.25) if short else rng.uniform(0.75, 0.93)
    gu_weight = rng.uniform(0.5, 1.5, size.gus)
    gu_demand = gu_weight / gu_weight.sum() * max(capacity.sum() * load - iu_demand.sum(),
                                                 0.3 * capacity.sum())
    season = [1 + rng.uniform(0.08, 0.2) * math.sin(2 * math.pi * (t + rng.uniform(0, 1)) / 12)
              for t in range(1, periods + 1)]
    plants, production, demand, policy = [], [], [], []
    lanes = _Lanes(rng, periods, sbq_share)

    def stock_rows(node: str, per_period_t: float, safety_share: float, room: float,
                   hold: float) -> float:
        safety = round(per_period_t * safety_share, -2)
        for t in range(1, periods + 1):
            policy.append(dict(node_id=node, period=t, safety_stock_t=safety,
                               max_storage_t=round(max(per_period_t * room, safety + 1_000), -2),
                               holding_cost_inr_per_t=hold))
        # soft instances open some nodes below their safety stock, hard ones at or above it
        below = soft and rng.uniform() < 0.3
        return round(safety * (rng.uniform(0.2, 0.8) if below else rng.uniform(1.0, 1.8)), -2)

    for i in range(size.ius):
        node = f"IU_{i + 1:03d}"
        cost = rng.uniform(1_400, 2_300)
        for t in range(1, periods + 1):
            # an occasional kiln shutdown halves a period's capacity
            down = 0.5 if rng.uniform() < 0.05 else 1.0
            production.append(dict(node_id=node, period=t,
                                   capacity_t=round(capacity[i] * down, -2),
                                   cost_inr_per_t=round(cost * (1 + 0.01 * (t - 1)), 2)))
            demand.append(dict(node_id=node, period=t,
                               demand_t=round(iu_demand[i] * season[t - 1], -2)))
        opening = stock_rows(node, capacity[i], rng.uniform(0.03, 0.1), rng.uniform(0.3, 0.6),
                             round(rng.uniform(10, 30)))
        plants.append(dict(node_id=node, node_type="IU", latitude=kiln_xy[i, 0],
                           longitude=kiln_xy[i, 1], opening_stock_t=opening))
    for g in range(size.gus):
        node = f"GU_{g + 1:03d}"
        for t in range(1, periods + 1):
            demand.append(dict(node_id=node, period=t,
                               demand_t=round(gu_demand[g] * season[t - 1], -2)))
        opening = stock_rows(node, gu_demand[g], rng.uniform(0.05, 0.15), rng.uniform(0.4, 0.8),
                             round(rng.uniform(20, 50)))
        plants.append(dict(node_id=node, node_type="GU", latitude=market_xy[g, 0],
                           longitude=market_xy[g, 1], opening_stock_t=opening))
        dist = np.hypot(*(kiln_xy - market_xy[g]).T)
        order = np.argsort(dist)[:int(rng.integers(3, 6))]
        for rank, i in enumerate(order):
            kiln = f"IU_{i + 1:03d}"
            km = _km(tuple(kiln_xy[i]), tuple(market_xy[g]))
            if rank < 3 or km < 300:
                lanes.road(kiln, node, km, gu_demand[g] / 2)
            if km > 300 and rng.uniform() < 0.7:
                lanes.rail(kiln, node, km)
    for i in range(size.ius):  # IU-to-IU transfers towards each IU from its nearest kilns
        dist = np.hypot(*(kiln_xy - kiln_xy[i]).T)
        for j in np.argsort(dist)[1:1 + min(2, size.ius - 1)]:
            km = _km(tuple(kiln_xy[j]), tuple(kiln_xy[i]))
            src, dst = f"IU_{j + 1:03d}", f"IU_{i + 1:03d}"
            if km > 300 and rng.uniform() < 0.6:
                lanes.rail(src, dst, km)
            else:
                lanes.road(src, dst, km, iu_demand[i] / 2)
    capped = rng.choice(size.ius, size=max(1, round(size.ius / 3)), replace=False)
    bounds = [dict(origin_id=f"IU_{i + 1:03d}", mode="rail", destination_id=None, period=t,
                   bound="le", quantity_t=round(capacity[i] * rng.uniform(0.35, 0.45), -2))
              for i in sorted(capped) for t in range(1, periods + 1)]
    tables = _tables(plant_master=plants, production_capacity_cost=production,
                     demand_forecast=demand, safety_stock_policy=policy,
                     transport_routes_modes=lanes.records, flow_bounds=bounds)
    settings = Settings(unmet_penalty_inr_per_t=float(rng.choice([8_000.0, 10_000.0, 12_000.0])),
                        safety_stock="soft" if soft else "hard")
    tag = f"{'short' if short else 'ample'} supply, {'soft' if soft else 'hard'} safety stock"
    return ClinkerNetwork(tables=tables, settings=settings,
                          source=f"family {size.label} {size.ius}/{size.gus}/{periods} "
                                 f"seed {seed} ({tag})")


def family(size: Size, count: int = 10, first_seed: int = 1) -> list[ClinkerNetwork]:
    return [family_network(size, seed) for seed in range(first_seed, first_seed + count)]
