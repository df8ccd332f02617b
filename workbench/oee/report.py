"""The OEE report's content: one call gathers it from the store, small functions shape each
section. ``oee_report.ipynb`` and the OEE dashboard page call these and :mod:`.charts`.

Every figure is formed from summed elements of the stored machine-day rows (never a mean of
ratios); the Pareto of stop reasons reads the stored events of the same machines and days.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.core.errors import NotFound
from workbench.oee import reasons
from workbench.oee.kpis import LOSSES, Convention, with_kpis
from workbench.oee.model.timeline import ELEMENT_COLUMNS
from workbench.oee.workspace import OeeWorkspace

LOSS_NAMES = {"breakdowns": "breakdowns", "setup": "setup and adjustment",
              "minor_stops": "minor stops", "reduced_speed": "reduced speed",
              "process_defects": "process defects", "reduced_yield": "reduced yield"}


@dataclass(frozen=True)
class OeeReport:
    dataset: str
    convention: Convention
    days: pd.DataFrame  # stored machine-day rows (summed elements) in the period
    stops: pd.DataFrame  # stopped minutes by machine, state and reason
    lineage: dict[str, object]
    first_day: str
    last_day: str


def last_days(elements: pd.DataFrame, days: int) -> pd.DataFrame:
    """Rows of the last ``days`` local days that have any row (0: all of them)."""
    if days <= 0 or elements.empty:
        return elements
    labels = sorted(set(elements["window_label"]))[-days:]
    return elements[elements["window_label"].isin(labels)].reset_index(drop=True)


def gather(ws: OeeWorkspace, dataset: str, days: int = 28) -> OeeReport:
    """Everything the report shows, as the workspace's user may see it."""
    lineage = ws.lineage(dataset)
    elements = last_days(ws.elements(dataset, "day"), days)
    if elements.empty:
        raise NotFound(f"dataset '{dataset}' has no KPI rows that user '{ws.user.username}' "
                       "may see")
    since, until = elements["window_start"].min(), elements["window_end"].max()
    stops = ws.stop_minutes(dataset, since, until)
    labels = sorted(set(elements["window_label"]))
    return OeeReport(dataset, Convention(lineage["convention"]), elements, stops, lineage,
                     labels[0], labels[-1])


def totals(elements: pd.DataFrame, by: list[str], convention: Convention) -> pd.DataFrame:
    """KPIs of the elements summed over the whole period, grouped by ``by``."""
    if by:
        sums = elements.groupby(by, as_index=False, dropna=False)[list(ELEMENT_COLUMNS)].sum()
    else:
        sums = elements[list(ELEMENT_COLUMNS)].sum().to_frame().T
    return with_kpis(sums, convention)


def summary(r: OeeReport) -> pd.DataFrame:
    t = totals(r.days, [], r.convention).iloc[0]
    pct = "{:.1%}".format
    rows = [("dataset", r.dataset),
            ("period", f"{r.first_day} to {r.last_day} ({r.days['window_label'].nunique()} "
                       "days)"),
            ("machines / lines", f"{r.days['machine_id'].nunique()} / "
                                 f"{r.days['line_id'].nunique()}"),
            ("OEE", pct(t["oee"])), ("availability", pct(t["availability"])),
            ("effectiveness", pct(t["effectiveness"])), ("quality", pct(t["quality"])),
            ("planned busy time", f"{t['pbt_min'] / 60:,.0f} h"),
            ("good pieces", f"{t['gq']:,.0f} of {t['pq']:,.0f}"),
            ("convention", f"{r.convention} (minor stops are "
                           f"{'run' if r.convention is Convention.vorne else 'delay'} time)"),
            ("data", f"sha256 {str(r.lineage['data_hash'])[:12]}, {r.lineage['imports']} "
                     f"import(s), last {r.lineage['last_import']}, KPIs by workbench "
                     f"{', '.join(r.lineage['package_versions'])}")]
    return pd.DataFrame(rows, columns=["", "value"]).set_index("")


def line_day(r: OeeReport) -> pd.DataFrame:
    """OEE per line and day: each cell Σ fully productive time / Σ PBT of its machines."""
    sums = r.days.groupby(["line_id", "window_label"], as_index=False)[
        list(ELEMENT_COLUMNS)].sum()
    return with_kpis(sums, r.convention)[["line_id", "window_label", "oee", "pbt_min"]]


def waterfall_steps(r: OeeReport) -> pd.DataFrame:
    """PBT, minus ADOT and each of the six losses, gives fully productive time (hours)."""
    return steps_from_totals(totals(r.days, [], r.convention).iloc[0])


def steps_from_totals(t: pd.Series) -> pd.DataFrame:
    """The waterfall of one row of KPIs (:func:`totals`), in hours.

    The steps add up exactly (the identity of spec section 3); reduced speed is negative
    when machines beat their ideal cycle time, and its bar then goes up.
    """
    steps = [("planned busy time", "planned busy time", t["pbt_min"]),
             ("idle (ADOT)", "loss", -t["adot_min"])]
    steps += [(LOSS_NAMES[n], "loss", -t[f"loss_{n}"]) for n in LOSSES]
    rows, level = [], 0.0
    for step, kind, minutes in steps:
        top, bottom = (level + minutes, level) if minutes >= 0 else (level, level + minutes)
        level += minutes
        rows.append({"step": step, "kind": kind, "hours": abs(minutes) / 60,
                     "top_h": top / 60, "bottom_h": bottom / 60})
    rows.append({"step": "fully productive time", "kind": "fully productive time",
                 "hours": t["fully_productive_min"] / 60,
                 "top_h": t["fully_productive_min"] / 60, "bottom_h": 0.0})
    return pd.DataFrame(rows)


def six_losses(r: OeeReport) -> pd.DataFrame:
    """The six losses in hours per line (long form, for the chart)."""
    return losses_long(totals(r.days, ["line_id"], r.convention))


def losses_long(by_line: pd.DataFrame) -> pd.DataFrame:
    """KPI rows per line -> one row per line and loss, in hours."""
    long = by_line.melt(id_vars=["line_id"], value_vars=[f"loss_{n}" for n in LOSSES],
                        var_name="loss", value_name="minutes")
    long["loss"] = long["loss"].str.removeprefix("loss_").map(LOSS_NAMES)
    return long.assign(hours=long["minutes"] / 60)


def losses_table(r: OeeReport) -> pd.DataFrame:
    """Hours per loss and line, with the whole plant and each loss's share of PBT."""
    t = totals(r.days, ["line_id"], r.convention).set_index("line_id")
    table = pd.DataFrame({LOSS_NAMES[n]: t[f"loss_{n}"] / 60 for n in LOSSES}).T
    table["all lines"] = table.sum(axis=1)
    table["share of PBT"] = table["all lines"] / (t["pbt_min"].sum() / 60)
    return table.style.format("{:,.1f}").format("{:.1%}", subset=["share of PBT"])


def stop_pareto(r: OeeReport, top: int = 15) -> pd.DataFrame:
    return reasons.pareto(r.stops, top)


def worst_machines(r: OeeReport, n: int = 10) -> pd.DataFrame:
    """The ``n`` machines with the lowest OEE over the period, and their biggest loss."""
    return worst_of(totals(r.days, ["machine_id", "line_id"], r.convention), n)


def worst_of(t: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` rows of KPIs per machine with the lowest OEE, with their biggest loss."""
    t = t[t["pbt_min"] > 0].sort_values("oee").head(n)
    loss_cols = [f"loss_{x}" for x in LOSSES]
    biggest = t[loss_cols].idxmax(axis=1).str.removeprefix("loss_").map(LOSS_NAMES)
    return t.assign(biggest_loss=biggest.to_numpy(),
                    biggest_loss_h=t[loss_cols].max(axis=1).to_numpy() / 60)[
        ["machine_id", "line_id", "oee", "availability", "effectiveness", "quality",
         "biggest_loss", "biggest_loss_h"]].reset_index(drop=True)


def worst_table(worst: pd.DataFrame) -> object:
    pct = ["oee", "availability", "effectiveness", "quality"]
    return worst.style.format("{:.1%}", subset=pct).format("{:,.1f}",
                                                           subset=["biggest_loss_h"]).hide()
