"""An engineer's handle on ESP telemetry, for notebooks, the report and the dashboard::

    from workbench.esp import EspWorkspace
    ws = EspWorkspace.connect()                        # WORKBENCH_DB_URL or ./workbench.db
    ws.ingest(["sim/telemetry"], "build/esp", wells="sim/wells.csv")
    field = ws.telemetry("build/esp")
    field.wells()                                      # the wells this user may see
    field.amp_chart("W001", "2025-01-03")              # one day of 1-minute rows
    field.diagnoses(well="W001")                       # labels with their evidence

Every read goes through the same well and field grants as ``workbench esp ...``: a user
granted a field sees its wells, a user granted a well sees that well, and asking for another
well raises AccessDenied naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.core.access import Permission, Principal
from workbench.esp.lake import queries
from workbench.esp.lake.layout import TelemetryStore
from workbench.esp.store import records
from workbench.store.actions import audited
from workbench.store.db import Store, open_store
from workbench.store.users import LoginFailed, log_in


def _utc(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@dataclass
class EspField:
    """One telemetry store, seen as one user may see it."""

    telemetry: TelemetryStore
    user: Principal

    def wells(self) -> pd.DataFrame:
        """The registry rows of the wells this user may see (well_id, field, feeder, ...)."""
        return records.visible(self.user, self.telemetry.wells()).reset_index(drop=True)

    def _wells(self, asked: Sequence[str] | str | None) -> pd.DataFrame:
        """The asked wells (all visible ones for None), refused by name when not visible."""
        registry = self.telemetry.wells()
        if asked is None:
            return records.visible(self.user, registry)
        asked = [asked] if isinstance(asked, str) else list(asked)
        records.require_wells(self.user, registry, asked)
        return registry[registry["well_id"].isin(asked)]

    def amp_chart(self, well: str, day: object | None = None) -> pd.DataFrame:
        """One well's accepted rows over one UTC day (its last day with data by default)."""
        self._wells(well)
        if day is None:
            daily = queries.rollup(self.telemetry, "1d", [well])
            if daily.empty:
                return queries.raw_rows(self.telemetry, [well], end=pd.Timestamp(0, tz="UTC"))
            day = daily["bucket"].max()
        start = _utc(day).normalize()
        return queries.raw_rows(self.telemetry, [well], start, start + pd.Timedelta(days=1))

    def rollup(self, interval: str, wells: Sequence[str] | str | None = None,
               start: object = None, end: object = None) -> pd.DataFrame:
        """Rollup rows (``1min``, ``1h`` or ``1d``) of some wells, all visible ones by default."""
        chosen = self._wells(wells)
        return queries.rollup(self.telemetry, interval, list(chosen["well_id"]), _utc(start),
                              _utc(end))

    def quality(self, wells: Sequence[str] | str | None = None, first_day: object = None,
                last_day: object = None) -> pd.DataFrame:
        """Quality per well and UTC day (YYYY-MM-DD): score, reject counts, longest gap."""
        days = [None if d is None else f"{pd.Timestamp(d):%Y-%m-%d}" for d in (first_day,
                                                                               last_day)]
        return queries.quality(self.telemetry, list(self._wells(wells)["well_id"]), *days)

    def field_overview(self, days: int = 30) -> pd.DataFrame:
        """Daily rollups of every visible well over its store's last ``days`` days."""
        return queries.field_overview(self.telemetry, list(self.wells()["well_id"]), days)

    def diagnoses(self, well: str | None = None, start: object = None, end: object = None,
                  window: str = "1h", method: str = "rules",
                  wells: Sequence[str] | None = None) -> pd.DataFrame:
        """Per well and window: label, confidence and evidence (a dict), as ``esp diagnose``;
        of one ``well``, of some ``wells``, or of every visible well. Baselines come from the
        windows asked for, so ask for several days."""
        from workbench.esp.diagnose.diagnose import diagnose

        chosen = self._wells(well if well is not None else wells)
        found = diagnose(self.telemetry, chosen, _utc(start), _utc(end), window, method)
        found["evidence"] = found["evidence"].map(_evidence)
        return found


def _evidence(text: object) -> dict:
    import json

    if isinstance(text, dict):
        return text
    try:
        return json.loads(str(text))
    except ValueError:
        return {"note": str(text)}


@dataclass
class EspWorkspace:
    store: Store
    user: Principal

    @classmethod
    def connect(cls, url: str | None = None, username: str | None = None,
                password: str | None = None) -> EspWorkspace:
        """Open the SQL store (migrating it if needed) and log in; the login is audited."""
        store = open_store(url)
        try:
            return cls(store, log_in(store, username, password))
        except LoginFailed:
            store.dispose()
            raise

    def close(self) -> None:
        self.store.dispose()

    def telemetry(self, path: str | Path) -> EspField:
        """A telemetry store (a folder), read as this user may see it."""
        self.user.require(Permission.VIEW_OWN, "read telemetry")
        return EspField(TelemetryStore.open(path), self.user)

    def telemetry_stores(self) -> list[dict[str, object]]:
        """Telemetry stores with an ingest run this user may see: store_id, path, last run."""
        with self.store.session() as session:
            return records.telemetry_stores(session, self.user)

    def ingest(self, sources: Sequence[str | Path], into: str | Path,
               wells: str | Path | None = None) -> dict[str, object]:
        """``workbench esp ingest``: check and store a batch, recorded with its lineage."""
        from workbench.esp.contract.readers import read_wells, source_files
        from workbench.esp.ingest.pipeline import ingest

        self.user.require(Permission.IMPORT, "ingest telemetry")
        paths = [Path(s) for s in sources]
        registry = read_wells(Path(wells)) if wells is not None else None
        source_files(paths)
        tstore = TelemetryStore.open(into, create=True)
        with audited(self.store, self.user, "esp.ingest", str(into)) as session:
            result = ingest(tstore, paths, registry, str(wells or ""))
            records.record_ingest(session, self.user, tstore.store_id, str(tstore.root),
                                  result, tstore.wells())
        return result.to_json()
