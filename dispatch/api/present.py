"""Tickets as the API shows them: codes instead of ids, the actions this user may take now."""

from flask import url_for

from .. import clock
from ..core.disclosure import redact
from ..http.messages import Names, explanation_in_words
from ..services import deadlines
from ..services.history import routing_explanation
from ..services.tickets import allowed_actions, hidden_numbers


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def ticket_json(ticket, user, detail: bool = False, names: Names | None = None,
                hidden: frozenset[str] | None = None) -> dict:
    """A ticket (as the services load it) for `user`; a page of tickets shares one `names`, so
    the names of codes are read once for the page, not once per ticket. Other tickets' numbers
    the user may not open are blanked (core.disclosure)."""
    if hidden is None:  # a page passes the numbers hidden on any of its tickets
        hidden = hidden_numbers(user, ticket)
    merged_into = ticket.merged_into.number if ticket.merged_into else None
    body = {
        "number": ticket.number, "state": ticket.state, "version": ticket.version,
        "category": {"code": ticket.category.code, "name_zh": ticket.category.name_zh,
                     "name_en": ticket.category.name_en},
        "description": ticket.description,
        "location": {"lat": ticket.lat, "lng": ticket.lon, "source": ticket.location_source},
        "grid": _code(ticket.grid), "community": _code(ticket.community),
        "street": _code(ticket.street), "reporter": ticket.reporter.username,
        "board": ticket.board_code, "lead_department": _code(ticket.lead_department),
        "helpers": [d.code for d in ticket.helpers],
        "pending_request": ticket.pending_request, "pending_hours": ticket.pending_hours,
        "extension_hours": ticket.extension_hours, "rework_count": ticket.rework_count,
        "send_back_count": ticket.send_back_count,
        "merged_into": redact(merged_into, hidden),
        "created_at": ticket.created_at, "dispatched_at": ticket.dispatched_at,
        "accepted_at": ticket.accepted_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at, "due_at": ticket.due_at,
        "priority": ticket.priority,
        "sla": _sla_json(deadlines.status(ticket, clock.now())),
        "time_limit": _limit_json(deadlines.time_limit(ticket)),
        "allowed_actions": allowed_actions(user, ticket),
        "routing": explanation_in_words(redact(routing_explanation(ticket), hidden),
                                        names or Names()),
    }
    if detail:
        body["events"] = [event_json(e, hidden) for e in ticket.events]
        body["photos"] = [photo_json(p) for p in ticket.photos]
    return body


def _sla_json(status: dict | None) -> dict | None:
    """The light and share used; the time left in words is the pages' (clients have due_at)."""
    if status is None:
        return None
    return {k: v for k, v in status.items() if k != "left"}


def _limit_json(limit) -> dict | None:
    return {"value": limit.value, "unit": limit.unit} if limit else None


def event_json(event, hidden: frozenset[str] = frozenset()) -> dict:
    return {"id": event.id, "action": event.action,
            "actor": event.actor.username if event.actor else None,
            "actor_role": event.actor_role, "from_state": event.from_state,
            "to_state": event.to_state, "board": event.board_code,
            "department": _code(event.department), "note": event.note,
            "data": redact(event.data, hidden), "created_at": event.created_at}


def photo_json(photo) -> dict:
    ready = photo.status == "ready"
    return {"id": photo.id, "kind": photo.kind, "status": photo.status,
            "width": photo.width, "height": photo.height,
            "display_url": url_for("tickets.photo_file", photo_id=photo.id,
                                   rendition="display") if ready else None,
            "thumb_url": url_for("tickets.photo_file", photo_id=photo.id,
                                 rendition="thumb") if ready else None}
