"""Hypothesis throws arbitrary bytes and cell values at the readers: findings, never exceptions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TINY, write_tables
from workbench.clinker import read_network, validate
from workbench.core.findings import ValidationReport

TABLES = list(TINY)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _report(folder: Path) -> ValidationReport:
    report = validate(read_network(folder))
    assert isinstance(report, ValidationReport)
    for finding in report:
        assert finding.table and finding.message
    return report


@FUZZ
@given(table=st.sampled_from(TABLES), content=st.binary(max_size=2000))
def test_random_bytes_in_any_table(table, content):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(TINY, Path(tmp))
        (folder / f"{table}.csv").write_bytes(content)
        _report(folder)


cell = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "NaN", "inf", "-0", "1e308", "1.5", "true", "IU_A", "GU_X", "eq"]),
)


@FUZZ
@given(table=st.sampled_from(TABLES), data=st.data())
def test_random_cells_in_any_table(table, data):
    records = {k: [dict(r) for r in v] for k, v in TINY.items()}
    for row in records[table]:
        for column in list(row):
            if data.draw(st.booleans()):
                row[column] = data.draw(cell)
    with tempfile.TemporaryDirectory() as tmp:
        _report(write_tables(records, Path(tmp)))


@FUZZ
@given(content=st.binary(max_size=3000), prefix=st.sampled_from([b"", b"PK\x03\x04"]))
def test_random_workbook_bytes(content, prefix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "net.xlsx"
        path.write_bytes(prefix + content)
        report = _report(path)
        assert not report.ok


@FUZZ
@given(text=st.text(max_size=400))
def test_random_text_in_hackathon_lanes(text, public_data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for src in public_data.glob("*.csv"):
            (folder / src.name).write_bytes(src.read_bytes())
        (folder / "LogisticsIUGU.csv").write_text(text, encoding="utf-8")
        _report(folder)
