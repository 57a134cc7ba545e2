"""Extensions are asked in the limit's own unit and move the deadline by that much on the
working calendar: 3 working days are 3 working days (holidays and weekends skipped), 48 clock
hours are two days and nights, never 48 office hours (the 9-calendar-day surprise of issue 11).
Expected deadlines are worked out by hand on the shipped 2026 calendar: Mid-Autumn 9-25..27
(Fri–Sun), National Day 10-01..07, Saturday 10-10 a make-up working day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch.core.sla import Clock, TimeLimit, deadline, extended_deadline, extension_hours
from dispatch.data.calendar import load_calendar

SH = ZoneInfo("Asia/Shanghai")
CAL = load_calendar("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def asked(limit: TimeLimit, started: str, amount: int) -> tuple[datetime, datetime]:
    """The deadline before, and after granting `amount` in the limit's unit."""
    clock = Clock(limit, at(started))
    return deadline(clock, CAL), extended_deadline(clock, CAL, extension_hours(limit, amount, CAL))


def test_working_days_extend_by_whole_working_days_across_a_holiday_and_its_make_up_day():
    # 1 working day from Thu 9-24 10:00: Fri is Mid-Autumn, then the weekend → Mon 9-28 10:00
    before, after = asked(TimeLimit(1, "working_days"), "2026-09-24 10:00", 3)
    assert before == at("2026-09-28 10:00")
    # +3 working days: Tue 9-29, Wed 9-30, then National Day 10-01..07 → Thu 10-08 10:00
    assert after == at("2026-10-08 10:00")
    assert extension_hours(TimeLimit(1, "working_days"), 3, CAL) == 21  # 3 × 7 office hours
    # +5: Fri 10-09, then Saturday 10-10, a make-up working day (调休) → Sat 10-10 10:00
    assert asked(TimeLimit(1, "working_days"), "2026-09-24 10:00", 5)[1] == at("2026-10-10 10:00")


def test_working_hours_extend_by_office_hours_over_the_holiday_weekend():
    # 4 working hours from Thu 9-24 16:00: 2 h Thursday, nothing Fri–Sun, 2 h Monday → 11:00
    before, after = asked(TimeLimit(4, "working_hours"), "2026-09-24 16:00", 8)
    assert before == at("2026-09-28 11:00")
    # +8: 1 h to Monday noon, 4 h in the afternoon, 3 h Tuesday morning → Tue 12:00 exactly
    assert after == at("2026-09-29 12:00")


def test_clock_hours_extend_round_the_clock_holiday_or_not():
    before, after = asked(TimeLimit(2, "clock_hours"), "2026-09-24 17:00", 48)
    assert before == at("2026-09-24 19:00")
    assert after == at("2026-09-26 19:00")  # Saturday of the holiday, two days and nights on


def test_the_same_number_means_what_its_unit_says():
    """48 on each kind of limit, from the same Friday before a weekend: only working hours
    reach into the following week's end (48 office hours are almost 7 working days)."""
    start = "2026-11-27 17:00"  # Friday
    _, clock_hours = asked(TimeLimit(1, "clock_hours"), start, 48)
    _, working_hours = asked(TimeLimit(1, "working_hours"), start, 48)
    assert clock_hours == at("2026-11-29 18:00")  # Sunday
    # 1 h Friday, six full days (42 h), 6 h on Tuesday 12-08 → 17:00, 11 calendar days on
    assert working_hours == at("2026-12-08 17:00")


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "3"])
def test_an_extension_is_a_positive_whole_number(amount):
    with pytest.raises(ValueError):
        extension_hours(TimeLimit(1, "working_days"), amount, CAL)


def test_a_parked_clock_has_no_new_deadline_to_show():
    clock = Clock(TimeLimit(1, "working_days"), at("2026-09-24 10:00"),
                  paused=((at("2026-09-24 11:00"), None),))
    assert extended_deadline(clock, CAL, 7) is None
