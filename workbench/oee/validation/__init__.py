"""Validation of OEE data against the contract: every check yields findings."""

from workbench.oee.validation.checks import validate

__all__ = ["validate"]
