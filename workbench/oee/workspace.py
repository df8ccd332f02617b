"""An analyst's handle on the OEE store, for notebooks and reports::

    from workbench.oee import OeeWorkspace
    ws = OeeWorkspace.connect()                    # WORKBENCH_DB_URL or ./workbench.db
    ws.import_data("build/plant", dataset="plant")
    ws.kpis("plant", by=["line_id"], window="day")  # from the rows computed at import

Every read goes through the same scope filters as ``workbench oee stored-kpis``: a user granted
some lines or sites sees only their machines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.core.access import Principal
from workbench.oee.model.windows import Window
from workbench.oee.store import queries
from workbench.store.actions import audited
from workbench.store.db import Store, open_store
from workbench.store.users import LoginFailed, log_in


@dataclass
class OeeWorkspace:
    store: Store
    user: Principal

    @classmethod
    def connect(cls, url: str | None = None, username: str | None = None,
                password: str | None = None) -> OeeWorkspace:
        """Open the store (migrating it if needed) and log in; the login is audited."""
        store = open_store(url)
        try:
            return cls(store, log_in(store, username, password))
        except LoginFailed:
            store.dispose()
            raise

    def close(self) -> None:
        self.store.dispose()

    def import_data(self, path: str | Path, dataset: str) -> dict[str, object]:
        """Validate, then append to ``dataset``; raises with the findings when there are
        errors (nothing is stored then)."""
        from workbench.core.errors import InvalidRequest
        from workbench.oee.contract.readers import read_data
        from workbench.oee.store.persist import import_data
        from workbench.oee.validation import validate

        data = read_data(path)
        report = validate(data)
        if not report.ok:
            raise InvalidRequest(f"{path}: {report.summary()}; first: {report.errors[0]}")
        with audited(self.store, self.user, "oee.import", dataset) as session:
            return import_data(session, self.user, data, dataset, str(path))

    def datasets(self) -> list[str]:
        """OEE datasets this user may see, oldest first."""
        from workbench.store.datasets import list_datasets

        with self.store.session() as session:
            return [d.name for d in list_datasets(session, self.user) if d.domain == "oee"]

    def elements(self, dataset: str, window: Window | str = Window.day) -> pd.DataFrame:
        """The stored machine-window rows (summed elements) this user may see."""
        with self.store.session() as session:
            return queries.stored_elements(session, self.user, dataset, Window(window))

    def kpis(self, dataset: str, by: Sequence[str], window: Window | str = Window.day
             ) -> pd.DataFrame:
        """Rows of ``workbench oee stored-kpis`` as a frame (losses as loss_* columns)."""
        with self.store.session() as session:
            payload = queries.stored_kpis(session, self.user, dataset, list(by), Window(window))
        rows = pd.json_normalize(payload["rows"], sep="_")
        return rows.rename(columns=lambda c: c.replace("losses_min_", "loss_"))

    def stop_minutes(self, dataset: str, since: pd.Timestamp, until: pd.Timestamp
                     ) -> pd.DataFrame:
        """Stopped minutes in planned busy time by machine, state and reason."""
        with self.store.session() as session:
            return queries.stored_stop_minutes(session, self.user, dataset,
                                               since.tz_convert("UTC"),
                                               until.tz_convert("UTC"))

    def lineage(self, dataset: str) -> dict[str, object]:
        with self.store.session() as session:
            return queries.kpi_lineage(session, self.user, dataset)
