"""Job states and the transitions between them."""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCESS, JobState.FAILED, JobState.CANCELLED)


# every legal move; anything else is refused by the queue's conditional updates
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.PENDING: frozenset({JobState.RUNNING, JobState.CANCELLED}),
    JobState.RUNNING: frozenset({JobState.SUCCESS, JobState.FAILED, JobState.CANCELLED,
                                 JobState.PENDING}),  # PENDING again: requeued after a crash
    JobState.SUCCESS: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}
