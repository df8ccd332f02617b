"""The Jupyter kernel reports run on: this environment's Python, under a fixed name, so a cron
job never picks up another interpreter."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "workbench"
DISPLAY_NAME = "Python (workbench)"


def kernel_argv() -> list[str]:
    # the kernel's own start-up chatter ("running over TCP without encryption") would land in
    # every cron mail; errors still come through
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.log_level=ERROR"]


def ensure_kernel() -> str:
    """Install the ``workbench`` kernelspec into this environment if it is not there yet."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        if manager.get_kernel_spec(KERNEL_NAME).argv == kernel_argv():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    with tempfile.TemporaryDirectory() as folder:
        spec = {"argv": kernel_argv(), "display_name": DISPLAY_NAME, "language": "python",
                "metadata": {"debugger": True}}
        (Path(folder) / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        manager.install_kernel_spec(folder, KERNEL_NAME, prefix=sys.prefix)
    return KERNEL_NAME
