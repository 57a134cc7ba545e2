"""Ticket use cases after intake: look up, list within one's jurisdiction, take an action."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..core import disclosure, lifecycle
from ..core import policy as core_policy
from ..core.errors import problem
from ..core.lifecycle import Actor, Decision, DepartmentRef, TicketFacts
from ..extensions import db
from ..models import Board, Category, Department, Grid, Photo, Ticket, TicketEvent, User
from . import deadlines, extension_requests, kpi_rollups, outbox, photo_store, policy, rollups
from .actors import actor_for
from .errors import BadInput, NotFound
from .photo_intake import attach_photos, check_photos


def facts(ticket: Ticket) -> TicketFacts:
    return TicketFacts(
        id=ticket.id, state=ticket.state, version=ticket.version,
        reporter_id=ticket.reporter_id, street_id=ticket.street_id,
        lead_department_id=ticket.lead_department_id, pending_request=ticket.pending_request,
        pending_hours=ticket.pending_hours, extension_hours=ticket.extension_hours,
        resume_state=ticket.resume_state, rework_count=ticket.rework_count,
        send_back_count=ticket.send_back_count)


def apply_decision(ticket: Ticket, decision: Decision, actor: Actor, now: datetime,
                   place: dict[str, Any] | None = None) -> TicketEvent:
    """Write the decision onto the ticket and append its event: the one place state changes.
    `place` carries the grid, community and street routing found for the ticket."""
    department_before = ticket.lead_department_id
    before = rollups.state_key(ticket)
    kpi_before = kpi_rollups.snapshot(ticket)
    was_overdue = rollups.overdue_before(ticket, decision.action)
    for name, value in (place or {}).items():
        setattr(ticket, name, value)
    for name, value in decision.changes.items():
        if name == "helper_ids":
            ticket.helpers = [db.session.get(Department, i) for i in value]
        elif name in Ticket.__mapper__.columns:
            setattr(ticket, name, value)
        else:
            raise AttributeError(f"lifecycle changed unknown ticket field {name!r}")
    data = dict(decision.data)
    if decision.action == "resolve":
        if ticket.due_at is not None:
            data["due_at"] = ticket.due_at.isoformat()  # for on-time handling (KPI)
        if ticket.dispatched_at is not None:
            data["hours"] = round((now - ticket.dispatched_at).total_seconds() / 3600, 4)
    elif decision.action == "verify":
        data["hours"] = round((now - ticket.created_at).total_seconds() / 3600, 4)
    event = TicketEvent(
        ticket=ticket, action=decision.action, actor_id=actor.user_id, actor_role=actor.role,
        from_state=decision.from_state or None, to_state=decision.to_state,
        board_code=ticket.board_code,
        department_id=ticket.lead_department_id or department_before,
        street_id=ticket.street_id, grid_id=ticket.grid_id,
        note=decision.note, data=data, created_at=now)
    db.session.add(event)
    if decision.changes:  # the clock follows every change (the new event included)
        deadlines.refresh(ticket, decision.action)
    rollups.record(ticket, event, before, was_overdue)
    kpi_rollups.record(ticket, kpi_before)
    return event


def get_ticket(number: str) -> Ticket:
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    if ticket is None:
        raise NotFound("ticket_not_found", number=number)
    return ticket


def visible_ticket(user: User, number: str) -> Ticket:
    """The ticket if `user` may see it. One they may not see is not found, exactly like one
    that does not exist: the answer must not tell which numbers are in use elsewhere."""
    ticket = get_ticket(number)
    if not can_see(user, ticket):
        raise NotFound("ticket_not_found", number=number)
    return ticket


def reread(ticket: Ticket) -> Ticket:
    """The ticket as the database holds it now (an inline job may have changed it since)."""
    db.session.refresh(ticket)
    return ticket


def visible_to(user: User) -> Select:
    """The tickets a user may see (core.policy.ticket_scope): admin all; dispatcher and leader
    their street; handler their department's (lead or helping); grid worker their own reports."""
    scope = policy.ticket_scope(user)
    stmt = select(Ticket)
    return stmt if scope.everything else stmt.where(policy.ticket_filter(scope))


def visible_where(user: User, **codes) -> Select:
    """`visible_to`, narrowed by codes the way lists are filtered: state, board, and category,
    grid, department or reporter by their codes (resolved inside the one statement)."""
    stmt = visible_to(user)
    for name, value in codes.items():
        if value:
            stmt = stmt.where(_FILTERS[name](value))
    return stmt


_FILTERS = {
    "state": lambda v: Ticket.state == v,
    "board": lambda v: Ticket.board_code == v,
    "category": lambda v: Ticket.category_id == select(Category.id).where(
        Category.code == v).scalar_subquery(),
    "grid": lambda v: Ticket.grid_id == select(Grid.id).where(Grid.code == v).scalar_subquery(),
    "department": lambda v: Ticket.lead_department_id == select(Department.id).where(
        Department.code == v).scalar_subquery(),
    "reporter": lambda v: Ticket.reporter_id == select(User.id).where(
        User.username == v).scalar_subquery(),
}


def can_see(user: User, ticket: Ticket) -> bool:
    return policy.can_view_ticket(user, ticket)


def hidden_numbers(user: User, *tickets: Ticket) -> frozenset[str]:
    """The other tickets these tickets' histories name (likely duplicate, merged into or from)
    that `user` may not open: the presenters blank them (core.disclosure). One query for a
    whole page, and none when nothing is named."""
    named: set[str] = set()
    for ticket in tickets:
        named |= disclosure.numbers_in([e.data for e in ticket.events])
        if ticket.merged_into is not None:
            named.add(ticket.merged_into.number)
    named -= {ticket.number for ticket in tickets}
    if not named:
        return frozenset()
    seen = set(db.session.scalars(visible_to(user).with_only_columns(Ticket.number)
                                  .where(Ticket.number.in_(named))))
    return frozenset(named - seen)


def allowed_actions(user: User, ticket: Ticket) -> list[str]:
    """The actions `user` may take on `ticket` now (the buttons a screen shows)."""
    return core_policy.allowed_actions(actor_for(user), facts(ticket))


def perform_action(user: User, number: str, payload: dict[str, Any],
                   photos: list[bytes] | None = None) -> Ticket:
    """Take one lifecycle action on a ticket as `user`, in one transaction.

    Raises NotFound for a ticket the user may not see (as for one that does not exist),
    lifecycle errors (403 on one they see but may not act on, 409, 422) or BadInput; on a
    stale write the Stale error carries nothing half-done: the transaction is rolled back."""
    ticket = visible_ticket(user, number)
    actor = actor_for(user)
    action = payload["action"]
    core_policy.check_action(actor, facts(ticket), action)  # 403 before any parameter is read
    params = {k: v for k, v in payload.items() if k not in ("action", "version")}
    if photos and action != "resolve":
        raise BadInput("photos_only_with_resolve",
                       {"photos": [problem("photos_only_with_resolve")]})
    params = _resolve_references(user, action, params)
    if action == "request_extension":
        params = extension_requests.request_params(ticket, params)
    elif action == "approve_extension":
        params = extension_requests.approval_params(ticket, params)
    now = clock.now()
    decision = lifecycle.decide(facts(ticket), actor, action, params,
                                version=payload.get("version"), now=now)
    infos = check_photos(photos or [], user)
    written: list[str] = []
    try:  # any flush from here on (autoflush included) may find the row changed under us
        event = apply_decision(ticket, decision, actor, now)
        if action == "merge":
            target = params["into_ticket"]
            apply_decision(target, lifecycle.annotation(
                "merged_in", target.state, data={"from": ticket.number}), actor, now)
        if decision.to_state == lifecycle.State.CLOSED:
            _tell_merged_reporters(ticket, actor, now)
        db.session.flush()
        jobs = attach_photos(ticket, event, photos or [], infos, "resolution", written)
        if action == "send_back":  # the engine re-routes, without the departments that refused
            jobs.append(outbox.record("route", f"route:{ticket.id}:{ticket.send_back_count}",
                                      ticket.id, {"after_send_backs": ticket.send_back_count}))
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        photo_store.remove(written)
        db.session.expire_all()
        current = get_ticket(number)
        raise lifecycle.Stale("stale_version", current=current.version,
                              sent=payload.get("version")) from exc
    except Exception:
        db.session.rollback()
        photo_store.remove(written)
        raise
    outbox.publish(j.id for j in jobs)
    return ticket


def _tell_merged_reporters(ticket: Ticket, actor: Actor, now: datetime) -> None:
    """Everyone whose report was merged into this one hears that it is closed."""
    merged = db.session.scalars(select(Ticket).where(Ticket.merged_into_id == ticket.id)).all()
    for duplicate in merged:
        apply_decision(duplicate, lifecycle.annotation(
            "original_closed", duplicate.state, data={"original": ticket.number}), actor, now)


def _resolve_references(user: User, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """Turn codes and numbers from the client into the refs the core checks. A merge target
    the user may not see is unknown to them, exactly as a number never issued: its state or
    street must not show through the error."""
    if action == "dispatch":
        errors: dict[str, list[dict]] = {}
        if params.get("board") and db.session.get(Board, params["board"]) is None:
            errors["board"] = [problem("unknown_board", code=params["board"])]
        if params.get("department"):
            params["department"] = _department_ref(params["department"], errors, "department")
        params["helpers"] = [_department_ref(code, errors, "helpers")
                             for code in params.get("helpers") or []]
        if errors:
            raise BadInput("unknown_board_or_department", errors)
    if action == "merge" and params.get("into"):
        target = db.session.scalar(select(Ticket).where(Ticket.number == params["into"]))
        if target is None or not can_see(user, target):
            raise BadInput("ticket_not_found", {"into": [problem("unknown_ticket",
                                                                 number=params["into"])]},
                           number=params["into"])
        params["into_ticket"] = target
        params["into"] = facts(target)
    return params


def _department_ref(code: str, errors: dict[str, list[dict]], field: str) -> DepartmentRef | None:
    dept = db.session.scalar(select(Department).where(Department.code == code,
                                                      Department.active.is_(True)))
    if dept is None:
        errors.setdefault(field, []).append(problem("unknown_department", code=code))
        return None
    return DepartmentRef(dept.id, dept.code, dept.board_codes)


def photo_file(user: User, photo_id: int, rendition: str) -> str:
    """The absolute path of a processed rendition the user may see (never the original)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or not can_see(user, photo.ticket):  # unseeable: as if it did not exist
        raise NotFound("photo_not_found")
    path = photo.display_path if rendition == "display" else photo.thumb_path
    if photo.status != "ready" or not path:
        raise NotFound("photo_not_ready")
    return photo_store.absolute(path)
