"""Run one report: lock, execute with papermill on the workbench kernel, render, record.

Safe for cron: it never prompts, writes a log beside the report, and refuses to start while
another run of the same notebook holds its lock.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench._version import __version__
from workbench.core.errors import Conflict
from workbench.reports import index, meta, render
from workbench.reports.kernel import ensure_kernel


@dataclass
class ReportRun:
    """What one run did; also written as report.json beside its outputs."""

    notebook: str
    parameters: dict[str, Any]
    status: str  # "succeeded" or "failed"
    started_at: str
    seconds: float
    folder: str
    executed: str | None = None
    html: str | None = None
    log: str | None = None
    error: str | None = None
    package_version: str = __version__
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _slug(parameters: dict[str, Any]) -> str:
    text = "_".join(f"{k}-{v}" for k, v in sorted(parameters.items())
                    if k not in ("db_url", "user", "password"))
    return re.sub(r"[^A-Za-z0-9.=-]+", "-", text)[:80].strip("-")


@contextmanager
def _lock(root: Path, name: str) -> Iterator[None]:
    locks = root / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(f"another run of report '{name}' is still going; this one was not "
                           "started (runs of one report never overlap)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def failure_cause(exc: Exception) -> str:
    """One line naming the cell and the error, from papermill's execution error."""
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        where = f"cell {cell}" if cell is not None else "a cell"
        return f"{where} raised {ename}: {str(evalue).strip().splitlines()[0] if evalue else ''}"
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"


@contextmanager
def _kernel_env(env: Mapping[str, str]) -> Iterator[None]:
    """Set variables for the kernel papermill starts (it copies this process's environment).

    Secrets such as the acting user's password travel this way rather than as parameters,
    because papermill writes parameters into the executed notebook kept beside the report.
    """
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_report(notebook: Path, parameters: dict[str, Any], output_dir: Path,
               kernel_env: Mapping[str, str] | None = None) -> ReportRun:
    """Execute and render one report; a failing cell gives a failed run, never an exception.

    ``kernel_env`` is added to the kernel's environment for this run only (the store URL and
    the acting user's password, for example).
    """
    import papermill as pm

    name = notebook.stem
    started = datetime.now(UTC)
    with _lock(output_dir, name):
        stamp = started.strftime("%Y%m%d-%H%M%S")
        slug = _slug(parameters)
        folder = output_dir / name / (f"{stamp}_{slug}" if slug else stamp)
        folder.mkdir(parents=True, exist_ok=True)
        executed, log = folder / f"{name}.ipynb", folder / "run.log"
        run = ReportRun(notebook=name, parameters=parameters, status="failed",
                        started_at=started.isoformat(timespec="seconds"), seconds=0.0,
                        folder=str(folder), executed=executed.name, log=log.name)
        clock = time.perf_counter()
        with _log_to(log), _kernel_env(kernel_env or {}):
            try:
                pm.execute_notebook(str(notebook), str(executed), parameters=parameters,
                                    kernel_name=ensure_kernel(), progress_bar=False,
                                    log_output=True, cwd=os.getcwd())
                run.meta = meta.collect(executed)
                html = render.to_html(executed, folder / f"{name}.html", title=name)
                run.html, run.status = html.name, "succeeded"
            except Exception as exc:  # the run is recorded as failed with its cause
                run.error = failure_cause(exc)
                logging.getLogger("workbench.reports").error("report failed: %s", run.error)
                # What the notebook published before the failing cell (the data hash, say)
                # is what someone looking into the failure needs first.
                if executed.is_file():
                    run.meta = meta.collect(executed)
        run.seconds = round(time.perf_counter() - clock, 3)
        (folder / index.RECORD).write_text(json.dumps(run.to_dict(), indent=2, default=str),
                                           encoding="utf-8")
        index.write_index(output_dir)
    return run


@contextmanager
def _log_to(path: Path) -> Iterator[None]:
    """Papermill's log (cell by cell, with the kernel's output) into the run's log file."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(n) for n in ("papermill", "workbench.reports")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the log file has it; stderr stays for the one-line outcome
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        handler.close()
