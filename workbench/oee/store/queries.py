"""Reads of the precomputed KPI rows (what a dashboard shows), filtered by the user's scopes.

A restricted user sees the rows of the lines and sites they hold grants for; roll-ups are
formed from those rows' summed elements, exactly as from files.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workbench.core.access import Principal
from workbench.oee.kpis import Convention, kpi_rows, rollup, with_kpis
from workbench.oee.model.timeline import ELEMENT_COLUMNS
from workbench.oee.model.windows import Window
from workbench.oee.store.models import OeeKpi
from workbench.store.datasets import get_dataset


def stored_elements(session: Session, actor: Principal, dataset: str, window: Window,
                    since: pd.Timestamp | None = None,
                    until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The machine-window rows the actor may see (shift or day windows)."""
    ds = get_dataset(session, actor, dataset)
    if Window(window) not in (Window.shift, Window.day):
        raise ValueError(f"stored KPIs are per shift and per day, not per {window}; use "
                         "`workbench oee kpis DATA` for other windows")
    query = select(OeeKpi).where(OeeKpi.dataset_id == ds.id,
                                 OeeKpi.window_kind == str(window))
    if not actor.sees_all:
        query = query.where(or_(OeeKpi.line_id.in_(sorted(actor.ids("line"))),
                                OeeKpi.site_id.in_(sorted(actor.ids("site")))))
    if since is not None:
        query = query.where(OeeKpi.window_start >= since.to_pydatetime())
    if until is not None:
        query = query.where(OeeKpi.window_start < until.to_pydatetime())
    columns = ["machine_id", "line_id", "site_id", "window_start", "window_label",
               *ELEMENT_COLUMNS]
    rows = session.execute(query.with_only_columns(*(getattr(OeeKpi, c) for c in columns)))
    frame = pd.DataFrame(rows.fetchall(), columns=columns)
    starts = pd.to_datetime(frame["window_start"], utc=True)
    frame["window_start_us"] = starts.dt.as_unit("us").astype("int64") if len(frame) else []
    return frame


def stored_kpis(session: Session, actor: Principal, dataset: str, by: Sequence[str],
                window: Window) -> dict[str, object]:
    """The same payload as ``workbench oee kpis``, from the precomputed rows."""
    ds = get_dataset(session, actor, dataset)
    convention = Convention(ds.summary.get("convention", "iso"))
    elements = stored_elements(session, actor, dataset, window)
    frame = with_kpis(rollup(elements, by), convention)
    return {"dataset": dataset, "convention": str(convention), "window": str(Window(window)),
            "rows": kpi_rows(frame, by, ds.summary.get("timezone", "UTC"))}
