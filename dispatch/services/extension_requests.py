"""Extensions asked and granted in the ticket's own time-limit unit, with the deadline they lead
to shown before anyone confirms. A "48" on a working-hours ticket once moved its deadline by 9
calendar days; now the form says which unit it counts and what the new deadline will be, and
both come from the same `core.sla` rule the clock itself uses."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core import lifecycle, sla
from ..core.errors import problem
from ..models import Ticket
from . import deadlines
from .errors import BadInput


@dataclass(frozen=True)
class Extension:
    amount: int  # in `unit`, as asked
    unit: str  # the ticket's time-limit unit
    hours: int  # what the clock adds: working hours, or clock hours for clock_hours limits
    due_at: datetime | None  # the deadline once granted (None: no clock runs: parked, say)


def max_amount(unit: str) -> int:
    """The most one request may ask, in `unit` (the lifecycle caps the hours)."""
    per = sla.extension_hours(sla.TimeLimit(1, unit), 1, deadlines.working_calendar())
    return max(1, lifecycle.MAX_EXTENSION_HOURS // per)


def preview(ticket: Ticket, amount: Any) -> Extension:
    """What asking `amount` more (in the ticket's unit) would do; BadInput if it cannot."""
    limit = deadlines.time_limit(ticket)
    if limit is None:
        raise BadInput("extension_without_time_limit",
                       {"amount": [problem("extension_without_time_limit")]})
    top = max_amount(limit.unit)
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= top:
        raise BadInput("extension_hours_out_of_range",
                       {"amount": [problem("whole_number_between", min=1, max=top)]})
    hours = sla.extension_hours(limit, amount, deadlines.working_calendar())
    return Extension(amount, limit.unit, hours, _due_after(ticket, hours))


def request_params(ticket: Ticket, params: dict[str, Any]) -> dict[str, Any]:
    """A request given as `amount` (+ optional `unit`, which must be the ticket's) becomes the
    hours the lifecycle records. The older `hours` field still means hours of the clock's kind."""
    limit = deadlines.time_limit(ticket)
    if params.get("amount") is None:
        if params.get("unit") is not None or params.get("hours") is None:
            raise BadInput("extension_amount_missing", {"amount": [problem("required")]})
        if isinstance(params.get("hours"), int) and limit is not None:  # say which hours
            return {**params, "amount": params["hours"], "unit": hours_kind(limit)}
        return params
    unit = params.get("unit")
    if limit is not None and unit is not None and unit != limit.unit:
        raise BadInput("extension_unit_mismatch",
                       {"unit": [problem("extension_unit_is", unit=limit.unit)]},
                       unit=limit.unit)
    asked = preview(ticket, params["amount"])
    return {**params, "hours": asked.hours, "amount": asked.amount, "unit": asked.unit}


def approval_params(ticket: Ticket, params: dict[str, Any]) -> dict[str, Any]:
    """The approval records the request's own amount and unit beside the hours it grants."""
    asked = _pending_event_data(ticket)
    if asked.get("amount") is None:
        return params
    return {**params, "amount": asked["amount"], "unit": asked.get("unit")}


def pending(ticket: Ticket) -> Extension | None:
    """The extension awaiting a decision, with the deadline approving it would give."""
    if ticket.pending_request != "extension" or not ticket.pending_hours:
        return None
    data = _pending_event_data(ticket)
    limit = deadlines.time_limit(ticket)
    hours = ticket.pending_hours
    due = _due_after(ticket, hours)
    if data.get("amount") is not None and data.get("hours") == hours:
        return Extension(data["amount"], data["unit"], hours, due)
    # asked before requests carried a unit: hours of the clock's own kind
    return Extension(hours, hours_kind(limit), hours, due)


def _due_after(ticket: Ticket, hours: int) -> datetime | None:
    """The deadline once `hours` more are granted; None while no clock runs (parked, say)."""
    clock = deadlines.clock_for(ticket)
    return sla.extended_deadline(clock, deadlines.working_calendar(), hours) if clock else None


def hours_kind(limit: sla.TimeLimit | None) -> str:
    """The unit the clock keeps extensions in: clock hours, or working hours for working_*."""
    return "clock_hours" if limit is not None and limit.unit == "clock_hours" else "working_hours"


def _pending_event_data(ticket: Ticket) -> dict:
    latest = ticket.latest_event("request_extension")
    return dict(latest.data or {}) if latest else {}
