"""A cooperative cancel: whoever runs long work registers how to stop it; whoever wants it
stopped calls :meth:`CancelToken.cancel`. Thread-safe; a late registration after a cancel
runs at once."""

from __future__ import annotations

import threading
from collections.abc import Callable


class CancelToken:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._stops: list[Callable[[], object]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def on_cancel(self, stop: Callable[[], object]) -> None:
        with self._lock:
            if not self._cancelled:
                self._stops.append(stop)
                return
        stop()

    def cancel(self) -> None:
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            stops, self._stops = self._stops, []
        for stop in stops:
            stop()
