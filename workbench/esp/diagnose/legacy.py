"""The original system's diagnostic tree (spec section 4, method ``legacy``), exactly.

First rule that holds:
1. flow_var_pct ≥ 15 → gas_lock, 0.92 if gor_mean > 500 else 0.78
2. flow_mean ≥ 1000 → normal, 0.95
3. pip_mean < 500 → underpumping, 0.85
4. flow_mean > 3500 or current_mean > 60 → sand, 0.89 if torque_mean > 100 else 0.76
5. flow_mean < 800 and flow_var_pct < 5 → hydraulic_wear, 0.91
6. otherwise → vsd_electrical, 0.83

A missing feature (no value in the window) makes its comparison false, as NaN does.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

LABELS = ("gas_lock", "normal", "underpumping", "sand", "hydraulic_wear", "vsd_electrical")


def legacy_tree(features: pd.DataFrame) -> pd.DataFrame:
    """label, confidence and evidence for each row of ``features`` (vectorised)."""
    f = {c: features[c].to_numpy(dtype=float) for c in
         ("flow_var_pct", "flow_mean", "pip_mean", "current_mean", "torque_mean",
          "gor_mean")}
    with np.errstate(invalid="ignore"):
        rules = [f["flow_var_pct"] >= 15, f["flow_mean"] >= 1000, f["pip_mean"] < 500,
                 (f["flow_mean"] > 3500) | (f["current_mean"] > 60),
                 (f["flow_mean"] < 800) & (f["flow_var_pct"] < 5)]
        confidence = [np.where(f["gor_mean"] > 500, 0.92, 0.78), np.full(len(features), 0.95),
                      np.full(len(features), 0.85),
                      np.where(f["torque_mean"] > 100, 0.89, 0.76),
                      np.full(len(features), 0.91)]
    rule = np.select(rules, [1, 2, 3, 4, 5], default=6)
    label = np.asarray(LABELS, dtype=object)[rule - 1]
    conf = np.select(rules, confidence, default=0.83)
    evidence = [json.dumps({"rule": int(r), **{k: (None if np.isnan(v[i]) else
                                                 round(float(v[i]), 3))
                                               for k, v in f.items()}})
                for i, r in enumerate(rule)]
    return pd.DataFrame({"label": label, "confidence": conf, "evidence": evidence},
                        index=features.index)
