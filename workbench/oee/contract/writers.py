"""Write OEE tables in the contract's forms: a CSV folder (Parquet for the large tables if
asked) or one workbook. Timestamps are written as local time with their offset, so they read
back the same whatever the reader's time zone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.oee.contract.schema import TABLES


def _timezone(tables: dict[str, pd.DataFrame]) -> str:
    settings = tables.get("settings")
    if settings is not None:
        hit = settings.loc[settings["key"] == "timezone", "value"]
        if len(hit):
            return str(hit.iloc[0])
    return "UTC"


def _as_text(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            text = out[col].dt.tz_convert(timezone).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            out[col] = text.str[:-2] + ":" + text.str[-2:]
    return out


def _contract(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: tables[name][[c for c in TABLES[name].column_names if c in tables[name]]]
            for name in TABLES if name in tables}


def write_folder(tables: dict[str, pd.DataFrame], folder: str | Path,
                 parquet: bool = False) -> Path:
    """One ``<table>.csv`` per table; with ``parquet`` state_events and counts as Parquet."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    timezone = _timezone(tables)
    for name, frame in _contract(tables).items():
        if parquet and TABLES[name].parquet:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            _as_text(frame, timezone).to_csv(folder / f"{name}.csv", index=False)
    return folder


def write_workbook(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    timezone = _timezone(tables)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in _contract(tables).items():
            _as_text(frame, timezone).to_excel(writer, sheet_name=name, index=False)
    return path
