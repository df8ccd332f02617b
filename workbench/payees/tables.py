"""Read name tables (CSV, Parquet, .xlsx) and write results (CSV, Parquet), with clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

READABLE = (".csv", ".parquet", ".pq", ".xlsx")
WRITABLE = (".csv", ".parquet", ".pq")
BLANK_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none"})


class TableError(ValueError):
    """A table that cannot be used; the message names the file (and column) and the fix."""


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path) -> pd.DataFrame:
    """Every column as read; text columns stay text (no numeric guessing of ids or names)."""
    if not path.exists():
        raise TableError(f"{path}: no such file")
    if path.is_dir():
        raise TableError(f"{path}: is a folder; give a .csv, .parquet or .xlsx file")
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise TableError(f"{path}: cannot read '{suffix or 'no extension'}' files; give a "
                         f"{', '.join(READABLE)} file")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        return pd.read_parquet(path)
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 "
                         "CSV") from None
    except pd.errors.EmptyDataError:
        raise TableError(f"{path}: the file is empty; it needs a header row") from None
    except Exception as exc:  # parsers raise many kinds; all mean "not a readable table"
        raise TableError(f"{path}: not a readable {suffix} table ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no detail'})") from None


def name_column(table: pd.DataFrame, path: Path, column: str) -> list[object]:
    """The names, with blank-looking cells as None (they get an empty label, not dropped)."""
    if column not in table.columns:
        found = ", ".join(map(str, table.columns)) or "none"
        raise TableError(f"{path}: no column '{column}' (columns: {found}); name the column "
                         "with --column")
    values = table[column].tolist()
    return [None if isinstance(v, str) and v.strip().casefold() in BLANK_TEXT else v
            for v in values]


def check_output(path: Path) -> None:
    if path.suffix.lower() not in WRITABLE:
        raise TableError(f"{path}: --out must end in .csv or .parquet")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write whole or not at all (a temporary file renamed into place)."""
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix.lower() == ".csv":
        frame.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    tmp.replace(path)
