"""Reads of the precomputed KPI rows (what a dashboard shows), filtered by the user's scopes.

A restricted user sees the rows of the lines and sites they hold grants for; roll-ups are
formed from those rows' summed elements, exactly as from files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Result, Select, func, or_, select
from sqlalchemy.orm import Session

from workbench.core.access import Principal
from workbench.core.errors import InvalidRequest
from workbench.oee.kpis import Convention, kpi_rows, with_kpis
from workbench.oee.model.timeline import ELEMENT_COLUMNS
from workbench.oee.model.windows import Window
from workbench.oee.store.models import OeeImport, OeeKpi, OeeLineKpi, OeeMachine
from workbench.store.datasets import get_dataset


def _scoped(query: Select, ds: int, actor: Principal, window: Window,
            since: pd.Timestamp | None, until: pd.Timestamp | None,
            table: type[OeeKpi] | type[OeeLineKpi] = OeeKpi) -> Select:
    """KPI rows of one dataset and window kind that the actor may see, in [since, until)."""
    if Window(window) not in (Window.shift, Window.day):
        raise InvalidRequest(f"stored KPIs are per shift and per day, not per {window}; use "
                             "`workbench oee kpis DATA` for other windows")
    query = query.where(table.dataset_id == ds, table.window_kind == str(window))
    if not actor.sees_all:
        query = query.where(or_(table.line_id.in_(sorted(actor.ids("line"))),
                                table.site_id.in_(sorted(actor.ids("site")))))
    if since is not None:
        query = query.where(table.window_start >= since.tz_convert("UTC").to_pydatetime())
    if until is not None:
        query = query.where(table.window_start < until.tz_convert("UTC").to_pydatetime())
    return query


def _frame(result: Result, columns: list[str]) -> pd.DataFrame:
    """Rows as columns (zip is C; pandas reading Row objects one by one is not). Element
    columns are made float arrays here: letting pandas infer the type of each tuple of
    Python floats cost more than the query on a dashboard's few hundred rows."""
    rows = result.fetchall()
    cells = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else {}
    data: dict[str, object] = {}
    for col in columns:
        values = cells.get(col, ())
        if col in ("window_start", "window_end"):
            data[col] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).dt.as_unit(
                "us").array if rows else pd.array([], dtype="datetime64[us, UTC]")
        elif col in _FLOAT_COLUMNS:
            data[col] = np.array(values, dtype=np.float64)
        else:
            data[col] = np.array(values, dtype=object)
    frame = pd.DataFrame(data, columns=columns, copy=False)
    frame["window_start_us"] = frame["window_start"].array.asi8 if rows else \
        np.array([], dtype=np.int64)
    return frame


_FLOAT_COLUMNS = frozenset(ELEMENT_COLUMNS)


def stored_elements(session: Session, actor: Principal, dataset: str, window: Window,
                    since: pd.Timestamp | None = None,
                    until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The machine-window rows the actor may see (shift or day windows)."""
    ds = get_dataset(session, actor, dataset)
    columns = ["machine_id", "line_id", "site_id", "window_start", "window_end",
               "window_label", *ELEMENT_COLUMNS]
    query = _scoped(select(*(getattr(OeeKpi, c) for c in columns)), ds.id, actor, window,
                    since, until)
    return _frame(session.execute(query), columns)


def _source(by: Sequence[str]) -> type[OeeKpi] | type[OeeLineKpi]:
    """The line sums serve any grouping coarser than a machine; both tables carry the line
    and site, so scope filters are the same."""
    return OeeLineKpi if set(by) <= {"line_id", "site_id"} else OeeKpi


def stored_sums(session: Session, actor: Principal, dataset: str, by: Sequence[str],
                window: Window, since: pd.Timestamp | None = None,
                until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Elements summed in SQL over everything but ``by`` and the window: a dashboard reads a
    few rows per line and day, however many machines there are."""
    ds = get_dataset(session, actor, dataset)
    return _sums(session, ds.id, actor, by, window, since, until)


def _sums(session: Session, ds: int, actor: Principal, by: Sequence[str], window: Window,
          since: pd.Timestamp | None, until: pd.Timestamp | None) -> pd.DataFrame:
    keys = [*by, "window_start", "window_label"]
    table = _source(by)
    query = select(*(getattr(table, k) for k in keys),
                   *(func.sum(getattr(table, c)).label(c) for c in ELEMENT_COLUMNS))
    query = _scoped(query, ds, actor, window, since, until, table)
    query = query.group_by(*(getattr(table, k) for k in keys)).order_by(
        *(getattr(table, k) for k in (*by, "window_start")))
    return _frame(session.execute(query), [*keys, *ELEMENT_COLUMNS])


def stored_oee(session: Session, actor: Principal, dataset: str, by: Sequence[str],
               window: Window, since: pd.Timestamp | None = None,
               until: pd.Timestamp | None = None) -> pd.DataFrame:
    """OEE per ``by`` and window: Σ fully productive time ÷ Σ PBT, with PBT beside it. A heat
    map needs nothing else, and OEE does not depend on the convention; reading two sums
    instead of seventeen halves a plant-wide read."""
    ds = get_dataset(session, actor, dataset)
    keys = [*by, "window_start", "window_label"]
    table = _source(by)
    sums = ["pbt_min", "fully_productive_min"]
    query = select(*(getattr(table, k) for k in keys),
                   *(func.sum(getattr(table, c)).label(c) for c in sums))
    query = _scoped(query, ds.id, actor, window, since, until, table)
    query = query.group_by(*(getattr(table, k) for k in keys)).order_by(
        *(getattr(table, k) for k in (*by, "window_start")))
    frame = _frame(session.execute(query), [*keys, *sums])
    pbt = frame["pbt_min"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["oee"] = np.where(pbt > 0, frame["fully_productive_min"].to_numpy() / pbt, np.nan)
    return frame


def stored_totals(session: Session, actor: Principal, dataset: str, by: Sequence[str],
                  since: pd.Timestamp | None = None) -> pd.DataFrame:
    """Elements of the machine-day rows from ``since`` on, summed in SQL per ``by`` (no
    window): a dashboard's tiles, its losses per line and its worst machines."""
    ds = get_dataset(session, actor, dataset)
    table = _source(by)
    query = select(*(getattr(table, k) for k in by),
                   *(func.sum(getattr(table, c)).label(c) for c in ELEMENT_COLUMNS))
    query = _scoped(query, ds.id, actor, Window.day, since, None, table)
    if by:
        query = query.group_by(*(getattr(table, k) for k in by))
    rows = session.execute(query).fetchall()
    columns = [*by, *ELEMENT_COLUMNS]
    frame = pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True))
                         if rows else {c: [] for c in columns}, columns=columns)
    # a sum over no rows is one row of NULLs: nothing to show
    return frame.dropna(subset=["pbt_min"]).reset_index(drop=True)


def latest_day(session: Session, actor: Principal, dataset: str) -> pd.Timestamp | None:
    """The start of the newest day window the actor may see."""
    ds = get_dataset(session, actor, dataset)
    found = session.execute(_scoped(select(func.max(OeeKpi.window_start)), ds.id, actor,
                                    Window.day, None, None)).scalar()
    if found is None:
        return None
    stamp = pd.Timestamp(found)  # SQLite gives naive UTC, PostgreSQL an aware instant
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def stored_kpis(session: Session, actor: Principal, dataset: str, by: Sequence[str],
                window: Window, since: pd.Timestamp | None = None,
                until: pd.Timestamp | None = None) -> dict[str, object]:
    """The same payload as ``workbench oee kpis``, from the precomputed rows."""
    ds = get_dataset(session, actor, dataset)
    convention = Convention(ds.summary.get("convention", "iso"))
    frame = with_kpis(_sums(session, ds.id, actor, by, window, since, until), convention)
    return {"dataset": dataset, "convention": str(convention), "window": str(Window(window)),
            "rows": kpi_rows(frame, by, ds.summary.get("timezone", "UTC"))}


def visible_machines(session: Session, actor: Principal, dataset: str) -> pd.DataFrame:
    """The dataset's machines on the lines and sites the actor may see."""
    ds = get_dataset(session, actor, dataset)
    query = select(OeeMachine.machine_id, OeeMachine.line_id, OeeMachine.site_id,
                   OeeMachine.name).where(OeeMachine.dataset_id == ds.id)
    if not actor.sees_all:
        query = query.where(or_(OeeMachine.line_id.in_(sorted(actor.ids("line"))),
                                OeeMachine.site_id.in_(sorted(actor.ids("site")))))
    rows = session.execute(query.order_by(OeeMachine.machine_id)).fetchall()
    return pd.DataFrame(rows, columns=["machine_id", "line_id", "site_id", "name"])


def stored_stop_minutes(session: Session, actor: Principal, dataset: str,
                        since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
    """Stopped minutes in PBT by machine, state and reason over [since, until), from the
    stored events of the machines the actor may see (for reports: it reads events)."""
    from workbench.oee.contract.data import Settings
    from workbench.oee.reasons import stop_minutes
    from workbench.oee.store.persist import load_span

    ds = get_dataset(session, actor, dataset)
    machines = visible_machines(session, actor, dataset)
    if machines.empty:
        return stop_minutes_empty()
    settings = Settings(timezone=ds.summary.get("timezone", "UTC"),
                        convention=ds.summary.get("convention", "iso"))
    data = load_span(session, ds.id, settings, machines["machine_id"].tolist(), since, until)
    data.tables["machines"] = data.machines[data.machines["machine_id"].isin(
        machines["machine_id"])]
    # the period's edges cut shifts, as the day windows of the KPI rows do
    cal = data.calendar
    cal = cal.assign(start=cal["start"].clip(lower=since), end=cal["end"].clip(upper=until))
    data.tables["calendar"] = cal[cal["end"] > cal["start"]]
    return stop_minutes(data)


def stop_minutes_empty() -> pd.DataFrame:
    from workbench.oee.reasons import COLUMNS

    return pd.DataFrame(columns=COLUMNS)


def kpi_lineage(session: Session, actor: Principal, dataset: str) -> dict[str, object]:
    """Where the stored KPI rows came from: the dataset's hash, its imports, the versions."""
    ds = get_dataset(session, actor, dataset)
    imports = session.execute(select(OeeImport.id, OeeImport.imported_at, OeeImport.source)
                              .where(OeeImport.dataset_id == ds.id)
                              .order_by(OeeImport.id)).fetchall()
    versions = session.scalars(select(OeeKpi.package_version).where(
        OeeKpi.dataset_id == ds.id).distinct()).all()
    return {"dataset": ds.name, "data_hash": ds.content_hash,
            "convention": ds.summary.get("convention", "iso"),
            "timezone": ds.summary.get("timezone", "UTC"), "imports": len(imports),
            "last_import": imports[-1].imported_at.isoformat(timespec="seconds")
            if imports else None, "package_versions": sorted(versions)}
