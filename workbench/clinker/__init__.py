"""Clinker supply-chain planning: data contract, validation and the planning model."""

from workbench.clinker.network import ClinkerNetwork, Settings
from workbench.clinker.readers import read_network
from workbench.clinker.validation import validate

__all__ = ["ClinkerNetwork", "Settings", "read_network", "validate"]
