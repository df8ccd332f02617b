"""Errors a user can act on. The command line shows them as one message and exits 1; anything
else is our bug and is reported as an internal error."""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for cannot be done as asked; the message says what to change."""


class NotFound(UserError, LookupError):
    """A named dataset, scenario, run or user does not exist (or is not visible)."""


class Conflict(UserError, ValueError):
    """The request clashes with what is stored (a name taken, no plan to approve...)."""


class InvalidRequest(UserError, ValueError):
    """An argument is malformed or out of range (a bad scope, a negative factor...)."""
