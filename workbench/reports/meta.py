"""What a report notebook tells its runner: the input data hash, solver and so on.

The notebook calls :func:`publish`; the value travels as an output of its own MIME type, which
the HTML rendering ignores and :func:`collect` reads back from the executed notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIME = "application/vnd.workbench.report+json"


def publish(**fields: Any) -> None:
    from IPython.display import display

    display({MIME: fields}, raw=True)


def collect(notebook: Path) -> dict[str, Any]:
    import nbformat

    found: dict[str, Any] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                found.update(data[MIME])
    return found
