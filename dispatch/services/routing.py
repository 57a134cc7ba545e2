"""The routing job: place the ticket, decide board and department with the district's rules,
and dispatch it, or leave it in the street's dispatch queue with the reason, a likely duplicate
and learned suggestions. Runs at intake and again after each send-back; idempotent per step."""


from sqlalchemy import select

from .. import clock
from ..core import lifecycle, routing
from ..core.lifecycle import DepartmentRef, State
from ..extensions import db
from ..models import Community, Department, Grid, OutboxJob, Ticket
from .actors import SYSTEM
from .duplicates import find_likely_duplicate
from .outbox import handles
from .routing_context import current_context
from .send_backs import excluded_departments
from .suggestions import suggest_departments
from .tickets import apply_decision, facts


@handles("route")
def route_job(row: OutboxJob) -> None:
    ticket = db.session.get(Ticket, row.ticket_id)
    after = row.payload.get("after_send_backs")
    if after is None:
        route_ticket(ticket)
    elif ticket.state == State.REPORTED and ticket.send_back_count == after:
        route_ticket(ticket, rerouting=True)


def route_ticket(ticket: Ticket, *, rerouting: bool = False) -> None:
    """Decide and record; the caller's transaction commits it."""
    if ticket.routed_at is not None and not rerouting:
        return
    now = clock.now()
    ticket.routed_at = now
    if ticket.state != State.REPORTED:
        return  # a dispatcher got there first; nothing to decide
    ctx = current_context()
    place = ctx.index.place(ticket.lon, ticket.lat)
    category = ticket.category
    report = routing.Report(
        routing.CategoryFacts(category.code, category.name_zh, category.board_code,
                              category.department.code if category.department else None,
                              category.urgent),
        ticket.description,
        ticket.created_at.astimezone(clock.zone()))
    decision = routing.route(report, place, ctx.rules, departments=ctx.departments,
                             excluded=excluded_departments(ticket),
                             send_backs=ticket.send_back_count)
    found = {}
    if place.grid is not None:
        grid = db.session.scalar(select(Grid).where(Grid.code == place.grid.code))
        found = {"grid_id": grid.id, "community_id": grid.community_id,
                 "street_id": db.session.scalar(
                     select(Community.street_id).where(Community.id == grid.community_id))}
    ticket.priority = decision.priority
    ticket.time_limit_value, ticket.time_limit_unit = decision.time_limit or (None, None)
    explanation = decision.explanation()
    duplicate = None if rerouting else find_likely_duplicate(ticket)
    if duplicate is not None:
        original, metres = duplicate
        ticket.duplicate_of_id = original.id
        explanation["duplicate_of"] = {"number": original.number, "metres": round(metres)}
        explanation["steps"].append({
            "step": "duplicate", "ok": False, "code": "likely_duplicate",
            "params": {"number": original.number, "metres": round(metres)},
            "number": original.number})
        explanation["outcome"] = "queued"
    if decision.dispatch and duplicate is None:
        department = db.session.scalar(select(Department).where(
            Department.code == decision.department))
        helpers = db.session.scalars(select(Department).where(
            Department.code.in_(decision.helpers))).all()
        params = {"board": decision.board, "explanation": explanation, "note": decision.note,
                  "department": _ref(department), "helpers": [_ref(h) for h in helpers]}
        action = "dispatch"
    else:
        if not decision.dispatch or duplicate is not None:
            explanation["suggestions"] = suggest_departments(
                ticket, place.grid.code if place.grid else None,
                place.grid.community_code if place.grid else None)
        # the event's reason is the deciding step's code; its words come from the catalogue
        params = {"reason": explanation["steps"][-1]["code"], "explanation": explanation}
        action = "queue"
    outcome = lifecycle.decide(facts(ticket), SYSTEM, action, params, version=None, now=now)
    if not rerouting:
        outcome.data["first_routing"] = True  # the report is counted as new here (rollups)
    apply_decision(ticket, outcome, SYSTEM, now, place=found)


def _ref(department: Department) -> DepartmentRef:
    return DepartmentRef(department.id, department.code, department.board_codes)
