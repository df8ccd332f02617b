"""Each dashboard kernel belongs to the user whose page started it.

Voila's default authorizer lets any logged-in user open any kernel's websocket. A manager who
learnt another manager's kernel id could then read that page's widgets. The kernel manager
here records the owner when the page launches the kernel, and the authorizer refuses every
kernel request (websocket, model, shutdown) from anyone else.
"""

from __future__ import annotations

import contextvars
from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import User
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

from workbench.store import audit

# Set by the prelaunch hook and read by start_kernel: both run in the same request's task,
# and a context variable keeps concurrent page loads from seeing each other's user.
launching_for: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "launching_for", default=None)


class OwnedKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager, remembering who each kernel was started for."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owners: dict[str, str] = {}

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        owner = launching_for.get()
        if owner is None:
            # only a page launch may start a kernel; nothing else in this server should
            raise web.HTTPError(403, "kernels start only for a logged-in dashboard page")
        kernel_id = await super().start_kernel(*args, **kwargs)
        self.owners[kernel_id] = owner
        return kernel_id

    def owner_of(self, kernel_id: str) -> str | None:
        return self.owners.get(kernel_id)

    def remove_kernel(self, kernel_id: str) -> Any:
        self.owners.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)


def _kernel_id(handler: web.RequestHandler) -> str | None:
    return (getattr(handler, "kernel_id", None) or handler.path_kwargs.get("kernel_id")
            or (handler.path_args[0] if handler.path_args else None))


def owns_kernel(handler: web.RequestHandler, user: User | None) -> bool:
    """True when the kernel the request names was started for this user; refusals are
    audited, because they mean a forged or leaked kernel id."""
    kernel_id = _kernel_id(handler)
    manager = handler.settings["kernel_manager"]
    owner = manager.owner_of(kernel_id) if kernel_id else None
    if user is not None and owner is not None and owner == user.username:
        return True
    store = handler.settings.get("workbench_store")
    if store is not None:
        with store.session() as session:
            audit.record(session, user.username if user else "?", "dashboard.kernel",
                         "refused", object_type="kernel", object_id=kernel_id or "",
                         detail=f"kernel of {owner or 'nobody'}")
    return False


class KernelOwnerAuthorizer(Authorizer):
    """Kernels only for their owner; the rest of the (authenticated) server for every user."""

    def is_authorized(self, handler: web.RequestHandler, user: User, action: str,
                      resource: str) -> bool:
        if resource == "kernels":
            return owns_kernel(handler, user)
        return True


class OwnedShutdownHandler(VoilaShutdownKernelHandler):
    """Voila's shutdown-on-unload endpoint checks only that someone is logged in."""

    @web.authenticated
    async def post(self, kernel_id: str) -> None:  # type: ignore[override]
        if not owns_kernel(self, self.current_user):
            raise web.HTTPError(403)
        await super().post(kernel_id)
