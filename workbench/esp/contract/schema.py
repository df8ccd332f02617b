"""The ESP telemetry contract (``shared/specs/esp-telemetry.md`` sections 1 and 2) as data.

Column names carry their units. Ranges are inclusive: a value equal to a bound is accepted.
"""

from __future__ import annotations

from enum import StrEnum

WELL = "well_id"
TS = "ts"

# metric -> (low, high), inclusive; a value outside is rejected as out_of_range
RANGES: dict[str, tuple[float, float]] = {
    "flow_rate_bpd": (0.0, 30_000.0),
    "pip_psi": (0.0, 6_000.0),
    "motor_current_a": (0.0, 400.0),
    "motor_temp_c": (-20.0, 260.0),
    "vibration_g": (0.0, 20.0),
    "vsd_frequency_hz": (0.0, 90.0),
    "torque_nm": (0.0, 3_000.0),
    "gor_scf_bbl": (0.0, 50_000.0),
}
METRICS: tuple[str, ...] = tuple(RANGES)
TELEMETRY_COLUMNS: tuple[str, ...] = (WELL, TS, *METRICS)

# the frozen-sensor check: these three equal to the previous N accepted rows while running
FROZEN_COLUMNS: tuple[str, ...] = ("flow_rate_bpd", "motor_current_a", "pip_psi")
FROZEN_RUN = 30


class Reason(StrEnum):
    """Reject reasons, in the order they are checked; a row gets the first that holds."""

    UNPARSEABLE = "unparseable"
    UNKNOWN_WELL = "unknown_well"
    DUPLICATE = "duplicate"
    OUT_OF_RANGE = "out_of_range"
    FROZEN = "frozen"


REASONS: tuple[str, ...] = tuple(str(r) for r in Reason)

# the wells table: well_id, then optional columns; `feeder` is the project's addition (the
# power line a well hangs on: power fluctuations show on every well of a feeder)
WELL_COLUMNS: dict[str, str] = {
    "well_id": "string",
    "field": "string",
    "feeder": "string",
    "nameplate_current_a": "float64",
    "rated_flow_bpd": "float64",
    "bubble_point_psi": "float64",
    "cadence_s": "float64",
}
DEFAULT_CADENCE_S = 60.0
