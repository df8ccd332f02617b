"""Before a page's kernel starts: who is asking, looked up on the server, never from the client.

Voila calls :func:`prelaunch_hook` with the request of an authenticated user. The hook reads
that user's role and grants from the store and writes them into the page as papermill
parameters (a cell after the page's ``parameters`` cell). The browser sends nothing that is
used here: not the query string, not a form field. (Voila's preheated kernels skip this hook,
so the server never enables them.)
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat
from papermill.parameterize import parameterize_notebook
from tornado import web

from workbench.dashboards.identity import STORE_SETTING, active_principal
from workbench.dashboards.kernels import launching_for


def page_parameters(username: str, role: str, scopes: list[str]) -> dict[str, Any]:
    return {"username": username, "role": role, "scopes": scopes}


def prelaunch_hook(handler: web.RequestHandler, notebook: nbformat.NotebookNode,
                   cwd: str) -> nbformat.NotebookNode:
    user = handler.current_user
    if user is None:  # Voila's render handler is authenticated; this is a second lock
        raise web.HTTPError(403)
    principal = active_principal(handler.settings[STORE_SETTING], user.username)
    if principal is None:
        raise web.HTTPError(403, "this account is disabled")
    launching_for.set(principal.username)
    notebook = copy.deepcopy(notebook)
    # what papermill's own loader adds before it parameterises
    notebook.metadata.setdefault("papermill", {})
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(
        notebook, page_parameters(principal.username, str(principal.role),
                                  sorted(principal.scopes)),
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name"), language="python")
