"""Bulk writes and reads of large frames on SQLite and PostgreSQL.

PostgreSQL gets ``COPY ... FROM STDIN`` (and monthly partitions of the event table created as
months arrive); SQLite gets one ``executemany``. Timestamps travel as UTC text.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's own storage format for DateTime on SQLite


COPY_CHUNK = 500_000  # rows per COPY buffer: bounded memory for a 10-million-row import


def _utc_text(series: pd.Series, dialect: str) -> pd.Series:
    """UTC text in the store's format; numpy's formatter is about 4x faster than strftime."""
    naive = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    text = pd.Series(np.datetime_as_string(naive, unit="us"), index=series.index)
    if dialect == "sqlite":
        return text.str.replace("T", " ", n=1, regex=False)  # == SQLITE_TS
    return text + "+00"


def insert_frame(session: Session, table: str, frame: pd.DataFrame) -> int:
    """Append every row of ``frame`` (columns named as the table's) in one bulk statement."""
    if frame.empty:
        return 0
    dialect = session.get_bind().dialect.name
    columns = ", ".join(frame.columns)
    if dialect == "postgresql":
        if table == "oee_state_events":
            ensure_month_partitions(session, frame["start_at"])
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            for lo in range(0, len(frame), COPY_CHUNK):
                buffer = io.StringIO()
                _as_text(frame.iloc[lo:lo + COPY_CHUNK], dialect).to_csv(
                    buffer, index=False, header=False)
                copy.write(buffer.getvalue())
        return len(frame)
    out = _as_text(frame, dialect)
    marks = ", ".join("?" for _ in out.columns)
    rows = out.astype(object).where(out.notna(), None).itertuples(index=False, name=None)
    session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))
    return len(out)


def _as_text(frame: pd.DataFrame, dialect: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = _utc_text(out[col], dialect)
    return out


def ensure_month_partitions(session: Session, starts: pd.Series) -> list[str]:
    """Create the monthly partitions of ``oee_state_events`` that these starts need."""
    months = sorted(set(starts.dt.tz_convert("UTC").dt.strftime("%Y-%m")))
    made = []
    for month in months:
        lo = pd.Timestamp(f"{month}-01", tz="UTC")
        hi = lo + pd.DateOffset(months=1)
        name = f"oee_state_events_{month.replace('-', '_')}"
        session.execute(text(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF oee_state_events "
            f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"))
        made.append(name)
    return made


def read_frame(session: Session, sql: str, params: dict[str, object],
               timestamps: tuple[str, ...] = (), expanding: tuple[str, ...] = ()
               ) -> pd.DataFrame:
    """Run a SELECT and return a frame with ``timestamps`` as UTC instants."""
    statement = text(sql)
    if expanding:
        statement = statement.bindparams(*(bindparam(n, expanding=True) for n in expanding))
    result = session.execute(statement, params)
    columns = list(result.keys())
    rows = result.fetchall()
    # rows as columns: zip is C, while pandas reads SQLAlchemy Row objects one by one (a
    # million stored events took 10 s that way)
    frame = pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True))
                         if rows else {c: [] for c in columns}, columns=columns)
    for col in timestamps:
        frame[col] = pd.to_datetime(frame[col], utc=True, format="mixed") if len(frame) else \
            pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def utc_param(value: pd.Timestamp, dialect: str) -> object:
    """A timestamp bound parameter that compares correctly with stored values."""
    utc = value.tz_convert("UTC")
    return utc.strftime(SQLITE_TS) if dialect == "sqlite" else utc.to_pydatetime()
