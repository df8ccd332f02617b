"""The data behind the OEE dashboard page, read as the page's user may see it.

Everything comes from the KPI rows precomputed at import, summed in SQL (a few rows per line
and day); no event is read. A user granted some lines or sites gets those machines only:
the same filter as ``workbench oee stored-kpis`` and the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.dashboards.page import PageSession
from workbench.oee import report
from workbench.oee.kpis import Convention, with_kpis
from workbench.oee.model.windows import Window
from workbench.oee.store import queries
from workbench.store.datasets import get_dataset, list_datasets

PERIODS = {"last 7 days": 7, "last 28 days": 28, "all days": 0}
HEAT_MAP_DAYS = 28


@dataclass(frozen=True)
class OeeView:
    dataset: str
    period: str
    tiles: list[tuple[str, str, str]]
    line_day: pd.DataFrame  # line_id, window_label, oee, pbt_min (heat map)
    waterfall: pd.DataFrame
    losses: pd.DataFrame  # long: line_id, loss, hours
    worst: list[dict[str, object]]


def dataset_choices(page: PageSession) -> list[str]:
    """OEE datasets holding a line or site of this user's."""
    with page.store.session() as session:
        return [d.name for d in list_datasets(session, page.user) if d.domain == "oee"]


def checked_dataset(page: PageSession, name: object) -> str | None:
    """A dataset name that came back from a widget, if this user may see it (else audited)."""
    if isinstance(name, str) and name in dataset_choices(page):
        return name
    page.allowed("dataset", name)  # records the refusal
    return None


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{value * 100:.1f} %"


def view(page: PageSession, dataset: object, period: object = "last 7 days") -> OeeView | None:
    """The page's figures for one dataset and period, or None for a forged choice."""
    name = checked_dataset(page, dataset)
    if name is None or period not in PERIODS:
        return None
    user = page.user
    with page.store.session() as session:
        convention = Convention(get_dataset(session, user, name).summary.get("convention",
                                                                             "iso"))
        last = queries.latest_day(session, user, name)
        if last is None:
            return OeeView(name, str(period), [], pd.DataFrame(), pd.DataFrame(),
                           pd.DataFrame(), [])
        days = PERIODS[str(period)]
        since = last - pd.Timedelta(days=days - 1) if days else None
        plant = queries.stored_totals(session, user, name, [], since)
        lines = queries.stored_totals(session, user, name, ["line_id"], since)
        machines = queries.stored_totals(session, user, name, ["machine_id", "line_id"], since)
        heat = queries.stored_oee(session, user, name, ["line_id"], Window.day,
                                  last - pd.Timedelta(days=HEAT_MAP_DAYS - 1))
    t = with_kpis(plant, convention).iloc[0]
    by_line = with_kpis(lines, convention)
    losses = report.losses_long(by_line)
    top = losses.groupby("loss")["hours"].sum().sort_values(ascending=False)
    tiles = [("OEE", _pct(t["oee"]), "fully productive ÷ planned busy time"),
             ("Availability", _pct(t["availability"]), "run ÷ planned busy time"),
             ("Effectiveness", _pct(t["effectiveness"]), "ideal ÷ run time"),
             ("Quality", _pct(t["quality"]), "good ÷ made, at ideal rate"),
             ("Biggest loss", str(top.index[0]), f"{top.iloc[0]:,.0f} h")]
    worst = report.worst_of(with_kpis(machines, convention), 5)
    rows = [{"machine": w.machine_id, "line": w.line_id, "OEE": _pct(w.oee),
             "availability": _pct(w.availability), "effectiveness": _pct(w.effectiveness),
             "quality": _pct(w.quality),
             "biggest loss": f"{w.biggest_loss} ({w.biggest_loss_h:,.1f} h)"}
            for w in worst.itertuples()]
    line_day = heat[["line_id", "window_label", "oee", "pbt_min"]]
    return OeeView(name, str(period), tiles, line_day, report.steps_from_totals(t), losses,
                   rows)
