"""Importer for the public 8-sheet hackathon workbook and its CSV export (spec section 3).

The sheets are typed with the same machinery as the contract tables, then mapped onto the
contract: codes stripped and upper-cased, one route per (FROM, TO, TRANSPORT CODE) with
period rows, L/G/E bounds as le/ge/eq, and safety stock set to soft because 28 nodes open
below their safety stock in this data.
"""

from __future__ import annotations

import pandas as pd

from workbench.clinker.contract.codes import Check
from workbench.clinker.contract.network import ClinkerNetwork, Settings, lanes_matching
from workbench.clinker.contract.schema import (
    ROW,
    TABLES,
    ColumnSpec,
    TableSpec,
    dtype_of,
    parse_table,
)
from workbench.clinker.contract.sources import RawSource
from workbench.core.findings import Finding, error, warning

T, N, INT = "text", "number", "integer"


def _spec(name: str, *cols: tuple[str, str, bool]) -> TableSpec:
    return TableSpec(name, tuple(ColumnSpec(c, k, req) for c, k, req in cols))  # type: ignore[arg-type]


SHEETS: dict[str, TableSpec] = {s.name: s for s in (
    _spec("IUGUType", ("IUGU CODE", T, True), ("PLANT TYPE", T, True), ("# Source", N, False)),
    _spec("IUGUOpeningStock", ("IUGU CODE", T, True), ("OPENING STOCK", N, True)),
    _spec("IUGUClosingStock", ("IUGU CODE", T, True), ("TIME PERIOD", INT, True),
          ("MIN CLOSE STOCK", N, True), ("MAX CLOSE STOCK", N, False)),
    _spec("ProductionCost", ("IU CODE", T, True), ("TIME PERIOD", INT, True),
          ("PRODUCTION COST", N, True)),
    _spec("ClinkerCapacity", ("IU CODE", T, True), ("TIME PERIOD", INT, True),
          ("CAPACITY", N, True)),
    _spec("ClinkerDemand", ("IUGU CODE", T, True), ("TIME PERIOD", INT, True),
          ("DEMAND", N, True), ("MIN FULFILLMENT (%)", N, False)),
    _spec("LogisticsIUGU", ("FROM IU CODE", T, True), ("TO IUGU CODE", T, True),
          ("TRANSPORT CODE", T, True), ("TIME PERIOD", INT, True), ("FREIGHT COST", N, True),
          ("HANDLING COST", N, False), ("QUANTITY MULTIPLIER", N, True)),
    _spec("IUGUConstraint", ("IU CODE", T, True), ("TRANSPORT CODE", T, False),
          ("IUGU CODE", T, False), ("TIME PERIOD", INT, True), ("BOUND TYPEID", T, True),
          ("VALUE TYPEID", T, False), ("Value", N, True)),
    _spec("HubOpeningStock", ("IU", T, False), ("IUGU", T, False), ("Opening Stock", N, False)),
)}
OPTIONAL_SHEETS = {"HubOpeningStock"}
BOUND_CODES = {"L": "le", "G": "ge", "E": "eq"}


def looks_like(raw: RawSource) -> bool:
    """The hackathon files are recognised by their sheet (or CSV file) names."""
    names = set(raw.tables) | set(raw.sheet_names) | {f.table for f in raw.findings}
    return {"LogisticsIUGU", "ClinkerDemand", "IUGUType"} <= names and not (
        names & set(TABLES))


def _code(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v.strip().upper() if isinstance(v, str) else v)


def to_network(raw: RawSource) -> ClinkerNetwork:
    findings: list[Finding] = list(raw.findings)
    sheets: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    unreadable = {f.table for f in raw.findings}
    for name, spec in SHEETS.items():
        table = raw.tables.get(name)
        if table is None:
            if name not in OPTIONAL_SHEETS and name not in unreadable:
                findings.append(error(Check.MISSING_TABLE, name,
                                      f"sheet '{name}' of the hackathon workbook is missing"))
            frame, _ = parse_table(spec, pd.DataFrame({ROW: []}), name)
            sheets[name] = frame
            files[name] = name
            continue
        frame, parse_findings = parse_table(spec, table.frame, table.file)
        findings.extend(f for f in parse_findings if f.check != "missing_column" or
                        name not in unreadable)
        for col in spec.columns:
            if col.kind == "text" and col.name in frame:
                frame[col.name] = _code(frame[col.name])
        sheets[name] = frame
        files[name] = table.file

    routes = _routes(sheets["LogisticsIUGU"])
    bounds, bound_findings = _flow_bounds(sheets["IUGUConstraint"], routes,
                                          files["IUGUConstraint"])
    findings.extend(bound_findings)
    tables = {
        "plant_master": _plants(sheets["IUGUType"], sheets["IUGUOpeningStock"], routes),
        "production_capacity_cost": _production(sheets["ClinkerCapacity"],
                                                sheets["ProductionCost"]),
        "demand_forecast": _demand(sheets["ClinkerDemand"]),
        "safety_stock_policy": _safety_stock(sheets["IUGUClosingStock"]),
        "transport_routes_modes": routes,
        "flow_bounds": bounds,
    }
    table_files = {
        "plant_master": f"{files['IUGUType']} + {files['IUGUOpeningStock']}",
        "production_capacity_cost": f"{files['ClinkerCapacity']} + {files['ProductionCost']}",
        "demand_forecast": files["ClinkerDemand"],
        "safety_stock_policy": files["IUGUClosingStock"],
        "transport_routes_modes": files["LogisticsIUGU"],
        "flow_bounds": files["IUGUConstraint"],
    }
    hub = sheets["HubOpeningStock"].drop(columns=[ROW])
    return ClinkerNetwork(
        tables={k: _typed(k, v) for k, v in tables.items()},
        settings=Settings(safety_stock="soft"),
        files=table_files,
        read_findings=findings,
        notes={"hub_opening_stock": hub},
    )


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a mapped table exactly the contract's columns and dtypes."""
    spec = TABLES[name]
    out = pd.DataFrame({ROW: pd.array(frame[ROW].tolist(), dtype="Int64")})
    for col in spec.columns:
        dtype = dtype_of(col.kind)
        values = frame[col.name].tolist() if col.name in frame else [col.default] * len(frame)
        if col.kind == "text":
            values = [None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))
                      else v for v in values]
        out[col.name] = pd.array(values, dtype=dtype) if len(values) else \
            pd.Series(dtype=dtype)
    return out


def _plants(types: pd.DataFrame, opening: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
    plants = pd.DataFrame({
        ROW: types[ROW], "node_id": types["IUGU CODE"], "node_type": types["PLANT TYPE"],
    })
    stock = opening.drop_duplicates("IUGU CODE").set_index("IUGU CODE")["OPENING STOCK"]
    plants["opening_stock_t"] = plants["node_id"].map(stock).fillna(0.0)
    lane_codes = pd.concat([routes["origin_id"], routes["destination_id"]]).dropna().unique()
    external = sorted(c for c in lane_codes
                      if str(c).startswith("EXT_") and c not in set(plants["node_id"]))
    ext = pd.DataFrame({ROW: [None] * len(external), "node_id": external,
                        "node_type": ["EXT"] * len(external),
                        "opening_stock_t": [0.0] * len(external)})
    return pd.concat([plants, ext], ignore_index=True)


def _production(capacity: pd.DataFrame, cost: pd.DataFrame) -> pd.DataFrame:
    cap = capacity.rename(columns={"IU CODE": "node_id", "TIME PERIOD": "period",
                                   "CAPACITY": "capacity_t"})
    cst = cost.rename(columns={"IU CODE": "node_id", "TIME PERIOD": "period",
                               "PRODUCTION COST": "cost_inr_per_t"}).drop(columns=[ROW])
    return cap.merge(cst, on=["node_id", "period"], how="outer")


def _demand(demand: pd.DataFrame) -> pd.DataFrame:
    return demand.rename(columns={"IUGU CODE": "node_id", "TIME PERIOD": "period",
                                  "DEMAND": "demand_t"})


def _safety_stock(closing: pd.DataFrame) -> pd.DataFrame:
    out = closing.rename(columns={"IUGU CODE": "node_id", "TIME PERIOD": "period",
                                  "MIN CLOSE STOCK": "safety_stock_t",
                                  "MAX CLOSE STOCK": "max_storage_t"})
    out["holding_cost_inr_per_t"] = 0.0
    return out


# The workbook's transport codes in the contract's words. Route ids keep the code
# (FROM>TO:T1) so they stay stable; unknown codes pass through unchanged.
TRANSPORT_MODES = {"T1": "road", "T2": "rail"}


def _mode(code: object) -> str | None:
    """The contract's mode for a transport code; a blank code is None (any mode)."""
    return TRANSPORT_MODES.get(code, code) if isinstance(code, str) else None


def _routes(lanes: pd.DataFrame) -> pd.DataFrame:
    qm = lanes["QUANTITY MULTIPLIER"]
    return pd.DataFrame({
        ROW: lanes[ROW],
        "route_id": lanes["FROM IU CODE"].astype(str) + ">" + lanes["TO IUGU CODE"].astype(str)
        + ":" + lanes["TRANSPORT CODE"].astype(str),
        "origin_id": lanes["FROM IU CODE"],
        "destination_id": lanes["TO IUGU CODE"],
        "mode": lanes["TRANSPORT CODE"].map(_mode),
        "vehicle_capacity_t": qm,
        "sbq_t": qm,
        "cost_inr_per_t": lanes["FREIGHT COST"],
        "handling_cost_inr_per_t": lanes["HANDLING COST"].fillna(0.0),
        "full_loads_only": (qm > 1).fillna(False),
        "period": lanes["TIME PERIOD"],
    })


def _flow_bounds(constraints: pd.DataFrame, routes: pd.DataFrame,
                 file: str) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    lanes = routes[routes["origin_id"] != routes["destination_id"]]
    keep: list[dict[str, object]] = []
    for row in constraints.to_dict("records"):
        row_no = int(row[ROW])
        origin, mode = row["IU CODE"], _mode(row["TRANSPORT CODE"])
        dest = row["IUGU CODE"] if isinstance(row["IUGU CODE"], str) else None  # blank: any
        code = row["BOUND TYPEID"]
        if row.get("VALUE TYPEID") not in (None, "C") and not pd.isna(row.get("VALUE TYPEID")):
            findings.append(warning(
                Check.UNKNOWN_VALUE_TYPE, "IUGUConstraint",
                f"VALUE TYPEID '{row['VALUE TYPEID']}' is not understood (only C, tonnes); "
                "the bound is dropped", row=row_no, column="VALUE TYPEID", file=file))
            continue
        if not lanes_matching(lanes, origin, mode, dest).any():
            lane = f"{origin} -> {dest or 'any'} by {mode or 'any mode'}"
            findings.append(warning(
                Check.BOUND_WITHOUT_LANE, "IUGUConstraint",
                f"bound names lane {lane}, which does not exist in LogisticsIUGU; "
                "the bound is dropped", row=row_no, file=file))
            continue
        keep.append({
            ROW: row_no, "origin_id": origin, "mode": mode, "destination_id": dest,
            "period": row["TIME PERIOD"],
            "bound": BOUND_CODES.get(code, str(code).lower() if isinstance(code, str) else None),
            "quantity_t": row["Value"],
        })
    columns = [ROW, "origin_id", "mode", "destination_id", "period", "bound", "quantity_t"]
    return pd.DataFrame(keep, columns=columns), findings
