"""Rollups at 1min, 1h and 1d: count, mean, min, max and last of every metric per well and UTC
bucket, from accepted values only, computed with segment reductions over rows sorted by well
and time (numpy ``reduceat``: one pass per statistic, no loop over rows or groups).

``rows`` is the number of accepted rows in the bucket; ``<metric>_count`` counts the rows
where that metric is present. ``last`` is the value at the latest ts in the bucket (not the
last to arrive), so late rows land where they belong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from workbench.esp.contract.schema import METRICS

WIDTH_NS = {"1min": 60 * 10**9, "1h": 3600 * 10**9, "1d": 86_400 * 10**9}
STATS = ("count", "mean", "min", "max", "last")
DAY_NS = WIDTH_NS["1d"]


def rollup_columns() -> list[str]:
    return ["well_id", "bucket", "rows",
            *[f"{m}_{s}" for m in METRICS for s in STATS]]


def segments(code: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal (code, key) in arrays sorted by them."""
    n = len(code)
    start = np.ones(n, bool)
    start[1:] = (code[1:] != code[:-1]) | (key[1:] != key[:-1])
    return np.flatnonzero(start)


def compute(code: np.ndarray, ts: np.ndarray, metrics: dict[str, np.ndarray],
            names: np.ndarray, interval: str,
            part: Callable[[np.ndarray], np.ndarray] | None = None) -> pa.Table:
    """The rollup rows of every bucket present. Arrays must be sorted by (code, ts).

    With ``part`` (bucket ns -> partition number), the rows come out ordered by (partition,
    well, bucket), as the writer needs them; the reordering is done on the numpy results,
    before any Arrow table exists (an Arrow ``take`` of the finished table cost more)."""
    width = WIDTH_NS[interval]
    if len(code) == 0:
        return empty_table()
    bucket = (ts // width) * width
    starts = segments(code, bucket)
    n_seg = len(starts)
    rows = np.diff(np.append(starts, len(code)))
    order = None
    if part is not None:
        p = part(bucket[starts])
        if len(p) > 1 and np.any(p[1:] < p[:-1]):
            # stable: within a partition, segments stay in (well, bucket) order
            order = np.argsort(p, kind="stable")
    pick = (lambda a: a) if order is None else (lambda a: a[order])
    seg_code = pick(code[starts])
    columns: dict[str, object] = {
        "well_id": pa.DictionaryArray.from_arrays(
            pa.array(seg_code.astype(np.int32)), pa.array(names)).cast(pa.string()),
        "bucket": pa.array(pick(bucket[starts]), pa.timestamp("ns", "UTC")),
        "rows": pa.array(pick(rows.astype(np.int64)))}
    single = n_seg == len(code)  # one row a bucket (1min at 60 s): the values are the stats
    index = None if single else np.arange(len(code))
    for name in METRICS:
        values = metrics[name]
        valid = ~np.isnan(values)
        if single:
            count = valid.astype(np.int64)
            mean = low = high = last = values
        else:
            count = np.add.reduceat(valid.astype(np.int64), starts)
            total = np.add.reduceat(np.where(valid, values, 0.0), starts)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
            low = np.fmin.reduceat(values, starts)
            high = np.fmax.reduceat(values, starts)
            last_at = np.maximum.reduceat(np.where(valid, index, -1), starts)
            last = np.where(last_at >= 0, values[np.maximum(last_at, 0)], np.nan)
        columns[f"{name}_count"] = pa.array(pick(count))
        for stat, data in (("mean", mean), ("min", low), ("max", high), ("last", last)):
            columns[f"{name}_{stat}"] = pa.array(pick(data), from_pandas=True)
    return pa.table(columns)


def schema() -> pa.Schema:
    fields = [pa.field("well_id", pa.string()), pa.field("bucket", pa.timestamp("ns", "UTC")),
              pa.field("rows", pa.int64())]
    for name in METRICS:
        for stat in STATS:
            fields.append(pa.field(f"{name}_{stat}",
                                   pa.int64() if stat == "count" else pa.float64()))
    return pa.schema(fields)


def empty_table() -> pa.Table:
    return schema().empty_table()
