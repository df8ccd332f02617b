"""Small hand-made OEE inputs for the tests: records in, typed OeeData (or a CSV folder) out."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pandas as pd

from workbench.oee.contract.data import OeeData
from workbench.oee.contract.readers import from_raw
from workbench.oee.contract.schema import TABLES
from workbench.oee.contract.sources import RawSource, RawTable

Records = dict[str, list[dict[str, object]]]


def day(hhmm: str, date: str = "2024-01-08") -> str:
    return f"{date}T{hhmm}:00"


def data_from(records: Records) -> OeeData:
    """Type records through the same parser as files (row numbers as in a CSV export)."""
    raw = RawSource()
    for name, rows in records.items():
        header = _header(name, rows)
        frame = pd.DataFrame([{k: "" if r.get(k) is None else str(r.get(k)) for k in header}
                              for r in rows], columns=header, dtype=object)
        frame.insert(0, "source_row", range(2, len(frame) + 2))
        raw.tables[name] = RawTable(frame, f"{name}.csv")
    data = from_raw(raw)
    data.source = "records"
    for name in records:
        data.files.setdefault(name, f"{name}.csv")
    return data


def _header(name: str, rows: list[dict[str, object]]) -> list[str]:
    """The union of the rows' keys; an empty table gets the contract's required columns."""
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    return header or (TABLES[name].required_columns if name in TABLES else [])


def folder_from(records: Records, folder: Path) -> Path:
    """Write records as a contract CSV folder (empty tables keep their header)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in records.items():
        header = _header(name, rows)
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def one_machine(pbt_planned_down: list[tuple[str, str]] | None = None) -> Records:
    """One machine m1 on line L1, one 06:00-14:00 shift 'A', ideal 30 s per piece of p1."""
    return {
        "machines": [{"machine_id": "m1", "line_id": "L1", "site_id": "S1"}],
        "ideal_rates": [{"machine_id": "m1", "product_id": "p1", "ideal_cycle_time_s": 30}],
        "calendar": [{"machine_id": "m1", "start": day("06:00"), "end": day("14:00"),
                      "kind": "shift", "shift_id": "A"}] + [
            {"machine_id": "m1", "start": day(a), "end": day(b), "kind": "planned_down"}
            for a, b in (pbt_planned_down or [])],
        "state_events": [],
        "counts": [],
    }


def events(machine: str, *spans: tuple[str, str, str]) -> list[dict[str, object]]:
    return [{"machine_id": machine, "start": day(a), "end": day(b), "state": s}
            for a, b, s in spans]


def copy_of(records: Records) -> Records:
    return copy.deepcopy(records)
