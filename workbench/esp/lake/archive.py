"""``archive --older-than DAYS``: move raw partitions of days older than that into
``archive/raw/``. The archive stays readable (queries include it unless told not to); the
rollups are not touched; the duplicate check still sees archived rows."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

import pandas as pd
import pyarrow.parquet as pq

from workbench.core.errors import InvalidRequest
from workbench.esp.lake.layout import TelemetryStore


@dataclass
class ArchiveResult:
    cutoff_day: str
    partitions_moved: int
    rows_moved: int
    seconds: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def archive(store: TelemetryStore, older_than_days: int,
            now: pd.Timestamp | None = None) -> ArchiveResult:
    """Move raw partitions whose UTC day ends more than ``older_than_days`` days before now."""
    if older_than_days < 0:
        raise InvalidRequest(f"--older-than must be 0 or more days, not {older_than_days}")
    started = time.perf_counter()
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    cutoff = (now - pd.Timedelta(days=older_than_days)).strftime("%Y-%m-%d")
    moved = rows = 0
    with store.locked():
        number = store.next_batch()
        if store.raw_dir.is_dir():
            for well_dir in sorted(store.raw_dir.glob("well=*")):
                for day_dir in sorted(well_dir.glob("day=*")):
                    if day_dir.name.removeprefix("day=") >= cutoff:
                        continue
                    target = store.archive_dir / well_dir.name / day_dir.name
                    target.mkdir(parents=True, exist_ok=True)
                    for i, path in enumerate(sorted(day_dir.glob("*.parquet"))):
                        rows += pq.ParquetFile(path).metadata.num_rows
                        name = path.name if not (target / path.name).exists() else \
                            f"data-archived{number}-{i}.parquet"
                        os.replace(path, target / name)
                    day_dir.rmdir()
                    moved += 1
                if not any(well_dir.iterdir()):
                    well_dir.rmdir()
        result = ArchiveResult(cutoff, moved, rows, round(time.perf_counter() - started, 3))
        store.batches_dir.mkdir(exist_ok=True)
        (store.batches_dir / f"{number:06d}.json").write_text(
            __import__("json").dumps({"batch": number, "kind": "archive",
                                      **result.to_json()}))
    return result
