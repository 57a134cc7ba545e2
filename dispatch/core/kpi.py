"""KPIs per period and scope, counted exactly as docs/kpi.md says.

Every figure is a sum of what single tickets contribute (`contributions`), each contribution
dated by local days and attributed to a place (street, board, department, grid). The rules
live in two functions only: `contributions` (what one ticket adds) and `summarize` (how the
contributions that fall in a period become the report). `compute` chains the two over ticket
facts; the database keeps the same contributions pre-summed in rollup tables and hands the
sums to `summarize`, so the fast path and the exact replay cannot disagree.

The rules, where docs/kpi.md leaves room (the most literal reading that can be kept by
incremental rollups at a city's scale):

- Closure figures take each ticket as it is now: its current deadline, state, lead department,
  board, grid and street. A ticket is a candidate in a period if its deadline falls in it and
  has already passed (deadline ≤ min(period end, now)), or it reached a final state (closed,
  voided, merged: `closed_at`) in it: work not yet due never counts against anyone. A
  candidate parked, voided or merged now is excluded and counted as such; the rest are due to
  close. A parked ticket whose clock is stopped has no deadline: the day it was last parked
  stands in for it.
- Closed on time: closed at or before the deadline. A ticket closed with no deadline is not on
  time (there is nothing to be on time for).
- Handling counts dispatches: each dispatch to a department opens an episode that ends at the
  next dispatch. The episode is resolved by the end of the period if its first resolve falls
  before the end; on time if that resolve was at or before the deadline it carried
  (`EventFact.due_at`). A later rework does not undo it; the rework rate counts reworks.
- Events (dispatches, send-backs, resolves, reworks) and durations are attributed to where the
  ticket stood when they happened: the event's own board, department, grid and street.
- Rework and bounce rates divide events in the period by events in the period, as written, so
  a rework rate may exceed 1 when the resolve fell before the period start.
- Durations: time to dispatch (first dispatch − report) on the first dispatch's day; time to
  resolve (an episode's first resolve − its dispatch) on the resolve's day; time to close
  (close − report) on the closing day, attributed like the closure figures. The report time
  is the first "report" event, else `created_at`.

A period is whole local days, `[first, end)`, in the configured time zone (the shell passes
it, with "now", as values: the core never reads the clock or the settings).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SCOPE_KINDS = ("all", "department", "board", "grid", "community", "street")
OUTCOMES = ("open", "parked", "voided", "merged", "closed_on_time", "closed_late")
TIMINGS = ("time_to_dispatch", "time_to_resolve", "time_to_close")
TALLIES = {"dispatch": "dispatch_events", "send_back": "send_backs",
           "resolve": "resolve_events", "rework": "reworks"}
_HOUR = timedelta(hours=1)


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}.")
    return value


def local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(zone).date()


@dataclass(frozen=True)
class Where:
    """Where a figure is attributed; any hashable codes or ids (None: nowhere)."""

    street: Any = None
    community: Any = None
    grid: Any = None
    board: Any = None
    department: Any = None

    def within(self, scope: Scope) -> bool:
        return scope.kind == "all" or getattr(self, scope.kind) == scope.code


@dataclass(frozen=True)
class EventFact:
    action: str  # unknown actions are ignored
    at: datetime
    where: Where = Where()  # where the ticket stood: the event's department, board, grid
    due_at: datetime | None = None  # for "resolve": the deadline in force at that moment


@dataclass(frozen=True)
class TicketFact:
    id: int
    created_at: datetime
    state: str
    where: Where  # now: lead department, board, grid, community, street
    due_at: datetime | None  # current deadline, extensions included
    closed_at: datetime | None  # when it reached a final state (closed, voided or merged)
    events: tuple[EventFact, ...] = ()  # in time order


@dataclass(frozen=True)
class Period:
    """`[start, end)`, whole local days of `zone`; build it with `Period.days`."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    first_day: date = field(init=False, compare=False)
    end_day: date = field(init=False, compare=False)

    def __post_init__(self) -> None:
        for value, name in ((self.start, "Period start"), (self.end, "Period end")):
            local = _aware(value, name).astimezone(self.zone)
            if local.timetz().replace(tzinfo=None) != time():
                raise ValueError(f"{name} must be a local midnight, got {value!r}.")
        if self.start >= self.end:
            raise ValueError("A period must end after it starts.")
        object.__setattr__(self, "first_day", local_day(self.start, self.zone))
        object.__setattr__(self, "end_day", local_day(self.end, self.zone))

    @classmethod
    def days(cls, first: date, end: date, zone: ZoneInfo) -> Period:
        """Local days of `zone` from `first` up to `end`, excluded."""
        return cls(datetime.combine(first, time(), zone), datetime.combine(end, time(), zone),
                   zone)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day < self.end_day


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
    dispatched: int  # dispatches in the period (each handled or not on its own)
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


def rank(p: int, n: int) -> int:
    """Nearest rank, 1-based: ceil(p/100 × n), at least 1 (integer arithmetic, no rounding)."""
    return max(1, -(-p * n // 100))


def percentile(values: Sequence[float], p: int) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 × n); None for no values."""
    if not values:
        return None
    return sorted(values)[rank(p, len(values)) - 1]


def durations(hours: Sequence[float]) -> Durations:
    return Durations(len(hours), percentile(hours, 50), percentile(hours, 90))


def bucket(hours: float) -> int:
    """A coarse, order-keeping bucket of a duration (8 per doubling of minutes): the rollups
    count durations per bucket, so an exact percentile reads one bucket's values only."""
    return int(8 * math.log2(1 + max(hours, 0.0) * 60))


def locate(counts: Sequence[tuple[int, int]], p: int) -> tuple[int, int] | None:
    """In (bucket, count) pairs in bucket order: the bucket holding the p-th percentile and
    the value's 1-based rank inside it; None when there are no values."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None
    wanted, seen = rank(p, total), 0
    for key, n in counts:
        if seen + n >= wanted:
            return key, wanted - seen
        seen += n
    raise AssertionError("unreachable: the ranks add up to the total")


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _hours(delta: timedelta) -> float:
    return delta / _HOUR


@dataclass(frozen=True)
class Closure:
    """A ticket's share of the closure figures: one per ticket, as it stands now."""

    where: Where
    due_day: date | None
    final_day: date | None
    outcome: str  # one of OUTCOMES


@dataclass(frozen=True)
class Episode:
    """One dispatch to a department, until the next dispatch."""

    where: Where
    dispatch_day: date
    resolve_day: date | None  # the day of its first resolve
    on_time: bool  # that resolve was at or before the deadline it carried


@dataclass(frozen=True)
class Timing:
    kind: str  # one of TIMINGS
    where: Where
    day: date
    hours: float


@dataclass(frozen=True)
class Tally:
    name: str  # a value of TALLIES
    where: Where
    day: date


@dataclass(frozen=True)
class Contributions:
    closure: Closure | None
    episodes: tuple[Episode, ...]
    timings: tuple[Timing, ...]
    tallies: tuple[Tally, ...]


def _outcome(ticket: TicketFact) -> str:
    if ticket.state in ("parked", "voided", "merged"):
        return ticket.state
    if ticket.state == "closed":
        on_time = ticket.due_at is not None and ticket.closed_at is not None \
            and ticket.closed_at <= ticket.due_at
        return "closed_on_time" if on_time else "closed_late"
    return "open"


def contributions(ticket: TicketFact, zone: ZoneInfo) -> Contributions:
    """Everything one ticket adds to the KPIs, whatever the period, dated by local days of
    `zone`: the first half of the rules (the module docstring)."""

    def day(moment: datetime | None) -> date | None:
        return local_day(moment, zone)

    events = sorted(ticket.events, key=lambda e: e.at)  # stable: ties keep their order
    reported_at = next((e.at for e in events if e.action == "report"), ticket.created_at)
    outcome = _outcome(ticket)
    due = ticket.due_at
    if due is None and outcome == "parked":
        due = next((e.at for e in reversed(events) if e.action == "park"), None)
    closure = None
    if due is not None or ticket.closed_at is not None:
        closure = Closure(ticket.where, day(due), day(ticket.closed_at), outcome)

    episodes: list[Episode] = []
    timings: list[Timing] = []
    tallies: list[Tally] = []
    current: EventFact | None = None  # the dispatch of the open episode
    resolved: EventFact | None = None  # its first resolve
    first_dispatch = True

    def end_episode() -> None:
        if current is not None:
            on_time = resolved is not None and resolved.due_at is not None \
                and resolved.at <= resolved.due_at
            episodes.append(Episode(current.where, day(current.at),
                                    day(resolved.at) if resolved else None, on_time))

    for event in events:
        if event.action in TALLIES:
            tallies.append(Tally(TALLIES[event.action], event.where, day(event.at)))
        if event.action == "dispatch":
            end_episode()
            current, resolved = event, None
            if first_dispatch:
                timings.append(Timing("time_to_dispatch", event.where, day(event.at),
                                      _hours(event.at - reported_at)))
                first_dispatch = False
        elif event.action == "resolve" and current is not None and resolved is None:
            resolved = event
            timings.append(Timing("time_to_resolve", event.where, day(event.at),
                                  _hours(event.at - current.at)))
    end_episode()
    if ticket.state == "closed" and ticket.closed_at is not None:
        timings.append(Timing("time_to_close", ticket.where, day(ticket.closed_at),
                              _hours(ticket.closed_at - reported_at)))
    return Contributions(closure, tuple(episodes), tuple(timings), tuple(tallies))


def summarize(scope: Scope, period: Period,
              closures: Iterable[tuple[date | None, date | None, str, int]],
              episodes: Iterable[tuple[date, date | None, bool, int]],
              tallies: Mapping[str, int],
              timings: Mapping[str, Durations],
              now: datetime,
              due_later_today: Iterable[tuple[date | None, date | None, str, int]] = ()
              ) -> KpiReport:
    """The report from the contributions within the scope: closures as (due day, final day,
    outcome, count) and episodes as (dispatch day, resolve day, on time, count), any days;
    tallies and timings already limited to the period. The second half of the rules.

    A deadline counts once it has passed (deadline ≤ min(period end, now)). Closures are
    dated by day, so those due on now's local day but after now are named again, in the same
    shape, in `due_later_today`: they are taken back unless they reached a final state in the
    period."""
    today = local_day(_aware(now, "now"), period.zone)
    counts = Counter({name: tallies.get(name, 0) for name in TALLIES.values()})

    def count(final_day: date | None, outcome: str, n: int) -> None:
        if outcome in ("parked", "voided", "merged"):
            counts[outcome] += n
            return
        counts["due_to_close"] += n
        if outcome.startswith("closed") and final_day in period:
            counts["closed"] += n
            if outcome == "closed_on_time":
                counts["closed_on_time"] += n

    for due_day, final_day, outcome, n in closures:
        due_passed = due_day in period and due_day <= today
        if due_passed or final_day in period:
            count(final_day, outcome, n)
    for due_day, final_day, outcome, n in due_later_today:
        if due_day == today and due_day in period and final_day not in period:
            count(final_day, outcome, -n)
    for dispatch_day, resolve_day, on_time, n in episodes:
        if dispatch_day not in period:
            continue
        counts["dispatched"] += n
        if resolve_day is not None and resolve_day < period.end_day:
            counts["resolved"] += n
            if on_time:
                counts["resolved_on_time"] += n
    names = ("due_to_close", "closed", "closed_on_time", "parked", "voided", "merged",
             "dispatched", "resolved", "resolved_on_time", *TALLIES.values())
    figures = {name: counts[name] for name in names}
    return KpiReport(
        scope=scope, period=period, **figures,
        closure_rate=_rate(counts["closed"], counts["due_to_close"]),
        on_time_closure_rate=_rate(counts["closed_on_time"], counts["due_to_close"]),
        handling_rate=_rate(counts["resolved"], counts["dispatched"]),
        on_time_handling_rate=_rate(counts["resolved_on_time"], counts["dispatched"]),
        rework_rate=_rate(counts["reworks"], counts["resolve_events"]),
        bounce_rate=_rate(counts["send_backs"], counts["dispatch_events"]),
        **{kind: timings.get(kind, Durations(0, None, None)) for kind in TIMINGS},
    )


def compute(tickets: Iterable[TicketFact], scope: Scope, period: Period,
            now: datetime) -> KpiReport:
    """The KPIs of ticket facts at `now`: every ticket's contributions, summed, then
    summarized."""
    today = local_day(_aware(now, "now"), period.zone)
    closures: Counter = Counter()
    later: Counter = Counter()
    episodes: Counter = Counter()
    tallies: Counter = Counter()
    values: dict[str, list[float]] = defaultdict(list)
    for ticket in tickets:
        share = contributions(ticket, period.zone)
        c = share.closure
        if c is not None and c.where.within(scope):
            closures[c.due_day, c.final_day, c.outcome] += 1
            if is_due_later_today(ticket.due_at, now, today, period.zone):
                later[c.due_day, c.final_day, c.outcome] += 1
        for e in share.episodes:
            if e.where.within(scope):
                episodes[e.dispatch_day, e.resolve_day, e.on_time] += 1
        for t in share.tallies:
            if t.day in period and t.where.within(scope):
                tallies[t.name] += 1
        for t in share.timings:
            if t.day in period and t.where.within(scope):
                values[t.kind].append(t.hours)
    return summarize(scope, period, ((*k, n) for k, n in closures.items()),
                     ((*k, n) for k, n in episodes.items()), tallies,
                     {kind: durations(v) for kind, v in values.items()}, now,
                     ((*k, n) for k, n in later.items()))


def is_due_later_today(due_at: datetime | None, now: datetime, today: date,
                       zone: ZoneInfo) -> bool:
    """A deadline still ahead on now's local day: its closure is dated today, not yet due."""
    return due_at is not None and due_at > now and local_day(due_at, zone) == today


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
