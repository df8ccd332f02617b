"""`workbench worker`: claims jobs and runs each in a child process, up to N at once.

A child dies with its worker (Linux's parent-death signal), as a real crash would take both;
the job's lease then runs out and the next reader of the queue requeues or fails it.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError

from workbench.core.access import BOOTSTRAP, LOCAL_ADMIN, Principal
from workbench.core.cancel import CancelToken
from workbench.core.domain import domains
from workbench.core.errors import UserError
from workbench.jobs import queue
from workbench.jobs.states import JobState
from workbench.store.db import Store, open_store

HEARTBEAT_S = 1.0
POLL_S = 0.5
# a running job reads its cancel flag this often (a read, no write): the issue asks for a
# stop within about 2 s, and waiting for the 1 s heartbeat alone cost up to 1 s of that
CANCEL_POLL_S = 0.2


@dataclass
class JobContext:
    """What a domain's job function gets: the job, its store, the user it runs as, a way to
    report progress and a cancel token to honour."""

    store: Store
    job: queue.JobView
    actor: Principal
    cancel: CancelToken
    _progress: dict[str, Any] = field(default_factory=dict)

    def progress(self, percent: float | None, message: str) -> None:
        self._progress.update(percent=percent, message=message)


@dataclass(frozen=True)
class JobOutcome:
    run_id: int | None
    result: dict
    cancelled: bool = False


def job_function(kind: str) -> Callable[[JobContext], JobOutcome]:
    """``clinker.solve`` -> the function the clinker domain registered for ``solve``."""
    domain_name, _, name = kind.partition(".")
    domain = domains().get(domain_name)
    if domain is None or name not in domain.jobs:
        raise UserError(f"no installed domain runs jobs of kind '{kind}'")
    module, _, attr = domain.jobs[name].partition(":")
    import importlib

    return getattr(importlib.import_module(module), attr)


def _principal(store: Store, username: str) -> Principal:
    """The submitting user, as stored now (a disabled user's jobs do not run)."""
    from sqlalchemy import select

    from workbench.store.models import User
    from workbench.store.users import principal_of

    if username == LOCAL_ADMIN:
        return BOOTSTRAP
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.disabled:
            raise UserError(f"user '{username}' no longer exists or is disabled")
        return principal_of(user)


def _die_with_parent() -> None:
    # not Linux: no libc.so.6, and the child outlives a killed worker and finishes its job
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_job(url: str, job_id: int) -> None:
    """In a child process: run one claimed job to its end state."""
    _die_with_parent()
    store = open_store(url)
    with store.session() as session:
        from workbench.store.models import JobStatus

        row = session.get(JobStatus, job_id)
        assert row is not None
        job = queue.view(row)
    token = CancelToken()
    ctx: JobContext | None = None
    stop = threading.Event()

    def beat() -> None:
        """Renew the lease every HEARTBEAT_S; between beats, only read the cancel flag. A
        failed write (a busy SQLite file, a dropped connection) is tried again at the next
        poll: the thread must outlive it, or the lease would run out under a live job."""
        last_beat, warned = time.monotonic(), False
        while not stop.wait(CANCEL_POLL_S):
            try:
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    progress = ctx._progress if ctx else {}
                    asked = queue.heartbeat(store, job_id, progress.get("percent"),
                                            progress.get("message"), attempt=job.attempts)
                    last_beat = time.monotonic()
                elif token.cancelled:
                    continue
                else:
                    asked = queue.cancel_requested(store, job_id)
            except DBAPIError as exc:
                if not warned:
                    print(f"workbench worker: job {job_id}: the store did not answer "
                          f"({exc.orig!r}); trying again", file=sys.stderr, flush=True)
                    warned = True
                continue
            if asked:
                token.cancel()

    threading.Thread(target=beat, daemon=True).start()
    try:
        ctx = JobContext(store, job, _principal(store, job.submitted_by), token)
        if queue.heartbeat(store, job_id, attempt=job.attempts):
            token.cancel()
        outcome = job_function(job.kind)(ctx)
        state = JobState.CANCELLED if outcome.cancelled else JobState.SUCCESS
        queue.finish(store, job_id, state, run_id=outcome.run_id, result=outcome.result,
                     attempt=job.attempts)
    except UserError as exc:
        queue.finish(store, job_id, JobState.FAILED, attempt=job.attempts,
                     error={"kind": type(exc).__name__, "message": str(exc)})
    except Exception as exc:  # our bug: recorded with its trace for the report
        queue.finish(store, job_id, JobState.FAILED, attempt=job.attempts,
                     error={"kind": "internal", "message": f"{type(exc).__name__}: {exc}",
                            "trace": traceback.format_exc(limit=20)})
    finally:
        stop.set()
        store.dispose()


class Worker:
    """Claims pending jobs and runs up to ``concurrency`` at once, each in its own process."""

    def __init__(self, url: str, concurrency: int = 3) -> None:
        self.url, self.concurrency = url, concurrency
        self.name = queue.worker_name()
        self.store = open_store(url)
        self._spawn = multiprocessing.get_context("spawn")
        self.running: dict[int, Any] = {}

    def run(self, stop: threading.Event | None = None, idle_exit_s: float | None = None,
            say: Callable[[str], None] = lambda _: None) -> None:
        stop = stop or threading.Event()
        queue.register_worker(self.store, self.name, self.concurrency)
        idle_since, last_beat = time.monotonic(), 0.0
        try:
            while not stop.is_set():
                self._collect(say)
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    queue.worker_alive(self.store, self.name)
                    for job_id in queue.reap(self.store):
                        say(f"job {job_id}: its worker stopped responding")
                    last_beat = time.monotonic()
                while len(self.running) < self.concurrency:
                    job = queue.claim(self.store, self.name)
                    if job is None:
                        break
                    say(f"job {job.id}: {job.kind} {job.payload} for {job.submitted_by}")
                    process = self._spawn.Process(target=run_job, args=(self.url, job.id),
                                                  daemon=False)
                    process.start()
                    self.running[job.id] = process
                if self.running:
                    idle_since = time.monotonic()
                elif idle_exit_s is not None and time.monotonic() - idle_since > idle_exit_s:
                    say(f"idle for {idle_exit_s:.0f}s: stopping")
                    break
                stop.wait(POLL_S)
        finally:
            for process in self.running.values():
                process.join()
            queue.retire_worker(self.store, self.name)
            self.store.dispose()

    def _collect(self, say: Callable[[str], None]) -> None:
        for job_id, process in list(self.running.items()):
            if not process.is_alive():
                process.join()
                del self.running[job_id]
                say(f"job {job_id}: ended")
