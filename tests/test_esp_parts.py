"""A batch is checked and written a part (a run of whole days) at a time. Checked a day at a
time, a batch must give the store exactly what checking it whole gives: frozen runs that
cross midnight or a day without rows, duplicates against the store, rows made late by rows of
a later day earlier in the file order, a frozen row's later copy, stored rows and look-back
days."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pandas.testing import assert_frame_equal

from tests.esp_data import new_store, telemetry, write_csv
from workbench.esp.contract.readers import Batch
from workbench.esp.ingest import pipeline
from workbench.esp.ingest.pipeline import ingest
from workbench.esp.lake import queries

FROZEN = {"flow_rate_bpd": 1500.0, "motor_current_a": 50.0, "pip_psi": 900.0}


def _equal(well: str, start: str, n: int) -> pd.DataFrame:
    frame = telemetry(well, start=start, n=n)
    for column, value in FROZEN.items():
        frame[column] = value
    return frame


def _sources(folder) -> tuple[list, list]:
    """The stored batch, then the batch under test (two files)."""
    stored = pd.concat([
        _equal("W1", "2025-01-01T23:20:00", 20),  # 20 equal rows before the batch's 50
        telemetry("W2", start="2025-01-01T11:00:00", n=1, seed=7),  # re-sent below
        telemetry("W3", start="2024-12-31T23:00:00", n=60, seed=8),  # a look-back day
    ])
    first = pd.concat([
        _equal("W1", "2025-01-01T23:40:00", 50),  # frozen from 23:50 on, across midnight
        _equal("W1", "2025-01-04T00:00:00", 5),  # after a day without rows: still frozen
        telemetry("W2", start="2025-01-02T00:00:00", n=10, seed=1),
        _equal("W3", "2025-01-01T00:00:00", 35),
    ], ignore_index=True)
    first = pd.concat([first, first.iloc[[97]], stored.iloc[[20]]],  # W3's frozen 33rd,
                      ignore_index=True)  # and W2's stored row again
    # late only by the rows of the next day that came before them in the files
    second = telemetry("W2", start="2025-01-01T12:00:00", n=10, seed=2)
    second = pd.concat([second, second.iloc[[3]]], ignore_index=True)  # a duplicate
    second.loc[len(second)] = {**second.iloc[0].to_dict(), "ts": "yesterday"}
    second.loc[len(second)] = {**second.iloc[1].to_dict(), "well_id": "W9"}
    second["pip_psi"] = second["pip_psi"].astype(object)
    second.loc[5, "pip_psi"] = ""
    for frame in (stored, first, second):  # a column beyond the contract, kept as read
        frame["operator_note"] = [f"n{i}" for i in range(len(frame))]
    return ([write_csv(stored, folder, "stored.csv")],
            [write_csv(first, folder, "first.csv"), write_csv(second, folder, "second.csv")])


def _ingest_in_parts(tmp_path, name: str, part_rows: int, monkeypatch):
    folder = tmp_path / name
    folder.mkdir()
    store = new_store(folder)
    stored, batch = _sources(folder)
    ingest(store, stored)
    monkeypatch.setattr(pipeline, "PART_ROWS", part_rows)
    said: list[str] = []
    result = ingest(store, batch, progress=said.append)
    return store, result, sum(m.startswith("part ") for m in said)


def _contents(store) -> dict[str, pd.DataFrame]:
    wells = ["W1", "W2", "W3"]
    found = {"raw": queries.raw_rows(store, wells),
             "quality": queries.quality(store, wells),
             "quarantine": queries.quarantine(store).drop(columns=["file"])}
    for interval in ("1min", "1h", "1d"):
        found[interval] = queries.rollup(store, interval, wells)
    return found


def test_a_batch_checked_a_day_at_a_time_stores_what_it_stores_checked_whole(
        tmp_path, monkeypatch):
    whole, whole_result, whole_parts = _ingest_in_parts(tmp_path, "whole", 10**9, monkeypatch)
    daily, daily_result, daily_parts = _ingest_in_parts(tmp_path, "daily", 1, monkeypatch)
    # the row without a readable ts, then 2025-01-01, 01-02 and 01-04
    assert whole_parts == 0 and daily_parts == 4
    rejected = whole_result.rejected_by_reason
    # the batch exercises what parts must carry over (see _sources)
    # W1: 40 of the 50 (20 stored before them) and the 5 after the empty day; W3: rows
    # 31-35 and the copy of 33
    assert rejected["frozen"] == 40 + 5 + 6 and rejected["duplicate"] == 2
    assert rejected["unparseable"] == 1 and rejected["unknown_well"] == 1
    assert whole_result.late == 10  # W2's 2025-01-01 rows, after its 01-02 rows
    for field in ("rows_in", "rows_accepted", "rows_rejected", "late", "rejected_by_reason",
                  "wells", "partitions_written"):
        assert getattr(daily_result, field) == getattr(whole_result, field), field
    got, expected = _contents(daily), _contents(whole)
    for part, frame in expected.items():
        assert len(frame), part
        assert_frame_equal(got[part].reset_index(drop=True), frame.reset_index(drop=True),
                           check_exact=True, obj=part)


@pytest.mark.parametrize("keys, size, expected", [
    ([3, 3, 1, 2, 2, 2], 2, [[2, 3, 4, 5], [0, 1]]),  # whole days, 2 rows or more
    ([5, 5, 5], 1, [[0, 1, 2]]),
    ([2, 0, 1], 1, [[1], [2], [0]]),  # in day order, each part's rows in batch order
    ([], 1, []),
])
def test_parts_are_whole_days_in_day_order(keys, size, expected):
    got = pipeline.parts(np.asarray(keys, np.int64), size)
    assert [list(p) for p in got] == expected


@pytest.mark.parametrize("alike", [True, False])
def test_a_parts_rows_are_the_batchs_rows(alike):
    """Rows taken chunk by chunk (every column chunked alike) or column by column (not)
    are the rows Arrow's own take gives."""
    rng = np.random.default_rng(3)
    sizes = [5, 0, 7, 3, 9]
    values = rng.normal(size=sum(sizes))
    bounds = np.cumsum([0, *sizes])
    chunked = pa.chunked_array([values[a:b] for a, b in itertools.pairwise(bounds)])
    other = pa.chunked_array([np.arange(len(values))]) if not alike else \
        pa.chunked_array([np.arange(a, b) for a, b in itertools.pairwise(bounds)])
    table = pa.table({"x": chunked, "y": other})
    batch = Batch(files=["f"], table=table, well_ids=pa.array(["W1"]),
                  well_index=np.zeros(len(values), np.int32),
                  ts_ns=np.zeros(len(values), np.int64), ts_bad=np.zeros(len(values), bool))
    for rows in (np.arange(len(values)), np.array([0, 1, 2, 6, 7, 8, 20, 23]),
                 np.array([4, 5]), np.array([], np.int64)):
        got = batch.take(rows)
        assert got.equals(table.take(pa.array(rows, pa.int64()))), rows
        assert batch.take(rows, ["y"]).column_names == ["y"]
