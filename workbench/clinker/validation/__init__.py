"""Validation of a clinker network against the contract: every check yields findings."""

from workbench.clinker.validation.checks import validate

__all__ = ["validate"]
