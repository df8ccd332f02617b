"""The clinker network data contract (shared/specs/clinker-network.md, section 1) as typed schemas.

A ``TableSpec`` says which columns a table has and what kind of value each holds; ``parse_table``
turns the text cells a reader found into typed columns, and ``pandera_schema`` expresses the
rules a schema can hold (blank required cells, non-negative quantities, allowed codes, unique
keys). Cross-table rules live in :mod:`workbench.clinker.validation`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from workbench.clinker.contract.codes import Check
from workbench.core.findings import Finding, error, warning

if TYPE_CHECKING:
    import pandera.pandas as pa

Kind = Literal["text", "number", "integer", "flag"]

NODE_TYPES = ("IU", "GU", "EXT")
BOUND_TYPES = ("le", "ge", "eq")
ROW = "source_row"  # spreadsheet row number each record came from


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = True
    nonnegative: bool = False
    allowed: tuple[str, ...] | None = None
    default: object = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    optional: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: Kind, *, required: bool = True, nonneg: bool = False,
       allowed: tuple[str, ...] | None = None, default: object = None) -> ColumnSpec:
    return ColumnSpec(name, kind, required, nonneg, allowed, default)


PLANT_MASTER = TableSpec("plant_master", (
    _c("node_id", "text"),
    _c("node_type", "text", allowed=NODE_TYPES),
    _c("name", "text", required=False),
    _c("region", "text", required=False),
    _c("latitude", "number", required=False),
    _c("longitude", "number", required=False),
    _c("opening_stock_t", "number", required=False, nonneg=True, default=0.0),
), key=("node_id",))

PRODUCTION_CAPACITY_COST = TableSpec("production_capacity_cost", (
    _c("node_id", "text"),
    _c("period", "integer"),
    _c("capacity_t", "number", nonneg=True),
    _c("cost_inr_per_t", "number", nonneg=True),
), key=("node_id", "period"))

DEMAND_FORECAST = TableSpec("demand_forecast", (
    _c("node_id", "text"),
    _c("period", "integer"),
    _c("demand_t", "number", nonneg=True),
    _c("unmet_penalty_inr_per_t", "number", required=False, nonneg=True),
), key=("node_id", "period"))

SAFETY_STOCK_POLICY = TableSpec("safety_stock_policy", (
    _c("node_id", "text"),
    _c("period", "integer"),
    _c("safety_stock_t", "number", nonneg=True),
    _c("max_storage_t", "number", required=False, nonneg=True),
    _c("holding_cost_inr_per_t", "number", required=False, nonneg=True, default=0.0),
), key=("node_id", "period"), optional=True)

TRANSPORT_ROUTES_MODES = TableSpec("transport_routes_modes", (
    _c("route_id", "text"),
    _c("origin_id", "text"),
    _c("destination_id", "text"),
    _c("mode", "text"),
    _c("vehicle_capacity_t", "number", nonneg=True),
    _c("sbq_t", "number", required=False, nonneg=True, default=0.0),
    _c("cost_inr_per_t", "number", required=False, nonneg=True),
    _c("cost_inr_per_t_km", "number", required=False, nonneg=True),
    _c("distance_km", "number", required=False, nonneg=True),
    _c("handling_cost_inr_per_t", "number", required=False, nonneg=True, default=0.0),
    _c("fixed_cost_inr_per_trip", "number", required=False, nonneg=True, default=0.0),
    _c("max_trips", "number", required=False),
    _c("full_loads_only", "flag", required=False, default=False),
    _c("period", "integer", required=False),
), key=("route_id", "period"))

FLOW_BOUNDS = TableSpec("flow_bounds", (
    _c("origin_id", "text"),
    _c("mode", "text", required=False),
    _c("destination_id", "text", required=False),
    _c("period", "integer"),
    _c("bound", "text", allowed=BOUND_TYPES),
    _c("quantity_t", "number", nonneg=True),
), optional=True)

SETTINGS = TableSpec("settings", (
    _c("key", "text"),
    _c("value", "text"),
), key=("key",), optional=True)

TABLES: dict[str, TableSpec] = {t.name: t for t in (
    PLANT_MASTER, PRODUCTION_CAPACITY_COST, DEMAND_FORECAST, SAFETY_STOCK_POLICY,
    TRANSPORT_ROUTES_MODES, FLOW_BOUNDS, SETTINGS,
)}

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_KIND_WORDS = {"number": "a number", "integer": "a whole number", "flag": "true or false"}


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A typed, empty table: what an absent optional table reads as."""
    frame = pd.DataFrame({ROW: pd.Series(dtype="Int64")})
    for col in spec.columns:
        frame[col.name] = pd.Series(dtype=dtype_of(col.kind))
    return frame


_DTYPES: dict[str, str] = {"text": "object", "number": "float64", "integer": "Int64",
                           "flag": "boolean"}


def dtype_of(kind: Kind) -> str:
    """The pandas dtype a column of this kind is read into."""
    return _DTYPES[kind]


def _parse_cell(text: str, kind: Kind) -> tuple[object, str | None]:
    """Return (value, problem). Blank cells parse to None without a problem."""
    text = text.strip()
    if text == "" or text.lower() in {"nan", "na", "n/a", "null", "none"}:
        return None, None
    if kind == "text":
        return text, None
    if kind == "flag":
        low = text.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, f"'{text}' is not {_KIND_WORDS[kind]}; write true or false"
    try:
        number = float(text)
    except ValueError:
        return None, f"'{_clip(text)}' is not {_KIND_WORDS[kind]}; enter a plain number"
    if not math.isfinite(number) or abs(number) > 1e15:
        return None, f"'{_clip(text)}' is not a usable number (too large); check the units"
    if kind == "integer":
        if number != int(number):
            return None, f"'{text}' is not {_KIND_WORDS[kind]}; periods are 1, 2, 3 ..."
        return int(number), None
    return number, None


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def parse_table(
    spec: TableSpec, raw: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Type the text cells of one table. ``raw`` holds strings and a ``source_row`` column.

    Unparseable cells become missing values and are reported; missing required columns
    are reported once and read as all-missing so that later checks still run.
    """
    findings: list[Finding] = []
    present = [c for c in raw.columns if c != ROW]
    extras = [c for c in present if c not in spec.column_names]
    suggested: set[str] = set()
    out = pd.DataFrame({ROW: pd.array(raw[ROW].tolist(), dtype="Int64")}, index=raw.index)
    for col in spec.columns:
        if col.name not in raw.columns:
            if col.required:
                close = _closest(col.name, extras)
                if close:
                    suggested.add(close)
                    case = " (column names are exact and lower case)" if \
                        close.strip().lower() == col.name else ""
                    hint = f"; did you mean '{close}'?{case} Rename that header to '{col.name}'"
                else:
                    hint = "; add it to the header"
                findings.append(error(
                    Check.MISSING_COLUMN, spec.name,
                    f"required column '{col.name}' is missing{hint}", column=col.name,
                    file=file))
            values: list[object] = [col.default] * len(raw)
        else:
            values = []
            for row_no, text in zip(raw[ROW], raw[col.name], strict=True):
                value, problem = _parse_cell("" if text is None else str(text), col.kind)
                if problem:
                    check = Check.NON_INTEGER_PERIOD if col.name == "period" else Check.BAD_TYPE
                    findings.append(error(check, spec.name, problem, row=int(row_no),
                                          column=col.name, file=file))
                if value is None and col.default is not None:
                    value = col.default
                values.append(value)
        out[col.name] = pd.array(values, dtype=dtype_of(col.kind)) if values else \
            pd.Series(dtype=dtype_of(col.kind))
    # an unknown header already named as the likely misspelling needs no warning of its own
    findings += [warning(Check.EXTRA_COLUMN, spec.name,
                         f"column '{extra}' is not part of the contract and is ignored",
                         column=extra, file=file) for extra in extras if extra not in suggested]
    return out, findings


def _closest(name: str, candidates: list[str]) -> str | None:
    """The header most likely meant as ``name``: same letters up to case, or a near spelling."""
    for col in candidates:
        if col.strip().lower() == name:
            return col
    close = difflib.get_close_matches(name, [c.strip().lower() for c in candidates], n=1,
                                      cutoff=0.75)
    return next((c for c in candidates if close and c.strip().lower() == close[0]), None)


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    import pandera.pandas as pa  # loaded on first validation: commands that only read skip it

    """The single-table rules of the contract for typed frames from :func:`parse_table`."""
    columns: dict[str, pa.Column] = {}
    for col in spec.columns:
        checks: list[pa.Check] = []
        # pandera reports a failed check by its `error` text: we set it to our code, never
        # to prose, so failures map back to codes without matching messages
        if col.nonnegative:
            checks.append(pa.Check.ge(0, error=Check.NEGATIVE_VALUE))
        if col.allowed:
            checks.append(pa.Check.isin(list(col.allowed), error=_ALLOWED_CODES[col.name]))
        columns[col.name] = pa.Column(
            dtype_of(col.kind) if col.kind != "text" else None,
            checks=checks, nullable=not col.required, required=False)
    return pa.DataFrameSchema(columns, unique=list(spec.key) or None,
                              report_duplicates="all", strict=False)


_ALLOWED_CODES = {"node_type": Check.UNKNOWN_NODE_TYPE, "bound": Check.UNKNOWN_BOUND}


def _schema_check_name(check: str, spec: TableSpec, column: str) -> tuple[Check, str]:
    """Our code and a fix-it message for one pandera failure case (named by code)."""
    if check == "not_nullable":
        return Check.BLANK_REQUIRED_CELL, "is blank; this column is required, fill it in"
    if check == "multiple_fields_uniqueness" or check.startswith("field_uniqueness"):
        return Check.DUPLICATE_KEY, "duplicates another row's key; keep one row per key"
    if check == Check.NEGATIVE_VALUE:
        return Check.NEGATIVE_VALUE, "must not be negative; enter 0 or more"
    if check in (Check.UNKNOWN_NODE_TYPE, Check.UNKNOWN_BOUND):
        allowed = next(c.allowed for c in spec.columns if c.name == column)
        return Check(check), f"must be one of {', '.join(allowed or ())}"
    raise ValueError(f"pandera reported a check we did not declare: {check!r}")


def schema_findings(spec: TableSpec, frame: pd.DataFrame, file: str) -> list[Finding]:
    """Run the pandera schema lazily and turn every failure case into a Finding."""
    import pandera.pandas as pa

    if frame.empty:
        return []
    try:
        pandera_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failure_findings(spec, frame, exc.failure_cases, file)
    return []


def _failure_findings(spec: TableSpec, frame: pd.DataFrame, cases: pd.DataFrame,
                      file: str) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, int | None, str]] = set()
    key = ", ".join(spec.key)
    for case in cases.itertuples(index=False):
        column = str(case.column) if isinstance(case.column, str) else None
        check, message = _schema_check_name(str(case.check), spec, column or "")
        idx = case.index
        row = int(frame.loc[idx, ROW]) if idx is not None and idx in frame.index else None
        if check is Check.DUPLICATE_KEY:
            column = key
        dedupe = (check, row, column or "")
        if dedupe in seen:
            continue
        seen.add(dedupe)
        value = "" if check in {Check.BLANK_REQUIRED_CELL, Check.DUPLICATE_KEY} else \
            f" (value {case.failure_case!r})"
        findings.append(error(check, spec.name, f"{column or 'value'} {message}{value}",
                              row=row, column=column, file=file))
    return findings
