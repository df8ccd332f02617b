"""A reproducible demo network: 8 IUs, 30 GUs, 6 monthly periods, road and rail.

Plant locations sit near real Indian cement clusters so that maps look right; every number
is generated here from a seed, so the demo needs no data files and is the same everywhere.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork, Settings
from workbench.clinker.contract.schema import ROW, TABLES, dtype_of

KILN_SITES = [  # (name, region, latitude, longitude)
    ("Chittorgarh", "North", 24.88, 74.62), ("Satna", "Central", 24.58, 80.83),
    ("Kutch", "West", 23.25, 69.67), ("Raipur", "Central", 21.25, 81.63),
    ("Kalaburagi", "South", 17.33, 76.83), ("Ariyalur", "South", 11.14, 79.08),
    ("Bilaspur HP", "North", 31.33, 76.76), ("Nalgonda", "South", 17.05, 79.27),
]
MARKETS = [
    ("Delhi", "North", 28.61, 77.21), ("Jaipur", "North", 26.91, 75.79),
    ("Ludhiana", "North", 30.90, 75.85), ("Lucknow", "North", 26.85, 80.95),
    ("Dehradun", "North", 30.32, 78.03), ("Ahmedabad", "West", 23.02, 72.57),
    ("Surat", "West", 21.17, 72.83), ("Mumbai", "West", 19.08, 72.88),
    ("Pune", "West", 18.52, 73.86), ("Nagpur", "Central", 21.15, 79.09),
    ("Bhopal", "Central", 23.26, 77.41), ("Indore", "Central", 22.72, 75.86),
    ("Jabalpur", "Central", 23.18, 79.99), ("Kolkata", "East", 22.57, 88.36),
    ("Patna", "East", 25.59, 85.14), ("Ranchi", "East", 23.34, 85.31),
    ("Bhubaneswar", "East", 20.30, 85.82), ("Hyderabad", "South", 17.39, 78.49),
    ("Bengaluru", "South", 12.97, 77.59), ("Chennai", "South", 13.08, 80.27),
    ("Kochi", "South", 9.93, 76.27), ("Coimbatore", "South", 11.02, 76.96),
    ("Visakhapatnam", "South", 17.69, 83.22), ("Vijayawada", "South", 16.51, 80.65),
    ("Goa", "West", 15.30, 74.12), ("Varanasi", "North", 25.32, 82.97),
    ("Guwahati", "East", 26.14, 91.74), ("Raigarh", "Central", 21.90, 83.40),
    ("Nashik", "West", 20.00, 73.79), ("Madurai", "South", 9.93, 78.12),
]
ROAD_TRUCK_T = 30.0
RAIL_RAKE_T = 3000.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance times a detour factor for roads and tracks."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 1.25 * 2 * 6371.0 * math.asin(math.sqrt(h))


def _with_rows(name: str, records: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    spec = TABLES[name]
    frame.insert(0, ROW, pd.array(range(2, len(frame) + 2), dtype="Int64"))
    for col in spec.columns:
        if col.name not in frame:
            frame[col.name] = col.default
        elif col.default is not None:
            frame[col.name] = frame[col.name].fillna(col.default)
    return frame.astype({c.name: dtype_of(c.kind) for c in spec.columns})[[ROW,
                                                                         *spec.column_names]]


def _tables(**records: list[dict[str, object]]) -> dict[str, pd.DataFrame]:
    """Typed contract tables from generated records, keyed by table name."""
    return {name: _with_rows(name, rows) for name, rows in records.items()}


def demo_network(seed: int = 2026, periods: int = 6) -> ClinkerNetwork:
    """Generate the demo network. The same seed always gives the same network."""
    rng = np.random.default_rng(seed)
    plants, production, demand, policy, routes = [], [], [], [], []
    kilns = [(f"IU_{i + 1:03d}", *site) for i, site in enumerate(KILN_SITES)]
    markets = [(f"GU_{i + 1:03d}", *site) for i, site in enumerate(MARKETS)]
    seasonality = [1.0, 1.05, 0.85, 0.8, 1.05, 1.15, 1.1, 1.0, 0.95, 0.9, 1.0, 1.05]

    for node, town, region, lat, lon in kilns:
        capacity = rng.uniform(170_000, 250_000)
        cost = rng.uniform(1_450, 2_250)
        own = rng.uniform(15_000, 30_000)
        plants.append(dict(node_id=node, node_type="IU", name=f"{town} kiln", region=region,
                           latitude=lat, longitude=lon, opening_stock_t=round(own * 1.2, -2)))
        for t in range(1, periods + 1):
            # one kiln goes down for its annual refractory shutdown in period 3
            down = 0.5 if (node == "IU_004" and t == 3) else 1.0
            production.append(dict(node_id=node, period=t,
                                   capacity_t=round(capacity * down, -2),
                                   cost_inr_per_t=round(cost * (1 + 0.01 * (t - 1)), 2)))
            demand.append(dict(node_id=node, period=t,
                               demand_t=round(own * seasonality[t - 1], -2)))
            policy.append(dict(node_id=node, period=t, safety_stock_t=round(own * 0.5, -2),
                               max_storage_t=round(capacity * 0.5, -3),
                               holding_cost_inr_per_t=25.0))

    for node, town, region, lat, lon in markets:
        base = rng.uniform(22_000, 48_000)
        plants.append(dict(node_id=node, node_type="GU", name=f"{town} grinding unit",
                           region=region, latitude=lat, longitude=lon,
                           opening_stock_t=round(base * 0.25, -2)))
        for t in range(1, periods + 1):
            demand.append(dict(node_id=node, period=t,
                               demand_t=round(base * seasonality[t - 1], -2)))
            policy.append(dict(node_id=node, period=t, safety_stock_t=round(base * 0.1, -2),
                               max_storage_t=round(base * 0.6, -3),
                               holding_cost_inr_per_t=40.0))
        nearest = sorted(kilns, key=lambda k: _km((lat, lon), (k[3], k[4])))[:4]
        for rank, (kiln, *_rest, klat, klon) in enumerate(nearest):
            km = round(_km((lat, lon), (klat, klon)))
            routes.append(dict(route_id=f"{kiln}-{node}-ROAD", origin_id=kiln,
                               destination_id=node, mode="road",
                               vehicle_capacity_t=ROAD_TRUCK_T, sbq_t=0.0,
                               cost_inr_per_t_km=round(rng.uniform(2.6, 3.4), 2),
                               distance_km=float(km), handling_cost_inr_per_t=0.0,
                               fixed_cost_inr_per_trip=1_500.0,
                               max_trips=float(900) if rank == 0 else None,
                               full_loads_only=False))
            if km > 350 and rank < 2:
                base_freight = 0.95 * km + 150
                for t in range(1, periods + 1):
                    # rail freight moves with the busy-season surcharge month to month
                    routes.append(dict(route_id=f"{kiln}-{node}-RAIL", origin_id=kiln,
                                       destination_id=node, mode="rail",
                                       vehicle_capacity_t=RAIL_RAKE_T, sbq_t=RAIL_RAKE_T,
                                       cost_inr_per_t=round(base_freight *
                                                            (1 + 0.08 * math.sin(t)), 2),
                                       handling_cost_inr_per_t=90.0,
                                       fixed_cost_inr_per_trip=25_000.0,
                                       full_loads_only=True, period=t))

    for a, b in [("IU_001", "IU_007"), ("IU_005", "IU_008"), ("IU_002", "IU_004")]:
        pa_, pb = next(k for k in kilns if k[0] == a), next(k for k in kilns if k[0] == b)
        km = round(_km((pa_[3], pa_[4]), (pb[3], pb[4])))
        for src, dst in ((a, b), (b, a)):
            routes.append(dict(route_id=f"{src}-{dst}-ROAD", origin_id=src, destination_id=dst,
                               mode="road", vehicle_capacity_t=ROAD_TRUCK_T, sbq_t=0.0,
                               cost_inr_per_t_km=3.0, distance_km=float(km),
                               fixed_cost_inr_per_trip=1_500.0, full_loads_only=False))

    bounds = [dict(origin_id="IU_002", mode="rail", destination_id=None, period=t,
                   bound="le", quantity_t=30_000.0) for t in range(1, periods + 1)]
    bounds += [dict(origin_id="IU_006", mode=None, destination_id="GU_022", period=t,
                    bound="ge", quantity_t=12_000.0) for t in range(1, periods + 1)]
    tables = _tables(plant_master=plants, production_capacity_cost=production,
                     demand_forecast=demand, safety_stock_policy=policy,
                     transport_routes_modes=routes, flow_bounds=bounds)
    settings = Settings(unmet_penalty_inr_per_t=12_000.0)
    return ClinkerNetwork(tables=tables, settings=settings, source=f"demo network (seed {seed})")


def synthetic_network(ius: int, gus: int, periods: int, *, routes_per_gu: int = 4,
                      seed: int = 7) -> ClinkerNetwork:
    """A random network of a given size for benchmarks: road (30 t trucks) and rail (3,000 t
    rakes, full loads) lanes from each GU's nearest IUs, rail freight varying by period."""
    rng = np.random.default_rng(seed)
    kiln_xy = rng.uniform([8, 68], [32, 92], size=(ius, 2))
    market_xy = rng.uniform([8, 68], [32, 92], size=(gus, 2))
    plants, production, demand, policy, routes = [], [], [], [], []
    capacity = rng.uniform(150_000, 300_000, ius)
    gu_base = rng.uniform(0.7, 1.3, gus)
    gu_base = gu_base / gu_base.sum() * capacity.sum() * 0.92
    for i in range(ius):
        node = f"IU_{i + 1:03d}"
        plants.append(dict(node_id=node, node_type="IU", latitude=kiln_xy[i, 0],
                           longitude=kiln_xy[i, 1], opening_stock_t=20_000.0))
        cost = rng.uniform(1_400, 2_300)
        for t in range(1, periods + 1):
            production.append(dict(node_id=node, period=t, capacity_t=round(capacity[i], -2),
                                   cost_inr_per_t=round(cost, 2)))
            demand.append(dict(node_id=node, period=t, demand_t=5_000.0))
            policy.append(dict(node_id=node, period=t, safety_stock_t=5_000.0,
                               max_storage_t=120_000.0, holding_cost_inr_per_t=20.0))
    for g in range(gus):
        node = f"GU_{g + 1:03d}"
        plants.append(dict(node_id=node, node_type="GU", latitude=market_xy[g, 0],
                           longitude=market_xy[g, 1], opening_stock_t=3_000.0))
        for t in range(1, periods + 1):
            season = 1 + 0.15 * math.sin(2 * math.pi * t / 12)
            demand.append(dict(node_id=node, period=t, demand_t=round(gu_base[g] * season, -2)))
            policy.append(dict(node_id=node, period=t, safety_stock_t=2_000.0,
                               max_storage_t=round(gu_base[g] * 0.5, -2),
                               holding_cost_inr_per_t=35.0))
        order = np.argsort(((kiln_xy - market_xy[g]) ** 2).sum(axis=1))
        for rank, i in enumerate(order[:routes_per_gu]):
            kiln = f"IU_{i + 1:03d}"
            km = _km(tuple(kiln_xy[i]), tuple(market_xy[g]))
            if rank % 2 == 0:
                routes.append(dict(route_id=f"{kiln}-{node}-ROAD", origin_id=kiln,
                                   destination_id=node, mode="road", vehicle_capacity_t=30.0,
                                   sbq_t=0.0, cost_inr_per_t_km=round(rng.uniform(2.6, 3.4), 2),
                                   distance_km=round(km), fixed_cost_inr_per_trip=1_500.0,
                                   full_loads_only=False))
            else:
                base = 0.9 * km + 150
                for t in range(1, periods + 1):
                    routes.append(dict(route_id=f"{kiln}-{node}-RAIL", origin_id=kiln,
                                       destination_id=node, mode="rail",
                                       vehicle_capacity_t=3_000.0, sbq_t=3_000.0,
                                       cost_inr_per_t=round(base * (1 + 0.06 * math.sin(t)), 2),
                                       handling_cost_inr_per_t=80.0,
                                       fixed_cost_inr_per_trip=20_000.0,
                                       full_loads_only=True, period=t))
    tables = _tables(plant_master=plants, production_capacity_cost=production,
                     demand_forecast=demand, safety_stock_policy=policy,
                     transport_routes_modes=routes)
    return ClinkerNetwork(tables=tables, source=f"synthetic {ius}/{gus}/{periods} seed {seed}")
