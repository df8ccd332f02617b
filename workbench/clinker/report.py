"""The scenario report's content: one call gathers it, small functions shape each section.

Notebooks stay thin: ``scenario_report.ipynb`` calls these and the chart functions in
:mod:`workbench.clinker.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.clinker.workspace import Workspace
from workbench.core.money import format_inr


@dataclass(frozen=True)
class ScenarioReport:
    scenario: str
    summary: dict
    tables: dict[str, pd.DataFrame]
    plants: pd.DataFrame
    comparison: dict | None
    import_findings: list[dict]
    diagnostics: list[dict]


def gather(ws: Workspace, scenario: str, compare_to: str | None = None) -> ScenarioReport:
    """Everything the report shows, read from the store as the acting user may see it."""
    tables, summary = ws.plan_tables(scenario)
    plants = ws.scenario_network(scenario).plants[
        ["node_id", "node_type", "region", "latitude", "longitude"]]
    comparison = _comparison(ws, scenario, compare_to)
    return ScenarioReport(scenario, summary, tables, plants, comparison,
                          ws.import_findings(scenario), ws.run_diagnostics(summary["run"]))


def _comparison(ws: Workspace, scenario: str, compare_to: str | None) -> dict | None:
    if compare_to:
        return ws.compare(compare_to, scenario)
    approved = ws.scenarios()
    baseline = approved[approved["approved"]]
    if baseline.empty or baseline["scenario"].iloc[0] == scenario:
        return None  # nothing approved yet, or this is the baseline itself
    return ws.compare(scenario)


def headline(report: ScenarioReport) -> pd.DataFrame:
    kpis = report.tables["kpis"]
    values = dict(zip(kpis["kpi"], kpis["value"], strict=True)) if "kpi" in kpis else {}
    rows = [("scenario", f"{report.scenario} v{report.summary['version']} "
                         f"(run {report.summary['run']})"),
            ("status", report.summary["status"]),
            ("total cost", format_inr(values.get("total_cost_inr"))),
            ("service level", f"{values['service_level']:.1%}"
             if values.get("service_level") is not None else "—"),
            ("unmet demand", f"{values.get('unmet_t', 0):,.0f} t"),
            ("gap", report.summary["mip_gap"] or "—"),
            ("data", f"{report.summary['dataset']} (sha256 {report.summary['data_hash'][:12]})")]
    return pd.DataFrame(rows, columns=["", "value"]).set_index("")


def cost_table(report: ScenarioReport) -> pd.DataFrame:
    costs = report.tables["costs"].copy()
    total = costs.loc[costs["component"] == "total", "cost_inr"].iloc[0]
    costs["share"] = (costs["cost_inr"] / total).map("{:.1%}".format) if total else ""
    costs["cost"] = costs["cost_inr"].map(format_inr)
    return costs[["component", "cost", "share"]].set_index("component")


def comparison_table(comparison: dict) -> pd.DataFrame:
    a, b = comparison["a"]["label"], comparison["b"]["label"]
    rows = [(name.removesuffix("_inr"), format_inr(d["a"]), format_inr(d["b"]),
             format_inr(d["change"]),
             f"{d['change_pct']:+.2f} %" if d["change_pct"] is not None else "")
            for name, d in comparison["costs_inr"].items()]
    return pd.DataFrame(rows, columns=["component", a, b, "change", "change %"]).set_index(
        "component")


def moving_plants(comparison: dict) -> pd.DataFrame:
    return pd.DataFrame(comparison["nodes"]).set_index("node_id").round(0)


def top_shadow_prices(report: ScenarioReport, top: int = 10) -> pd.DataFrame:
    prices = report.tables["shadow_prices"]
    worth = prices.assign(worth_inr_per_t=-prices["shadow_price_inr_per_t"])
    return worth[worth["worth_inr_per_t"] > 0].nlargest(top, "worth_inr_per_t")[
        ["constraint", "node_id", "period", "description", "worth_inr_per_t"]]


def warnings_table(report: ScenarioReport) -> pd.DataFrame:
    rows = [("import", f.get("check"), f.get("message")) for f in report.import_findings
            if f.get("severity") == "warning"]
    rows += [("plan", d.get("code"), d.get("message")) for d in report.diagnostics]
    return pd.DataFrame(rows, columns=["from", "check", "message"])
