"""What a ticket's history tells the screens: the latest routing decision and its explanation.

Read from the events (the history), for the API and the pages alike; both show it, so it
belongs to neither."""

from ..core.lifecycle import Role
from ..models import Ticket


def routing_explanation(ticket: Ticket) -> dict | None:
    """The latest routing decision (by the routing job or a dispatcher), with its explanation."""
    for event in reversed(ticket.events):
        if event.action in ("dispatch", "queue") and event.actor_role == Role.SYSTEM:
            return event.data.get("explanation")
        if event.action == "dispatch":
            return {"outcome": "dispatched", "by": "dispatcher", "summary": event.note or ""}
    return None
