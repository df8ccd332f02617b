"""The legacy tree, rule by rule and at each boundary (spec section 4)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.esp.diagnose.legacy import legacy_tree

BASE = {"flow_var_pct": 2.0, "flow_mean": 1200.0, "pip_mean": 900.0, "current_mean": 40.0,
        "torque_mean": 80.0, "gor_mean": 300.0}


def one(**changes) -> tuple[str, float, int]:
    row = legacy_tree(pd.DataFrame([{**BASE, **changes}])).iloc[0]
    return row["label"], row["confidence"], json.loads(row["evidence"])["rule"]


def test_rule1_gas_lock_at_15_percent_and_its_gor_boundary():
    assert one(flow_var_pct=15.0) == ("gas_lock", 0.78, 1)
    assert one(flow_var_pct=14.999)[0] == "normal"
    assert one(flow_var_pct=15.0, gor_mean=500.0)[1] == 0.78
    assert one(flow_var_pct=15.0, gor_mean=500.01)[1] == 0.92


def test_rule1_comes_before_rule2():
    assert one(flow_var_pct=20.0, flow_mean=5000.0)[0] == "gas_lock"


def test_rule2_normal_from_1000_bpd():
    assert one(flow_mean=1000.0) == ("normal", 0.95, 2)
    assert one(flow_mean=999.99, pip_mean=900.0, current_mean=40.0)[2] != 2


def test_rule3_underpumping_below_500_psi():
    assert one(flow_mean=900.0, pip_mean=499.99) == ("underpumping", 0.85, 3)
    assert one(flow_mean=900.0, pip_mean=500.0)[0] != "underpumping"


def test_rule4_sand_through_current_above_60_a_and_its_torque_boundary():
    assert one(flow_mean=900.0, current_mean=60.01) == ("sand", 0.76, 4)
    assert one(flow_mean=900.0, current_mean=60.0)[0] != "sand"
    assert one(flow_mean=900.0, current_mean=61.0, torque_mean=100.0)[1] == 0.76
    assert one(flow_mean=900.0, current_mean=61.0, torque_mean=100.01)[1] == 0.89


def test_rule4_flow_above_3500_is_taken_by_rule2_first():
    # the original's behaviour, kept: every flow of 1000 and above is already normal
    assert one(flow_mean=3600.0, current_mean=10.0)[0] == "normal"


def test_rule5_hydraulic_wear_below_800_bpd_and_5_percent():
    assert one(flow_mean=799.99, flow_var_pct=4.99) == ("hydraulic_wear", 0.91, 5)
    assert one(flow_mean=800.0, flow_var_pct=4.99)[0] == "vsd_electrical"
    assert one(flow_mean=799.99, flow_var_pct=5.0)[0] == "vsd_electrical"


def test_rule6_otherwise_vsd_electrical():
    assert one(flow_mean=900.0, flow_var_pct=8.0) == ("vsd_electrical", 0.83, 6)


@pytest.mark.parametrize("missing", ["flow_var_pct", "pip_mean", "current_mean"])
def test_a_missing_feature_makes_its_comparison_false(missing):
    assert one(flow_mean=900.0, **{missing: float("nan")})[0] == "vsd_electrical"
