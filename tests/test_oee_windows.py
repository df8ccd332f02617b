"""Windows in the plant's time zone: local days across a DST change, ISO weeks, unnamed
shifts, and naive timestamps read as local time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.oee_data import data_from
from workbench.oee.kpis import compute_kpis
from workbench.oee.model.windows import Window


def _continuous(start: str, end: str, timezone: str = "Europe/Berlin"):
    return {
        "machines": [{"machine_id": "m", "line_id": "L"}],
        "ideal_rates": [{"machine_id": "m", "product_id": "p", "ideal_cycle_time_s": 60}],
        "calendar": [{"machine_id": "m", "start": start, "end": end, "kind": "shift"}],
        "state_events": [{"machine_id": "m", "start": start, "end": end, "state": "running"}],
        "counts": [],
        "settings": [{"key": "timezone", "value": timezone}],
    }


def test_local_days_across_the_spring_dst_change():
    data = data_from(_continuous("2024-03-30T00:00:00", "2024-04-02T00:00:00"))
    rows = compute_kpis(data, ["machine_id"], Window.day)["rows"]
    assert [(r["window_label"], r["pbt_min"]) for r in rows] == [
        ("2024-03-30", 1440), ("2024-03-31", 1380), ("2024-04-01", 1440)]
    assert [r["window_start"] for r in rows] == [
        "2024-03-30T00:00:00+01:00", "2024-03-31T00:00:00+01:00", "2024-04-01T00:00:00+02:00"]


def test_weeks_start_on_monday_and_months_on_the_first():
    data = data_from(_continuous("2024-02-28T12:00:00", "2024-03-05T12:00:00", "UTC"))
    weeks = compute_kpis(data, [], Window.week)["rows"]
    assert [(r["window_label"], r["pbt_min"]) for r in weeks] == [
        ("2024-02-26", 4.5 * 1440), ("2024-03-04", 1.5 * 1440)]
    months = compute_kpis(data, [], Window.month)["rows"]
    assert [(r["window_label"], r["pbt_min"]) for r in months] == [
        ("2024-02-01", 1.5 * 1440), ("2024-03-01", 4.5 * 1440)]


def test_an_unnamed_shift_is_named_by_its_local_start():
    data = data_from(_continuous("2024-07-01T06:00:00", "2024-07-01T14:00:00"))
    [row] = compute_kpis(data, ["machine_id"], Window.shift)["rows"]
    assert row["window_label"] == "2024-07-01T06:00:00+02:00"


def test_offsets_are_taken_as_they_are():
    naive = data_from(_continuous("2024-07-01T06:00:00", "2024-07-01T14:00:00"))
    aware = data_from(_continuous("2024-07-01T04:00:00Z", "2024-07-01T12:00:00+00:00"))
    for data in (naive, aware):
        [row] = compute_kpis(data, ["machine_id"], Window.day)["rows"]
        assert (row["window_label"], row["pbt_min"]) == ("2024-07-01", pytest.approx(480))


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata",
                                  "Australia/Lord_Howe", "UTC", "America/St_Johns"])
def test_iso_local_gives_the_same_text_on_its_few_row_and_many_row_paths(zone):
    from workbench.oee.model import windows

    # every 37 minutes over two years: both DST changes each year, and half-hour offsets
    start = int(pd.Timestamp("2023-01-01", tz="UTC").value // 1000)
    step = 37 * 60 * 1_000_000
    many = start + step * np.arange(2 * 365 * 24 * 60 // 37, dtype=np.int64)
    assert len(many) > windows._FEW
    vectorised = windows.iso_local(many, zone)
    for chunk in np.array_split(many, len(many) // (windows._FEW // 2)):
        assert len(chunk) <= windows._FEW
        lo = int(np.searchsorted(many, chunk[0]))
        assert list(windows.iso_local(chunk, zone)) == list(vectorised[lo:lo + len(chunk)])
    assert vectorised[0].startswith(("2023-01-01T", "2022-12-31T"))
