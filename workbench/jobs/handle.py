"""A submitted job, for notebooks and dashboards: status, cancel, wait, result, a progress bar."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from workbench.core.access import Principal
from workbench.core.errors import Conflict
from workbench.jobs import queue
from workbench.jobs.states import JobState
from workbench.store.db import Store


class JobFailed(Conflict):
    """The job ended without a result; the message carries its error."""


@dataclass
class JobHandle:
    store: Store
    actor: Principal
    id: int

    def status(self) -> queue.JobView:
        return queue.get(self.store, self.actor, self.id)

    def cancel(self) -> queue.JobView:
        return queue.cancel(self.store, self.actor, self.id)

    def wait(self, timeout_s: float | None = None, poll_s: float = 0.5) -> queue.JobView:
        started = time.monotonic()
        while True:
            job = self.status()
            if job.state.finished:
                return job
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                return job
            time.sleep(poll_s)

    def result(self, timeout_s: float | None = None) -> dict[str, Any]:
        """The job's result (for a solve: the same JSON as `solve --scenario`)."""
        job = self.wait(timeout_s)
        if job.state is JobState.FAILED:
            raise JobFailed(f"job {self.id} failed: {(job.error or {}).get('message')}")
        if not job.state.finished:
            raise JobFailed(f"job {self.id} is still {job.state}")
        return job.result or {}

    def widget(self, poll_s: float = 0.5) -> Any:
        """An ipywidgets progress bar that follows the job until it ends (runs in a thread)."""
        import threading

        import ipywidgets as widgets

        bar = widgets.FloatProgress(min=0, max=100, description=f"job {self.id}")
        label = widgets.Label()
        box = widgets.HBox([bar, label])

        def follow() -> None:
            while True:
                job = self.status()
                bar.value, label.value = job.progress_percent, progress_label(job)
                if job.state.finished:
                    bar.bar_style = {JobState.SUCCESS: "success",
                                     JobState.CANCELLED: "warning"}.get(job.state, "danger")
                    return
                time.sleep(poll_s)

        threading.Thread(target=follow, daemon=True).start()
        return box


def progress_label(job: Any) -> str:
    """``running: gap 0.8 %``; a message that already names the state is shown as it is
    (``cancelled before it started``, not ``cancelled: cancelled before it started``)."""
    state, message = job.state.lower(), job.progress_message or ""
    if not message or message.lower().startswith(state):
        return message or state
    return f"{state}: {message}"
