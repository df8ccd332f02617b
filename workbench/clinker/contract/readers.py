"""Read a clinker network from a CSV folder, a workbook, or the public hackathon files.

All readers return the same :class:`ClinkerNetwork`; problems met on the way are kept in
``network.read_findings`` and reported by :func:`workbench.clinker.validate`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.clinker.contract import hackathon
from workbench.clinker.contract.codes import Check
from workbench.clinker.contract.network import SETTING_DEFAULTS, ClinkerNetwork, Settings
from workbench.clinker.contract.schema import TABLES, parse_table
from workbench.clinker.contract.sources import RawSource, read_csv_folder, read_workbook
from workbench.core.findings import Finding, error, warning


def read_network(path: str | Path) -> ClinkerNetwork:
    """Read DATA: a folder of ``<table>.csv``, an ``.xlsx`` workbook, or the hackathon files."""
    path = Path(path)
    if path.is_dir():
        raw = read_csv_folder(path)
        kind = "csv folder"
    elif path.suffix.lower() in {".xlsx", ".xlsm"} and path.is_file():
        raw = read_workbook(path)
        kind = "workbook"
    else:
        why = "does not exist" if not path.exists() else \
            "is neither a folder of CSV files nor an .xlsx workbook"
        finding = error(Check.UNREADABLE_FILE, "input", f"{why}; give a folder or an .xlsx file",
                        file=str(path))
        return ClinkerNetwork(tables={}, source=str(path), read_findings=[finding])
    network = hackathon.to_network(raw) if hackathon.looks_like(raw) else from_contract_tables(raw)
    network.source = f"{kind} {path}"
    return network


def from_contract_tables(raw: RawSource) -> ClinkerNetwork:
    """Type the contract's tables (section 1 of the spec) found in ``raw``."""
    findings: list[Finding] = list(raw.findings)
    unreadable = {f.table for f in raw.findings}
    # a workbook that cannot be opened at all is one error, not one more per table in it
    whole_source = any(f.check is Check.UNREADABLE_FILE and f.table == "workbook"
                       for f in raw.findings)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, spec in TABLES.items():
        table = raw.tables.get(name)
        if table is None:
            if not spec.optional and name not in unreadable and not whole_source:
                findings.append(error(
                    Check.MISSING_TABLE, name,
                    f"required table '{name}' is missing; add {name}.csv (or a sheet named "
                    f"{name}) with columns {', '.join(spec.required_columns)}"))
            continue
        frame, parse_findings = parse_table(spec, table.frame, table.file)
        tables[name] = frame
        files[name] = table.file
        findings.extend(parse_findings)
    for name, table in raw.tables.items():
        if name not in TABLES:
            findings.append(warning(Check.EXTRA_TABLE, name,
                                    f"table '{name}' is not part of the contract and is ignored",
                                    file=table.file))
    settings, setting_findings = parse_settings(tables.get("settings"), files.get("settings", ""))
    findings.extend(setting_findings)
    return ClinkerNetwork(tables=tables, settings=settings, files=files, read_findings=findings)


def parse_settings(frame: pd.DataFrame | None, file: str) -> tuple[Settings, list[Finding]]:
    """Turn the key/value ``settings`` table into :class:`Settings`."""
    if frame is None or frame.empty:
        return Settings(), []
    values: dict[str, object] = {}
    findings: list[Finding] = []
    for row in frame.itertuples(index=False):
        key, text, row_no = row.key, row.value, int(row.source_row)
        if key is None or pd.isna(key):
            continue
        if key not in SETTING_DEFAULTS:
            findings.append(warning(
                Check.UNKNOWN_SETTING, "settings",
                f"setting '{key}' is not known and is ignored; known settings: "
                f"{', '.join(SETTING_DEFAULTS)}", row=row_no, column="key", file=file))
            continue
        value, problem = _setting_value(key, text)
        if problem:
            findings.append(error(Check.BAD_SETTING, "settings", problem, row=row_no,
                                  column="value", file=file))
        else:
            values[key] = value
    return Settings(**values), findings  # type: ignore[arg-type]


def _setting_value(key: str, text: object) -> tuple[object, str | None]:
    text = "" if text is None or pd.isna(text) else str(text).strip()
    if key == "safety_stock":
        if text.lower() in {"hard", "soft"}:
            return text.lower(), None
        return None, f"safety_stock is '{text}'; write hard or soft"
    try:
        number = float(text)
    except ValueError:
        return None, f"{key} is '{text}'; it must be a number"
    if not number >= 0 or number == float("inf"):
        return None, f"{key} is {text}; it must be a finite number of 0 or more"
    if key == "mip_gap" and number >= 1:
        return None, f"mip_gap is {text}; give a fraction such as 0.01 for 1 %"
    return number, None
