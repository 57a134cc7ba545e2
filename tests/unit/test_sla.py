"""Time limits on the shipped 2025/2026 calendar (09:00–12:00, 14:00–18:00, Mon–Fri,
Asia/Shanghai). Expected deadlines are worked out by hand in the comments, not by the code."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dispatch.core.sla import (
    Clock,
    TimeLimit,
    WorkingCalendar,
    deadline,
    limit_duration,
    time_left,
    traffic_light,
    used_fraction,
)
from dispatch.data.calendar import load_calendar

SH = ZoneInfo("Asia/Shanghai")
CAL = load_calendar("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def wh(n: int) -> TimeLimit:
    return TimeLimit(n, "working_hours")


def wd(n: int) -> TimeLimit:
    return TimeLimit(n, "working_days")


def ch(n: int) -> TimeLimit:
    return TimeLimit(n, "clock_hours")


# 2025-06-10 is a Tuesday, 06-13 a Friday. Spring Festival 2026: 02-15 (Sun)..02-23 (Mon) off,
# Sat 02-14 and Sat 02-28 worked. National Day 2025: 10-01 (Wed)..10-08 off, Sun 09-28 and
# Sat 10-11 worked.
DEADLINES = [
    ("within-hours", wh(2), "2025-06-10 10:00", "2025-06-10 12:00"),
    ("before-opening", wh(2), "2025-06-10 07:30", "2025-06-10 11:00"),
    ("at-lunch", wh(2), "2025-06-10 12:30", "2025-06-10 16:00"),
    ("at-opening-boundary", wh(3), "2025-06-10 09:00", "2025-06-10 12:00"),
    ("starts-at-noon", wh(1), "2025-06-10 12:00", "2025-06-10 15:00"),
    ("after-closing", wh(2), "2025-06-10 19:00", "2025-06-11 11:00"),
    ("friday-evening-to-monday", wh(2), "2025-06-13 19:00", "2025-06-16 11:00"),
    ("4h-crossing-lunch", wh(4), "2025-06-10 10:00", "2025-06-10 16:00"),  # 10-12, 14-16
    ("4h-crossing-end-of-day", wh(4), "2025-06-10 16:00", "2025-06-11 11:00"),  # 16-18, 9-11
    ("1-day-mid-morning", wd(1), "2025-06-10 10:00", "2025-06-11 10:00"),
    ("1-day-at-opening", wd(1), "2025-06-10 09:00", "2025-06-10 18:00"),
    ("2-days-across-weekend", wd(2), "2025-06-12 10:00", "2025-06-16 10:00"),  # Thu → Mon
    ("1-day-started-saturday", wd(1), "2025-06-14 10:00", "2025-06-16 18:00"),
    # Spring Festival 2026
    ("fri-into-makeup-saturday", wh(4), "2026-02-13 16:00", "2026-02-14 11:00"),
    ("makeup-saturday-over-festival", wh(4), "2026-02-14 16:00", "2026-02-24 11:00"),
    ("1-day-over-festival", wd(1), "2026-02-14 10:00", "2026-02-24 10:00"),
    ("started-in-festival", wh(2), "2026-02-18 10:00", "2026-02-24 11:00"),
    ("fri-into-makeup-saturday-28", wd(1), "2026-02-27 10:00", "2026-02-28 10:00"),
    ("makeup-saturday-28-to-monday", wh(2), "2026-02-28 17:00", "2026-03-02 10:00"),
    # National Day 2025
    ("eve-of-national-day", wh(4), "2025-09-30 16:00", "2025-10-09 11:00"),
    ("saturday-to-makeup-sunday", wh(2), "2025-09-27 10:00", "2025-09-28 11:00"),
    ("3-days-over-makeup-saturday", wd(3), "2025-10-10 10:00", "2025-10-14 10:00"),
    # Clock hours ignore the calendar.
    ("urgent-saturday-night", ch(2), "2025-06-14 23:00", "2025-06-15 01:00"),
    ("urgent-in-holiday", ch(4), "2025-10-01 10:00", "2025-10-01 14:00"),
    # Outside the covered years only the weekly pattern applies: 2027-01-01 is a Friday.
    ("uncovered-year", wh(2), "2027-01-01 10:00", "2027-01-01 12:00"),
]


@pytest.mark.parametrize(("limit", "start", "due"), [c[1:] for c in DEADLINES],
                         ids=[c[0] for c in DEADLINES])
def test_deadline(limit, start, due):
    assert deadline(Clock(limit, at(start)), CAL) == at(due)


def test_deadline_is_in_the_calendar_timezone():
    start = datetime(2025, 6, 14, 15, 0, tzinfo=UTC)  # 23:00 Saturday in Shanghai
    due = deadline(Clock(ch(2), start), CAL)
    assert due == at("2025-06-15 01:00") and due.tzinfo == SH
    due = deadline(Clock(wh(2), datetime(2025, 6, 10, 2, 0, tzinfo=UTC)), CAL)  # 10:00
    assert due.tzinfo == SH and due.isoformat() == "2025-06-10T12:00:00+08:00"


EXTENSIONS = [
    ("working-hours", wh(4), 3, "2025-06-10 10:00", "2025-06-11 10:00"),  # 7 h
    ("working-days", wd(1), 2, "2025-06-10 10:00", "2025-06-11 12:00"),  # 9 h
    ("clock-hours", ch(2), 1, "2025-06-14 23:00", "2025-06-15 02:00"),
]


@pytest.mark.parametrize(("limit", "extra", "start", "due"), [c[1:] for c in EXTENSIONS],
                         ids=[c[0] for c in EXTENSIONS])
def test_extension_adds_time(limit, extra, start, due):
    assert deadline(Clock(limit, at(start), extension_hours=extra), CAL) == at(due)


PARKS = [
    # 4 h from Tue 10:00 is due 16:00; parked 11:00-15:00 covers 11-12 and 14-15 = 2 h.
    ("covers-2-working-hours", wh(4), "2025-06-10 10:00", [("2025-06-10 11:00",
                                                            "2025-06-10 15:00")],
     "2025-06-10 18:00"),
    ("only-lunch", wh(4), "2025-06-10 10:00", [("2025-06-10 12:00", "2025-06-10 14:00")],
     "2025-06-10 16:00"),
    ("weekend-pushes-nothing", wd(2), "2025-06-12 10:00",
     [("2025-06-14 10:00", "2025-06-15 20:00")], "2025-06-16 10:00"),
    ("overnight-covers-nothing", wh(4), "2025-06-10 16:00",
     [("2025-06-10 18:30", "2025-06-11 08:00")], "2025-06-11 11:00"),
    ("before-start-ignored", wh(2), "2025-06-10 10:00", [("2025-06-09 10:00",
                                                          "2025-06-09 15:00")],
     "2025-06-10 12:00"),
    ("straddles-start", wh(2), "2025-06-10 10:00", [("2025-06-10 09:00", "2025-06-10 11:00")],
     "2025-06-10 15:00"),
    ("after-deadline-moves-nothing", wh(2), "2025-06-10 10:00",
     [("2025-06-10 15:00", "2025-06-10 16:00")], "2025-06-10 12:00"),
    ("overlapping-parks-merged", wh(4), "2025-06-10 10:00",
     [("2025-06-10 14:00", "2025-06-10 15:00"), ("2025-06-10 11:00", "2025-06-10 14:30")],
     "2025-06-10 18:00"),
    ("two-parks", wh(4), "2025-06-10 10:00",
     [("2025-06-10 10:30", "2025-06-10 11:00"), ("2025-06-10 15:00", "2025-06-10 15:30")],
     "2025-06-10 17:00"),
    ("clock-hours", ch(2), "2025-06-14 23:00", [("2025-06-14 23:30", "2025-06-15 00:15")],
     "2025-06-15 01:45"),
]


@pytest.mark.parametrize(("limit", "start", "parks", "due"), [c[1:] for c in PARKS],
                         ids=[c[0] for c in PARKS])
def test_park_pushes_deadline(limit, start, parks, due):
    paused = tuple((at(a), at(b)) for a, b in parks)
    assert deadline(Clock(limit, at(start), paused=paused), CAL) == at(due)


def test_currently_parked_has_no_deadline():
    clock = Clock(wh(4), at("2025-06-10 10:00"),
                  paused=((at("2025-06-10 10:30"), at("2025-06-10 11:00")),
                          (at("2025-06-10 15:00"), None)))
    assert deadline(clock, CAL) is None


FRACTIONS = [
    ("not-started", Clock(wh(4), at("2025-06-10 10:00")), "2025-06-10 08:00", 0.0),
    ("3-of-4-hours", Clock(wh(4), at("2025-06-10 10:00")), "2025-06-10 15:00", 0.75),
    ("at-lunch", Clock(wh(4), at("2025-06-10 10:00")), "2025-06-10 13:00", 0.5),
    ("overdue", Clock(wh(2), at("2025-06-10 10:00")), "2025-06-11 10:00", 3.5),
    ("working-day", Clock(wd(1), at("2025-06-10 10:00")), "2025-06-10 18:00", 6 / 7),
    ("extension", Clock(wh(4), at("2025-06-10 10:00"), 4), "2025-06-10 16:00", 0.5),
    ("clock-hours-80pct", Clock(ch(2), at("2025-06-14 23:00")), "2025-06-15 00:36", 0.8),
    # 10-16 is 4 working hours; the park covers 11-12 and 14-14:30.
    ("parked-before", Clock(wh(4), at("2025-06-10 10:00"),
                            paused=((at("2025-06-10 11:00"), at("2025-06-10 14:30")),)),
     "2025-06-10 16:00", 0.625),
    ("parked-now", Clock(wh(4), at("2025-06-10 10:00"),
                         paused=((at("2025-06-10 11:00"), None),)), "2025-06-10 16:00", 0.25),
]


@pytest.mark.parametrize(("clock", "now", "expected"), [c[1:] for c in FRACTIONS],
                         ids=[c[0] for c in FRACTIONS])
def test_used_fraction(clock, now, expected):
    assert used_fraction(clock, CAL, at(now)) == pytest.approx(expected, abs=1e-12)


LIGHTS = [(0.0, "green"), (0.79, "green"), (0.8, "yellow"), (0.95, "yellow"), (1.0, "yellow"),
          (1.01, "red"), (3.5, "red")]


@pytest.mark.parametrize(("fraction", "colour"), LIGHTS, ids=[str(f) for f, _ in LIGHTS])
def test_traffic_light(fraction, colour):
    assert traffic_light(fraction) == colour


def test_past_the_deadline_is_red_even_while_working_time_stands_still():
    """Due Friday 18:00; on Saturday no working time passes, so 100 % is used, not more: the
    ticket is still late, and red."""
    clock = Clock(wh(2), at("2025-06-13 16:00"))  # a Friday
    due = deadline(clock, CAL)
    assert due == at("2025-06-13 18:00")
    saturday = at("2025-06-14 10:00")
    assert used_fraction(clock, CAL, saturday) == pytest.approx(1.0)
    assert traffic_light(used_fraction(clock, CAL, saturday), saturday > due) == "red"
    assert traffic_light(used_fraction(clock, CAL, due), due > due) == "yellow"


def test_exactly_80_percent_used_is_yellow():
    clock = Clock(ch(2), at("2025-06-14 23:00"))
    assert traffic_light(used_fraction(clock, CAL, at("2025-06-15 00:36"))) == "yellow"


@pytest.mark.parametrize(("limit", "hours"), [(wh(4), 4), (wd(3), 21), (ch(2), 2)],
                         ids=["working-hours", "working-days", "clock-hours"])
def test_limit_duration(limit, hours):
    assert limit_duration(limit, CAL) == timedelta(hours=hours)


DAYS = [
    ("plain-tuesday", "2025-06-10", True), ("plain-saturday", "2025-06-14", False),
    ("spring-festival", "2026-02-17", False), ("festival-monday", "2026-02-23", False),
    ("makeup-sat-14", "2026-02-14", True), ("makeup-sat-28", "2026-02-28", True),
    ("national-day", "2025-10-08", False), ("makeup-sun", "2025-09-28", True),
    ("makeup-sat", "2025-10-11", True), ("uncovered-new-year", "2027-01-01", True),
]


@pytest.mark.parametrize(("day", "working"), [c[1:] for c in DAYS], ids=[c[0] for c in DAYS])
def test_is_working_day(day, working):
    assert CAL.is_working_day(date.fromisoformat(day)) is working


def test_makeup_day_uses_monday_hours():
    assert CAL.periods(date(2026, 2, 14)) == (
        (at("2026-02-14 09:00"), at("2026-02-14 12:00")),
        (at("2026-02-14 14:00"), at("2026-02-14 18:00")))
    assert CAL.periods(date(2026, 2, 17)) == ()


def test_exceptions_apply_only_in_covered_years():
    cal = replace(CAL, covers=(2026,))
    assert cal.is_working_day(date(2025, 10, 1)) and not cal.is_working_day(date(2025, 9, 28))
    assert not cal.is_working_day(date(2026, 2, 17))


BETWEEN = [
    ("same-morning", "2025-06-10 10:00", "2025-06-10 11:30", 1.5),
    ("over-lunch", "2025-06-10 11:00", "2025-06-10 15:00", 2),
    ("one-day", "2025-06-10 10:00", "2025-06-11 10:00", 7),
    ("weekend", "2025-06-13 17:00", "2025-06-16 10:00", 2),
    ("spring-festival", "2026-02-13 09:00", "2026-02-24 09:00", 14),
    ("reversed", "2025-06-11 10:00", "2025-06-10 10:00", 0),
    ("equal", "2025-06-10 10:00", "2025-06-10 10:00", 0),
]


@pytest.mark.parametrize(("start", "end", "hours"), [c[1:] for c in BETWEEN],
                         ids=[c[0] for c in BETWEEN])
def test_working_time_between(start, end, hours):
    assert CAL.working_time_between(at(start), at(end)) == timedelta(hours=hours)


NAIVE = datetime(2025, 6, 10, 10, 0)
AWARE = at("2025-06-10 10:00")
REFUSALS = [
    ("naive-add", lambda: CAL.add_working_time(NAIVE, timedelta(hours=1))),
    ("naive-between-start", lambda: CAL.working_time_between(NAIVE, AWARE)),
    ("naive-between-end", lambda: CAL.working_time_between(AWARE, NAIVE)),
    ("naive-clock-start", lambda: Clock(wh(1), NAIVE)),
    ("naive-park", lambda: Clock(wh(1), AWARE, paused=((NAIVE, None),))),
    ("naive-now", lambda: used_fraction(Clock(wh(1), AWARE), CAL, NAIVE)),
    ("negative-delta", lambda: CAL.add_working_time(AWARE, timedelta(hours=-1))),
    ("park-ends-before-start", lambda: Clock(wh(1), AWARE, paused=((AWARE,
                                                                   at("2025-06-10 09:00")),))),
    ("unknown-unit", lambda: TimeLimit(1, "fortnights")),
    ("zero-limit", lambda: TimeLimit(0, "working_hours")),
    ("negative-extension", lambda: Clock(wh(1), AWARE, extension_hours=-1)),
    ("no-working-hours", lambda: WorkingCalendar("Asia/Shanghai", {}, frozenset(),
                                                 frozenset())),
    ("overlapping-periods", lambda: WorkingCalendar(
        "Asia/Shanghai", {0: ((time(9), time(13)), (time(12), time(18)))}, frozenset(),
        frozenset())),
]


@pytest.mark.parametrize("call", [c[1] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refused(call):
    with pytest.raises(ValueError):
        call()


HOLIDAY_FILES = [
    ("quoted-dates", "2030:\n  holidays:\n    - {name: x, from: '2030-01-01', to: '2030-01-02'}"
                     "\n  workdays: ['2030-01-05']\n", None),
    ("ends-before-start", "2030:\n  holidays:\n    - {name: x, from: 2030-01-02, to: 2030-01-01}"
                          "\n", "ends before it starts"),
    ("wrong-year", "2030:\n  workdays: [2031-01-04]\n", "wrong year"),
    ("off-and-working", "2030:\n  holidays:\n    - {name: x, from: 2030-01-05, to: 2030-01-05}"
                        "\n  workdays: [2030-01-05]\n", "both off and working"),
    ("missing-key", "2030:\n  holidays:\n    - {name: x, from: 2030-01-05}\n", "2030"),
]


@pytest.mark.parametrize(("text", "error"), [c[1:] for c in HOLIDAY_FILES],
                         ids=[c[0] for c in HOLIDAY_FILES])
def test_load_calendar_file(tmp_path, text, error):
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    if error:
        with pytest.raises(ValueError, match=error):
            load_calendar("Asia/Shanghai", path)
        return
    cal = load_calendar("Asia/Shanghai", path)
    assert cal.covers == (2030,) and cal.workdays == {date(2030, 1, 5)}
    assert cal.holidays == {date(2030, 1, 1), date(2030, 1, 2)}


def test_shipped_calendar():
    assert CAL.timezone == "Asia/Shanghai" and CAL.covers == (2025, 2026)
    assert set(CAL.hours) == {0, 1, 2, 3, 4} and CAL.day_length == timedelta(hours=7)
    assert date(2026, 2, 15) in CAL.holidays and date(2026, 2, 23) in CAL.holidays
    assert date(2025, 10, 11) in CAL.workdays


# --- properties ------------------------------------------------------------------------------

DAY_2025 = date(2025, 1, 1)
WORKING_DAYS = [d for d in (DAY_2025 + timedelta(days=i) for i in range(730))
                if CAL.is_working_day(d)]


@st.composite
def working_moments(draw):
    """A moment inside working time in 2025-2026, expressed in a random timezone."""
    day = draw(st.sampled_from(WORKING_DAYS))
    begin, end = draw(st.sampled_from(CAL.periods(day)))
    seconds = draw(st.integers(0, int((end - begin).total_seconds()) - 1))
    zone = draw(st.sampled_from([SH, UTC, ZoneInfo("America/New_York")]))
    return (begin + timedelta(seconds=seconds)).astimezone(zone)


any_moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31),
                           timezones=st.sampled_from([SH, UTC]))
deltas = st.integers(0, 200 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(working_moments(), deltas)
def test_between_inverts_add_inside_working_time(start, delta):
    assert CAL.working_time_between(start, CAL.add_working_time(start, delta)) == delta


@settings(max_examples=300, deadline=None)
@given(any_moments, deltas)
def test_between_inverts_add_from_any_start(start, delta):
    end = CAL.add_working_time(start, delta)
    assert end >= start and CAL.working_time_between(start, end) == delta


@settings(max_examples=200, deadline=None)
@given(working_moments(), st.sampled_from(["working_hours", "working_days", "clock_hours"]),
       st.integers(1, 30), st.lists(st.tuples(st.integers(-48, 400), st.integers(0, 100)),
                                    max_size=3))
def test_limit_is_used_up_exactly_at_the_deadline(start, unit, value, parks):
    """Whatever the parks, the deadline is the moment the used fraction reaches 1."""
    paused = tuple((start + timedelta(hours=a), start + timedelta(hours=a + length))
                   for a, length in parks)
    clock = Clock(TimeLimit(value, unit), start, paused=paused)
    due = deadline(clock, CAL)
    assume(due is not None)
    assert used_fraction(clock, CAL, due) == 1.0
    assert used_fraction(clock, CAL, due - timedelta(seconds=1)) < 1.0



def test_the_warning_moment_is_when_eighty_percent_of_the_budget_is_used():
    # 10 working hours from Monday 09:00: 8 hours used at Tuesday 10:00 (7 h on Monday)
    clock = Clock(TimeLimit(10, "working_hours"), at("2026-11-23 09:00"))
    warn = deadline(clock, CAL, fraction=0.8)
    assert warn == at("2026-11-24 10:00")
    assert used_fraction(clock, CAL, warn) == pytest.approx(0.8)


@pytest.mark.parametrize("due, now, unit, kind, value, minutes", [
    ("2026-12-02 11:20", "2026-12-02 10:00", "clock_hours", "left_hours", 1, 20),
    ("2026-12-02 10:45", "2026-12-02 10:00", "working_hours", "left_minutes", 45, 0),
    ("2026-12-04 10:00", "2026-12-02 10:00", "working_days", "left_working_days", 2, 0),
    # less than one working day to go: hours of the real clock
    ("2026-12-03 10:00", "2026-12-02 17:00", "working_days", "left_hours", 17, 0),
    # Friday evening to Tuesday: the weekend is not a working day
    ("2026-12-08 10:00", "2026-12-04 18:00", "working_days", "left_working_days", 1, 0),
    ("2026-12-02 07:00", "2026-12-02 10:00", "clock_hours", "overdue_hours", 3, 0),
    ("2026-12-02 09:50", "2026-12-02 10:00", "clock_hours", "overdue_minutes", 10, 0),
    ("2026-11-29 09:00", "2026-12-02 10:00", "working_days", "overdue_days", 3, 0),
])
def test_time_left_is_a_code_and_numbers(due, now, unit, kind, value, minutes):
    left = time_left(at(due), at(now), unit, CAL)
    assert (left.kind, left.value, left.minutes) == (kind, value, minutes)
    assert left.overdue == kind.startswith("overdue")


def test_time_left_at_the_deadline_is_overdue():
    assert time_left(at("2026-12-02 10:00"), at("2026-12-02 10:00"), "clock_hours",
                     CAL).overdue
