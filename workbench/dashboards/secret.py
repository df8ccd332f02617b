"""The key that signs login cookies: from the environment, or a generated file git ignores."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_SECRET = "WORKBENCH_COOKIE_SECRET"
ENV_SECRET_FILE = "WORKBENCH_COOKIE_SECRET_FILE"
DEFAULT_FILE = Path(".workbench") / "cookie_secret"  # .workbench/ is in .gitignore


def cookie_secret() -> bytes:
    """``WORKBENCH_COOKIE_SECRET``, else the file (made once, readable by its owner only).

    A stable key keeps managers logged in across server restarts; a new random key per start
    would log everybody out each time the scheduler restarts the server.
    """
    given = os.environ.get(ENV_SECRET)
    if given:
        return given.encode()
    path = Path(os.environ.get(ENV_SECRET_FILE) or DEFAULT_FILE)
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    # O_EXCL: two servers starting at once must not overwrite each other's key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value
