"""Time limits: working calendars, deadlines, how much of a limit is used, the traffic light.

Limits in the city manuals count *working* time on a calendar whose holidays and make-up
working days (调休) change every year, so the calendar is plain data (see
`dispatch.data.calendar.load_calendar`) and everything here is pure arithmetic on it: no Flask,
no database, no YAML. Rules chosen here:

- Working time is counted from the next working moment: a ticket dispatched at lunch, at night
  or on a holiday starts using its limit when the office opens.
- A deadline falls at the moment the budget is used up, so a budget that ends exactly with a
  working period is due at its close (18:00), not at the next opening.
- N working days = N × the working hours of a normal weekday (Monday's periods; 7 h with the
  default calendar). 1 working day from 10:00 Tuesday is due 10:00 Wednesday; from 09:00 it is
  due 18:00 the same day.
- Parked time does not count. A deadline is the moment the unparked time used reaches the
  budget; a park that begins after that moment does not move it, and an open park stops the
  clock (no deadline).
- Clock hours are real elapsed time; working time is measured on the calendar's wall clock
  (Asia/Shanghai keeps no daylight saving time, so the two agree within a working period).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
UNITS = ("clock_hours", "working_hours", "working_days")
Span = tuple[time, time]
Day = tuple[tuple[Span, ...], timedelta]
NO_WORK: Day = ((), timedelta(0))


def _aware(value: datetime, name: str = "datetime") -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}.")
    return value


@dataclass(frozen=True)
class WorkingCalendar:
    """When offices work. A weekday absent from `hours` is not a working day; `holidays` and
    `workdays` (make-up days, worked with Monday's hours) apply only in the `covers` years, if
    given, so a year nobody loaded falls back to the weekly pattern instead of silently
    inheriting another year's exceptions."""

    timezone: str
    hours: dict[int, tuple[Span, ...]]
    holidays: frozenset[date]
    workdays: frozenset[date]
    covers: tuple[int, ...] = ()
    # Derived in __post_init__ and cached: they are read for every day walked.
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _week: tuple[Day, ...] = field(init=False, repr=False, compare=False)
    _normal: Day = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for weekday, spans in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"Weekday must be 0..6, got {weekday}.")
            ends = [t for span in spans for t in span]
            if any(a >= b for a, b in pairwise(ends)):
                raise ValueError(f"Working periods of weekday {weekday} must be ordered and "
                                 "must not overlap.")
        working = sorted(d for d, spans in self.hours.items() if spans)
        if not working:
            raise ValueError("A calendar needs at least one working period a week.")
        week = tuple((tuple(s), _total(s)) for s in (self.hours.get(i, ()) for i in range(7)))
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))  # raises on an unknown zone
        object.__setattr__(self, "_week", week)
        object.__setattr__(self, "_normal", week[0] if 0 in working else week[working[0]])

    @property
    def day_length(self) -> timedelta:
        """The working time of a normal weekday: what one working day is worth."""
        return self._normal[1]

    def _day(self, d: date) -> Day:
        """The day's working periods and their total."""
        if not self.covers or d.year in self.covers:
            if d in self.holidays:
                return NO_WORK
            if d in self.workdays:
                return self._normal
        return self._week[d.weekday()]

    def is_working_day(self, d: date) -> bool:
        return bool(self._day(d)[0])

    def periods(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        zone = self.zone
        return tuple((datetime.combine(d, a, zone), datetime.combine(d, b, zone))
                     for a, b in self._day(d)[0])

    def local(self, value: datetime) -> datetime:
        return _aware(value).astimezone(self.zone)

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment `delta` of working time has passed since `start`. Whole days that the
        remaining time spans are skipped on their totals, without building datetimes."""
        if delta < ZERO:
            raise ValueError("Cannot add negative working time.")
        now = self.local(start)
        remaining, day, first = delta, now.date(), now.date()
        while True:
            spans, total = self._day(day)
            if spans and day > first and remaining > total:
                remaining -= total
            else:
                for a, b in self.periods(day):
                    if b <= now:
                        continue
                    begin = max(a, now)
                    if remaining <= b - begin:
                        return begin + remaining
                    remaining -= b - begin
            day += ONE_DAY

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero if end is not after start."""
        start, end = self.local(start), self.local(end)
        if end <= start:
            return ZERO
        total, day = ZERO, start.date()
        while day <= end.date():
            if start.date() < day < end.date():
                total += self._day(day)[1]
            else:
                for a, b in self.periods(day):
                    a, b = max(a, start), min(b, end)
                    if b > a:
                        total += b - a
            day += ONE_DAY
        return total


def _total(spans: Iterable[Span]) -> timedelta:
    some_day = date(2000, 1, 3)  # naive on purpose: wall-clock length of each period
    return sum((datetime.combine(some_day, b) - datetime.combine(some_day, a) for a, b in spans),
               ZERO)


@dataclass(frozen=True)
class TimeLimit:
    value: int
    unit: str  # one of UNITS

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"Unit must be one of {UNITS}, got {self.unit!r}.")
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value <= 0:
            raise ValueError(f"A time limit must be a positive whole number, got {self.value!r}.")


@dataclass(frozen=True)
class Clock:
    """Everything needed to know where a ticket stands against its limit."""

    limit: TimeLimit
    started_at: datetime  # dispatch (re-dispatch restarts it; rework does NOT)
    extension_hours: int = 0  # in the limit's own kind of time: working hours or clock hours
    paused: tuple[tuple[datetime, datetime | None], ...] = ()  # None end: still parked

    def __post_init__(self) -> None:
        _aware(self.started_at, "started_at")
        if self.extension_hours < 0:
            raise ValueError("Extension hours cannot be negative.")
        for begin, end in self.paused:
            _aware(begin, "a park's start")
            if end is not None and _aware(end, "a park's end") < begin:
                raise ValueError("A park cannot end before it begins.")


def limit_duration(limit: TimeLimit, cal: WorkingCalendar) -> timedelta:
    """The budget, in working time for working_* limits and in clock time for clock_hours."""
    if limit.unit == "working_days":
        return limit.value * cal.day_length
    return timedelta(hours=limit.value)


def extension_hours(limit: TimeLimit, amount: int, cal: WorkingCalendar) -> int:
    """An extension asked in the limit's own unit, as the hours the clock keeps (working hours
    for working_* limits, clock hours otherwise): 3 working days are 3 × the working day,
    never 72 hours. A working day that is not a whole number of hours rounds up."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError(f"An extension must be a positive whole number, got {amount!r}.")
    if limit.unit == "working_days":
        return -(-amount * int(cal.day_length.total_seconds()) // 3600)
    return amount


def extended_deadline(clock: Clock, cal: WorkingCalendar, hours: int) -> datetime | None:
    """The deadline once `hours` more (in the clock's kind of time) are granted: what the
    request and approval forms show before anyone confirms, by the same rule as `deadline`."""
    return deadline(replace(clock, extension_hours=clock.extension_hours + hours), cal)


def _measures(limit: TimeLimit, cal: WorkingCalendar) -> tuple[Callable, Callable]:
    """How to measure a stretch and how to advance by a duration in the limit's kind of time."""
    if limit.unit == "clock_hours":
        return (lambda a, b: max(ZERO, b.astimezone(UTC) - a.astimezone(UTC)),
                lambda t, d: (t.astimezone(UTC) + d).astimezone(cal.zone))
    return cal.working_time_between, cal.add_working_time


def _budget(clock: Clock, cal: WorkingCalendar) -> timedelta:
    return limit_duration(clock.limit, cal) + timedelta(hours=clock.extension_hours)


def _merged(intervals: Iterable[tuple[datetime, datetime]], cal: WorkingCalendar):
    """Parks in time order with overlaps joined, so no stretch is discounted twice."""
    result: list[tuple[datetime, datetime]] = []
    for begin, end in sorted((cal.local(a), cal.local(b)) for a, b in intervals):
        if result and begin <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((begin, end))
    return result


def deadline(clock: Clock, cal: WorkingCalendar, fraction: float = 1.0) -> datetime | None:
    """When the limit (plus extensions) is used up, parked time not counting; None while
    parked. Walks the parks in order, spending the budget on the stretches between them.
    With `fraction` < 1: when that share of the budget is used (0.8: the yellow light)."""
    if any(end is None for _, end in clock.paused):
        return None
    measure, advance = _measures(clock.limit, cal)
    at, remaining = cal.local(clock.started_at), _budget(clock, cal) * fraction
    for begin, end in _merged(clock.paused, cal):  # type: ignore[arg-type]
        if end <= at:
            continue
        available = measure(at, max(begin, at))
        if remaining <= available:
            break
        remaining -= available
        at = end
    return cal.local(advance(at, remaining))


def used_fraction(clock: Clock, cal: WorkingCalendar, now: datetime) -> float:
    """Time used so far / (limit + extension), parked time not counting; above 1 when late."""
    measure, _ = _measures(clock.limit, cal)
    start, now = cal.local(clock.started_at), cal.local(now)
    used = measure(start, now)
    parks = [(a, b if b is not None else max(a, now)) for a, b in clock.paused]
    for begin, end in _merged(parks, cal):
        used -= measure(max(begin, start), min(end, now))
    return max(used, ZERO) / _budget(clock, cal)


def traffic_light(fraction: float, past_deadline: bool = False) -> str:
    """DOMAIN.md: green below 80% used, yellow from 80% to 100% inclusive, red above. Working
    time stands still outside office hours, so a ticket whose deadline passed at 18:00 has
    used exactly 100 % until the next morning: past its deadline it is red all the same, as
    its escalation (督办) says."""
    if past_deadline:
        return "red"
    if fraction < 0.8:
        return "green"
    return "yellow" if fraction <= 1.0 else "red"


@dataclass(frozen=True)
class TimeLeft:
    """How long until a deadline, as the screens say it: a code and whole numbers, never words.

    `kind` is one of "overdue_days", "overdue_hours", "overdue_minutes", "left_working_days",
    "left_hours" (with `minutes`), "left_minutes"; `overdue` is the shape cue a page shows besides
    the light's colour."""

    kind: str
    value: int
    minutes: int = 0

    @property
    def overdue(self) -> bool:
        return self.kind.startswith("overdue")


def time_left(due: datetime, now: datetime, unit: str, cal: WorkingCalendar) -> TimeLeft:
    """The time until `due` (or past it) in the words a handler between site visits reads:
    past the deadline in whole minutes, hours, or days from two days on; before it, a
    working-days limit with at least one working day to go in working days, anything else in
    hours and minutes of the real clock (what is truly left before the deadline falls)."""
    due, now = _aware(due, "due"), _aware(now, "now")
    if now >= due:
        late = int((now - due).total_seconds() // 60)
        if late >= 48 * 60:
            return TimeLeft("overdue_days", late // (24 * 60))
        if late >= 60:
            return TimeLeft("overdue_hours", late // 60)
        return TimeLeft("overdue_minutes", max(late, 1))
    if unit == "working_days":
        days = int(cal.working_time_between(now, due) / cal.day_length)
        if days >= 1:
            return TimeLeft("left_working_days", days)
    left = int((due - now).total_seconds() // 60)
    if left >= 60:
        return TimeLeft("left_hours", left // 60, left % 60)
    return TimeLeft("left_minutes", left)
