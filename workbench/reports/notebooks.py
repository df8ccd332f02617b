"""Where report notebooks live, and how a name on the command line finds one."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.core.domain import domains
from workbench.core.errors import NotFound


def notebook_dirs() -> list[Path]:
    """``WORKBENCH_NOTEBOOKS`` (path-separated) first, then the checkout's ``notebooks/``."""
    found = [Path(p) for p in os.environ.get("WORKBENCH_NOTEBOOKS", "").split(os.pathsep) if p]
    found.append(Path(__file__).resolve().parents[2] / "notebooks")
    return [d for d in found if d.is_dir()]


def report_notebooks() -> list[str]:
    """The report notebooks the installed domains declare, by name."""
    return sorted({Path(n).stem for d in domains().values() for n in d.notebooks})


def resolve(name: str) -> Path:
    """A path to an .ipynb file, or a notebook's name (``scenario_report``)."""
    given = Path(name)
    if given.suffix == ".ipynb" and given.is_file():
        return given.resolve()
    stem = given.name.removesuffix(".ipynb")
    for folder in notebook_dirs():
        candidate = folder / f"{stem}.ipynb"
        if candidate.is_file():
            return candidate.resolve()
    known = ", ".join(report_notebooks()) or "none"
    raise NotFound(f"no notebook '{name}': give a path to an .ipynb file or one of: {known}")


def declared_parameters(path: Path) -> set[str]:
    """The names in the notebook's ``parameters`` cell, as papermill reads them.

    Reports always run on the workbench's Python kernel, so the cell is read as Python even
    when the notebook names no kernel (papermill's own ``inspect_notebook`` refuses that).
    """
    import nbformat
    from papermill.translators import PythonTranslator

    cells = nbformat.read(path, as_version=4).cells
    tagged = next((c for c in cells if "parameters" in c.metadata.get("tags", [])), None)
    return {p.name for p in PythonTranslator.inspect(tagged)} if tagged is not None else set()
