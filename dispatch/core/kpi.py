"""KPIs per period and scope, counted exactly as docs/kpi.md says.

The API and the dashboards adapt tickets and their events to the plain facts below and call
`compute`; the rules live here once, free of Flask and the database, so a hand-worked fixture
can pin every figure. Where docs/kpi.md leaves room, the most literal reading is taken:

- "Closed in the period" is tested on `TicketFact.closed_at`, which lifecycle sets when a
  ticket reaches *any* final state (closed, voided, merged). A ticket voided or merged in the
  period is therefore a due-to-close candidate and, being voided/merged at the end of the
  period, lands in `voided`/`merged`; a never-dispatched ticket voided in the period is counted
  in `voided`, one voided outside it nowhere. Only a ticket whose state is `closed` counts as
  closed.
- The deadline is the ticket's `due_at` as given (the current one, extensions included), even
  for a past period: an extension approved after the period still moves the ticket out of it.
  A ticket closed with no deadline is not closed on time (there is nothing to be on time for).
- "Voided or merged at the end of the period": the state is voided/merged and `closed_at` is
  before the end. "Parked at the end": the last park/unpark event before the end is a park
  (a ticket with no park/unpark event at all is parked if its state is parked).
- A department's closure scope is "its lead department when it closed, or now": since closed
  is final, both are the current `lead_department`. Department codes match exactly; a
  bureau's scope does not include its sections.
- The handling cohort is (ticket, department) pairs with a dispatch to that department in the
  period. The pair is resolved if that department has a resolve event at or after the first
  such dispatch and before the end of the period (a later rework does not undo it); on time if
  any of those resolves is at or before the deadline it carried (`EventFact.due_at`).
- Rework and bounce rates divide events in the period by events in the period, as written, so
  they may exceed 1 when the resolve or dispatch fell before the period start.
- Durations are attributed to the scope like events: time to dispatch by the first dispatch's
  department, time to resolve by the resolve's department, time to close by the closure scope.
  The report time is the first "report" event, else `created_at`.

Instants on the period boundaries follow `[start, end)`: a deadline or event exactly at the end
belongs to the next period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
SCOPE_KINDS = ("all", "department", "board", "grid", "community", "street")
_EXCLUDED = ("parked", "voided", "merged")
_HOUR = timedelta(hours=1)


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}.")
    return value


@dataclass(frozen=True)
class EventFact:
    action: str  # unknown actions are ignored
    at: datetime
    department: str | None  # the lead department at that moment
    due_at: datetime | None = None  # for "resolve": the deadline in force at that moment


@dataclass(frozen=True)
class TicketFact:
    id: int
    created_at: datetime
    state: str
    board: str | None
    lead_department: str | None
    grid: str | None
    community: str | None
    street: str | None
    due_at: datetime | None  # current deadline, extensions included
    closed_at: datetime | None  # when it reached a final state (closed, voided or merged)
    events: tuple[EventFact, ...] = ()  # in time order


@dataclass(frozen=True)
class Period:
    """`[start, end)`; dashboards build it from local days with `Period.days`."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _aware(self.start, "Period start")
        _aware(self.end, "Period end")
        if self.start >= self.end:
            raise ValueError("A period must end after it starts.")
        # compared against thousands of UTC event times: compare in UTC (same tzinfo is fast)
        object.__setattr__(self, "_lo", self.start.astimezone(UTC))
        object.__setattr__(self, "_hi", self.end.astimezone(UTC))

    @classmethod
    def days(cls, first: date, end: date) -> Period:
        """Local days in Asia/Shanghai from `first` up to `end`, excluded."""
        return cls(datetime.combine(first, time(), ZONE), datetime.combine(end, time(), ZONE))

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self._lo <= moment < self._hi


@dataclass(frozen=True)
class Scope:
    kind: str
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"Scope kind must be one of {SCOPE_KINDS}, got {self.kind!r}.")
        if (self.kind == "all") != (self.code is None):
            raise ValueError("Scope 'all' takes no code; every other scope needs one.")
        if self.code is not None and (not self.code or self.code != self.code.strip()):
            raise ValueError(f"Bad scope code {self.code!r}.")

    @classmethod
    def parse(cls, text: str) -> Scope:
        """"all", or "kind:code" such as "department:urban_mgmt.municipal"."""
        if not isinstance(text, str):
            raise ValueError(f"A scope is text, got {text!r}.")
        if text == "all":
            return cls("all")
        kind, sep, code = text.partition(":")
        if not sep or kind == "all":
            raise ValueError(f"A scope is 'all' or 'kind:code', got {text!r}.")
        return cls(kind, code)

    def __str__(self) -> str:
        return self.kind if self.code is None else f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class Durations:
    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class KpiReport:
    scope: Scope
    period: Period
    due_to_close: int
    closed: int
    closed_on_time: int
    parked: int
    voided: int
    merged: int
    dispatched: int  # the dispatch cohort: (ticket, department) pairs
    resolved: int
    resolved_on_time: int
    dispatch_events: int
    send_backs: int
    resolve_events: int
    reworks: int
    closure_rate: float | None
    on_time_closure_rate: float | None
    handling_rate: float | None
    on_time_handling_rate: float | None
    rework_rate: float | None
    bounce_rate: float | None
    time_to_dispatch: Durations
    time_to_resolve: Durations
    time_to_close: Durations


RATES = ("closure_rate", "on_time_closure_rate", "handling_rate", "on_time_handling_rate",
         "rework_rate", "bounce_rate")


def percentile(values: Sequence[float], p: int) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 × n), 1-based; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))  # integer ceil: no float rounding
    return ordered[rank - 1]


def durations(hours: Sequence[float]) -> Durations:
    return Durations(len(hours), percentile(hours, 50), percentile(hours, 90))


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _ticket_in(ticket: TicketFact, scope: Scope) -> bool:
    """Closure scope: the lead department (see the module docstring), or the ticket's own
    board, grid, community or street."""
    if scope.kind == "all":
        return True
    attribute = "lead_department" if scope.kind == "department" else scope.kind
    return getattr(ticket, attribute) == scope.code


def _event_in(ticket: TicketFact, event: EventFact, scope: Scope) -> bool:
    if scope.kind == "department":
        return event.department == scope.code
    return _ticket_in(ticket, scope)


def _excluded_at(ticket: TicketFact, end: datetime) -> str | None:
    """'parked', 'voided' or 'merged' if the ticket was so at `end`, else None."""
    if ticket.state in ("voided", "merged") and (ticket.closed_at is None
                                                 or ticket.closed_at < end):
        return ticket.state
    parked: bool | None = None
    for event in ticket.events:
        if event.action in ("park", "unpark"):
            if parked is None:
                parked = False
            if event.at < end:
                parked = event.action == "park"
    if parked is None:
        parked = ticket.state == "parked"
    return "parked" if parked else None


def _hours(delta: timedelta) -> float:
    return delta / _HOUR


def compute(tickets: Iterable[TicketFact], scope: Scope, period: Period) -> KpiReport:
    counts = dict.fromkeys(
        ("due_to_close", "closed", "closed_on_time", "parked", "voided", "merged", "dispatched",
         "resolved", "resolved_on_time", "dispatch_events", "send_backs", "resolve_events",
         "reworks"), 0)
    to_dispatch: list[float] = []
    to_resolve: list[float] = []
    to_close: list[float] = []
    action_counter = {"dispatch": "dispatch_events", "send_back": "send_backs",
                      "resolve": "resolve_events", "rework": "reworks"}

    for ticket in tickets:
        events = sorted(ticket.events, key=lambda e: e.at)  # stable: ties keep their order
        reported_at = next((e.at for e in events if e.action == "report"), ticket.created_at)

        # Closure figures.
        if _ticket_in(ticket, scope) and (ticket.due_at in period or ticket.closed_at in period):
            excluded = _excluded_at(ticket, period.end)
            if excluded:
                counts[excluded] += 1
            else:
                counts["due_to_close"] += 1
                if ticket.state == "closed" and ticket.closed_at in period:
                    counts["closed"] += 1
                    if ticket.due_at is not None and ticket.closed_at <= ticket.due_at:
                        counts["closed_on_time"] += 1
                    to_close.append(_hours(ticket.closed_at - reported_at))

        # Event counts and the dispatch cohort.
        cohort: dict[str, datetime] = {}
        for event in events:
            if event.at not in period or not _event_in(ticket, event, scope):
                continue
            if event.action in action_counter:
                counts[action_counter[event.action]] += 1
            if event.action == "dispatch" and event.department is not None:
                cohort.setdefault(event.department, event.at)
        for department, since in cohort.items():
            resolves = [e for e in events if e.action == "resolve" and e.department == department
                        and since <= e.at < period.end]
            counts["dispatched"] += 1
            if resolves:
                counts["resolved"] += 1
                if any(e.due_at is not None and e.at <= e.due_at for e in resolves):
                    counts["resolved_on_time"] += 1

        # Durations.
        dispatches = [e for e in events if e.action == "dispatch"]
        if dispatches and dispatches[0].at in period and _event_in(ticket, dispatches[0], scope):
            to_dispatch.append(_hours(dispatches[0].at - reported_at))
        last_dispatch: EventFact | None = None
        resolved_since = False
        for event in events:
            if event.action == "dispatch":
                last_dispatch, resolved_since = event, False
            elif event.action == "resolve":
                if (last_dispatch is not None and not resolved_since and event.at in period
                        and _event_in(ticket, event, scope)):
                    to_resolve.append(_hours(event.at - last_dispatch.at))
                resolved_since = True

    return KpiReport(
        scope=scope, period=period, **counts,
        closure_rate=_rate(counts["closed"], counts["due_to_close"]),
        on_time_closure_rate=_rate(counts["closed_on_time"], counts["due_to_close"]),
        handling_rate=_rate(counts["resolved"], counts["dispatched"]),
        on_time_handling_rate=_rate(counts["resolved_on_time"], counts["dispatched"]),
        rework_rate=_rate(counts["reworks"], counts["resolve_events"]),
        bounce_rate=_rate(counts["send_backs"], counts["dispatch_events"]),
        time_to_dispatch=durations(to_dispatch),
        time_to_resolve=durations(to_resolve),
        time_to_close=durations(to_close),
    )


def composite_scores(reports: list[KpiReport]) -> dict[str, float]:
    """Department code → 10 % volume + 30 % closure rate + 30 % on-time handling rate
    + 30 % (1 − rework rate), each on 0–100. Volume is the cohort over the largest cohort among
    `reports` (0 for all when every cohort is empty). A missing rate counts as 0, except a
    missing rework rate (nothing resolved), which counts as no rework."""
    codes = [r.scope.code for r in reports]
    if any(r.scope.kind != "department" for r in reports):
        raise ValueError("Composite scores compare department reports only.")
    if len(set(codes)) != len(codes):
        raise ValueError("Each department may appear once.")
    if len({r.period for r in reports}) > 1:
        raise ValueError("Departments are compared over the same period.")
    largest = max((r.dispatched for r in reports), default=0)
    scores: dict[str, float] = {}
    for r in reports:
        volume = r.dispatched / largest if largest else 0.0
        rework = r.rework_rate if r.rework_rate is not None else 0.0
        scores[r.scope.code or ""] = 100 * (0.1 * volume + 0.3 * (r.closure_rate or 0.0)
                                            + 0.3 * (r.on_time_handling_rate or 0.0)
                                            + 0.3 * (1 - rework))
    return scores


def as_dict(report: KpiReport) -> dict[str, Any]:
    """JSON-ready: ISO datetimes, rates and hours rounded to 4 decimals, None kept as null."""
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    result: dict[str, Any] = {
        "scope": {"kind": report.scope.kind, "code": report.scope.code},
        "period": {"start": report.period.start.isoformat(),
                   "end": report.period.end.isoformat()},
    }
    for name in ("due_to_close", "closed", "closed_on_time", "parked", "voided", "merged",
                 "dispatched", "resolved", "resolved_on_time", "dispatch_events", "send_backs",
                 "resolve_events", "reworks"):
        result[name] = getattr(report, name)
    for name in RATES:
        result[name] = rounded(getattr(report, name))
    for name in ("time_to_dispatch", "time_to_resolve", "time_to_close"):
        d: Durations = getattr(report, name)
        result[name] = {"count": d.count, "median_hours": rounded(d.median_hours),
                        "p90_hours": rounded(d.p90_hours)}
    return result
