"""Low-level reading of the OEE tables: CSV files, workbook sheets and Parquet files.

CSV and workbook cells are read as text with their spreadsheet row number; Parquet columns keep
their types (a timestamp column stays one). Nothing here raises on bad bytes: a file that
cannot be read becomes a finding that names it and says what to do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.core.findings import Finding, error
from workbench.oee.contract.schema import ROW


@dataclass
class RawTable:
    """The cells of one table, keyed by header, plus a ``source_row`` column."""

    frame: pd.DataFrame
    file: str


@dataclass
class RawSource:
    """All tables found at one path, and the problems met while reading them."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _header_findings(table: str, header: list[str], file: str) -> list[Finding]:
    findings = []
    if not header:
        findings.append(error("empty_table", table,
                              "has no header row; the first row must name the columns",
                              row=1, file=file))
    seen: set[str] = set()
    for name in header:
        if name == "":
            findings.append(error("bad_header", table, "a header cell is blank; name every "
                                  "column", row=1, file=file))
        elif name in seen:
            findings.append(error("bad_header", table, f"column '{name}' appears twice; keep "
                                  "one", row=1, column=name, file=file))
        seen.add(name)
    return findings


def _numbered(frame: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.insert(0, ROW, range(first_row, first_row + len(frame)))
    return frame


def read_csv_table(path: Path, table: str) -> tuple[RawTable | None, list[Finding]]:
    """Read one CSV file as text. Returns no table when the file cannot be used at all."""
    file = path.name
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        return None, [error("unreadable_file", table,
                            f"is not UTF-8 text (bad byte at offset {exc.start}); save it as "
                            "'CSV UTF-8' from Excel", file=file)]
    except (OSError, csv.Error) as exc:
        return None, [error("unreadable_file", table, f"cannot be read ({exc}); export it "
                            "again as CSV", file=file)]
    if header is None:
        return None, [error("empty_table", table, "is empty; it needs a header row", file=file)]
    names = [h.strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    findings = _header_findings(table, names, file)
    if findings:
        return None, findings
    # trailing blank header cells (a spreadsheet's habit) name throw-away columns
    padded = names + [f"__blank_{i}" for i in range(len(header) - len(names))]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, encoding="utf-8-sig", header=0,
                            names=padded, engine="c")[names]
    except UnicodeDecodeError as exc:
        return None, [error("unreadable_file", table,
                            f"is not UTF-8 text (bad byte at offset {exc.start}); save it as "
                            "'CSV UTF-8' from Excel", file=file)]
    except (pd.errors.ParserError, ValueError) as exc:
        return None, [error("unreadable_file", table,
                            f"is not valid CSV ({str(exc).strip().splitlines()[0]}); a row may "
                            "have more cells than the header, or a quote may be unclosed: "
                            "quote values that contain commas and export it again", file=file)]
    frame = _numbered(frame)
    # blank lines keep their numbers (so rows match the editor's) but carry no record
    empty = (frame[names] == "").all(axis=1) if names else pd.Series(True, index=frame.index)
    return RawTable(frame[~empty], file), []


def read_parquet_table(path: Path, table: str) -> tuple[RawTable | None, list[Finding]]:
    """Read one Parquet file; its columns keep their types. Row 2 is the first record, as in
    the CSV export of the same table."""
    file = path.name
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds on damaged files
        return None, [error("unreadable_file", table,
                            f"is not a readable Parquet file ({type(exc).__name__}: "
                            f"{str(exc).strip().splitlines()[0][:120]}); write it again",
                            file=file)]
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(_numbered(frame), file), []


def read_folder(folder: Path) -> RawSource:
    """Every ``<table>.csv`` and ``<table>.parquet`` in a folder (both for one table: an error)."""
    source = RawSource()
    paths = sorted([*folder.glob("*.csv"), *folder.glob("*.parquet")])
    stems = [p.stem for p in paths]
    for path in paths:
        if stems.count(path.stem) > 1:
            if path.suffix == ".csv":
                source.findings.append(error(
                    "duplicate_table", path.stem,
                    f"both {path.stem}.csv and {path.stem}.parquet exist; keep one",
                    file=path.name))
            continue
        reader = read_parquet_table if path.suffix == ".parquet" else read_csv_table
        table, findings = reader(path, path.stem)
        source.findings.extend(findings)
        if table is not None:
            source.tables[path.stem] = table
    return source


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
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
            "unreadable_file", "workbook",
            f"is not a readable .xlsx workbook ({type(exc).__name__}); save it from Excel as "
            "'Excel Workbook (.xlsx)'", file=file))
        return source
    try:
        for sheet in book.worksheets:
            name = sheet.title.strip()
            label = f"{file} [{name}]"
            try:
                rows_iter = sheet.iter_rows(values_only=True)
                first = next(rows_iter, None)
                header = [_cell_text(c).strip() for c in (first or [])]
                while header and header[-1] == "":
                    header.pop()
                findings = _header_findings(name, header, label)
                if findings:
                    source.findings.extend(findings)
                    continue
                numbers, records = [], []
                for row_no, values in enumerate(rows_iter, start=2):
                    cells = [_cell_text(v) for v in values[: len(header)]]
                    cells += [""] * (len(header) - len(cells))
                    if any(c.strip() for c in cells):
                        numbers.append(row_no)
                        records.append(cells)
                frame = pd.DataFrame(records, columns=header, dtype=object)
                frame.insert(0, ROW, numbers)
                source.tables[name] = RawTable(frame, label)
            except Exception as exc:  # a damaged sheet must not hide the others
                source.findings.append(error(
                    "unreadable_file", name,
                    f"sheet cannot be read ({type(exc).__name__}); save the workbook again",
                    file=label))
    finally:
        book.close()
    return source
