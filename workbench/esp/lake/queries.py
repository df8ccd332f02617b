"""Reading the telemetry store through DuckDB: raw rows, rollups, quality, quarantine.

Only the partition files a query needs are handed to DuckDB (by well, day, month or year), so
a dashboard's question reads a few files whatever the size of the store.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from workbench.esp.contract.schema import METRICS, REASONS
from workbench.esp.lake.layout import TelemetryStore
from workbench.esp.lake.rollups import FROM_MEAN, rollup_columns

QUALITY_OUT = ["well_id", "day", "score", "rows_accepted", "rows_expected",
               *[f"rejected_{r}" for r in REASONS], "late", "longest_gap_min"]


_BASE: tuple[int, duckdb.DuckDBPyConnection] | None = None
_BASE_LOCK = threading.Lock()


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's in-memory DuckDB. Opening a database costs about 30 ms,
    more than a dashboard query itself; a cursor costs under 1 ms (one per query, since a
    connection may not be shared between threads)."""
    global _BASE
    with _BASE_LOCK:
        if _BASE is None or _BASE[0] != os.getpid():  # never reuse one across a fork
            _BASE = (os.getpid(), duckdb.connect())
        con = _BASE[1].cursor()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _ts(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _days(start: pd.Timestamp | None, end: pd.Timestamp | None, folder: Path) -> list[Path]:
    """Day partitions of one well's folder within [start, end]."""
    if not folder.is_dir():
        return []
    found = []
    lo = start.strftime("%Y-%m-%d") if start is not None else ""
    hi = end.strftime("%Y-%m-%d") if end is not None else "9999"
    for part in folder.iterdir():
        day = part.name.removeprefix("day=")
        if lo <= day <= hi:
            found += part.glob("*.parquet")
    return sorted(found)


def _frame(files: list[Path], sql: str, params: list, empty: list[str]) -> pd.DataFrame:
    if not files:
        return pd.DataFrame(columns=empty)
    con = cursor()
    try:
        frame = con.execute(sql.replace("$files", "read_parquet(?, union_by_name=true, "
                                                  "hive_partitioning=false)"),
                            [[str(f) for f in files], *params]).df()
    finally:
        con.close()
    return utc(frame)


def utc(frame: pd.DataFrame) -> pd.DataFrame:
    """Every datetime column as UTC-aware (DuckDB hands some back naive)."""
    for col in frame.columns:
        if str(frame[col].dtype).startswith("datetime64"):
            series = frame[col]
            frame[col] = series.dt.tz_localize("UTC") if series.dt.tz is None else \
                series.dt.tz_convert("UTC")
    return frame


def raw_rows(store: TelemetryStore, wells: list[str], start=None, end=None,
             include_archive: bool = True) -> pd.DataFrame:
    """Accepted rows of some wells in [start, end), archived ones included by default."""
    lo, hi = _ts(start), _ts(end)
    files: list[Path] = []
    for well in wells:
        files += _days(lo, hi, store.raw_dir / f"well={well}")
        if include_archive:
            files += _days(lo, hi, store.archive_dir / f"well={well}")
    where, params = _between("ts", lo, hi)
    return _frame(files, f"SELECT * FROM $files {where} ORDER BY well_id, ts", params,
                  ["well_id", "ts", *METRICS])


def _between(column: str, lo, hi) -> tuple[str, list]:
    clauses, params = [], []
    if lo is not None:
        clauses.append(f"CAST({column} AS TIMESTAMPTZ) >= ?")
        params.append(lo.to_pydatetime())
    if hi is not None:
        clauses.append(f"CAST({column} AS TIMESTAMPTZ) < ?")
        params.append(hi.to_pydatetime())
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _wells_in(wells: list[str]) -> tuple[str, list]:
    """``well_id IN (?, ...)``: unlike list_contains, DuckDB prunes row groups with it by the
    Parquet files' min/max statistics of the (sorted) well_id column."""
    if not wells:
        return "FALSE", []
    return f"well_id IN ({', '.join('?' * len(wells))})", list(wells)


def rollup(store: TelemetryStore, interval: str, wells: list[str] | None, start=None,
           end=None) -> pd.DataFrame:
    """Rollup rows of ``interval`` for some wells (None: every well) in [start, end)."""
    lo, hi = _ts(start), _ts(end)
    base = store.rollup_dir(interval)
    files: list[Path] = []
    if interval == "1min":
        files += _days(lo, hi, base)
    else:
        key = "month=" if interval == "1h" else "year="
        width = 7 if interval == "1h" else 4
        low = lo.strftime("%Y-%m")[:width] if lo is not None else ""
        high = hi.strftime("%Y-%m")[:width] if hi is not None else "9999"
        if base.is_dir():
            for part in sorted(base.iterdir()):
                value = part.name.removeprefix(key)
                if low <= value <= high:
                    files += part.glob("*.parquet")
    where, params = _between("bucket", lo, hi)
    if wells is not None:
        clause, names = _wells_in(list(wells))
        where += (" AND " if where else "WHERE ") + clause
        params += names
    return _frame(files, f"SELECT {_ROLLUP_SELECT} FROM $files {where} "
                         "ORDER BY well_id, bucket", params, rollup_columns())


def _stored_form(column: str) -> str:
    """A one-row bucket's min, max and last are stored as nulls: they are its mean."""
    metric, _, stat = column.rpartition("_")
    if stat in FROM_MEAN and metric in METRICS:
        return f"COALESCE({column}, {metric}_mean) AS {column}"
    return column


_ROLLUP_SELECT = ", ".join(_stored_form(c) for c in rollup_columns())


def quality(store: TelemetryStore, wells: list[str] | None = None, first_day: str | None = None,
            last_day: str | None = None) -> pd.DataFrame:
    """Quality rows per well and UTC day, days as YYYY-MM-DD text, optionally within
    [first_day, last_day]."""
    if not store.quality_file.is_file():
        return pd.DataFrame(columns=QUALITY_OUT)
    clauses, params = [], []
    if wells is not None:
        clause, params = _wells_in(list(wells))
        clauses.append(clause)
    for op, day in ((">=", first_day), ("<=", last_day)):
        if day is not None:
            clauses.append(f"CAST(day AS DATE) {op} CAST(? AS DATE)")
            params.append(str(day))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    # the day is formatted by DuckDB: pandas' strftime cost more than the query on a year
    columns = ", ".join("strftime(CAST(day AS DATE), '%Y-%m-%d') AS day" if c == "day" else c
                        for c in QUALITY_OUT)
    return _frame([store.quality_file], f"SELECT {columns} FROM $files {where} "
                  "ORDER BY well_id, day", params, QUALITY_OUT)


def quarantine(store: TelemetryStore, batch: int | None = None,
               wells: list[str] | None = None) -> pd.DataFrame:
    """Rejected rows as read, with batch, file, row, reason and the column to look at."""
    base = store.quarantine_dir
    files = sorted(base.glob(f"batch={batch if batch is not None else '*'}/*.parquet")) \
        if base.is_dir() else []
    where, params = "", []
    if wells is not None:
        clause, params = _wells_in(list(wells))
        where = f"WHERE {clause}"
    return _frame(files, f"SELECT * FROM $files {where} ORDER BY batch, file, row", params,
                  ["batch", "file", "row", "reason", "column"])


def field_overview(store: TelemetryStore, wells: list[str], days: int = 30,
                   end=None) -> pd.DataFrame:
    """Daily rollups of many wells over the last ``days`` days: the field page's table."""
    hi = _ts(end) if end is not None else None
    if hi is None:
        newest = rollup(store, "1d", wells)
        if newest.empty:
            return newest
        hi = pd.Timestamp(newest["bucket"].max()) + pd.Timedelta(days=1)
        hi = hi.tz_localize("UTC") if hi.tzinfo is None else hi
    lo = hi - pd.Timedelta(days=days)
    return rollup(store, "1d", wells, lo, hi)


__all__ = ["field_overview", "np", "quality", "quarantine", "raw_rows", "rollup"]
