"""The grid worker's own reports, as the phone lists them: newest first, with what a row shows
(category, lead department) loaded with the list."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Ticket, User


def reported_by(user: User, limit: int) -> list[Ticket]:
    """The user's `limit` most recent reports."""
    return list(db.session.scalars(
        select(Ticket).where(Ticket.reporter_id == user.id)
        .options(joinedload(Ticket.category), joinedload(Ticket.lead_department),
                 selectinload(Ticket.events))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)))
