"""Structured findings: what is wrong with some input, where, and what to do about it.

Shared by every domain's validation layer so that the CLI, notebooks and the store all
report problems the same way (pandera-style: schema separate from checks, errors carry
table, row, column and reason).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in the input.

    ``row`` is the spreadsheet row number (the header is row 1, so the first data row is
    row 2): the number a planner sees in Excel and the line number in a CSV file.
    """

    severity: Severity
    check: str
    table: str
    row: int | None
    column: str | None
    message: str
    file: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        where = self.file or self.table
        parts = [where]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def __str__(self) -> str:
        return f"{self.severity:<7} {self.location()}: {self.message} [{self.check}]"


def error(check: str, table: str, message: str, *, row: int | None = None,
          column: str | None = None, file: str | None = None) -> Finding:
    return Finding(Severity.ERROR, check, table, row, column, message, file)


def warning(check: str, table: str, message: str, *, row: int | None = None,
            column: str | None = None, file: str | None = None) -> Finding:
    return Finding(Severity.WARNING, check, table, row, column, message, file)


@dataclass
class ValidationReport:
    """All findings for one input. Errors block solving and storing; warnings don't."""

    findings: list[Finding] = field(default_factory=list)

    def extend(self, more: Iterable[Finding]) -> None:
        self.findings.extend(more)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_check(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]

    def to_dict(self) -> dict[str, list[dict[str, object]]]:
        return {
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
        }

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def summary(self) -> str:
        return f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def sort(self, table_order: Sequence[str] = ()) -> ValidationReport:
        """Order findings as a checklist: by table (in the given order, then by name), then
        row, then column; reading problems without a row come first within their table."""
        rank = {name: i for i, name in enumerate(table_order)}
        self.findings.sort(key=lambda f: (rank.get(f.table, len(rank)), f.table,
                                          f.row if f.row is not None else -1, f.column or ""))
        return self

    def headline(self) -> str:
        """One line a planner reads first, naming the files that hold the errors."""
        if not self.findings:
            return "no problems found"
        warnings = f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        if not self.errors:
            return f"no errors, {warnings}; the data is usable"
        files = Counter(f.file or f.table for f in self.errors)
        where = ", ".join(f"{n} in {name}" for name, n in files.most_common())
        noun = "error" if len(self.errors) == 1 else "errors"
        return f"{len(self.errors)} {noun} ({where}), {warnings}; fix the errors, then run again"
