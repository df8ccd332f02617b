"""Write a set of tables for people: one Excel workbook with a sheet per table, or a folder of
CSV files. Number formats come from the columns' units (``_t`` tonnes, ``_inr`` rupees...)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

SUMMARY_SHEET = "summary"
MAX_WIDTH = 48


def number_format(column: str) -> str | None:
    """Excel's format for a column, read off its unit suffix; None leaves the cell as it is."""
    if column.endswith(("_inr_per_t", "_per_t")):
        return "#,##0.00"
    if column.endswith(("_t", "_inr", "_min")) or column in ("trips", "max_trips"):
        return "#,##0"
    if column in ("utilisation", "service_level") or column.endswith(("_ratio", "_gap")):
        return "0.0%"
    return None


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path,
                 summary: Mapping[str, object] | None = None) -> Path:
    """``.xlsx`` -> one workbook (a summary sheet first); anything else -> a folder of CSVs."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _workbook(tables, path, summary)
    path.mkdir(parents=True, exist_ok=True)
    if summary is not None:
        _summary_frame(summary).to_csv(path / f"{SUMMARY_SHEET}.csv", index=False)
    for name, frame in tables.items():
        frame.to_csv(path / f"{name}.csv", index=False)
    return path


def _summary_frame(summary: Mapping[str, object]) -> pd.DataFrame:
    values = [v if isinstance(v, int | float | str) or v is None else str(v)
              for v in summary.values()]
    return pd.DataFrame({"item": list(summary), "value": pd.Series(values, dtype=object)})


def _workbook(tables: Mapping[str, pd.DataFrame], path: Path,
              summary: Mapping[str, object] | None) -> Path:
    from openpyxl.utils import get_column_letter

    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = ({SUMMARY_SHEET: _summary_frame(summary)} if summary is not None else {})
    sheets.update(tables)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"  # the header stays in view while scrolling
            for i, column in enumerate(frame.columns, start=1):
                letter = get_column_letter(i)
                fmt = number_format(str(column))
                if fmt:
                    for cell in sheet[letter][1:]:
                        cell.number_format = fmt
                sheet.column_dimensions[letter].width = _width(frame[column], str(column), fmt)
    return path


def _width(values: pd.Series, header: str, fmt: str | None) -> float:
    sample = values.head(200)
    if fmt and pd.api.types.is_numeric_dtype(sample):
        longest = max((len(f"{v:,.0f}") for v in sample.dropna()), default=0) + 2
    else:
        longest = max((len(str(v)) for v in sample), default=0)
    return float(min(MAX_WIDTH, max(len(header), longest) + 2))
