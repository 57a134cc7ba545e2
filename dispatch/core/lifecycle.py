"""The closed loop of DOMAIN.md as one table: states, actions, who may take them, what they change.

Services never set a ticket's state themselves: they call `decide`, apply `Decision.changes` to
the ticket and write `Decision` as the event row, in the same transaction. Keeping the rules here,
free of Flask and the database, lets the whole table be tested pair by pair.

Checks run in a fixed order so clients get a stable answer: unknown action (422) → role and
jurisdiction (403) → stale version (409) → state and preconditions (422) → parameters (422).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import DomainError, problem


class State(StrEnum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    VOIDED = "voided"
    MERGED = "merged"
    PARKED = "parked"


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    LEADER = "leader"
    ADMIN = "admin"
    SYSTEM = "system"  # routing and other jobs; never a login


OPEN_STATES = frozenset({State.REPORTED, State.DISPATCHED, State.ACCEPTED, State.RESOLVED,
                         State.PARKED})
FINAL_STATES = frozenset({State.CLOSED, State.VOIDED, State.MERGED})
WORKING = frozenset({State.DISPATCHED, State.ACCEPTED})
RESUME = "resume"  # to_state marker: back to the state the ticket was parked from
MAX_EXTENSION_HOURS = 2000


class LifecycleError(DomainError):
    """A refused action."""

    code = "not_allowed"


class Forbidden(LifecycleError):
    status = 403
    code = "forbidden"


class Stale(LifecycleError):
    status = 409
    code = "stale_version"


class NotAllowed(LifecycleError):
    status = 422
    code = "transition_not_allowed"


class InvalidParams(LifecycleError):
    status = 422
    code = "invalid_parameters"


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need to know about a ticket."""

    id: int
    state: str
    version: int
    reporter_id: int | None
    street_id: int | None
    lead_department_id: int | None = None
    pending_request: str | None = None
    pending_hours: int | None = None
    extension_hours: int = 0
    resume_state: str | None = None
    rework_count: int = 0
    send_back_count: int = 0


@dataclass(frozen=True)
class Actor:
    """Who acts, and what their role binds them to (core.policy reads the same value)."""

    user_id: int | None
    role: str
    street_id: int | None = None
    department_ids: frozenset[int] = frozenset()  # the handler's department and its sections
    department_code: str | None = None  # the handler's own department
    board_code: str | None = None  # a board leader's board


@dataclass(frozen=True)
class DepartmentRef:
    id: int
    code: str
    boards: frozenset[str]


@dataclass(frozen=True)
class Rule:
    from_states: frozenset[str]
    to_state: str | None  # None: state unchanged
    roles: frozenset[str]
    required: tuple[str, ...] = ()
    needs_pending: str | None = None


_STAFF = frozenset({Role.DISPATCHER, Role.ADMIN})
_HANDLER = frozenset({Role.HANDLER})
_ALL_OPEN_BUT_PARKED = frozenset({State.REPORTED, State.DISPATCHED, State.ACCEPTED})

TRANSITIONS: dict[str, Rule] = {
    "dispatch": Rule(_ALL_OPEN_BUT_PARKED, State.DISPATCHED, _STAFF | {Role.SYSTEM},
                     ("board", "department")),
    "queue": Rule(frozenset({State.REPORTED}), None, frozenset({Role.SYSTEM}), ("reason",)),
    "accept": Rule(frozenset({State.DISPATCHED}), State.ACCEPTED, _HANDLER),
    "resolve": Rule(frozenset({State.ACCEPTED}), State.RESOLVED, _HANDLER, ("note",)),
    "verify": Rule(frozenset({State.RESOLVED}), State.CLOSED,
                   _STAFF | {Role.GRID_WORKER}),
    "rework": Rule(frozenset({State.RESOLVED}), State.ACCEPTED, _STAFF | {Role.GRID_WORKER},
                   ("note",)),
    "send_back": Rule(WORKING, State.REPORTED, _HANDLER, ("reason",)),
    "void": Rule(frozenset({State.REPORTED}), State.VOIDED, _STAFF, ("reason",)),
    "merge": Rule(frozenset({State.REPORTED, State.DISPATCHED}), State.MERGED, _STAFF,
                  ("into",)),
    "request_extension": Rule(WORKING, None, _HANDLER, ("hours", "reason")),
    "approve_extension": Rule(WORKING, None, _STAFF, needs_pending="extension"),
    "reject_extension": Rule(WORKING, None, _STAFF, ("reason",), needs_pending="extension"),
    "request_park": Rule(WORKING, None, _HANDLER, ("reason",)),
    "park": Rule(WORKING, State.PARKED, _STAFF, ("reason",)),
    "reject_park": Rule(WORKING, None, _STAFF, ("reason",), needs_pending="park"),
    "unpark": Rule(frozenset({State.PARKED}), RESUME, _STAFF),
}
ACTIONS = tuple(TRANSITIONS)


@dataclass(frozen=True)
class Decision:
    """The outcome to apply: new field values for the ticket and the event to append."""

    action: str
    from_state: str
    to_state: str
    changes: dict[str, Any]
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def in_jurisdiction(ticket: TicketFacts, actor: Actor) -> bool:
    """Whose ticket is it? Dispatchers own their street, handlers their department's tickets,
    grid workers their own reports; admins and system jobs act everywhere; leaders only watch."""
    match actor.role:
        case Role.ADMIN | Role.SYSTEM:
            return True
        case Role.DISPATCHER:
            return actor.street_id is not None and actor.street_id == ticket.street_id
        case Role.HANDLER:
            return ticket.lead_department_id in actor.department_ids
        case Role.GRID_WORKER:
            return actor.user_id is not None and actor.user_id == ticket.reporter_id
    return False


def allowed_actions(ticket: TicketFacts, actor: Actor) -> list[str]:
    """The buttons a screen should show this actor for this ticket."""
    result = []
    for action in ACTIONS:
        try:
            _check(ticket, actor, action, ticket.version)
        except LifecycleError:
            continue
        result.append(action)
    return result


def decide(ticket: TicketFacts, actor: Actor, action: str, params: dict[str, Any],
           *, version: int | None, now: datetime) -> Decision:
    """Validate `action` against the table and return what must change.

    `version` is the version the client last saw (None for system jobs, which re-read the
    ticket under the same transaction)."""
    rule = _check(ticket, actor, action, version)
    missing = {name: [problem("required")] for name in rule.required
               if _blank(params.get(name))}
    if missing:
        raise InvalidParams("missing_parameters", missing, action=action)
    if rule.to_state == RESUME:
        to_state = ticket.resume_state or State.DISPATCHED  # parked before we remembered
    else:
        to_state = rule.to_state
    to_state = to_state or ticket.state
    changes, data = _EFFECTS.get(action, _no_effect)(ticket, params, now)
    if to_state != ticket.state:
        changes["state"] = to_state
    note = (params.get("note") or params.get("reason") or "").strip() or None
    return Decision(action, ticket.state, to_state, changes, note, data)


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def authorize(ticket: TicketFacts, actor: Actor, action: str) -> Rule:
    """The first checks alone: a known action (422), then role and jurisdiction (403).
    Services run them before looking at an action's parameters, so whoever may not act on a
    ticket learns nothing more than 403."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise InvalidParams("unknown_action", {"action": [problem("one_of", choices=ACTIONS)]},
                            action=action)
    if actor.role not in rule.roles:
        raise Forbidden("role_may_not", role=actor.role, action=action)
    if not in_jurisdiction(ticket, actor):
        raise Forbidden("not_your_jurisdiction")
    return rule


def _check(ticket: TicketFacts, actor: Actor, action: str, version: int | None) -> Rule:
    rule = authorize(ticket, actor, action)
    if version is not None and version != ticket.version:
        raise Stale("stale_version", current=ticket.version, sent=version)
    if ticket.state not in rule.from_states:
        raise NotAllowed("not_in_this_state", action=action, state=ticket.state)
    if rule.needs_pending and ticket.pending_request != rule.needs_pending:
        raise NotAllowed("no_pending_request", action=action, request=rule.needs_pending)
    if action.startswith("request_") and ticket.pending_request:
        raise NotAllowed("request_pending", action=action, request=ticket.pending_request)
    return rule


# --- effects: what each action changes beyond the state -------------------------------------

def _no_effect(ticket, params, now):
    return {}, {}


def _dispatch(ticket, params, now):
    board: str = params["board"]
    lead: DepartmentRef = params["department"]
    helpers: list[DepartmentRef] = list(params.get("helpers") or [])
    if board not in lead.boards:
        raise InvalidParams("department_not_on_board",
                            {"department": [problem("not_on_board", board=board)]},
                            department=lead.code, board=board)
    if any(h.id == lead.id for h in helpers):
        raise InvalidParams("lead_cannot_help", {"helpers": [problem("lead_cannot_help")]})
    unique_helpers = sorted({h.id for h in helpers})
    changes = {"board_code": board, "lead_department_id": lead.id, "helper_ids": unique_helpers,
               "pending_request": None, "pending_hours": None, "dispatched_at": now,
               "accepted_at": None}
    data = {"board": board, "department": lead.code,
            "helpers": sorted({h.code for h in helpers})}
    if params.get("explanation"):
        data["explanation"] = params["explanation"]
    return changes, data


def _queue(ticket, params, now):
    return {}, {"explanation": params.get("explanation") or {}}


def _accept(ticket, params, now):
    return {"accepted_at": now}, {}


def _resolve(ticket, params, now):
    return {"resolved_at": now, "pending_request": None, "pending_hours": None}, {}


def _verify(ticket, params, now):
    return {"closed_at": now}, {}


def _rework(ticket, params, now):
    return {"resolved_at": None, "rework_count": ticket.rework_count + 1}, {}


def _send_back(ticket, params, now):
    changes = {"lead_department_id": None, "helper_ids": [], "pending_request": None,
               "pending_hours": None, "accepted_at": None,
               "send_back_count": ticket.send_back_count + 1}
    return changes, {"department_id": ticket.lead_department_id}


def _void(ticket, params, now):
    return {"closed_at": now}, {}


def _merge(ticket, params, now):
    target = params["into"]  # TicketFacts of the surviving ticket
    if target.id == ticket.id:
        raise InvalidParams("merge_into_itself", {"into": [problem("merge_into_itself")]})
    if target.state not in OPEN_STATES:
        raise InvalidParams("merge_target_not_open",
                            {"into": [problem("merge_target_not_open", state=target.state)]},
                            state=target.state)
    if target.street_id != ticket.street_id:
        raise InvalidParams("merge_across_streets", {"into": [problem("merge_across_streets")]})
    return {"merged_into_id": target.id, "closed_at": now}, {"into_id": target.id}


def _request_extension(ticket, params, now):
    hours = params["hours"]
    if not isinstance(hours, int) or isinstance(hours, bool) or not (
            0 < hours <= MAX_EXTENSION_HOURS):
        raise InvalidParams("extension_hours_out_of_range", {"hours": [problem(
            "whole_number_between", min=1, max=MAX_EXTENSION_HOURS)]})
    data = {"hours": hours}
    if params.get("amount") is not None:  # as asked, in the limit's unit (see the service)
        data.update(amount=params["amount"], unit=params["unit"])
    return {"pending_request": "extension", "pending_hours": hours}, data


def _approve_extension(ticket, params, now):
    granted = ticket.pending_hours or 0
    data = {"hours": granted}
    if params.get("amount") is not None:
        data.update(amount=params["amount"], unit=params["unit"])
    return ({"pending_request": None, "pending_hours": None,
             "extension_hours": ticket.extension_hours + granted}, data)


def _clear_pending(ticket, params, now):
    return {"pending_request": None, "pending_hours": None}, {}


def _request_park(ticket, params, now):
    return {"pending_request": "park"}, {}


def _park(ticket, params, now):
    return {"resume_state": ticket.state, "pending_request": None, "pending_hours": None}, {}


def _unpark(ticket, params, now):
    return {"resume_state": None}, {}


_EFFECTS = {
    "dispatch": _dispatch, "queue": _queue, "accept": _accept, "resolve": _resolve,
    "verify": _verify, "rework": _rework, "send_back": _send_back, "void": _void,
    "merge": _merge, "request_extension": _request_extension,
    "approve_extension": _approve_extension, "reject_extension": _clear_pending,
    "request_park": _request_park, "park": _park, "reject_park": _clear_pending,
    "unpark": _unpark,
}


def open_report() -> Decision:
    """The first event of every ticket: a grid worker's report arrives."""
    return Decision("report", "", State.REPORTED, {"state": State.REPORTED})


def annotation(action: str, state: str, note: str | None = None,
               data: dict[str, Any] | None = None) -> Decision:
    """An event that records something about a ticket without changing its state
    (e.g. another ticket merged into it)."""
    return Decision(action, state, state, {}, note, data or {})
