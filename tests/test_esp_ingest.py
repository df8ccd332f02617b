"""Ingestion: every reject reason of the spec in its order, the quarantine read back with file,
row and column, late rows, quality scores, and nothing stored when a source is unreadable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.esp_data import new_store, telemetry, write_csv
from workbench.esp.contract.readers import ReadError
from workbench.esp.contract.schema import RANGES
from workbench.esp.ingest import pipeline
from workbench.esp.ingest.pipeline import ingest
from workbench.esp.lake import queries


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)


def run(store, frame, folder, name="batch.csv"):
    return ingest(store, [write_csv(frame, folder, name)])


def test_a_clean_batch_is_accepted_whole(store, tmp_path):
    result = run(store, telemetry(n=30), tmp_path)
    assert (result.rows_in, result.rows_accepted, result.rows_rejected) == (30, 30, 0)
    assert sum(result.rejected_by_reason.values()) == 0
    raw = queries.raw_rows(store, ["W1"])
    assert len(raw) == 30 and raw["ts"].is_monotonic_increasing


@pytest.mark.parametrize("column, value", [("well_id", ""), ("ts", ""), ("ts", "yesterday"),
                                           ("ts", "2025-13-01T00:00:00"),
                                           ("pip_psi", "12a"), ("torque_nm", "n/a")])
def test_unparseable(store, tmp_path, column, value):
    frame = telemetry(n=5)
    frame[column] = frame[column].astype(object)
    frame.loc[2, column] = value
    result = run(store, frame, tmp_path)
    assert result.rejected_by_reason["unparseable"] == 1 and result.rows_accepted == 4
    bad = queries.quarantine(store)
    assert list(bad["reason"]) == ["unparseable"]
    assert int(bad["row"].iloc[0]) == 4  # the CSV line: the header is line 1
    assert bad["column"].iloc[0] == column
    assert bad["file"].iloc[0].endswith("batch.csv")


def test_a_blank_metric_is_missing_not_zero(store, tmp_path):
    frame = telemetry(n=3)
    frame["pip_psi"] = frame["pip_psi"].astype(object)
    frame.loc[1, "pip_psi"] = ""
    assert run(store, frame, tmp_path).rows_accepted == 3
    hour = queries.rollup(store, "1h", ["W1"])
    assert hour["rows"].iloc[0] == 3 and hour["pip_psi_count"].iloc[0] == 2
    assert hour["pip_psi_min"].iloc[0] == 900.0  # not 0


def test_unknown_well(store, tmp_path):
    frame = telemetry(n=4)
    frame.loc[1, "well_id"] = "W99"
    result = run(store, frame, tmp_path)
    assert result.rejected_by_reason["unknown_well"] == 1
    assert queries.quarantine(store)["column"].tolist() == ["well_id"]


def test_unparseable_is_checked_before_unknown_well(store, tmp_path):
    frame = telemetry(n=2)
    frame.loc[0, "well_id"] = "W99"
    frame.loc[0, "ts"] = "garbage"
    assert run(store, frame, tmp_path).rejected_by_reason["unparseable"] == 1


def test_duplicate_within_a_batch_and_against_the_store(store, tmp_path):
    frame = telemetry(n=5)
    doubled = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    first = run(store, doubled, tmp_path, "a.csv")
    assert first.rejected_by_reason["duplicate"] == 1 and first.rows_accepted == 5
    again = run(store, frame, tmp_path, "b.csv")
    assert again.rejected_by_reason["duplicate"] == 5 and again.rows_accepted == 0
    assert len(queries.raw_rows(store, ["W1"])) == 5


def test_an_earlier_rejected_copy_does_not_make_a_duplicate(store, tmp_path):
    frame = telemetry(n=3)
    bad = frame.iloc[[1]].assign(pip_psi=-1.0)  # same key, out of range: not accepted
    result = run(store, pd.concat([bad, frame], ignore_index=True), tmp_path)
    assert result.rejected_by_reason == {"unparseable": 0, "unknown_well": 0, "duplicate": 0,
                                         "out_of_range": 1, "frozen": 0}
    assert result.rows_accepted == 3


def test_duplicate_is_checked_before_out_of_range(store, tmp_path):
    frame = telemetry(n=3)
    copy = frame.iloc[[1]].assign(pip_psi=-1.0)
    result = run(store, pd.concat([frame, copy], ignore_index=True), tmp_path)
    assert result.rejected_by_reason["duplicate"] == 1
    assert result.rejected_by_reason["out_of_range"] == 0


@pytest.mark.parametrize("column", list(RANGES))
def test_out_of_range_bounds_are_inclusive(store, tmp_path, column):
    lo, hi = RANGES[column]
    frame = telemetry(n=4)
    frame[column] = [lo, hi, lo - 0.01, hi + 0.01]
    result = run(store, frame, tmp_path)
    assert result.rejected_by_reason["out_of_range"] == 2 and result.rows_accepted == 2
    bad = queries.quarantine(store)
    assert bad["column"].tolist() == [column, column]
    assert bad["row"].tolist() == [4, 5]


def _frozen(n, vsd=55.0, start="2025-01-01T00:00:00"):
    frame = telemetry(n=n, start=start)
    frame["flow_rate_bpd"] = 1500.0
    frame["vsd_frequency_hz"] = vsd
    return frame


def test_frozen_after_thirty_equal_accepted_rows_while_running(store, tmp_path):
    result = run(store, _frozen(40), tmp_path)
    # rows 1-30 have fewer than 30 equal rows before them; rows 31-40 are frozen
    assert result.rejected_by_reason["frozen"] == 10 and result.rows_accepted == 30
    assert queries.quarantine(store)["row"].min() == 32  # CSV line of the 31st row


def test_not_frozen_while_the_vsd_is_stopped(store, tmp_path):
    assert run(store, _frozen(40, vsd=0.0), tmp_path).rejected_by_reason["frozen"] == 0


def test_frozen_counts_the_rows_already_stored(store, tmp_path):
    frame = _frozen(40)
    assert run(store, frame.iloc[:20], tmp_path, "a.csv").rows_accepted == 20
    result = run(store, frame.iloc[20:], tmp_path, "b.csv")
    assert result.rejected_by_reason["frozen"] == 10


def test_a_value_that_changes_resets_the_frozen_run(store, tmp_path):
    frame = _frozen(40)
    frame.loc[20, "pip_psi"] = 901.0
    assert run(store, frame, tmp_path).rejected_by_reason["frozen"] == 0


def test_late_rows_are_accepted_counted_and_update_their_buckets(store, tmp_path):
    frame = telemetry(n=120)  # two hours
    run(store, frame.iloc[60:], tmp_path, "a.csv")
    before = queries.rollup(store, "1h", ["W1"])
    assert len(before) == 1
    late = run(store, frame.iloc[:60], tmp_path, "b.csv")
    assert late.late == 60 and late.rows_accepted == 60
    after = queries.rollup(store, "1h", ["W1"])
    assert after["rows"].tolist() == [60, 60]
    assert after.iloc[1].equals(before.iloc[0])  # the second hour was not disturbed
    assert queries.quality(store, ["W1"])["late"].iloc[0] == 60


def test_out_of_order_rows_within_a_batch_are_late(store, tmp_path):
    frame = telemetry(n=5).iloc[[0, 2, 1, 3, 4]]
    assert run(store, frame, tmp_path).late == 1


def test_quality_score_counts_and_longest_gap(store, tmp_path):
    frame = telemetry(n=720)  # half a day at 60 s
    frame = frame.drop(index=range(100, 130))  # a 31-minute hole
    frame = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)  # one duplicate
    run(store, frame, tmp_path)
    q = queries.quality(store, ["W1"]).iloc[0]
    assert q["rows_accepted"] == 690 and q["rows_expected"] == 1440
    assert q["score"] == pytest.approx(690 / 1440)
    assert q["rejected_duplicate"] == 1
    # the last row is at 11:59, so the day's longest gap runs from it to midnight
    assert q["longest_gap_min"] == pytest.approx(12 * 60 + 1)


def test_quality_is_capped_at_one(store, tmp_path):
    run(store, telemetry(n=2880, step_s=30), tmp_path)
    assert queries.quality(store, ["W1"])["score"].iloc[0] == 1.0


def test_parquet_with_typed_columns_and_extras(store, tmp_path):
    frame = telemetry(n=6)
    frame["ts"] = pd.to_datetime(frame["ts"]).dt.tz_localize("UTC")
    frame["crew"] = "night"
    frame.loc[2, "motor_current_a"] = np.nan
    path = tmp_path / "batch.parquet"
    frame.to_parquet(path)
    result = ingest(store, [path])
    assert result.rows_accepted == 6
    raw = queries.raw_rows(store, ["W1"])
    assert raw["crew"].tolist() == ["night"] * 6  # extra columns are kept


def test_offsets_and_naive_times_are_utc(store, tmp_path):
    frame = telemetry(n=2)
    frame["ts"] = ["2025-01-01T05:30:00+05:30", "2025-01-01T00:01:00"]
    run(store, frame, tmp_path)
    stamps = queries.raw_rows(store, ["W1"])["ts"].dt.strftime("%H:%M").tolist()
    assert stamps == ["00:00", "00:01"]


def test_an_unreadable_source_stores_nothing(store, tmp_path):
    good = write_csv(telemetry(n=5), tmp_path, "good.csv")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(ReadError, match=r"broken\.parquet"):
        ingest(store, [good, broken])
    missing = write_csv(telemetry(n=5).drop(columns=["pip_psi"]), tmp_path, "short.csv")
    with pytest.raises(ReadError, match="column pip_psi missing"):
        ingest(store, [missing])
    assert queries.raw_rows(store, ["W1"]).empty
    assert not list(store.root.rglob(".*staged*"))
    assert len(store.batches()) == 1  # only the registration


def test_a_write_failing_in_a_writer_thread_stores_nothing(store, tmp_path, monkeypatch):
    """Raw and rollup files are written by threads; one failing leaves the store as it was."""
    run(store, telemetry(n=30), tmp_path, "first.csv")
    before = sorted(p.relative_to(store.root) for p in store.root.rglob("*") if p.is_file())
    real = pipeline.pq.write_table

    def failing(table, where, **options):
        if "rollups" in str(where) and "1h" in str(where):
            raise OSError("disk full")
        return real(table, where, **options)

    monkeypatch.setattr(pipeline.pq, "write_table", failing)
    later = telemetry(start="2025-01-01T01:00:00", n=30, seed=1)
    next_day = telemetry(start="2025-01-02T01:00:00", n=30, seed=2)  # a new raw folder
    with pytest.raises(OSError, match="disk full"):
        run(store, pd.concat([later, next_day]), tmp_path, "second.csv")
    after = sorted(p.relative_to(store.root) for p in store.root.rglob("*") if p.is_file())
    assert after == before
    # the raw folders made while the rows were checked are removed again
    assert not (store.raw_dir / "well=W1" / "day=2025-01-02").exists()
    assert len(queries.raw_rows(store, ["W1"])) == 30


def test_frozen_rerun_of_one_well_leaves_the_others_as_checked(store, tmp_path):
    """W1's frozen row has a later copy (accepted on the re-run); W2's duplicate stays one."""
    w1 = telemetry("W1", n=40)
    w1.loc[:, ["flow_rate_bpd", "motor_current_a", "pip_psi"]] = [1500.0, 50.0, 900.0]
    w1 = pd.concat([w1, w1.iloc[[35]]], ignore_index=True)  # a copy of a frozen row
    w2 = telemetry("W2", n=10, seed=3)
    w2 = pd.concat([w2, w2.iloc[[4]]], ignore_index=True)
    result = run(store, pd.concat([w1, w2], ignore_index=True), tmp_path)
    assert result.rejected_by_reason["frozen"] == 11  # rows 30-39 of W1, and the copy of 35
    assert result.rejected_by_reason["duplicate"] == 1  # W2's copy
    assert len(queries.raw_rows(store, ["W2"])) == 10


def test_a_well_day_with_every_row_rejected_leaves_no_raw_folder(tmp_path):
    store = new_store(tmp_path)
    bad = telemetry(well="W2", n=3)
    bad["motor_current_a"] = 500.0  # out of range: every row rejected
    good = telemetry(well="W1", n=3)
    result = ingest(store, [write_csv(pd.concat([good, bad]), tmp_path)])
    assert result.rows_rejected == 3 and result.rows_accepted == 3
    assert (store.raw_dir / "well=W1").is_dir()
    assert not (store.raw_dir / "well=W2").exists()
