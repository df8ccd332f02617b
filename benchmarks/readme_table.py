"""Write a benchmark's table into benchmarks/README.md between its markers."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).with_name("README.md")


def write_table(marker: str, columns: list[str], rows: list[str], heading: str) -> None:
    """Replace the block between <!-- MARKER:START --> and <!-- MARKER:END --> (added under
    ``heading`` at the end when missing)."""
    start_tag, end_tag = f"<!-- {marker}:START -->", f"<!-- {marker}:END -->"
    header = "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|\n"
    block = start_tag + "\n" + header + "\n".join(rows) + "\n" + end_tag
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if start_tag not in text:
        text += f"\n## {heading}\n\n{start_tag}\n{end_tag}\n"
    start, end = text.index(start_tag), text.index(end_tag)
    README.write_text(text[:start] + block + text[end + len(end_tag):])
