"""The embedded default: when nobody runs a worker, a submit from Python or a dashboard
starts one in the background, which stops by itself after a while without work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from workbench.jobs import queue
from workbench.store.db import Store

IDLE_EXIT_S = float(os.environ.get("WORKBENCH_WORKER_IDLE_EXIT_S", "600"))


def ensure_worker(store: Store, url: str, concurrency: int = 3) -> bool:
    """Start a local worker unless one is alive; True when one was started."""
    if queue.live_workers(store):
        return False
    command = [str(Path(sys.executable).with_name("workbench")), "worker", "--concurrency",
               str(concurrency), "--idle-exit", str(IDLE_EXIT_S)]
    if not Path(command[0]).exists():  # not installed as a script: run the module
        command = [sys.executable, "-m", "workbench.cli.main", *command[1:]]
    subprocess.Popen(command, env=_env(url), stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)  # outlives the notebook's kernel
    return True


def _env(url: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_USER",
                                                            "WORKBENCH_PASSWORD")}
    env["WORKBENCH_DB_URL"] = url
    return env
