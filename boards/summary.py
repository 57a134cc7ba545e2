"""A board's summary for its leader: counts by state, overdue, today's new and closed.

This reads the ticket table directly; issue 5 replaces it with rollups maintained from events.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from dispatch.core.lifecycle import OPEN_STATES, State
from dispatch.extensions import db
from dispatch.models import Ticket


def board_summary(board: str | None, street_id: int | None, now: datetime, tz: str) -> dict:
    """`board` None means the whole street; `street_id` None means every street (admin)."""
    scope = []
    if board is not None:
        scope.append(Ticket.board_code == board)
    if street_id is not None:
        scope.append(Ticket.street_id == street_id)
    day_start = datetime.combine(now.astimezone(ZoneInfo(tz)).date(), time(), ZoneInfo(tz))
    day_end = day_start + timedelta(days=1)
    by_state = dict(db.session.execute(
        select(Ticket.state, func.count()).where(*scope).group_by(Ticket.state)).all())
    # overdue: still being handled past the deadline (a parked ticket's clock is stopped)
    overdue = db.session.scalar(select(func.count()).where(
        *scope, Ticket.state.in_([State.DISPATCHED, State.ACCEPTED]), Ticket.due_at < now))
    new_today = db.session.scalar(select(func.count()).where(
        *scope, Ticket.created_at >= day_start, Ticket.created_at < day_end))
    closed_today = db.session.scalar(select(func.count()).where(
        *scope, Ticket.state == State.CLOSED, Ticket.closed_at >= day_start,
        Ticket.closed_at < day_end))
    return {
        "board": board,
        "by_state": {s.value: by_state.get(s.value, 0) for s in State},
        "open": sum(by_state.get(s.value, 0) for s in OPEN_STATES),
        "overdue": overdue,
        "today": {"date": day_start.date().isoformat(), "new": new_today,
                  "closed": closed_today},
    }
