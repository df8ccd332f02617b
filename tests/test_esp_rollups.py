"""Rollups refreshed batch by batch equal rollups computed from everything at once; the
archive moves old raw partitions, stays readable, and leaves the rollups alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.esp_data import new_store, telemetry, write_csv
from workbench.esp.contract.readers import read_wells
from workbench.esp.contract.schema import METRICS
from workbench.esp.ingest.pipeline import ingest
from workbench.esp.lake import queries, rollups
from workbench.esp.lake.archive import archive
from workbench.esp.lake.layout import TelemetryStore
from workbench.esp.simulate.field import SimulationSpec, simulate, write


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    out = tmp_path_factory.mktemp("esp") / "sim"
    write(simulate(SimulationSpec(wells=3, days=3, seed=11)), out)
    return out


def _all(store, interval):
    frame = queries.rollup(store, interval, None)
    return frame.sort_values(["well_id", "bucket"], ignore_index=True)


def _full_refresh(store, interval: str) -> pd.DataFrame:
    """Rollups computed afresh from every raw row the store holds."""
    raw = queries.raw_rows(store, sorted(store.wells()["well_id"]))
    names = np.asarray(sorted(raw["well_id"].unique()))
    code = np.searchsorted(names, raw["well_id"].to_numpy())
    ts = raw["ts"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    table = rollups.compute(code, ts, {m: raw[m].to_numpy(float) for m in METRICS}, names,
                            interval)
    frame = queries.utc(table.to_pandas())
    for m in METRICS:  # the stored form: a one-row bucket's min, max and last are its mean
        for stat in rollups.FROM_MEAN:
            frame[f"{m}_{stat}"] = frame[f"{m}_{stat}"].fillna(frame[f"{m}_mean"])
    return frame.sort_values(["well_id", "bucket"], ignore_index=True)


def test_incremental_rollups_equal_a_full_refresh(field, tmp_path):
    rows = pd.concat([pd.read_parquet(p) for p in sorted((field / "telemetry").glob("*"))])
    wells = read_wells(field / "wells.csv")
    # the rows in nine shuffled batches: most rows arrive late, some twice
    step = TelemetryStore.open(tmp_path / "step", create=True)
    rng = np.random.default_rng(0)
    chunks = np.array_split(rng.permutation(len(rows)), 9)
    batches = tmp_path / "batches"
    batches.mkdir()
    late = 0
    for i, chunk in enumerate(chunks):
        part = rows.iloc[np.sort(chunk) if i % 2 else chunk]
        path = batches / f"b{i}.parquet"
        part.to_parquet(path)
        late += ingest(step, [path], wells if i == 0 else None).late
    assert late > 1000
    for interval in ("1min", "1h", "1d"):
        stored, fresh = _all(step, interval), _full_refresh(step, interval)
        assert len(stored) > 0
        pd.testing.assert_frame_equal(stored, fresh[stored.columns], check_exact=False,
                                      rtol=1e-9, check_dtype=False)
    # and a store fed the same rows in one batch holds the same hourly rollups wherever
    # the frozen check (which depends on arrival order) made no difference
    full = TelemetryStore.open(tmp_path / "full", create=True)
    ingest(full, [field / "telemetry"], wells)
    a, b = _all(full, "1h"), _all(step, "1h")
    both = a.merge(b, on=["well_id", "bucket"], suffixes=("", "_s"))
    same_rows = both[both["rows"] == both["rows_s"]]
    assert len(same_rows) > 0.9 * len(a)
    assert np.allclose(same_rows["flow_rate_bpd_mean"], same_rows["flow_rate_bpd_mean_s"])


def test_a_batch_touches_only_its_buckets(tmp_path):
    store = new_store(tmp_path)
    ingest(store, [write_csv(telemetry(n=180), tmp_path, "a.csv")])  # 00:00-03:00
    before = queries.rollup(store, "1min", ["W1"])
    extra = telemetry(n=1, start="2025-01-01T01:30:30")
    ingest(store, [write_csv(extra, tmp_path, "b.csv")])
    after = queries.rollup(store, "1min", ["W1"])
    changed = after.merge(before, on=["well_id", "bucket"], suffixes=("", "_b"))
    differs = changed[changed["rows"] != changed["rows_b"]]
    assert differs["bucket"].dt.strftime("%H:%M").tolist() == ["01:30"]


def test_rollup_statistics_from_accepted_values(tmp_path):
    store = new_store(tmp_path)
    frame = telemetry(n=3)
    frame["motor_current_a"] = [40.0, 60.0, 500.0]  # the third is out of range
    frame["ts"] = ["2025-01-01T00:00:10", "2025-01-01T00:00:50", "2025-01-01T00:00:30"]
    ingest(store, [write_csv(frame, tmp_path)])
    minute = queries.rollup(store, "1min", ["W1"]).iloc[0]
    assert minute["rows"] == 2 and minute["motor_current_a_count"] == 2
    assert minute["motor_current_a_mean"] == 50.0
    assert (minute["motor_current_a_min"], minute["motor_current_a_max"]) == (40.0, 60.0)
    assert minute["motor_current_a_last"] == 60.0  # the latest ts, not the last to arrive


def test_one_row_buckets_store_only_the_mean_and_read_in_full(tmp_path):
    import pyarrow.parquet as pq

    store = new_store(tmp_path)
    first = telemetry(n=2)
    first["motor_current_a"] = [40.0, 70.0]
    first["ts"] = ["2025-01-01T00:00:10", "2025-01-01T00:01:10"]  # one row in each minute
    ingest(store, [write_csv(first, tmp_path, "a.csv")])
    stored = pq.read_table(next(store.rollup_dir("1min").glob("day=*/*.parquet")),
                           partitioning=None).to_pandas()
    assert stored["rows"].tolist() == [1, 1]
    assert stored["motor_current_a_mean"].tolist() == [40.0, 70.0]
    for stat in ("min", "max", "last"):
        assert stored[f"motor_current_a_{stat}"].isna().all()
    minute = queries.rollup(store, "1min", ["W1"])
    assert minute["motor_current_a_min"].tolist() == [40.0, 70.0]
    assert minute["motor_current_a_max"].tolist() == [40.0, 70.0]
    assert minute["motor_current_a_last"].tolist() == [40.0, 70.0]
    # a later batch brings the first minute a second (earlier) row: it is stored in full
    second = telemetry(n=1)
    second["motor_current_a"] = [55.0]
    second["ts"] = ["2025-01-01T00:00:05"]
    ingest(store, [write_csv(second, tmp_path, "b.csv")])
    minute = queries.rollup(store, "1min", ["W1"]).iloc[0]
    assert minute["rows"] == 2 and minute["motor_current_a_mean"] == 47.5
    assert (minute["motor_current_a_min"], minute["motor_current_a_max"]) == (40.0, 55.0)
    assert minute["motor_current_a_last"] == 40.0  # 00:00:10 is later than 00:00:05
    stored = pq.read_table(next(store.rollup_dir("1min").glob("day=*/*.parquet")),
                           partitioning=None).to_pandas()
    assert stored["motor_current_a_min"].notna().tolist() == [True, False]


def test_archive_moves_old_partitions_keeps_them_readable_and_rollups_alone(field, tmp_path):
    store = TelemetryStore.open(tmp_path / "store", create=True)
    ingest(store, [field / "telemetry"], read_wells(field / "wells.csv"))
    raw_before = queries.raw_rows(store, ["W001"])
    hours_before = _all(store, "1h")
    # "now" is the third simulated day: the first day is older than one day
    result = archive(store, 1, now=pd.Timestamp("2025-01-03T12:00", tz="UTC"))
    assert result.partitions_moved == 3 and result.cutoff_day == "2025-01-02"
    assert not list((store.raw_dir).glob("well=*/day=2025-01-01/*.parquet"))
    assert len(list(store.archive_dir.glob("well=*/day=2025-01-01/*.parquet"))) == 3
    pd.testing.assert_frame_equal(queries.raw_rows(store, ["W001"]), raw_before)
    live = queries.raw_rows(store, ["W001"], include_archive=False)
    assert live["ts"].min() >= pd.Timestamp("2025-01-02", tz="UTC")
    pd.testing.assert_frame_equal(_all(store, "1h"), hours_before)
    # archived rows still count as stored: sending them again gives duplicates
    again = ingest(store, [field / "telemetry" / "W001.parquet"])
    assert again.rows_accepted == 0
