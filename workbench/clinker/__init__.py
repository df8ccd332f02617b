"""Clinker supply-chain planning: data contract, validation and the planning model."""

from workbench.clinker.network import ClinkerNetwork, Settings
from workbench.clinker.readers import read_network
from workbench.clinker.validation import validate
from workbench.clinker.workspace import Workspace

__all__ = ["ClinkerNetwork", "Settings", "Workspace", "read_network", "validate"]
