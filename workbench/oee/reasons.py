"""Where the stopped minutes go: planned busy time not spent running, by state and reason.

Events are clipped to PBT exactly as in the time model, so the minutes here add up to
PBT − APT (iso): breakdowns, setups, minor stops, waiting, and the planned time that no event
covers (state ``uncovered``, reason "no event logged"). A Pareto of these is the plant's
to-do list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.oee.contract.data import OeeData
from workbench.oee.model import intervals as iv
from workbench.oee.model.timeline import (
    US_PER_MIN,
    _axis,
    _codes,
    _machine_codes,
    micros,
    planned_busy_time,
)

NO_REASON = "(no reason given)"
UNCOVERED = "no event logged"
COLUMNS = ["machine_id", "line_id", "site_id", "state", "reason", "minutes"]


def stop_minutes(data: OeeData) -> pd.DataFrame:
    """Minutes in PBT per machine, stop state and reason (running time left out)."""
    codes = _machine_codes(data)
    if not codes:
        return pd.DataFrame(columns=COLUMNS)
    ax = _axis(data, codes)
    pbt_s, pbt_e = planned_busy_time(data, ax)
    ev = data.events
    code = _codes(ev["machine_id"], codes)
    ks, ke = ax.axis.key(code, micros(ev["start"])), ax.axis.key(code, micros(ev["end"]))
    ia, _, s, e = iv.intersect(ks, ke, pbt_s, pbt_e)
    pieces = pd.DataFrame({
        "code": code[ia], "state": ev["state"].to_numpy(dtype=object)[ia],
        "reason": ev["reason"].to_numpy(dtype=object)[ia], "minutes": (e - s) / US_PER_MIN})
    n = len(codes)
    pbt = np.bincount(ax.axis.machine(pbt_s), (pbt_e - pbt_s) / US_PER_MIN, minlength=n)
    covered = np.bincount(pieces["code"].to_numpy(np.int64), pieces["minutes"].to_numpy(),
                          minlength=n)
    gap = pd.DataFrame({"code": np.arange(n), "state": "uncovered", "reason": UNCOVERED,
                        "minutes": pbt - covered})
    stops = pd.concat([pieces[pieces["state"] != "running"], gap[gap["minutes"] > 1e-9]],
                      ignore_index=True)
    stops["reason"] = stops["reason"].where(stops["reason"].notna() & (stops["reason"] != ""),
                                            NO_REASON)
    summed = stops.groupby(["code", "state", "reason"], as_index=False)["minutes"].sum()
    machines = data.machines.drop_duplicates("machine_id").set_index("machine_id")
    ids = np.array(list(codes), dtype=object)[summed["code"].to_numpy()]
    summed.insert(0, "machine_id", ids)
    summed.insert(1, "line_id", machines["line_id"].reindex(ids).to_numpy())
    summed.insert(2, "site_id", machines["site_id"].reindex(ids).to_numpy())
    return summed[COLUMNS]


def pareto(stops: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Reasons by minutes, largest first, with their cumulative share; the tail as "other"."""
    by = stops.groupby(["state", "reason"], as_index=False)["minutes"].sum()
    by = by[by["minutes"] > 0].sort_values("minutes", ascending=False, ignore_index=True)
    if len(by) > top:
        rest = by.iloc[top:]
        by = pd.concat([by.iloc[:top], pd.DataFrame({
            "state": ["various"], "reason": [f"{len(rest)} other reasons"],
            "minutes": [rest["minutes"].sum()]})], ignore_index=True)
    total = by["minutes"].sum()
    by["share"] = by["minutes"] / total if total else np.nan
    by["cumulative_share"] = by["share"].cumsum()
    by["label"] = (by["reason"] + " (" + by["state"].str.replace("_", " ") + ")").where(
        by["state"] != "various", by["reason"])
    return by
