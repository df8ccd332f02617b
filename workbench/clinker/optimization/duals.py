"""Explanations: shadow prices from the fixed-integer LP, and infeasibility in business terms."""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from workbench.clinker.optimization.model_data import ModelData
from workbench.clinker.results.diagnostics import Diagnosis, Diagnostic

PRICED = {
    "capacity": ("capacity", "kiln capacity at {0} in period {1}"),
    "storage": ("storage", "storage limit at {0} in period {1}"),
    "flow_bound": ("flow_bound", "flow bound {0}"),
    "safety_stock": ("safety_stock", "safety stock at {0} in period {1}"),
}


def fix_integers_as_lp(m: pyo.ConcreteModel) -> None:
    """Fix trips and route use at their solved values and relax them to continuous.

    The LP over the remaining variables has the same optimum and meaningful duals: what one
    more tonne of each limit is worth with the trip plan held as decided.
    """
    for var in (m.trips, m.route_used):
        for v in var.values():
            value = round(pyo.value(v, exception=False) or 0.0)
            v.domain = pyo.Reals
            v.fix(value)
    # The shipment bounds derived from capacity are implied by the constraints; left in,
    # they would take the duals that belong to capacity and flow bounds.
    for v in m.shipment_t.values():
        v.setub(None)


def shadow_prices(m: pyo.ConcreteModel, duals: dict[object, float],
                  data: ModelData) -> pd.DataFrame:
    """Rows per priced constraint with a non-zero dual.

    ``shadow_price_inr_per_t`` is the change in total cost per extra tonne of the limit's
    right-hand side: -1,200 on a kiln's capacity means one more tonne saves ₹1,200.
    """
    rows = []
    bounds = data.bounds.set_index("bound_id") if not data.bounds.empty else None
    for family, (attr, label) in PRICED.items():
        con = getattr(m, attr)
        for index, c in con.items():
            dual = duals.get(c)
            if dual is None or abs(dual) < 1e-6:
                continue
            key = index if isinstance(index, tuple) else (index,)
            node, period = (key[0], key[1]) if len(key) == 2 else (None, None)
            if family == "flow_bound" and bounds is not None:
                b = bounds.loc[index]
                node, period = b["origin_id"], int(b["period"])
                what = (f"flow bound {b['bound']} {b['quantity_t']:,.0f} t from {node} "
                        f"(mode {b['mode'] or 'any'}, to {b['destination_id'] or 'any'}) "
                        f"in period {period}")
            else:
                what = label.format(*key)
            rows.append({"constraint": family, "node_id": node, "period": period,
                         "description": what, "shadow_price_inr_per_t": float(dual)})
    return pd.DataFrame(rows, columns=["constraint", "node_id", "period", "description",
                                       "shadow_price_inr_per_t"])


ELASTIC_FAMILIES = ("safety_stock", "storage", "flow_bound", "capacity")


def make_elastic(m: pyo.ConcreteModel) -> dict[str, pyo.Var]:
    """Relax the hard limits with non-negative slacks and minimise total violation.

    A limit whose slack stays positive at the optimum is part of the conflict; the caller
    names it by node, route and period.
    """
    slacks: dict[str, pyo.Var] = {}
    total = 0
    for family in ELASTIC_FAMILIES:
        con = getattr(m, family)
        keys = list(con.keys())
        over = pyo.Var(keys, domain=pyo.NonNegativeReals)
        under = pyo.Var(keys, domain=pyo.NonNegativeReals)
        m.add_component(f"{family}_over", over)
        m.add_component(f"{family}_under", under)
        relaxed = pyo.ConstraintList()
        m.add_component(f"{family}_elastic", relaxed)
        for k in keys:
            c = con[k]
            body = c.body + under[k] - over[k]
            if c.equality:
                relaxed.add(body == c.upper)
            else:
                if c.has_lb():
                    relaxed.add(body >= c.lower)
                if c.has_ub():
                    relaxed.add(body <= c.upper)
            c.deactivate()
            total += over[k] + under[k]
        slacks[family] = (over, under)  # type: ignore[assignment]
    m.total_cost.deactivate()
    m.violation = pyo.Objective(expr=total, sense=pyo.minimize)
    return slacks


def describe_violations(m: pyo.ConcreteModel, slacks: dict[str, tuple[pyo.Var, pyo.Var]],
                        data: ModelData) -> list[Diagnostic]:
    bounds = data.bounds.set_index("bound_id") if not data.bounds.empty else None
    found = []
    for family, (over, under) in slacks.items():
        for k in over:
            amount = (pyo.value(over[k]) or 0.0) + (pyo.value(under[k]) or 0.0)
            if amount <= 1e-6:
                continue
            key = k if isinstance(k, tuple) else (k,)
            if family == "safety_stock":
                found.append(Diagnostic(
                    Diagnosis.SAFETY_STOCK_CONFLICT, f"safety stock at {key[0]} in period "
                    f"{key[1]} cannot be held: short by {amount:,.0f} t",
                    node_id=key[0], period=int(key[1])))
            elif family == "storage":
                found.append(Diagnostic(
                    Diagnosis.STORAGE_CONFLICT, f"storage at {key[0]} in period {key[1]} would "
                    f"overflow by {amount:,.0f} t", node_id=key[0], period=int(key[1])))
            elif family == "capacity":
                found.append(Diagnostic(
                    Diagnosis.CAPACITY_CONFLICT, f"kiln {key[0]} in period {key[1]} would need "
                    f"{amount:,.0f} t beyond its capacity", node_id=key[0], period=int(key[1])))
            elif bounds is not None:
                b = bounds.loc[k]
                found.append(Diagnostic(
                    Diagnosis.FLOW_BOUND_CONFLICT,
                    f"flow bound {b['bound']} {b['quantity_t']:,.0f} t from {b['origin_id']} "
                    f"(mode {b['mode'] or 'any'}, to {b['destination_id'] or 'any'}) in period "
                    f"{b['period']} is off by {amount:,.0f} t",
                    node_id=b["origin_id"], period=int(b["period"])))
    return found
