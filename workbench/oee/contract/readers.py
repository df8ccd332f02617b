"""Read a plant's OEE data from a folder (CSV, with Parquet for the large tables) or one
workbook. Problems met on the way are kept in ``data.read_findings`` and reported by
:func:`workbench.oee.validate`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workbench.core.findings import Finding, error, warning
from workbench.oee.contract.data import OeeData, Settings
from workbench.oee.contract.schema import CONVENTIONS, ROW, TABLES, parse_table
from workbench.oee.contract.sources import RawSource, read_folder, read_workbook

SETTING_KEYS = ("timezone", "convention")


def read_data(path: str | Path) -> OeeData:
    """Read DATA: a folder of ``<table>.csv`` / ``<table>.parquet`` files or an .xlsx workbook."""
    path = Path(path)
    if path.is_dir():
        raw, kind = read_folder(path), "folder"
    elif path.suffix.lower() in {".xlsx", ".xlsm"} and path.is_file():
        raw, kind = read_workbook(path), "workbook"
    else:
        why = "does not exist" if not path.exists() else \
            "is neither a folder of CSV/Parquet files nor an .xlsx workbook"
        finding = error("unreadable_file", "input", f"{why}; give a folder or an .xlsx file",
                        file=str(path))
        return OeeData(tables={}, source=str(path), read_findings=[finding])
    data = from_raw(raw)
    data.source = f"{kind} {path}"
    return data


def from_raw(raw: RawSource) -> OeeData:
    """Type the contract's tables found in ``raw`` (settings first: they give the timezone)."""
    findings: list[Finding] = list(raw.findings)
    unreadable = {f.table for f in raw.findings}
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    settings = Settings()
    if "settings" in raw.tables:
        table = raw.tables["settings"]
        frame, parse_findings = parse_table(TABLES["settings"], table.frame, table.file)
        settings, setting_findings = parse_settings(frame, table.file)
        tables["settings"], files["settings"] = frame, table.file
        findings += parse_findings + setting_findings
    for name, spec in TABLES.items():
        if name == "settings":
            continue
        table = raw.tables.get(name)
        if table is None:
            if name not in unreadable:
                where = f"{name}.csv" + (f" or {name}.parquet" if spec.parquet else "")
                findings.append(error(
                    "missing_table", name,
                    f"required table '{name}' is missing; add {where} (or a sheet named "
                    f"{name}) with columns {', '.join(spec.required_columns)}"))
            continue
        frame, parse_findings = parse_table(spec, table.frame, table.file, settings.timezone)
        tables[name], files[name] = frame, table.file
        findings += parse_findings
        if table.file.endswith(".parquet") and not spec.parquet:
            findings.append(warning("parquet_table", name,
                                    "is read from Parquet, which the contract allows only for "
                                    "state_events and counts; it was read anyway",
                                    file=table.file))
    for name, table in raw.tables.items():
        if name not in TABLES:
            findings.append(warning("extra_table", name,
                                    f"table '{name}' is not part of the contract and is ignored",
                                    file=table.file))
    return OeeData(tables=tables, settings=settings, files=files, read_findings=findings)


def parse_settings(frame: pd.DataFrame, file: str) -> tuple[Settings, list[Finding]]:
    """Turn the key/value ``settings`` table into :class:`Settings`."""
    values: dict[str, str] = {}
    findings: list[Finding] = []
    for key, value, row in zip(frame["key"], frame["value"], frame[ROW], strict=True):
        if key is None:
            continue
        if key not in SETTING_KEYS:
            findings.append(warning("unknown_setting", "settings",
                                    f"setting '{key}' is not known and is ignored; known "
                                    f"settings: {', '.join(SETTING_KEYS)}", row=int(row),
                                    column="key", file=file))
            continue
        text = "" if value is None else str(value)
        problem = _setting_problem(key, text)
        if problem:
            findings.append(error("bad_setting", "settings", problem, row=int(row),
                                  column="value", file=file))
        else:
            values[key] = text.lower() if key == "convention" else text
    return Settings(**values), findings


def _setting_problem(key: str, text: str) -> str | None:
    if key == "convention":
        if text.lower() in CONVENTIONS:
            return None
        return f"convention is '{text}'; write iso or vorne"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return (f"timezone '{text}' is not an IANA time zone; write a name such as "
                "Europe/Berlin, Asia/Kolkata or UTC")
    return None
