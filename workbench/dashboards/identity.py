"""Who is logged in: a jupyter_server IdentityProvider over the workbench users table.

The login form posts ``username`` and ``password`` with jupyter_server's XSRF token to
``/login``. Every attempt is audited by :func:`workbench.store.users.login`; repeated failures
from one address wait longer and longer before they are answered.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.base.handlers import JupyterHandler
from sqlalchemy import select
from tornado import web

from workbench.core.access import Principal, Role
from workbench.store import audit
from workbench.store.db import Store
from workbench.store.models import User as StoredUser
from workbench.store.users import LoginFailed, has_users, log_in, principal_of

STORE_SETTING = "workbench_store"
THROTTLE_SETTING = "workbench_login_throttle"


@dataclass
class LoginThrottle:
    """Failed logins per address in a sliding window; each failure past ``free`` doubles the
    wait before the next answer, up to ``max_delay_s``. Guessing passwords then costs hours
    while a manager who mistypes twice notices nothing."""

    window_s: float = 900.0
    free: int = 3
    max_delay_s: float = 30.0
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures[address]
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def delay_s(self, address: str, now: float | None = None) -> float:
        count = len(self._recent(address, time.monotonic() if now is None else now))
        if count < self.free:
            return 0.0
        return min(self.max_delay_s, 0.5 * 2 ** (count - self.free))

    def failed(self, address: str, now: float | None = None) -> None:
        self._failures[address].append(time.monotonic() if now is None else now)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def _store(handler: web.RequestHandler) -> Store:
    return handler.settings[STORE_SETTING]


def active_principal(store: Store, username: str) -> Principal | None:
    """The user's role and grants as the store has them now (None if gone or disabled)."""
    with store.session() as session:
        user = session.scalar(select(StoredUser).where(StoredUser.username == username))
        if user is None or user.disabled:
            return None
        return principal_of(user)


class WorkbenchIdentityProvider(IdentityProvider):
    """Cookie sessions for workbench users; no tokens, no anonymous access."""

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    def get_handlers(self) -> list[tuple[str, object]]:
        return [(r"/login", WorkbenchLoginHandler), (r"/logout", WorkbenchLogoutHandler)]

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        user = await super()._get_user(handler)
        if user is None:
            return None
        # a disabled account loses its open sessions at once, not when the cookie expires
        if active_principal(_store(handler), user.username) is None:
            self.clear_login_cookie(handler)
            return None
        return user

    def get_user_token(self, handler: web.RequestHandler) -> None:
        return None  # tokens in URLs end up in logs and browser history; cookies only

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        username = handler.get_argument("username", default="").strip()
        password = handler.get_argument("password", default="")
        store = _store(handler)
        address = handler.request.remote_ip or "?"
        with store.session() as session:
            if not has_users(session):
                # without users the store's bootstrap identity would let anybody in
                audit.record(session, username or "?", "login", "refused", object_type="user",
                             object_id=username, detail=f"dashboard from {address}: the "
                             "store has no users")
                return None
        if not username or not password:
            return None
        try:
            principal = log_in(store, username, password)
        except LoginFailed:
            return None
        with store.session() as session:
            audit.record(session, principal.username, "dashboard.login", object_type="user",
                         object_id=principal.username, detail=f"from {address}")
        return User(username=principal.username, name=principal.username,
                    display_name=principal.username)


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench dashboards: log in</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }}
form {{ max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem;
        border-radius: 8px; box-shadow: 0 1px 4px #0002; }}
h1 {{ font-size: 1.3rem; margin-top: 0; }}
label {{ display: block; margin: .8rem 0 .2rem; }}
input[type=text], input[type=password] {{ width: 100%; padding: .5rem; box-sizing: border-box; }}
button {{ margin-top: 1.2rem; width: 100%; padding: .6rem; background: #1f4e79; color: #fff;
          border: 0; border-radius: 4px; font-size: 1rem; }}
.message {{ color: #a30000; margin: .5rem 0; }}
</style></head>
<body><form method="post" action="{action}" id="login-form">
<h1>Plant operations workbench</h1>
{message}
{xsrf}
<input type="hidden" name="next" value="{next}">
<label for="username">User name</label>
<input type="text" id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<button type="submit" id="login-submit">Log in</button>
</form></body></html>
"""


class WorkbenchLoginHandler(LoginFormHandler):
    """The login form, and its post: audited, and slowed down after repeated failures."""

    def _render(self, message: dict | None = None) -> None:
        text = ""
        if message:
            text = "".join(f'<p class="message">{html.escape(str(v))}</p>'
                           for v in message.values())
        self.write(LOGIN_PAGE.format(
            action=html.escape(self.base_url.rstrip("/") + "/login"), message=text,
            xsrf=self.xsrf_form_html(),
            next=html.escape(self.get_argument("next", default=self.base_url))))

    @allow_unauthenticated
    async def post(self) -> None:  # type: ignore[override]
        throttle: LoginThrottle = self.settings[THROTTLE_SETTING]
        address = self.request.remote_ip or "?"
        delay = throttle.delay_s(address)
        if delay:
            await asyncio.sleep(delay)
        user = self.identity_provider.process_login_form(self)
        if user is None:
            throttle.failed(address)
            self.set_status(401)
            self._render({"error": "Login refused: unknown user, disabled account or wrong "
                                   "password."})
            return
        throttle.succeeded(address)
        self.current_user = user
        self.identity_provider.set_login_cookie(self, user)
        self._redirect_safe(self.get_argument("next", default=self.base_url))


class WorkbenchLogoutHandler(JupyterHandler):
    """Forget the session and go back to the login form."""

    @web.authenticated
    def get(self) -> None:
        user = self.current_user
        with _store(self).session() as session:
            audit.record(session, user.username, "dashboard.logout", object_type="user",
                         object_id=user.username)
        self.identity_provider.clear_login_cookie(self)
        self.redirect(self.base_url.rstrip("/") + "/login")


def role_label(role: Role) -> str:
    return {Role.ADMIN: "administrator", Role.CENTRAL_PLANNER: "central planner",
            Role.MANAGER: "plant manager", Role.VIEWER: "viewer"}[role]
