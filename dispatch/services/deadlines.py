"""Deadlines: every dispatched ticket's clock, recomputed whenever its state changes.

The clock starts at dispatch (a re-dispatch restarts it), pauses while parked, grows with
approved extensions, and keeps running through rework. Besides `due_at` the ticket carries the
sweep's to-do list: `warn_at` (80 % used) and `escalate_at` (100 %), cleared once done or when
the clock stops, so the sweep reads an index of pending work instead of scanning tickets.
"""

from datetime import datetime
from functools import cache

from ..clock import zone_name
from ..core import sla
from ..core.lifecycle import State
from ..data.calendar import load_calendar
from ..models import Ticket

RUNNING = (State.DISPATCHED, State.ACCEPTED)
WARN_AT = 0.8


def working_calendar() -> sla.WorkingCalendar:
    """The shipped holidays, office hours on the configured time zone's wall clock."""
    return _calendar(zone_name())


@cache
def _calendar(timezone: str) -> sla.WorkingCalendar:
    return load_calendar(timezone)


def time_limit(ticket: Ticket) -> sla.TimeLimit | None:
    """The time limit in force: the one a routing rule set for this ticket (stored with its
    routing), else its category's. The deadline and every page showing a limit use this."""
    if ticket.time_limit_value:
        return sla.TimeLimit(ticket.time_limit_value, ticket.time_limit_unit)
    category = ticket.category
    if category is None or not category.time_limit_value:
        return None
    return sla.TimeLimit(category.time_limit_value, category.time_limit_unit)


def clock_for(ticket: Ticket) -> sla.Clock | None:
    limit = time_limit(ticket)
    if ticket.dispatched_at is None or limit is None:
        return None
    return sla.Clock(limit, ticket.dispatched_at, ticket.extension_hours,
                     tuple(_parks_since(ticket, ticket.dispatched_at)))


def _parks_since(ticket: Ticket, start: datetime):
    began = None
    for event in sorted(ticket.events, key=lambda e: (e.created_at, e.id or 0)):
        if event.created_at < start:
            continue
        if event.action == "park":
            began = event.created_at
        elif event.action == "unpark" and began is not None:
            yield began, event.created_at
            began = None
    if began is not None:
        yield began, None


def refresh(ticket: Ticket, action: str) -> None:
    """Bring due_at, warn_at and escalate_at in line with the ticket's state after `action`."""
    if action == "dispatch":
        ticket.warned_at = ticket.escalated_at = None  # a new clock: warn and escalate anew
    if ticket.state == State.REPORTED:
        ticket.due_at = ticket.warn_at = ticket.escalate_at = None
        return
    if ticket.state not in (*RUNNING, State.PARKED):
        ticket.warn_at = ticket.escalate_at = None  # resolved or final: keep due_at as it was
        return
    clock = clock_for(ticket)
    due = sla.deadline(clock, working_calendar()) if clock else None
    ticket.due_at = due
    if due is None:  # parked: the clock is stopped
        ticket.warn_at = ticket.escalate_at = None
        return
    warn = sla.deadline(clock, working_calendar(), WARN_AT)
    ticket.warn_at = None if ticket.warned_at else warn
    ticket.escalate_at = None if ticket.escalated_at else due


def status(ticket: Ticket, now: datetime) -> dict | None:
    """The traffic light the screens show: share of the limit used, green/yellow/red."""
    clock = clock_for(ticket)
    if clock is None or ticket.state in (State.VOIDED, State.MERGED, State.REPORTED):
        return None
    until = now
    if ticket.state in (State.RESOLVED, State.CLOSED) and ticket.resolved_at:
        until = ticket.resolved_at  # the department's clock stopped when it resolved
    used = sla.used_fraction(clock, working_calendar(), until)
    late = ticket.due_at is not None and until > ticket.due_at
    left = None
    if ticket.state in RUNNING and ticket.due_at is not None:
        left = sla.time_left(ticket.due_at, now, clock.limit.unit, working_calendar())
    return {"due_at": ticket.due_at, "used": round(used, 3),
            "light": sla.traffic_light(used, late), "left": left}
