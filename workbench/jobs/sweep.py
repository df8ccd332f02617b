"""Run many independent tasks on Dask distributed: a LocalCluster of worker processes by
default, or the scheduler a team already runs. Results come back as they finish; a failed
task is reported with its error and does not sink the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskResult:
    key: str
    value: Any = None
    error: str | None = None


def run_tasks(function: Callable[..., Any], tasks: Sequence[tuple[str, tuple]],
              scheduler: str | None = None, workers: int = 2) -> Iterator[TaskResult]:
    """``function(*args)`` for every (key, args), in parallel; yields results as they end."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None,
                                                  host="127.0.0.1")
    client = Client(scheduler or cluster)
    try:
        futures = {client.submit(function, *args, key=f"{key}", pure=False): key
                   for key, args in tasks}
        for future in as_completed(futures):
            key = futures[future]
            if future.status == "error":
                exc = future.exception()
                yield TaskResult(key, error=f"{type(exc).__name__}: {exc}")
            else:
                yield TaskResult(key, future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
