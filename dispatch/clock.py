"""The one clock and the one time zone of the system.

Every "now" in dispatch comes from `now()` and every local day from `zone()`. The shells read
them and hand the values to the core, which never reads the time itself. An app may inject its
own clock (`app.config["CLOCK"]`, a function returning an aware datetime); tests pin the time
with time-machine or with that setting, so the suite gives the same answers at any hour.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current moment, aware and in UTC, from the app's clock (the system's by default)."""
    clock: Callable[[], datetime] | None = (
        current_app.config.get("CLOCK") if has_app_context() else None)
    return (clock or system_now)().astimezone(UTC)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    """The configured time zone (DISPATCH_TIMEZONE): local days, office hours, pages."""
    if has_app_context():
        return current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def zone() -> ZoneInfo:
    return _zone(zone_name())

