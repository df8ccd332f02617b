"""Window features from accepted rows, computed by DuckDB over the store's Parquet partitions.

The spec's features (``flow_mean``, ``flow_var_pct``, ``pip_mean``, ``current_mean``,
``torque_mean``, ``gor_mean``) plus the project's, used by the ``rules`` method:

- affinity-normalised means while running, to 60 Hz: flow × 60/f, current, torque and
  vibration × (60/f)² (``*_norm``), so a set-point change is not a fault;
- ``run_fraction`` (VSD above 0 Hz and current above 0, over samples where both are present:
  a blank cell is not a stop), ``starts`` (a stop followed by a run);
- ``roughness``: mean absolute change of current between consecutive running samples over
  mean current (the ammeter chart's "fuzz": gas in the pump makes it ragged);
- ``pip_slope_psi_h`` and ``current_slope_pct_h`` while running (least squares);
- ``dips``: isolated VSD frequency sags (3 % below both the sample 3 before and 3 after),
  the mark of a power fluctuation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.esp.lake.layout import TelemetryStore
from workbench.esp.lake.queries import _days, _ts, cursor

WINDOWS = {"15min": 900, "1h": 3600, "1d": 86_400}

FEATURE_SQL = """
WITH r AS (
  SELECT well_id, ts, epoch(CAST(ts AS TIMESTAMPTZ)) AS t,
         CAST(floor(epoch(CAST(ts AS TIMESTAMPTZ)) / {width}) * {width} AS BIGINT) AS w,
         flow_rate_bpd AS q, pip_psi AS pip, motor_current_a AS i, torque_nm AS tq,
         gor_scf_bbl AS gor, motor_temp_c AS temp, vibration_g AS vib,
         vsd_frequency_hz AS f,
         CASE WHEN vsd_frequency_hz IS NULL OR motor_current_a IS NULL THEN NULL
              ELSE vsd_frequency_hz > 0 AND motor_current_a > 0 END AS run
  FROM read_parquet(?, union_by_name = true, hive_partitioning = false)
  {where}
), s AS (
  SELECT *,
    lag(run) OVER p AS run_prev,
    lag(i) OVER p AS i_prev,
    lag(f, 3) OVER p AS f_back, lead(f, 3) OVER p AS f_ahead,
    CASE WHEN run AND f > 1 THEN q * 60 / f END AS qn,
    CASE WHEN run AND f > 1 THEN i * (60 / f) ^ 2 END AS i_n,
    CASE WHEN run AND f > 1 THEN tq * (60 / f) ^ 2 END AS tqn,
    CASE WHEN run AND f > 1 THEN vib * (60 / f) ^ 2 END AS vibn
  FROM r WINDOW p AS (PARTITION BY well_id ORDER BY ts)
)
SELECT well_id, w AS window_s, count(*) AS rows,
  avg(q) AS flow_mean,
  CASE WHEN coalesce(avg(q), 0) = 0 THEN 0 ELSE 100 * stddev_pop(q) / avg(q) END
    AS flow_var_pct,
  avg(pip) AS pip_mean, avg(i) AS current_mean, avg(tq) AS torque_mean,
  avg(gor) AS gor_mean, avg(temp) AS temp_mean, max(temp) AS temp_max,
  avg(vib) AS vibration_mean, avg(f) AS vsd_mean,
  avg(CAST(run AS DOUBLE)) AS run_fraction,
  count(*) FILTER (WHERE run AND run_prev = false) AS starts,
  avg(qn) AS flow_norm, avg(i_n) AS current_norm, avg(tqn) AS torque_norm,
  avg(vibn) AS vibration_norm,
  avg(abs(i - i_prev)) FILTER (WHERE run AND run_prev) / nullif(avg(i) FILTER (WHERE run), 0)
    AS roughness,
  regr_slope(pip, t) FILTER (WHERE run) * 3600 AS pip_slope_psi_h,
  100 * regr_slope(i_n, t) FILTER (WHERE run) * 3600 / nullif(avg(i_n), 0)
    AS current_slope_pct_h,
  min(pip) FILTER (WHERE run) AS pip_min_running,
  count(*) FILTER (WHERE run AND f < 0.97 * least(f_back, f_ahead)) AS dips
FROM s GROUP BY well_id, w ORDER BY well_id, w
"""


def window_features(store: TelemetryStore, wells: list[str], window: str = "1h",
                    start=None, end=None) -> pd.DataFrame:
    """One row per well and window that has accepted rows (archived rows included)."""
    width = WINDOWS[window]
    lo, hi = _ts(start), _ts(end)
    files = []
    for well in wells:
        files += _days(lo, hi, store.raw_dir / f"well={well}")
        files += _days(lo, hi, store.archive_dir / f"well={well}")
    if not files:
        return pd.DataFrame(columns=["well_id", "window_start", "rows"])
    clauses, params = [], [[str(f) for f in files]]
    if lo is not None:
        clauses.append("CAST(ts AS TIMESTAMPTZ) >= ?")
        params.append(lo.to_pydatetime())
    if hi is not None:
        clauses.append("CAST(ts AS TIMESTAMPTZ) < ?")
        params.append(hi.to_pydatetime())
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    con = cursor()
    try:
        frame = con.execute(FEATURE_SQL.format(width=width, where=where), params).df()
    finally:
        con.close()
    frame["window_start"] = pd.to_datetime(frame.pop("window_s"), unit="s", utc=True)
    return frame


def full_grid(features: pd.DataFrame, window: str) -> pd.DataFrame:
    """Every window from each well's first to last, with rows = 0 where none arrived."""
    if features.empty:
        return features
    step = pd.Timedelta(seconds=WINDOWS[window])
    parts = []
    for well, group in features.groupby("well_id", sort=True):
        grid = pd.date_range(group["window_start"].min(), group["window_start"].max(),
                             freq=step)
        parts.append(pd.DataFrame({"well_id": well, "window_start": grid}))
    grid = pd.concat(parts, ignore_index=True)
    out = grid.merge(features, on=["well_id", "window_start"], how="left")
    out["rows"] = out["rows"].fillna(0).astype(np.int64)
    out["starts"] = out["starts"].fillna(0).astype(np.int64)
    out["dips"] = out["dips"].fillna(0).astype(np.int64)
    return out
