"""After a use case refused (a domain error) the session may still hold what it had begun;
the shells call `discard` before they read again, so nothing half-done is shown or flushed."""

from ..extensions import db


def discard() -> None:
    """Roll the session back: the next read sees the database as it is."""
    db.session.rollback()
