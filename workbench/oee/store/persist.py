"""Import OEE data into the store: validate, append what is new (re-imports double nothing),
and recompute the KPI rows of only the machine-windows that the new rows touch."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from workbench._version import __version__
from workbench.core.access import Permission, Principal, scope
from workbench.core.errors import Conflict
from workbench.core.findings import ValidationReport
from workbench.oee.contract.data import OeeData, Settings
from workbench.oee.contract.schema import EVERY_MACHINE, ROW, TABLES
from workbench.oee.kpis import Convention, with_kpis
from workbench.oee.model import intervals as iv
from workbench.oee.model.timeline import ELEMENT_COLUMNS, build_timeline, micros
from workbench.oee.model.windows import Window
from workbench.oee.store.bulk import insert_frame, read_frame, utc_param
from workbench.oee.store.models import OeeImport, OeeKpi, OeeLineKpi
from workbench.store import audit
from workbench.store.models import Dataset

DOMAIN = "oee"
STORED_WINDOWS = (Window.shift, Window.day)
EVENT_COLUMNS = ["machine_id", "start", "end", "state", "reason", "order_id"]
COUNT_KEY = ["machine_id", "start", "end", "product_id"]
QTY = ["produced_qty", "good_qty", "rework_qty", "startup_reject_qty"]


@dataclass
class ImportOutcome:
    stored: bool
    report: ValidationReport
    summary: dict[str, object] = field(default_factory=dict)


def _stored(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"start": "start_at", "end": "end_at"})


def _contract(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"start_at": "start", "end_at": "end"})


def _hash(data: OeeData) -> str:
    digest = hashlib.sha256()
    for name in TABLES:
        frame = data.tables[name].drop(columns=[ROW])
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _dataset(session: Session, actor: Principal, name: str, settings: Settings
             ) -> tuple[Dataset, bool]:
    dataset = session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        dataset = Dataset(name=name, domain=DOMAIN, content_hash="", source="", scopes=[],
                          summary={"timezone": settings.timezone,
                                   "convention": settings.convention},
                          created_by=actor.username)
        session.add(dataset)
        session.flush()
        return dataset, True
    if dataset.domain != DOMAIN:
        raise Conflict(f"dataset '{name}' belongs to the {dataset.domain} domain; choose "
                       "another --dataset name")
    for key in ("timezone", "convention"):
        if dataset.summary.get(key) != getattr(settings, key):
            raise Conflict(f"dataset '{name}' was imported with {key} "
                           f"{dataset.summary.get(key)}, this data says "
                           f"{getattr(settings, key)}; windows would not line up, so "
                           "import it into a new dataset or fix settings")
    return dataset, False


def _new_reference(session: Session, ds: int, table: str, frame: pd.DataFrame,
                   key: list[str], compare: list[str], what: str) -> pd.DataFrame:
    """Rows of a small table not stored yet; a stored row with other values is an error."""
    stored = read_frame(session, f"SELECT {', '.join(key + compare)} FROM {table} "
                        "WHERE dataset_id = :ds", {"ds": ds},
                        timestamps=tuple(c for c in key if c.endswith("_at")))
    incoming = _stored(frame).drop_duplicates(key)
    if stored.empty:
        return incoming
    both = incoming.merge(stored, on=key, how="left", suffixes=("", "_stored"),
                          indicator=True)
    for col in compare:
        differs = (both["_merge"] == "both") & ~(
            (both[col] == both[f"{col}_stored"]) |
            (both[col].isna() & both[f"{col}_stored"].isna()))
        if differs.any():
            row = both[differs].iloc[0]
            raise Conflict(
                f"{what} {', '.join(str(row[k]) for k in key)} is stored with {col} "
                f"'{row[f'{col}_stored']}', this data says '{row[col]}' ({table}, row "
                f"{int(row[ROW])}, column {col}); a dataset keeps its history, so import changed "
                "reference data into a new dataset")
    return incoming[(both["_merge"] == "left_only").to_numpy()]


def _span_sql(dialect: str, lo: pd.Timestamp, hi: pd.Timestamp) -> dict[str, object]:
    return {"lo": utc_param(lo, dialect), "hi": utc_param(hi, dialect)}


def _new_events(session: Session, ds: int, events: pd.DataFrame, file: str) -> pd.DataFrame:
    """Incoming events not stored yet; refuses ones that contradict or overlap stored ones."""
    if events.empty:
        return events
    dialect = session.get_bind().dialect.name
    stored = read_frame(
        session, "SELECT machine_id, start_at, end_at, state FROM oee_state_events "
        "WHERE dataset_id = :ds AND machine_id IN :machines AND start_at < :hi AND "
        "end_at > :lo", {"ds": ds, "machines": sorted(set(events["machine_id"])),
                         **_span_sql(dialect, events["start"].min(), events["end"].max())},
        timestamps=("start_at", "end_at"), expanding=("machines",))
    stored = _contract(stored)
    both = events.merge(stored, on=["machine_id", "start"], how="left",
                        suffixes=("", "_stored"), indicator=True)
    known = (both["_merge"] == "both").to_numpy()
    differs = known & ~((both["end"] == both["end_stored"]) &
                        (both["state"] == both["state_stored"])).to_numpy()
    if differs.any():
        row = both[differs].iloc[0]
        column = "state" if row["state"] != row["state_stored"] else "end"
        raise Conflict(f"{file}, row {int(row[ROW])}, column {column}: machine "
                       f"{row['machine_id']}'s event at {row['start']} is stored as "
                       f"{row['state_stored']} until {row['end_stored']}; this data says "
                       f"{row['state']} until {row['end']}. Stored events are not changed "
                       "by an import")
    new = events[~known]
    merged = pd.concat([stored.assign(**{ROW: -1}), new[["machine_id", "start", "end",
                                                        "state", ROW]]])
    merged = merged.sort_values(["machine_id", "start"], kind="stable")
    reach = merged.groupby("machine_id")["end"].shift(1)
    clash = (merged["start"] < reach).to_numpy() & (merged[ROW] != -1).to_numpy()
    clash |= np.roll((merged["start"] < reach).to_numpy(), -1) & \
        (merged[ROW] != -1).to_numpy()
    if clash.any():
        row = merged[clash].iloc[0]
        raise Conflict(f"{file}, row {int(row[ROW])}, column start: machine "
                       f"{row['machine_id']}'s event at {row['start']} overlaps an event "
                       "already stored; a machine is in one state at a time")
    return new


def _new_counts(session: Session, ds: int, counts: pd.DataFrame, file: str) -> pd.DataFrame:
    """Incoming counts (duplicates within the file summed) not stored yet."""
    if counts.empty:
        return counts
    incoming = counts.groupby(COUNT_KEY, as_index=False, dropna=False).agg(
        {**dict.fromkeys(QTY, "sum"), "scrap_reason": "first", ROW: "first"})
    dialect = session.get_bind().dialect.name
    stored = _contract(read_frame(
        session, f"SELECT machine_id, start_at, end_at, product_id, {', '.join(QTY)} "
        "FROM oee_counts WHERE dataset_id = :ds AND machine_id IN :machines AND "
        "end_at > :lo AND end_at <= :hi",
        {"ds": ds, "machines": sorted(set(incoming["machine_id"])),
         **_span_sql(dialect, incoming["end"].min() - pd.Timedelta(microseconds=1),
                     incoming["end"].max())},
        timestamps=("start_at", "end_at"), expanding=("machines",)))
    both = incoming.merge(stored, on=COUNT_KEY, how="left", suffixes=("", "_stored"),
                          indicator=True)
    known = (both["_merge"] == "both").to_numpy()
    same = np.ones(len(both), dtype=bool)
    for col in QTY:
        same &= np.isclose(both[col].to_numpy(float), both[f"{col}_stored"].to_numpy(float))
    if (known & ~same).any():
        row = both[known & ~same].iloc[0]
        column = next(c for c in QTY
                      if not np.isclose(float(row[c]), float(row[f"{c}_stored"])))
        raise Conflict(f"{file}, row {int(row[ROW])}, column {column}: the count of "
                       f"{row['product_id']} on machine {row['machine_id']} from "
                       f"{row['start']} to {row['end']} is stored with other quantities; "
                       "stored counts are not changed by an import")
    return incoming[~known]


def _touched(data: OeeData, new_events: pd.DataFrame, new_counts: pd.DataFrame,
             new_calendar: pd.DataFrame) -> pd.DataFrame:
    """The intervals (per machine) whose windows the new rows change."""
    machines = sorted(set(data.machines["machine_id"].dropna()))
    cal = new_calendar.rename(columns={"start_at": "start", "end_at": "end"})
    spread = cal[cal["machine_id"] == EVERY_MACHINE].drop(columns="machine_id").merge(
        pd.DataFrame({"machine_id": machines}), how="cross")
    cal = pd.concat([cal[cal["machine_id"] != EVERY_MACHINE], spread])
    ends = new_counts["end"]
    parts = [new_events[["machine_id", "start", "end"]], cal[["machine_id", "start", "end"]],
             pd.DataFrame({"machine_id": new_counts["machine_id"],
                           "start": ends - pd.Timedelta(microseconds=1), "end": ends})]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"machine_id": [], "start": pd.Series(dtype="datetime64[ns, UTC]"),
                             "end": pd.Series(dtype="datetime64[ns, UTC]")})
    return pd.concat(parts, ignore_index=True)


def load_span(session: Session, ds: int, settings: Settings, machines: list[str],
          lo: pd.Timestamp, hi: pd.Timestamp) -> OeeData:
    """The stored data of some machines around [lo, hi], as OeeData for the time model."""
    dialect = session.get_bind().dialect.name
    span = {"ds": ds, "machines": machines, **_span_sql(dialect, lo, hi)}
    tables = {
        "machines": read_frame(session, "SELECT machine_id, line_id, site_id, name FROM "
                               "oee_machines WHERE dataset_id = :ds", {"ds": ds}),
        "ideal_rates": read_frame(session, "SELECT machine_id, product_id, "
                                  "ideal_cycle_time_s FROM oee_ideal_rates WHERE "
                                  "dataset_id = :ds", {"ds": ds}),
        "calendar": read_frame(session, "SELECT machine_id, start_at, end_at, kind, shift_id "
                               "FROM oee_calendar WHERE dataset_id = :ds AND "
                               "start_at < :hi AND end_at > :lo", span,
                               timestamps=("start_at", "end_at")),
        "state_events": read_frame(session, "SELECT machine_id, start_at, end_at, state, "
                                   "reason, order_id FROM oee_state_events WHERE "
                                   "dataset_id = :ds AND machine_id IN :machines AND "
                                   "start_at < :hi AND end_at > :lo", span,
                                   timestamps=("start_at", "end_at"),
                                   expanding=("machines",)),
        "counts": read_frame(session, f"SELECT machine_id, start_at, end_at, product_id, "
                             f"{', '.join(QTY)}, scrap_reason FROM oee_counts WHERE "
                             "dataset_id = :ds AND machine_id IN :machines AND "
                             "end_at > :lo AND end_at <= :hi", span,
                             timestamps=("start_at", "end_at"), expanding=("machines",)),
    }
    typed = {}
    for name, frame in tables.items():
        frame = _contract(frame)
        frame.insert(0, ROW, np.arange(2, len(frame) + 2))
        typed[name] = frame.astype({c: "float64" for c in QTY if c in frame}) \
            if name == "counts" else frame
    return OeeData(tables=typed, settings=settings)


def _windows_touched(elements: pd.DataFrame, touched: pd.DataFrame) -> np.ndarray:
    """Which machine-window rows overlap a touched interval of the same machine."""
    ids = sorted(set(elements["machine_id"]) | set(touched["machine_id"]))
    code = {m: i for i, m in enumerate(ids)}
    t_s, t_e = micros(touched["start"]), micros(touched["end"])
    lo = int(min(t_s.min(), elements["window_start_us"].min()))
    hi = int(max(t_e.max(), elements["window_end_us"].max()))
    axis = iv.Axis.covering(lo, hi, len(ids))
    tc = touched["machine_id"].map(code).to_numpy()
    us, ue = iv.union(axis.key(tc, t_s), axis.key(tc, t_e))
    wc = elements["machine_id"].map(code).to_numpy()
    hit = iv.intersect(axis.key(wc, elements["window_start_us"].to_numpy()),
                       axis.key(wc, elements["window_end_us"].to_numpy()), us, ue)[0]
    mask = np.zeros(len(elements), dtype=bool)
    mask[hit] = True
    return mask


def _kpi_records(elements: pd.DataFrame, kind: Window, convention: Convention, ds: int,
                 import_id: int) -> list[dict[str, object]]:
    frame = with_kpis(elements, convention)
    starts = pd.to_datetime(frame["window_start_us"], unit="us", utc=True)
    ends = pd.to_datetime(frame["window_end_us"], unit="us", utc=True)
    keep = ["machine_id", "line_id", "site_id", "window_label", *ELEMENT_COLUMNS,
            "availability", "effectiveness", "quality", "oee"]
    out = frame[keep].astype(object).where(frame[keep].notna(), None)
    out["window_start"], out["window_end"] = starts.dt.to_pydatetime(), ends.dt.to_pydatetime()
    out["dataset_id"], out["import_id"], out["window_kind"] = ds, import_id, str(kind)
    out["convention"], out["package_version"] = str(convention), __version__
    return out.to_dict("records")


def recompute(session: Session, ds: int, settings: Settings, touched: pd.DataFrame,
              import_id: int, stored: OeeData | None = None) -> int:
    """Rewrite the KPI rows of the machine-windows that overlap ``touched``; others stay.

    ``stored`` is everything the dataset holds when the caller knows it (the first import:
    the imported data itself), which saves reading it back.
    """
    if touched.empty:
        return 0
    lengths = read_frame(session, "SELECT start_at, end_at FROM oee_calendar WHERE "
                         "dataset_id = :ds AND kind = 'shift'", {"ds": ds},
                         timestamps=("start_at", "end_at"))
    longest = (lengths["end_at"] - lengths["start_at"]).max() if len(lengths) else \
        pd.Timedelta(0)
    # a touched window lies within a day (or one shift) of what touched it
    margin = max(longest, pd.Timedelta(days=1)) + pd.Timedelta(days=1)
    lo, hi = touched["start"].min() - margin, touched["end"].max() + margin
    data = stored if stored is not None else load_span(
        session, ds, settings, sorted(set(touched["machine_id"])), lo, hi)
    written = 0
    for kind in STORED_WINDOWS:
        elements = build_timeline(data, kind).elements
        elements = elements[elements["machine_id"].isin(set(touched["machine_id"]))]
        if elements.empty:
            continue
        elements = elements[_windows_touched(elements, touched)]
        records = _kpi_records(elements, kind, Convention(settings.convention), ds,
                               import_id)
        keys = [(r["machine_id"], r["window_start"]) for r in records]
        for chunk in range(0, len(keys), 500):
            session.execute(delete(OeeKpi).where(
                OeeKpi.dataset_id == ds, OeeKpi.window_kind == str(kind),
                tuple_(OeeKpi.machine_id, OeeKpi.window_start).in_(keys[chunk:chunk + 500])))
        if records:
            session.execute(insert(OeeKpi), records)
            _refresh_lines(session, ds, str(kind),
                           [(r["line_id"], r["window_start"]) for r in records])
        written += len(records)
    return written


def _refresh_lines(session: Session, ds: int, kind: str,
                   keys: list[tuple[str, object]]) -> None:
    """Sum the machine rows of the touched lines again into ``oee_line_kpis``, over the span
    of touched windows: two statements with range predicates, whatever the number of keys
    (a year's first import touches 116,000 machine-windows; key lists of that size made
    the database work per chunk)."""
    lines = sorted({line for line, _ in keys})
    first, last = min(k[1] for k in keys), max(k[1] for k in keys)
    group = [OeeKpi.dataset_id, OeeKpi.window_kind, OeeKpi.line_id, OeeKpi.site_id,
             OeeKpi.window_start, OeeKpi.window_label]
    names = [c.key for c in group] + list(ELEMENT_COLUMNS)
    session.execute(delete(OeeLineKpi).where(
        OeeLineKpi.dataset_id == ds, OeeLineKpi.window_kind == kind,
        OeeLineKpi.line_id.in_(lines), OeeLineKpi.window_start.between(first, last)))
    sums = select(*group, *(func.sum(getattr(OeeKpi, c)) for c in ELEMENT_COLUMNS)).where(
        OeeKpi.dataset_id == ds, OeeKpi.window_kind == kind, OeeKpi.line_id.in_(lines),
        OeeKpi.window_start.between(first, last)).group_by(*group)
    session.execute(insert(OeeLineKpi).from_select(names, sums))


def import_data(session: Session, actor: Principal, data: OeeData, name: str,
                source: str) -> dict[str, object]:
    """Append validated ``data`` to dataset ``name`` (created on first import)."""
    actor.require(Permission.IMPORT, "import datasets")
    dataset, created = _dataset(session, actor, name, data.settings)
    ds = dataset.id
    new_machines = _new_reference(session, ds, "oee_machines", data.machines, ["machine_id"],
                                  ["line_id", "site_id"], "machine")
    new_rates = _new_reference(session, ds, "oee_ideal_rates", data.ideal_rates,
                               ["machine_id", "product_id"], ["ideal_cycle_time_s"],
                               "ideal rate of")
    new_calendar = _new_reference(session, ds, "oee_calendar", data.calendar,
                                  ["machine_id", "start_at", "end_at", "kind"], ["shift_id"],
                                  "calendar row")
    new_events = _new_events(session, ds, data.events, data.file_of("state_events"))
    new_counts = _new_counts(session, ds, data.counts, data.file_of("counts"))
    added = {}
    clock = time.perf_counter()
    for table, frame, cols in (
            ("oee_machines", new_machines, ["machine_id", "line_id", "site_id", "name"]),
            ("oee_ideal_rates", new_rates, ["machine_id", "product_id",
                                            "ideal_cycle_time_s"]),
            ("oee_calendar", new_calendar, ["machine_id", "start_at", "end_at", "kind",
                                            "shift_id"]),
            ("oee_state_events", _stored(new_events),
             ["machine_id", "start_at", "end_at", "state", "reason", "order_id"]),
            ("oee_counts", _stored(new_counts),
             ["machine_id", "start_at", "end_at", "product_id", *QTY, "scrap_reason"])):
        added[table] = insert_frame(session, table, frame[cols].assign(dataset_id=ds))
    write_s = time.perf_counter() - clock
    entry = OeeImport(dataset_id=ds, source=source, content_hash=_hash(data),
                      events_added=added["oee_state_events"],
                      counts_added=added["oee_counts"],
                      calendar_added=added["oee_calendar"], kpi_rows_written=0,
                      package_version=__version__, imported_by=actor.username)
    session.add(entry)
    session.flush()
    touched = _touched(data, new_events, new_counts, _contract(new_calendar))
    clock = time.perf_counter()
    # a new dataset holds exactly this data now: no need to read it back
    entry.kpi_rows_written = recompute(session, ds, data.settings, touched, entry.id,
                                       stored=data if created else None)
    kpi_s = time.perf_counter() - clock
    machines = data.machines
    scopes = {scope("line", x) for x in machines["line_id"].dropna()} | \
        {scope("site", x) for x in machines["site_id"].dropna()}
    dataset.scopes = sorted(set(dataset.scopes) | scopes)
    dataset.source = source
    dataset.content_hash = hashlib.sha256(
        (dataset.content_hash + entry.content_hash).encode()).hexdigest()
    summary = dict(dataset.summary)
    for table, n in added.items():
        summary[table] = int(summary.get(table, 0)) + n
    dataset.summary = summary
    audit.record(session, actor.username, "oee.import", object_type="dataset",
                 object_id=name, scopes=sorted(scopes),
                 detail=f"{source}: {added['oee_state_events']} events, "
                        f"{added['oee_counts']} counts added; {entry.kpi_rows_written} KPI "
                        "rows written")
    return {"dataset": name, "created": created, "import_id": entry.id,
            "events_added": added["oee_state_events"], "counts_added": added["oee_counts"],
            "calendar_added": added["oee_calendar"], "machines_added": added["oee_machines"],
            "kpi_rows_written": entry.kpi_rows_written,
            "write_seconds": round(write_s, 3), "kpi_seconds": round(kpi_s, 3)}
