"""The deadline sweep: warn at 80 %, escalate (督办) past 100 %, each once per ticket and clock.

It reads only the pending work (`warn_at` / `escalate_at` ≤ now, an index each) and claims each
step with a conditional UPDATE, so two sweeps running at once, or a sweep retried after a crash,
still warn and escalate exactly once. The claim, its event and its notices commit together.
"""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..core import lifecycle
from ..core.lifecycle import State
from ..extensions import db
from ..models import Notification, Ticket, User
from . import heartbeats
from .actors import SYSTEM
from .tickets import apply_decision

RUNNING = [State.DISPATCHED, State.ACCEPTED]
STEPS = {
    "warn": (Ticket.warn_at, Ticket.warned_at, "sla_warning"),
    "escalate": (Ticket.escalate_at, Ticket.escalated_at, "escalate"),
}


def sweep(now=None, batch: int = 500) -> dict[str, int]:
    now = now or clock.now()
    done = {step: _run(step, now, batch) for step in STEPS}
    heartbeats.beat(heartbeats.DEADLINE_SWEEP, done, now)  # what the health check reads
    return done


def _run(step: str, now, batch: int) -> int:
    pending, done, action = STEPS[step]
    table = Ticket.__table__
    handled = 0
    while True:
        ids = db.session.scalars(select(Ticket.id).where(
            pending <= now, Ticket.state.in_(RUNNING)).order_by(pending).limit(batch)).all()
        if not ids:
            return handled
        for ticket_id in ids:
            try:
                with db.session.begin_nested():
                    claimed = db.session.execute(
                        update(table).where(table.c.id == ticket_id, pending.is_not(None),
                                            pending <= now, done.is_(None))
                        .values({done.key: now, pending.key: None})).rowcount
                    if claimed != 1:  # done by another sweep: clear the leftover to-do
                        db.session.execute(update(table).where(
                            table.c.id == ticket_id).values({pending.key: None}))
                        continue
                    _record(db.session.get(Ticket, ticket_id), action, now)
                    db.session.flush()
            except IntegrityError:  # its notice exists: the step was done before
                db.session.execute(update(table).where(table.c.id == ticket_id)
                                   .values({done.key: now, pending.key: None}))
                continue
            handled += 1
        db.session.commit()


def _record(ticket: Ticket, action: str, now) -> None:
    due = ticket.due_at.isoformat() if ticket.due_at else None
    apply_decision(ticket, lifecycle.annotation(action, ticket.state, data={"due_at": due}),
                   SYSTEM, now)
    if action == "sla_warning":
        recipients = [("department", ticket.lead_department_id)]
    else:
        recipients = [("user", uid) for uid in _board_leaders(ticket)]
    for kind, recipient in recipients:
        if recipient is None:
            continue
        db.session.add(Notification(
            key=f"{action}:{ticket.id}:{kind}:{recipient}:{due}", ticket_id=ticket.id,
            kind=action, data={"number": ticket.number, "due_at": due},
            department_id=recipient if kind == "department" else None,
            user_id=recipient if kind == "user" else None, created_at=now))


def _board_leaders(ticket: Ticket) -> list[int]:
    """The ticket's board leader in its street; the street's commander if the board has none."""
    leaders = db.session.scalars(select(User.id).where(
        User.role == "leader", User.street_id == ticket.street_id,
        User.board_code == ticket.board_code, User.active.is_(True))).all()
    return list(leaders) or list(db.session.scalars(select(User.id).where(
        User.role == "leader", User.street_id == ticket.street_id,
        User.board_code.is_(None), User.active.is_(True))))
