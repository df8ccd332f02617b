"""Write a network back out in the contract's own forms (CSV folder or one workbook)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork, Settings
from workbench.clinker.contract.schema import ROW, TABLES


def contract_tables(network: ClinkerNetwork) -> dict[str, pd.DataFrame]:
    """The network's tables without bookkeeping columns, settings included."""
    out = {name: network.tables[name].drop(columns=[ROW]) for name in TABLES if name != "settings"}
    defaults = Settings()
    changed = [(k, v) for k, v in vars(network.settings).items() if getattr(defaults, k) != v]
    out["settings"] = pd.DataFrame(changed, columns=["key", "value"])
    return {name: frame for name, frame in out.items()
            if not frame.empty or not TABLES[name].optional}


def write_csv_folder(network: ClinkerNetwork, folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in contract_tables(network).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def write_workbook(network: ClinkerNetwork, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in contract_tables(network).items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path
