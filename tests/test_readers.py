"""The readers give one network; the public hackathon data maps as spec section 3 says."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from workbench.clinker import read_network, validate
from workbench.clinker.contract.writers import write_csv_folder, write_workbook
from workbench.clinker.examples import demo_network


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["source_row"]).reset_index(drop=True)


def test_hackathon_csv_and_xlsx_give_the_same_network(public_data, public_xlsx):
    from_csv, from_xlsx = read_network(public_data), read_network(public_xlsx)
    for name, frame in from_csv.tables.items():
        pd.testing.assert_frame_equal(_comparable(frame), _comparable(from_xlsx.tables[name]),
                                      check_dtype=False, obj=name)
    assert from_csv.settings == from_xlsx.settings


def test_hackathon_counts_match_the_files(public_data, public_xlsx):
    types = _rows(public_data, "IUGUType")
    lanes = _rows(public_data, "LogisticsIUGU")
    bounds = _rows(public_data, "IUGUConstraint")
    lane_keys = {(r["FROM IU CODE"].strip().upper(), r["TO IUGU CODE"].strip().upper(),
                  r["TRANSPORT CODE"].strip().upper()) for r in lanes}
    codes = {r["IUGU CODE"].strip().upper() for r in types}
    external = {c for k in lane_keys for c in k[:2] if c.startswith("EXT_") and c not in codes}

    def lane_exists(r: dict[str, str]) -> bool:
        return any(o == r["IU CODE"] and o != d and r["TRANSPORT CODE"] in ("", m)
                   and r["IUGU CODE"] in ("", d) for o, d, m in lane_keys)

    kept_bounds = [r for r in bounds if lane_exists(r)]
    net = read_network(public_xlsx)
    assert len(net.plants) == len(codes) + len(external) == 49
    assert set(net.plants.loc[net.plants.node_type == "EXT", "node_id"]) == external
    assert net.routes["route_id"].nunique() == len(lane_keys) == 116
    assert len(net.routes) == len(lanes)
    assert len(net.flow_bounds) == len(kept_bounds)
    assert len(bounds) - len(kept_bounds) == 9
    assert net.periods == [1, 2, 3]
    assert net.settings.safety_stock == "soft"
    assert not net.notes["hub_opening_stock"].empty


def test_hackathon_mapping_details(public_data):
    net = read_network(public_data)
    routes = net.routes.set_index(["route_id", "period"])
    rail = routes.loc[("IU_001>GU_001:T2", 1)] if ("IU_001>GU_001:T2", 1) in routes.index \
        else routes[routes["mode"] == "rail"].iloc[0]
    assert rail["full_loads_only"] and rail["sbq_t"] == rail["vehicle_capacity_t"] == 3000
    # transport codes become the contract's modes; route ids keep the code
    assert set(net.routes["mode"]) == {"road", "rail"}
    assert net.routes["route_id"].str.endswith((":T1", ":T2")).all()
    assert set(net.flow_bounds["mode"].dropna()) <= {"road", "rail"}
    road = routes[routes["mode"] == "road"].iloc[0]
    assert not road["full_loads_only"] and road["vehicle_capacity_t"] == 1
    assert set(net.flow_bounds["bound"]) == {"le", "ge", "eq"}
    gu010 = net.safety_stock[net.safety_stock.node_id == "GU_010"]
    assert gu010["max_storage_t"].notna().all()
    gu001 = net.safety_stock[net.safety_stock.node_id == "GU_001"]
    assert gu001["max_storage_t"].isna().all()  # blank MAX CLOSE STOCK = unlimited


def test_hackathon_expected_warnings(public_data, public_xlsx):
    for source in (public_data, public_xlsx):
        report = validate(read_network(source))
        assert report.ok, [str(f) for f in report.errors]
        assert len(report.by_check("opening_below_safety")) == 28
        overall = [f for f in report.by_check("demand_exceeds_supply")
                   if f.message.startswith("demand exceeds supply")]
        assert len(overall) == 1
        assert len(report.by_check("bound_without_lane")) == 9


def test_demo_network_round_trips_through_csv_and_xlsx(tmp_path):
    net = demo_network()
    summary = net.summary()
    assert (summary["ius"], summary["gus"], summary["periods"]) == (8, 30, 6)
    assert set(net.routes["mode"]) == {"road", "rail"}
    assert net.plants[["latitude", "longitude"]].notna().all().all()
    assert not net.flow_bounds.empty
    rail = net.routes[net.routes["mode"] == "rail"]
    assert rail.groupby("route_id")["cost_inr_per_t"].nunique().max() > 1  # varies by period
    for path in (write_csv_folder(net, tmp_path / "csv"), write_workbook(net, tmp_path / "n.xlsx")):
        again = read_network(path)
        assert validate(again).findings == []
        for name, frame in net.tables.items():
            if name == "settings":  # compared as parsed Settings below
                continue
            pd.testing.assert_frame_equal(_comparable(frame), _comparable(again.tables[name]),
                                          check_dtype=False, obj=name)
        assert again.settings == net.settings


def test_demo_is_reproducible():
    a, b = demo_network(seed=5), demo_network(seed=5)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert not demo_network(seed=6).demand.equals(a.demand)


@pytest.mark.parametrize("name", ["toy-2iu3gu"])
def test_toy_instance_reads(public_data, name):
    net = read_network(public_data / name)
    assert validate(net).ok
    assert net.summary()["ius"] == 2 and net.summary()["gus"] == 3
