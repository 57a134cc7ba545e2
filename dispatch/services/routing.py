"""The routing job: place the ticket on the map and send it to a board and department, or to the
street's dispatch queue with the reason. Idempotent: a ticket is routed once."""

from sqlalchemy import select

from ..core import lifecycle, routing
from ..core.lifecycle import DepartmentRef, State
from ..extensions import db
from ..models import Community, Grid, OutboxJob, Ticket
from ..models.types import utcnow
from .actors import SYSTEM
from .grid_index import current_index
from .outbox import handles
from .tickets import apply_decision, facts


@handles("route")
def route_job(row: OutboxJob) -> None:
    route_ticket(db.session.get(Ticket, row.ticket_id))


def route_ticket(ticket: Ticket) -> None:
    """Decide and record; the caller's transaction commits it."""
    if ticket.routed_at is not None:
        return
    now = utcnow()
    ticket.routed_at = now
    if ticket.state != State.REPORTED:
        return  # a dispatcher got there first; nothing to decide
    cell = current_index().locate(ticket.lon, ticket.lat)
    category = ticket.category
    department = category.department
    decision = routing.route(
        routing.CategoryFacts(category.code, category.name_zh, category.board_code,
                              department.code if department else None),
        cell, department_active=bool(department and department.active))
    if cell is not None:
        grid = db.session.scalar(select(Grid).where(Grid.code == cell.code))
        ticket.grid_id = grid.id
        ticket.community_id = grid.community_id
        ticket.street_id = db.session.scalar(
            select(Community.street_id).where(Community.id == grid.community_id))
    if decision.dispatch:
        params = {"board": decision.board, "explanation": decision.explanation(),
                  "department": DepartmentRef(department.id, department.code,
                                              department.board_codes)}
        action = "dispatch"
    else:
        params = {"reason": decision.steps[-1]["text"], "explanation": decision.explanation()}
        action = "queue"
    outcome = lifecycle.decide(facts(ticket), SYSTEM, action, params, version=None, now=now)
    apply_decision(ticket, outcome, SYSTEM, now)


