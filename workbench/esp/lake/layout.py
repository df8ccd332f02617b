"""Where everything lives in a telemetry store (a folder), and how a change is committed.

```
STORE/
  esp-store.json                      identity (a uuid the SQL store's records point to)
  wells.parquet                       the registry: well, field, feeder, nameplate, cadence
  raw/well=W/day=YYYY-MM-DD/*.parquet accepted rows (extra columns kept), one file a partition
  archive/raw/well=W/day=D/...        raw partitions moved by `archive` (still readable)
  rollups/1min/day=D/                 1-minute rollups of every well, a file per day
  rollups/1h/month=YYYY-MM/           1-hour rollups of every well, a file per month
  rollups/1d/year=YYYY/               daily rollups of every well, a file per year
                                      (a one-row bucket's min, max, last: null, see rollups)
  quality/data0.parquet               per well and UTC day: score, reject counts, longest gap
  quarantine/batch=N/data0.parquet    rejected rows as read, with file, row and reason
  batches/N.json                      what each batch did (the commit record)
```

Every file a batch writes is first written beside its final place under a hidden staged
name; only when all of them are written are they renamed into place (``os.replace``, atomic
per file) and ``batches/N.json`` written last.
A batch that fails before that leaves the store as it was. One writer at a time (a lock file).
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from workbench.core.errors import UserError
from workbench.esp.contract.schema import WELL_COLUMNS

MARKER = "esp-store.json"
INTERVALS = ("1min", "1h", "1d")
DATA_FILE = "data0.parquet"


class StoreMissing(UserError):
    """The folder is not a telemetry store (yet)."""


@dataclass(frozen=True)
class TelemetryStore:
    root: Path

    @classmethod
    def open(cls, path: Path | str, create: bool = False) -> TelemetryStore:
        """An existing store; with ``create``, a new one where the folder is empty or absent."""
        root = Path(path)
        marker = root / MARKER
        if marker.is_file():
            return cls(root.resolve())
        if not create:
            raise StoreMissing(f"{root}: not an ESP telemetry store (no {MARKER}); "
                               "`workbench esp ingest SRC --into STORE --wells WELLS.csv` "
                               "creates one")
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise StoreMissing(f"{root}: exists and is not an ESP telemetry store; give an "
                               "empty or new folder")
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"format": 1, "id": str(uuid.uuid4()),
                                      "created_at": datetime.now(UTC).isoformat()}))
        return cls(root.resolve())

    @property
    def store_id(self) -> str:
        return json.loads((self.root / MARKER).read_text())["id"]

    # --- places -------------------------------------------------------------------------
    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive" / "raw"

    def rollup_dir(self, interval: str) -> Path:
        return self.root / "rollups" / interval

    @property
    def quality_file(self) -> Path:
        return self.root / "quality" / DATA_FILE

    @property
    def wells_file(self) -> Path:
        return self.root / "wells.parquet"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def batches_dir(self) -> Path:
        return self.root / "batches"

    # --- the registry ---------------------------------------------------------------------
    def wells(self) -> pd.DataFrame:
        if not self.wells_file.is_file():
            return pd.DataFrame({c: pd.Series(dtype="float64" if k == "float64" else object)
                                 for c, k in WELL_COLUMNS.items()})
        return pd.read_parquet(self.wells_file)

    # --- batches ----------------------------------------------------------------------------
    def batches(self) -> list[dict]:
        if not self.batches_dir.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(self.batches_dir.glob("*.json"))]

    def next_batch(self) -> int:
        done = [int(p.stem) for p in self.batches_dir.glob("*.json")] \
            if self.batches_dir.is_dir() else []
        return max(done, default=0) + 1

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time: ingest and archive hold this lock."""
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError(f"{self.root}: another ingest or archive is writing to this "
                                "store; try again when it has finished") from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def staging(self, batch: int) -> Iterator[Staging]:
        """New files are written beside their final place under a staged name; :meth:`commit`
        renames them into place. On an error they are removed and the store is as it was."""
        staging = Staging(batch)
        try:
            yield staging
        except BaseException:
            staging.discard()
            raise

    def commit(self, staging: Staging, record: dict, remove: Iterable[Path] = ()) -> None:
        """Rename every staged file into place, drop ``remove``, then write the batch record."""
        for staged, final in staging.files:
            os.replace(staged, final)
        staging.files.clear()
        for path in remove:
            path.unlink(missing_ok=True)
        self.batches_dir.mkdir(exist_ok=True)
        tmp = self.batches_dir / f".{record['batch']}.json"
        tmp.write_text(json.dumps(record, indent=1, default=str))
        os.replace(tmp, self.batches_dir / f"{int(record['batch']):06d}.json")


@dataclass
class Staging:
    """Files written for one batch, each under a name readers ignore until the commit.

    (Folders are created in place and never removed: on this kind of disk removing a folder
    costs milliseconds, and an empty partition folder is harmless to every reader.)"""

    batch: int
    files: list[tuple[Path, Path]] = field(default_factory=list)

    def path(self, final: Path) -> Path:
        final.parent.mkdir(parents=True, exist_ok=True)
        staged = final.with_name(f".{final.name}.staged-{self.batch}")
        self.files.append((staged, final))
        return staged

    def discard(self) -> None:
        for staged, _ in self.files:
            staged.unlink(missing_ok=True)
        self.files.clear()
