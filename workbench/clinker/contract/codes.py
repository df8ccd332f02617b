"""Every check code a clinker finding can carry: one enum, so scripts and tests can rely on it.

Codes are part of the contract's output (``check`` in ``workbench validate --json``); the values
never change once released.
"""

from __future__ import annotations

from enum import StrEnum


class Check(StrEnum):
    # reading files
    UNREADABLE_FILE = "unreadable_file"
    MISSING_TABLE = "missing_table"
    EMPTY_TABLE = "empty_table"
    EXTRA_TABLE = "extra_table"
    BAD_HEADER = "bad_header"
    RAGGED_ROW = "ragged_row"
    MISSING_COLUMN = "missing_column"
    EXTRA_COLUMN = "extra_column"
    BAD_TYPE = "bad_type"
    NON_INTEGER_PERIOD = "non_integer_period"
    UNKNOWN_SETTING = "unknown_setting"
    BAD_SETTING = "bad_setting"
    # the hackathon workbook's own constraint sheet
    UNKNOWN_VALUE_TYPE = "unknown_value_type"
    BOUND_WITHOUT_LANE = "bound_without_lane"
    # single-table rules (pandera)
    BLANK_REQUIRED_CELL = "blank_required_cell"
    DUPLICATE_KEY = "duplicate_key"
    NEGATIVE_VALUE = "negative_value"
    UNKNOWN_NODE_TYPE = "unknown_node_type"
    UNKNOWN_BOUND = "unknown_bound"
    # cross-table checks
    UNKNOWN_NODE = "unknown_node"
    LOW_COST = "low_cost"
    ROUTE_COST_FORM = "route_cost_form"
    ROUTE_INCONSISTENT = "route_inconsistent"
    UNREACHABLE_DEMAND = "unreachable_demand"
    ROUTE_FROM_EMPTY_NODE = "route_from_empty_node"
    VEHICLE_CAPACITY = "vehicle_capacity"
    SBQ_ABOVE_VEHICLE = "sbq_above_vehicle"
    SBQ_NEAR_VEHICLE = "sbq_near_vehicle"
    DEMAND_EXCEEDS_SUPPLY = "demand_exceeds_supply"
    SAFETY_ABOVE_STORAGE = "safety_above_storage"
    OPENING_BELOW_SAFETY = "opening_below_safety"
    MAX_TRIPS = "max_trips"
    BOUND_WITHOUT_ROUTE = "bound_without_route"
    CONTRADICTORY_BOUNDS = "contradictory_bounds"
