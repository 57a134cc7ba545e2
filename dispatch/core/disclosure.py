"""Ticket numbers a reader may not open are cut out of what they are shown.

A ticket's history names other tickets: the likely duplicate routing found (which may be another
worker's report, or another street's), the ticket it was merged into, those merged into it. A
number is shown only to someone who may open that ticket; to anyone else it is blanked (None),
and a routing step that named it says "another report nearby" instead. Pure: the caller says
which numbers are hidden."""

import re
from typing import Any

NUMBER = re.compile(r"^\d{4}-\d{6,}$")  # services/numbers.py: 2026-000123


def numbers_in(value: Any) -> set[str]:
    """Every ticket number a stored value (event data, an explanation) names."""
    if isinstance(value, str):
        return {value} if NUMBER.match(value) else set()
    if isinstance(value, dict):
        return set().union(*(numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(numbers_in(v) for v in value)) if value else set()
    return set()


def redact(value: Any, hidden: frozenset[str] | set[str]) -> Any:
    """`value` with every hidden number blanked; a likely-duplicate step whose number is hidden
    becomes `likely_duplicate_elsewhere` (same distance, no number)."""
    if not hidden:
        return value
    if isinstance(value, str):
        return None if value in hidden else value
    if isinstance(value, list | tuple):
        return [redact(v, hidden) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("code") == "likely_duplicate" and (value.get("params") or {}).get(
            "number") in hidden:
        value = {**value, "code": "likely_duplicate_elsewhere"}
    return {k: redact(v, hidden) for k, v in value.items()}
