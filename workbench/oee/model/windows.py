"""Reporting windows: shifts from the calendar, local days, ISO weeks, months, or all time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd


class Window(StrEnum):
    shift = "shift"
    day = "day"
    week = "week"
    month = "month"
    all = "all"


_FREQ = {Window.day: "D", Window.week: "W-MON", Window.month: "MS"}


def calendar_boundaries(lo_us: int, hi_us: int, window: Window, timezone: str) -> np.ndarray:
    """Local period starts (as UTC microseconds) from the one holding ``lo_us`` to past ``hi_us``.

    Built from naive local dates, then placed in the time zone, so a day across a DST change
    is 23 or 25 hours long, as the plant's clock says.
    """
    lo = pd.Timestamp(int(lo_us), unit="us", tz="UTC").tz_convert(timezone).tz_localize(None)
    hi = pd.Timestamp(int(hi_us), unit="us", tz="UTC").tz_convert(timezone).tz_localize(None)
    first = lo.normalize()
    if window is Window.week:
        first -= pd.Timedelta(days=first.day_of_week)
    elif window is Window.month:
        first = first.replace(day=1)
    last = hi.normalize() + pd.DateOffset(months=1, days=8)  # safely past the end
    naive = pd.date_range(first, last, freq=_FREQ[window])
    local = naive.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return local.tz_convert("UTC").as_unit("us").asi8


def iso_local(start_us: np.ndarray, timezone: str) -> np.ndarray:
    """ISO 8601 local timestamps with their offset (2024-03-01T06:00:00+01:00)."""
    if len(start_us) <= _FEW:
        # a dashboard's few rows: plain datetimes beat pandas' fixed cost per call
        zone = ZoneInfo(timezone)
        return np.array([(_EPOCH + timedelta(microseconds=int(us))).astimezone(zone)
                         .isoformat(timespec="seconds") for us in start_us], dtype=object)
    local = pd.DatetimeIndex(pd.to_datetime(np.asarray(start_us), unit="us", utc=True))
    text = pd.Series(local.tz_convert(timezone).strftime("%Y-%m-%dT%H:%M:%S%z"))
    # one string per window, not per event: a vectorised str op is plenty
    return (text.str[:-2] + ":" + text.str[-2:]).to_numpy(dtype=object)


_FEW = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_date(start_us: np.ndarray, timezone: str) -> np.ndarray:
    """The local calendar date of each instant, as YYYY-MM-DD."""
    local = pd.DatetimeIndex(pd.to_datetime(np.asarray(start_us), unit="us", utc=True))
    return local.tz_convert(timezone).strftime("%Y-%m-%d").to_numpy(dtype=object)
