"""Which departments sent a ticket back: never chosen again for it, by rules or suggestions."""

from sqlalchemy import select

from ..extensions import db
from ..models import Department, Ticket, TicketEvent


def excluded_departments(ticket: Ticket) -> frozenset[str]:
    ids = db.session.scalars(select(TicketEvent.department_id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action == "send_back")).all()
    if not ids:
        return frozenset()
    return frozenset(db.session.scalars(select(Department.code).where(Department.id.in_(ids))))
