"""Load the shipped working calendar: China's public holidays and make-up working days.

The State Council publishes each year's holidays and 调休 days in November, so they live in a
YAML file (`cn-holidays.yaml`, one entry per year) that ships with the package and is edited,
not coded. This is the only place that reads YAML; `dispatch.core.sla` takes the result as plain
data. The office hours are those of a Chinese government office: 09:00–12:00 and 14:00–18:00,
Monday to Friday (7 working hours a day), on the wall clock of the configured time zone
(DISPATCH_TIMEZONE, handed in by the caller).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from dispatch.core.sla import WorkingCalendar

DEFAULT_PATH = Path(__file__).with_name("cn-holidays.yaml")
OFFICE_DAY = ((time(9), time(12)), (time(14), time(18)))
OFFICE_HOURS = {weekday: OFFICE_DAY for weekday in range(5)}


def load_calendar(timezone: str, path: str | Path | None = None) -> WorkingCalendar:
    """Read `path` (default: the shipped file) into a WorkingCalendar whose office hours are
    on `timezone`'s wall clock; a malformed file raises
    ValueError naming the year, so a bad yearly edit fails at start-up, not at a deadline."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError("The holiday file must map years to their holidays and workdays.")
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for year, entry in data.items():
        try:
            years.add(int(year))
            entry = entry or {}
            for holiday in entry.get("holidays") or ():
                first, last = _date(holiday["from"]), _date(holiday["to"])
                if last < first:
                    raise ValueError(f"{holiday.get('name')!r} ends before it starts")
                holidays.update(first + timedelta(days=i) for i in range((last - first).days + 1))
            workdays.update(_date(d) for d in entry.get("workdays") or ())
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"Bad holiday data for {year}: {exc}") from exc
    outside = {d for d in holidays | workdays if d.year not in years}
    if outside or holidays & workdays:
        raise ValueError(f"Dates filed under the wrong year or both off and working: "
                         f"{sorted(outside | (holidays & workdays))}")
    return WorkingCalendar(timezone=timezone, hours=dict(OFFICE_HOURS),
                           holidays=frozenset(holidays), workdays=frozenset(workdays),
                           covers=tuple(sorted(years)))


def _date(value: Any) -> date:
    """YAML reads bare 2025-10-01 as a date; quoted ones arrive as strings."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
