"""The README's tour runs as written, in a fresh shell, with the venv's bin on the PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tour_commands() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- tour -->\s*```bash\n(.*?)```\s*<!-- /tour -->", text, re.S)
    assert block, "README.md has no tour block"
    return block.group(1)


def test_the_readme_tour_runs_in_a_fresh_shell(tmp_path):
    commands = tour_commands()
    assert commands.startswith("source .venv/bin/activate")
    # `make demo` made .venv at the root; here the tour runs in a scratch copy of the root
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "activate").write_text(
        f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "build" / "plan.xlsx").is_file()
    assert (tmp_path / "build" / "monsoon" / "shipments.csv").is_file()
    assert "Traceback" not in done.stderr
