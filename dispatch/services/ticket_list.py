"""The API's ticket list: the tickets a user may see, filtered by codes, newest or most urgent
first, a page at a time. Everything a listed ticket shows is loaded with the page in a fixed
number of statements (a few), so twenty tickets cost what one does."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Ticket, User
from .queues import by_urgency
from .tickets import visible_where

# what the API's ticket body reads: names by code, the helpers, the merge target, and the
# events (for the routing explanation and the deadline's parked spells)
SHOWN = (joinedload(Ticket.category), joinedload(Ticket.grid), joinedload(Ticket.community),
         joinedload(Ticket.street), joinedload(Ticket.reporter),
         joinedload(Ticket.lead_department), joinedload(Ticket.merged_into),
         selectinload(Ticket.helpers), selectinload(Ticket.events))


@dataclass(frozen=True)
class TicketFilters:
    state: str | None = None
    board: str | None = None
    department: str | None = None  # department code
    grid: str | None = None  # grid code
    reporter: str | None = None  # username


def page(user: User, filters: TicketFilters, number: int, per_page: int,
         sort: str = "newest") -> tuple[list[Ticket], int]:
    """Page `number` (from 1) of the tickets `user` may see under `filters`, and their total."""
    stmt = visible_where(user, state=filters.state, board=filters.board,
                         department=filters.department, grid=filters.grid,
                         reporter=filters.reporter)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    ordered = (by_urgency(stmt) if sort == "urgency"
               else stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()))
    rows = db.session.scalars(ordered.options(*SHOWN)
                              .limit(per_page).offset((number - 1) * per_page)).unique().all()
    return list(rows), total
