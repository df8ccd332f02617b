"""Low-level reading of text tables from CSV files and Excel sheets.

Everything is read as text with its spreadsheet row number; typing happens in
:mod:`workbench.clinker.contract.schema`. Nothing here raises on bad bytes: a file that cannot be
read becomes a :class:`~workbench.core.findings.Finding` that names it and says what to do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.clinker.contract.codes import Check
from workbench.clinker.contract.schema import ROW
from workbench.core.findings import Finding, error

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class RawTable:
    """Text cells of one table, keyed by header, plus a ``source_row`` column."""

    frame: pd.DataFrame
    file: str


@dataclass
class RawSource:
    """All tables found at one path, and the problems met while reading them."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)


def _frame(header: list[str], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    data: dict[str, list[object]] = {ROW: [r for r, _ in rows]}
    for i, name in enumerate(header):
        data[name] = [cells[i] if i < len(cells) else "" for _, cells in rows]
    return pd.DataFrame(data)


def _clean_header(cells: list[object]) -> list[str]:
    header = ["" if c is None else str(c).strip() for c in cells]
    while header and header[-1] == "":
        header.pop()
    return header


def _header_findings(table: str, header: list[str], file: str) -> list[Finding]:
    findings = []
    if not header:
        findings.append(error(Check.EMPTY_TABLE, table,
                              "has no header row; the first row must name the columns",
                              row=1, file=file))
    seen: set[str] = set()
    for name in header:
        if name == "":
            findings.append(error(Check.BAD_HEADER, table,
                                  "a header cell is blank; name every column", row=1, file=file))
        elif name in seen:
            findings.append(error(Check.BAD_HEADER, table,
                                  f"column '{name}' appears twice; keep one", row=1, column=name,
                                  file=file))
        seen.add(name)
    return findings


def read_csv_table(path: Path, table: str) -> tuple[RawTable | None, list[Finding]]:
    """Read one CSV file. Returns no table when the file cannot be used at all."""
    file = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [error(Check.UNREADABLE_FILE, table, "is larger than 200 MB; split it",
                                file=file)]
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [error(Check.UNREADABLE_FILE, table,
                            f"is not UTF-8 text (bad byte at offset {exc.start}); "
                            "save it as 'CSV UTF-8' from Excel", file=file)]
    except OSError as exc:
        return None, [error(Check.UNREADABLE_FILE, table, f"cannot be opened: {exc.strerror}",
                            file=file)]
    if "\x00" in text:
        return None, [error(Check.UNREADABLE_FILE, table,
                            "contains NUL bytes and is not a CSV text file; export it again",
                            file=file)]
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return None, [error(Check.UNREADABLE_FILE, table,
                            f"is not valid CSV ({exc}); export it again", file=file)]
    if not records:
        return None, [error(Check.EMPTY_TABLE, table, "is empty; it needs a header row", file=file)]
    header = _clean_header(records[0])
    findings = _header_findings(table, header, file)
    if any(f.is_error for f in findings):
        return None, findings
    rows: list[tuple[int, list[str]]] = []
    for line_no, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len([c for c in cells[len(header):] if c.strip()]) > 0:
            findings.append(error(
                Check.RAGGED_ROW, table,
                f"has {len(cells)} cells but the header names {len(header)} columns; "
                "remove the extra cells or quote values that contain commas",
                row=line_no, file=file))
            continue
        rows.append((line_no, cells))
    return RawTable(_frame(header, rows), file), findings


def read_csv_folder(folder: Path) -> RawSource:
    source = RawSource()
    for path in sorted(folder.glob("*.csv")):
        table, findings = read_csv_table(path, path.stem)
        source.findings.extend(findings)
        if table is not None:
            source.tables[path.stem] = table
    return source


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path) -> RawSource:
    """Read every sheet of an .xlsx workbook as a text table."""
    from openpyxl import load_workbook

    source = RawSource()
    file = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on corrupt zips
        source.findings.append(error(
            Check.UNREADABLE_FILE, "workbook",
            f"is not a readable .xlsx workbook ({type(exc).__name__}); "
            "save it from Excel as 'Excel Workbook (.xlsx)'", file=file))
        return source
    try:
        for sheet in book.worksheets:
            name = sheet.title.strip()
            source.sheet_names.append(name)
            label = f"{file} [{name}]"
            try:
                rows_iter = sheet.iter_rows(values_only=True)
                first = next(rows_iter, None)
                header = _clean_header(list(first)) if first else []
                findings = _header_findings(name, header, label)
                if any(f.is_error for f in findings):
                    source.findings.extend(findings)
                    continue
                rows = []
                for row_no, values in enumerate(rows_iter, start=2):
                    cells = [_cell_text(v) for v in values]
                    if any(c.strip() for c in cells):
                        rows.append((row_no, cells[: len(header)]))
                source.tables[name] = RawTable(_frame(header, rows), label)
            except Exception as exc:  # a damaged sheet must not hide the others
                source.findings.append(error(
                    Check.UNREADABLE_FILE, name,
                    f"sheet cannot be read ({type(exc).__name__}); save the workbook again",
                    file=label))
    finally:
        book.close()
    return source
