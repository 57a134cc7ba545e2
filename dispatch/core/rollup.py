"""What one ticket event adds to the dashboards' rollups. Pure, so the incremental path (inside
each use case's transaction) and the rebuild (replaying every event) cannot disagree.

Daily counts are keyed by local day × street × board × department, with the event's own
snapshot of those; "new" is counted once per ticket, at its first routing decision, on the day
it was reported. State counts follow each ticket's (street, board, lead department, grid, state).
"""

from __future__ import annotations

from dataclasses import dataclass

NONE = 0  # stands for "no street / department / grid" in rollup keys (keys cannot be NULL)


@dataclass(frozen=True)
class Place:
    street_id: int
    board: str
    department_id: int
    grid_id: int

    @classmethod
    def of(cls, street_id, board, department_id, grid_id) -> Place:
        return cls(street_id or NONE, board or "", department_id or NONE, grid_id or NONE)


@dataclass(frozen=True)
class StateKey:
    place: Place
    state: str


_COUNTED = {"dispatch": "dispatched", "accept": "accepted", "resolve": "resolved",
            "verify": "closed", "send_back": "sent_back", "rework": "reworked",
            "void": "voided", "merge": "merged", "escalate": "escalated"}


def daily_metrics(action: str, data: dict) -> list[str]:
    """The metrics an event counts once each on its day."""
    metrics = ["new"] if data.get("first_routing") else []
    if action in _COUNTED:
        metrics.append(_COUNTED[action])
    return metrics


def lead_after(action: str, department_id: int | None) -> int | None:
    """The lead department once the event is applied (a send-back's event names the refuser)."""
    return None if action == "send_back" else department_id
