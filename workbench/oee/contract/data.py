"""One container for a plant's OEE data, whichever files it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.core.findings import Finding
from workbench.oee.contract.schema import TABLES, empty_frame


@dataclass(frozen=True)
class Settings:
    """The ``settings`` table with the contract's defaults."""

    timezone: str = "UTC"
    convention: str = "iso"


@dataclass
class OeeData:
    """The contract's tables as typed DataFrames, plus where each came from.

    Every table has a ``source_row`` column (the spreadsheet row the record was read from);
    timestamps are UTC instants.
    """

    tables: dict[str, pd.DataFrame]
    settings: Settings = field(default_factory=Settings)
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)
    read_findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, spec in TABLES.items():
            self.tables.setdefault(name, empty_frame(spec))

    def file_of(self, table: str) -> str:
        return self.files.get(table, table)

    @property
    def machines(self) -> pd.DataFrame:
        return self.tables["machines"]

    @property
    def ideal_rates(self) -> pd.DataFrame:
        return self.tables["ideal_rates"]

    @property
    def calendar(self) -> pd.DataFrame:
        return self.tables["calendar"]

    @property
    def events(self) -> pd.DataFrame:
        return self.tables["state_events"]

    @property
    def counts(self) -> pd.DataFrame:
        return self.tables["counts"]

    def summary(self) -> str:
        return (f"{len(self.machines)} machines, {len(self.events):,} state events, "
                f"{len(self.counts):,} count rows, {len(self.calendar):,} calendar rows")
