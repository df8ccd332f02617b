"""The OEE data contract (shared/specs/oee-events.md, section 1) as typed table specs.

``parse_table`` turns what a reader found (text cells, or typed Parquet columns) into typed
columns without a Python loop over rows; ``schema_findings`` runs the single-table rules as
pandera schemas. Timestamps become UTC instants (``datetime64[ns, UTC]``); naive ones are local
time in ``settings.timezone``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from workbench.core.findings import Finding, Severity, error, warning

if TYPE_CHECKING:
    import pandera.pandas as pa

Kind = Literal["text", "number", "timestamp"]
ROW = "source_row"  # spreadsheet row each record came from (header = row 1)
STATES = ("running", "setup", "breakdown", "minor_stop", "waiting")
KINDS = ("shift", "planned_down")
CONVENTIONS = ("iso", "vorne")
EVERY_MACHINE = "*"
# Past this many findings of one kind in one column, one summary finding stands for the rest:
# a file with a million bad rows needs its first rows and a count, not a million lines.
MAX_FINDINGS_PER_CHECK = 50
_BLANKS = {"", "nan", "na", "n/a", "null", "none", "nat"}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = True
    minimum: float | None = None  # inclusive lower bound
    positive: bool = False  # strictly above 0
    allowed: tuple[str, ...] | None = None
    default: float | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    parquet: bool = False  # may come as <table>.parquet

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: Kind, *, required: bool = True, minimum: float | None = None,
       positive: bool = False, allowed: tuple[str, ...] | None = None,
       default: float | None = None) -> ColumnSpec:
    return ColumnSpec(name, kind, required, minimum, positive, allowed, default)


MACHINES = TableSpec("machines", (
    _c("machine_id", "text"), _c("line_id", "text"),
    _c("site_id", "text", required=False), _c("name", "text", required=False),
), key=("machine_id",))

IDEAL_RATES = TableSpec("ideal_rates", (
    _c("machine_id", "text"), _c("product_id", "text"),
    _c("ideal_cycle_time_s", "number", positive=True),
), key=("machine_id", "product_id"))

CALENDAR = TableSpec("calendar", (
    _c("machine_id", "text"), _c("start", "timestamp"), _c("end", "timestamp"),
    _c("kind", "text", allowed=KINDS), _c("shift_id", "text", required=False),
))

STATE_EVENTS = TableSpec("state_events", (
    _c("machine_id", "text"), _c("start", "timestamp"), _c("end", "timestamp"),
    _c("state", "text", allowed=STATES), _c("reason", "text", required=False),
    _c("order_id", "text", required=False),
), key=("machine_id", "start"), parquet=True)

COUNTS = TableSpec("counts", (
    _c("machine_id", "text"), _c("start", "timestamp"), _c("end", "timestamp"),
    _c("product_id", "text"),
    _c("produced_qty", "number", minimum=0), _c("good_qty", "number", minimum=0),
    _c("rework_qty", "number", required=False, minimum=0, default=0.0),
    _c("startup_reject_qty", "number", required=False, minimum=0, default=0.0),
    # the project's own optional column: why the scrap was scrapped (for Paretos)
    _c("scrap_reason", "text", required=False),
), parquet=True)

SETTINGS = TableSpec("settings", (_c("key", "text"), _c("value", "text")), key=("key",),
                     optional=True)

TABLES: dict[str, TableSpec] = {t.name: t for t in (
    MACHINES, IDEAL_RATES, CALENDAR, STATE_EVENTS, COUNTS, SETTINGS)}

_KIND_WORDS = {"number": "a number", "timestamp": "an ISO 8601 timestamp"}
_HINTS = {"number": "enter a plain number such as 120 or 1.5",
          "timestamp": "write it like 2024-03-01T06:00:00 or 2024-03-01 06:00:00+01:00"}
# an offset (Z, +01, +0100 or +01:00) right after a clock time
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    frame = pd.DataFrame({ROW: pd.Series(dtype="int64")})
    for col in spec.columns:
        frame[col.name] = pd.Series(dtype=_dtype(col.kind))
    return frame


def _dtype(kind: Kind) -> str:
    return {"text": "object", "number": "float64", "timestamp": "datetime64[ns, UTC]"}[kind]


def mask_findings(mask: np.ndarray | pd.Series, rows: np.ndarray | pd.Series | None,
                  make: Callable[[int], str], *, check: str, table: str, column: str | None,
                  file: str | None, severity: Severity = Severity.ERROR) -> list[Finding]:
    """One finding per flagged row (``make(i)`` words it for position i), capped.

    When more rows are flagged than :data:`MAX_FINDINGS_PER_CHECK`, the last finding says how
    many more rows have the same problem.
    """
    where = np.flatnonzero(np.asarray(mask, dtype=bool))
    build = error if severity is Severity.ERROR else warning
    row_numbers = None if rows is None else np.asarray(rows)
    out = [build(check, table, make(int(i)),
                 row=None if row_numbers is None else int(row_numbers[i]), column=column,
                 file=file) for i in where[:MAX_FINDINGS_PER_CHECK]]
    if len(where) > MAX_FINDINGS_PER_CHECK:
        rest = len(where) - MAX_FINDINGS_PER_CHECK
        out.append(build(check, table, f"... and {rest:,} more rows with the same problem "
                         f"(first listed above); fix them the same way", row=None,
                         column=column, file=file))
    return out


def _blank(values: pd.Series) -> pd.Series:
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return values.isna()
    text = values.astype("string").str.strip()
    return text.isna() | text.str.lower().isin(_BLANKS)


def _text(values: pd.Series) -> pd.Series:
    """Stripped text, blanks as None. The string work runs once per distinct value and the
    result shares one object per value: an event log repeats a few machine ids, states and
    reasons millions of times (10 M events: 12.6 s and 5.4 GB read per value, not per id)."""
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques, dtype=object).astype("string").str.strip()
    blank = (distinct.isna() | distinct.str.lower().isin(_BLANKS)).to_numpy(dtype=bool)
    table = np.append(distinct.astype(object).to_numpy(), None)  # code -1 (missing) -> None
    table[:-1][blank] = None
    return pd.Series(table[codes], index=values.index, dtype=object)


def _number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers and the mask of cells that are not blank yet do not parse."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        out = values.astype("float64")
        return out, pd.Series(~np.isfinite(out.fillna(0.0)), index=values.index)
    blank = _blank(values)
    out = pd.to_numeric(values.astype("string").str.strip().str.replace(",", "", regex=False)
                        .where(~blank), errors="coerce").astype("float64")
    bad = (~blank & (out.isna() | ~np.isfinite(out.fillna(0.0)) | (out.abs() > 1e15)))
    return out.where(~bad), bad


def parse_timestamps(values: pd.Series, timezone: str
                     ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """UTC instants, the mask of cells that do not parse, and the mask of naive local times
    that do not exist (the hour that a DST change skips).

    A timestamp with an offset is taken as it is; a naive one is local time in ``timezone``.
    In the autumn hour that a DST change repeats, a naive time is read as its first
    occurrence (write an offset to mean the second).
    """
    none = pd.Series(False, index=values.index)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC"), none, none
    if pd.api.types.is_datetime64_dtype(values):
        local = _localize(values, timezone)
        return local, none, local.isna() & values.notna()
    blank = _blank(values)
    text = values.astype("string").str.strip().where(~blank)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    aware = text.str.contains(_OFFSET, regex=True, na=False)
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], utc=True, format="ISO8601", errors="coerce")
    naive = ~aware & ~blank
    gap = none.copy()
    if naive.any():
        parsed = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # cannot happen, but stay safe
            local = parsed.dt.tz_convert("UTC")
        else:
            local = _localize(parsed, timezone)
        out[naive] = local
        gap[naive] = local.isna() & parsed.notna()
    return out, ~blank & out.isna() & ~gap, gap


def _localize(naive: pd.Series, timezone: str) -> pd.Series:
    return naive.dt.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool),
                                nonexistent="NaT").dt.tz_convert("UTC")


def parse_table(spec: TableSpec, raw: pd.DataFrame, file: str,
                timezone: str = "UTC") -> tuple[pd.DataFrame, list[Finding]]:
    """Type one table. ``raw`` holds the read cells and a ``source_row`` column.

    Unparseable cells become missing values and are reported; a missing required column is
    reported once and read as all-missing so that the other checks still run.
    """
    findings: list[Finding] = []
    present = [c for c in raw.columns if c != ROW]
    for extra in present:
        if extra not in spec.column_names:
            findings.append(warning("extra_column", spec.name,
                                    f"column '{extra}' is not part of the contract and is "
                                    "ignored", column=extra, file=file))
    rows = raw[ROW].to_numpy(dtype="int64")
    out = pd.DataFrame({ROW: rows}, index=raw.index)
    for col in spec.columns:
        if col.name not in raw.columns:
            if col.required:
                findings.append(error(
                    "missing_column", spec.name,
                    f"required column '{col.name}' is missing{_case_hint(col.name, present)}; "
                    "add it to the header", column=col.name, file=file))
            fill = col.default if col.default is not None else None
            out[col.name] = pd.Series([fill] * len(raw), index=raw.index,
                                      dtype=_dtype(col.kind))
            continue
        values = raw[col.name]
        if col.kind == "text":
            out[col.name] = _text(values)
            continue
        if col.kind == "number":
            parsed, bad = _number(values)
            if col.default is not None:
                parsed = parsed.fillna(col.default).where(~bad)
        else:
            parsed, bad, gap = parse_timestamps(values, timezone)
            findings += mask_findings(
                gap.to_numpy(), rows, lambda i, values=values: (
                    f"'{values.iloc[i]}' does not exist in {timezone}: the clocks jump forward "
                    "over it; write the time with its UTC offset"),
                check="nonexistent_local_time", table=spec.name, column=col.name, file=file)
        out[col.name] = parsed
        if bad.any():
            shown = values.astype("string")
            findings += mask_findings(
                bad.to_numpy(), rows,
                lambda i, shown=shown, col=col: (
                    f"'{_clip(str(shown.iloc[i]))}' is not {_KIND_WORDS[col.kind]}; "
                    f"{_HINTS[col.kind]}"),
                check=f"bad_{col.kind}", table=spec.name, column=col.name, file=file)
    return out, findings


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _case_hint(name: str, present: list[str]) -> str:
    for col in present:
        if col.strip().lower() == name:
            return f" (found '{col}'; column names are exact and lower case)"
    return ""


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The single-table rules of the contract, for frames typed by :func:`parse_table`."""
    import pandera.pandas as pa  # loaded on first validation: commands that only read skip it

    columns: dict[str, pa.Column] = {}
    for col in spec.columns:
        checks: list[pa.Check] = []
        if col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum, error="negative"))
        if col.positive:
            checks.append(pa.Check.gt(0, error="not_positive"))
        if col.allowed:
            checks.append(pa.Check.isin(list(col.allowed), error="unknown_code"))
        columns[col.name] = pa.Column(None, checks=checks, nullable=not col.required,
                                      required=False)
    # state_events' key is checked by the overlap check, which also names the other row
    unique = list(spec.key) if spec.key and spec.name != "state_events" else None
    return pa.DataFrameSchema(columns, unique=unique, report_duplicates="exclude_first",
                              strict=False)


def schema_findings(spec: TableSpec, frame: pd.DataFrame, file: str,
                    bad_cells: set[tuple[str, int]] | None = None) -> list[Finding]:
    """Run the pandera schema lazily and word every failure case as a finding.

    ``bad_cells`` are (column, row) pairs already reported as unparseable; their blank value
    is not reported again as a blank required cell.
    """
    import pandera.pandas as pa

    if frame.empty:
        return []
    try:
        pandera_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failure_findings(spec, frame, exc.failure_cases, file, bad_cells or set())
    return []


def _message(spec: TableSpec, check: str, column: str, value: object) -> tuple[str, str]:
    if check == "not_nullable":
        return "blank_required_cell", f"{column} is blank; this column is required, fill it in"
    if check in ("multiple_fields_uniqueness", "field_uniqueness") or \
            check.startswith("field_uniqueness"):
        key = ", ".join(spec.key)
        return "duplicate_key", (f"duplicates another row's {key}; keep one row per "
                                 f"{key}")
    if check == "negative":
        return "negative_quantity", f"{column} is {value}; quantities must be 0 or more"
    if check == "not_positive":
        return "nonpositive_cycle_time", (f"{column} is {value}; an ideal cycle time must be "
                                          "above 0 seconds per piece")
    if check == "unknown_code":
        allowed = next(c.allowed for c in spec.columns if c.name == column) or ()
        name = {"state": "unknown_state", "kind": "unknown_kind"}.get(column, "unknown_code")
        return name, f"{column} '{value}' is not known; use one of {', '.join(allowed)}"
    return "schema", f"{column}: {check} (value {value!r})"


def _failure_findings(spec: TableSpec, frame: pd.DataFrame, cases: pd.DataFrame, file: str,
                      bad_cells: set[tuple[str, int]]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, int | None, str]] = set()
    per_check: dict[tuple[str, str], int] = {}
    rows = frame[ROW]
    for case in cases.itertuples(index=False):
        column = str(case.column) if isinstance(case.column, str) else ""
        check, message = _message(spec, str(case.check), column, case.failure_case)
        idx = case.index
        row = int(rows.loc[idx]) if idx is not None and idx in rows.index else None
        if check == "duplicate_key":
            column = ", ".join(spec.key)
        if check == "blank_required_cell" and (column, row) in bad_cells:
            continue
        if (check, row, column) in seen:
            continue
        seen.add((check, row, column))
        count = per_check.get((check, column), 0) + 1
        per_check[(check, column)] = count
        if count <= MAX_FINDINGS_PER_CHECK:
            findings.append(error(check, spec.name, message, row=row, column=column or None,
                                  file=file))
    for (check, column), count in per_check.items():
        if count > MAX_FINDINGS_PER_CHECK:
            findings.append(error(check, spec.name,
                                  f"... and {count - MAX_FINDINGS_PER_CHECK:,} more rows with "
                                  "the same problem (first listed above); fix them the same way",
                                  column=column or None, file=file))
    return findings
