"""Read telemetry files (CSV or Parquet, files or folders) and the wells table into Arrow.

Reading never drops a row: a cell that cannot be parsed becomes a missing value and the row is
flagged ``unparseable`` by the checks, with the original text kept for the quarantine. A file
that cannot be opened, or that lacks a column of the contract, stops the whole batch
(:class:`ReadError`), so that nothing of it is stored.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from workbench.core.errors import UserError
from workbench.esp.contract.schema import METRICS, TELEMETRY_COLUMNS, TS, WELL, WELL_COLUMNS

SUFFIXES = (".csv", ".parquet", ".pq")
FILE_COL = "_file"
ROW_COL = "_row"
BLANK_TEXT = ("", "nan", "na", "null", "none")


class ReadError(UserError):
    """A source cannot be read at all; the message names the file (and column) to fix."""


@dataclass
class Batch:
    """One read batch: every row as read (``table``, extras included, plus ``_file`` and
    ``_row``) with well and ts parsed for all rows. The metrics are parsed a part at a time
    (:meth:`part`), so that only one part's arrays are in memory at once. ``_row`` is the CSV
    line (header is line 1) or the 1-based Parquet row; ``_file`` points into ``files``."""

    files: list[str]
    table: pa.Table
    well_ids: pa.Array  # the distinct well ids as read, trimmed; null when blank
    well_index: np.ndarray  # int32 per row: index into well_ids, -1 for an empty cell
    ts_ns: np.ndarray  # int64 UTC nanoseconds; meaningless where ts_bad
    ts_bad: np.ndarray  # bool: ts blank or unreadable
    lengths: tuple[int, ...] = ()  # rows of each file, in order (default: one file)
    _runs: tuple[int, ...] = field(init=False, repr=False, default=())
    _alike: bool = field(init=False, repr=False, default=False)
    _starts: list[int] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        self.lengths = self.lengths or (self.table.num_rows,)
        # rows are taken a run at a time: the table's chunks where every column is chunked
        # alike (as Parquet row groups are), else its files. A take within a run reads its
        # own chunk only, where Arrow's take over many chunks joins them all first (for a
        # one-file month of 1 M-row groups, 277 MB copied for every part)
        chunked = [tuple(map(len, column.chunks)) for column in self.table.columns]
        self._alike = bool(chunked) and all(c == chunked[0] for c in chunked)
        self._runs = chunked[0] if self._alike else self.lengths
        self._starts = np.cumsum([0, *self._runs[:-1]]).tolist()

    def __len__(self) -> int:
        return len(self.ts_ns)

    def well_blank(self, rows: np.ndarray) -> np.ndarray:
        """Whether the well_id of each of ``rows`` is blank."""
        blank = np.append(pc.is_null(self.well_ids).to_numpy(zero_copy_only=False), True)
        return blank[self.well_index[rows]]  # -1 (an empty cell) reads the appended True

    def well_codes(self, names: np.ndarray) -> np.ndarray:
        """Each row's index in ``names`` (the registry), -1 where unknown or blank."""
        found = pc.index_in(self.well_ids, value_set=pa.array(names, pa.string()))
        codes = np.append(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), -1)
        return codes.astype(np.int64)[self.well_index]

    @property
    def extra_columns(self) -> list[str]:
        return [c for c in self.table.column_names
                if c not in TELEMETRY_COLUMNS and c not in (FILE_COL, ROW_COL)]

    def take(self, rows: np.ndarray, columns: list[str] | None = None) -> pa.Table:
        """Rows ``rows`` (ascending indexes into the batch) of ``columns``, as read: a
        zero-copy slice where they are consecutive."""
        whole = self.table if columns is None else self.table.select(columns)
        if not self._alike:  # (columns a file lacked are one chunk of nulls, say)
            plans: dict[tuple[int, ...], list[tuple]] = {}
            return pa.table({name: _take_column(whole[name], rows, plans)
                             for name in whole.column_names})
        pieces = []
        for i, first, count, taken in _plan(self._runs, rows):
            start = self._starts[i]
            pieces.append(whole.slice(start + first, count) if taken is None else
                          whole.slice(start, self._runs[i]).take(taken))
        if not pieces:
            return whole.slice(0, 0)
        return pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]

    def part(self, rows: np.ndarray) -> Part:
        """Rows ``rows`` (ascending) with their metrics parsed."""
        taken = self.take(rows, list(METRICS))
        columns = [taken[name] for name in METRICS]
        if all(_is_number(c.type) for c in columns):
            converted = [_numbers(c) for c in columns]
        else:  # text (CSV): pandas' parser releases the GIL, so two threads share it
            with ThreadPoolExecutor(max_workers=2) as pool:
                converted = list(pool.map(_numbers, columns))
        metrics: dict[str, np.ndarray] = {}
        bad_number = np.zeros(len(rows), bool)
        bad_column = np.full(len(rows), -1, np.int8)
        for i, (name, (values, bad)) in enumerate(zip(METRICS, converted, strict=True)):
            metrics[name] = values
            bad_column[bad & ~bad_number] = i
            bad_number |= bad
        return Part(rows=rows, well_blank=self.well_blank(rows), ts_ns=self.ts_ns[rows],
                    ts_bad=self.ts_bad[rows], metrics=metrics, bad_number=bad_number,
                    bad_column=bad_column)


@dataclass
class Part:
    """Some rows of a batch, as the checks see them; ``rows`` are their indexes in it."""

    rows: np.ndarray
    well_blank: np.ndarray  # bool
    ts_ns: np.ndarray
    ts_bad: np.ndarray
    metrics: dict[str, np.ndarray]  # float64, NaN when missing
    bad_number: np.ndarray  # bool: some metric cell is text that is not a number
    bad_column: np.ndarray  # int8: index into METRICS of the first such cell, -1 if none

    def __len__(self) -> int:
        return len(self.rows)

    def reordered(self, order: np.ndarray) -> Part:
        """The same rows in another order (``rows`` then no longer ascend)."""
        return Part(rows=self.rows[order], well_blank=self.well_blank[order],
                    ts_ns=self.ts_ns[order], ts_bad=self.ts_bad[order],
                    metrics={m: v[order] for m, v in self.metrics.items()},
                    bad_number=self.bad_number[order], bad_column=self.bad_column[order])


def _take_column(column: pa.ChunkedArray, rows: np.ndarray,
                 plans: dict[tuple[int, ...], list[tuple]]) -> pa.ChunkedArray:
    """``column.take(rows)`` a chunk at a time; ``plans`` keeps the cutting of ``rows`` for
    other columns chunked alike."""
    chunks = column.chunks  # (a new list of wrappers at every use of the property)
    lengths = tuple(map(len, chunks))
    plan = plans.get(lengths)
    if plan is None:
        plan = plans[lengths] = _plan(lengths, rows)
    return pa.chunked_array([chunks[i].slice(first, count) if taken is None else
                             chunks[i].take(taken) for i, first, count, taken in plan],
                            column.type)


def _plan(lengths: tuple[int, ...], rows: np.ndarray) -> list[tuple]:
    """Ascending ``rows`` cut into runs of ``lengths`` rows: (run, first, count, None) for
    consecutive rows, (run, 0, 0, indexes) otherwise."""
    bounds = np.cumsum([0, *lengths])
    cuts = np.searchsorted(rows, bounds).tolist()
    plan = []
    for i, (start, lo, hi) in enumerate(zip(bounds[:-1].tolist(), cuts[:-1], cuts[1:],
                                            strict=True)):
        if hi == lo:
            continue
        if rows[hi - 1] - rows[lo] == hi - lo - 1:
            plan.append((i, int(rows[lo]) - start, hi - lo, None))
        else:
            plan.append((i, 0, 0, pa.array(rows[lo:hi] - start)))
    return plan


def source_files(sources: list[Path]) -> list[Path]:
    """The telemetry files named, folders searched recursively, in a stable order."""
    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            found = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix.lower()
                           in SUFFIXES and not p.name.startswith("."))
            if not found:
                raise ReadError(f"{src}: no .csv or .parquet files in this folder")
            files += found
        elif src.is_file():
            if src.suffix.lower() not in SUFFIXES:
                raise ReadError(f"{src}: not a .csv or .parquet file")
            files.append(src)
        else:
            raise ReadError(f"{src}: no such file or folder")
    return files


def _read_one(path: Path) -> pa.Table:
    try:
        if path.suffix.lower() == ".csv":
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={WELL: pa.string(), TS: pa.string()},
                strings_can_be_null=True, null_values=[""]))
        else:
            # ParquetFile, not read_table: no dataset discovery (1.1 ms a file; a month in
            # 720 hourly files read in 0.5 s, not 0.8-1.6 s)
            table = pq.ParquetFile(path).read()
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReadError(f"{path}: cannot be read ({first})") from None
    missing = [c for c in TELEMETRY_COLUMNS if c not in table.column_names]
    if missing:
        raise ReadError(f"{path}: column {', '.join(missing)} missing; a telemetry file has "
                        f"columns {', '.join(TELEMETRY_COLUMNS)} (others are kept)")
    return table


def _blank_text(values: pa.Array) -> np.ndarray:
    text = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    return pc.fill_null(pc.is_in(text, pa.array(BLANK_TEXT)), True).to_numpy(
        zero_copy_only=False)


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or \
        pa.types.is_decimal(kind) or pa.types.is_null(kind)


def _numbers(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN = missing) and where a non-blank cell is not a number."""
    if _is_number(column.type):
        # nulls come out as NaN; one copy (the chunks joined), not a second through np.where
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        if not values.flags.writeable:
            values = values.copy()
        return values, np.zeros(len(values), bool)
    text = pc.cast(column, pa.string()).combine_chunks()
    blank = _blank_text(text)
    values = pd.to_numeric(pd.Series(text.to_numpy(zero_copy_only=False)), errors="coerce"
                           ).to_numpy(dtype="float64", na_value=np.nan, copy=True)
    bad = np.isnan(values) & ~blank
    values[blank] = np.nan
    return values, bad


def _timestamps(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanoseconds and where ts is blank or unreadable (a naive ts is UTC)."""
    if pa.types.is_timestamp(column.type):
        ns = pc.cast(column, pa.timestamp("ns", column.type.tz)).combine_chunks()
        bad = pc.is_null(ns).to_numpy(zero_copy_only=False)
        return pc.fill_null(ns.cast(pa.int64()), 0).to_numpy(), bad
    if pa.types.is_date(column.type):
        ns = pc.cast(pc.cast(column, pa.timestamp("s")), pa.timestamp("ns")).combine_chunks()
        bad = pc.is_null(ns).to_numpy(zero_copy_only=False)
        return pc.fill_null(ns.cast(pa.int64()), 0).to_numpy(), bad
    text = pc.cast(column, pa.string()).combine_chunks().to_numpy(zero_copy_only=False)
    parsed = pd.to_datetime(pd.Series(text, dtype=object), format="ISO8601", utc=True,
                            errors="coerce")
    bad = parsed.isna().to_numpy()
    ns = parsed.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64(0, "ns"))
    return ns.astype("int64"), bad


def read_batch(sources: list[Path]) -> Batch:
    """Read every file of ``sources`` into one batch (a file or folder that cannot be read
    stops it: :class:`ReadError`)."""
    files = source_files(sources)
    tables = []
    # two threads decode files (Parquet and CSV readers release the GIL); map keeps the
    # order, and the first file that fails raises its ReadError here
    with ThreadPoolExecutor(max_workers=2) as pool:
        read = list(pool.map(_read_one, files))
    for i, (path, table) in enumerate(zip(files, read, strict=True)):
        first = 2 if path.suffix.lower() == ".csv" else 1
        # chunked as the file's columns are, so that every column of the batch is alike
        tables.append(table.append_column(FILE_COL, _like(table, np.full(len(table), i,
                                                                         np.int32)))
                      .append_column(ROW_COL, _like(table, np.arange(
                          first, len(table) + first, dtype=np.int64))))
    if len(tables) == 1:
        table = tables[0]
    else:
        try:
            table = pa.concat_tables(tables, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ReadError(f"{', '.join(map(str, files))}: the files' columns do not fit "
                            f"together ({str(exc).splitlines()[0]})") from None
    return parse(table, [str(p) for p in files], tuple(len(t) for t in tables))


def _like(table: pa.Table, values: np.ndarray) -> pa.ChunkedArray:
    """``values`` chunked as the first column of ``table``."""
    whole = pa.array(values)
    if table.num_columns == 0:
        return pa.chunked_array([whole])
    bounds = np.cumsum([0, *map(len, table.column(0).chunks)]).tolist()
    return pa.chunked_array([whole.slice(a, b - a) for a, b in itertools.pairwise(bounds)],
                            whole.type)


def parse(table: pa.Table, files: list[str], lengths: tuple[int, ...] = ()) -> Batch:
    """The batch of a table with the contract's columns plus ``_file``/``_row``: well and ts
    parsed for every row (the metrics are parsed by :meth:`Batch.part`)."""
    # ts parses in a second thread (Arrow's casts and pandas' parser release the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ts = pool.submit(_timestamps, table[TS])
        # the few distinct ids are cleaned, not every row's (178 ms to 59 ms for a month)
        encoded = pc.dictionary_encode(pc.cast(table[WELL], pa.string())).combine_chunks()
        ids = encoded.dictionary
        ids = pc.if_else(_blank_text_mask(ids), pa.scalar(None, pa.string()),
                         pc.utf8_trim_whitespace(ids))
        index = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        ts_ns, ts_bad = ts.result()
    return Batch(files=files, table=table, well_ids=ids, well_index=index, ts_ns=ts_ns,
                 ts_bad=ts_bad, lengths=lengths)


def _blank_text_mask(values: pa.Array) -> pa.Array:
    return pa.array(_blank_text(values))


def read_wells(path: Path) -> pd.DataFrame:
    """The wells table (CSV): well_id plus optional columns; cadence_s defaults to 60.

    Problems name the file, row (header is row 1) and column, and stop the registration."""
    from workbench.esp.contract.schema import DEFAULT_CADENCE_S

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise ReadError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
    frame.columns = [c.strip() for c in frame.columns]
    if WELL not in frame.columns:
        raise ReadError(f"{path}: column well_id missing; a wells file has well_id and "
                        f"optionally {', '.join(list(WELL_COLUMNS)[1:])}")
    out = pd.DataFrame({"well_id": frame[WELL].str.strip()})
    blank = out["well_id"].str.lower().isin(BLANK_TEXT)
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise ReadError(f"{path}, row {row}, column well_id: blank; every well needs an id")
    dup = out["well_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise ReadError(f"{path}, row {row}, column well_id: '{out['well_id'][dup].iloc[0]}'"
                        " is listed twice")
    for col, kind in WELL_COLUMNS.items():
        if col == WELL:
            continue
        text = frame[col].str.strip() if col in frame.columns else pd.Series(
            [""] * len(frame), dtype=str)
        missing = text.str.lower().isin(BLANK_TEXT)
        if kind == "string":
            out[col] = text.where(~missing, None)
            continue
        values = pd.to_numeric(text.where(~missing, None), errors="coerce")
        bad = (values.isna() & ~missing) | (values <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise ReadError(f"{path}, row {row}, column {col}: '{text[bad].iloc[0]}' is not "
                            "a positive number")
        out[col] = values.astype("float64")
    out["cadence_s"] = out["cadence_s"].fillna(DEFAULT_CADENCE_S)
    extras = [c for c in frame.columns if c not in WELL_COLUMNS]
    del extras  # other columns of the wells file are not part of the registry
    return out
