"""After a use case refused (a domain error) the session may still hold what it had begun;
the shells call `discard` before they read again, so nothing half-done is shown or flushed."""

from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db


def is_dropped_connection(exc: BaseException) -> bool:
    """A connection lost or refused (SQLAlchemy invalidated it, or the driver says the
    operation failed for reasons outside the statement: shutdown, termination, network)."""
    return isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, OperationalError))


def discard() -> None:
    """Roll the session back: the next read sees the database as it is."""
    db.session.rollback()


def abandon() -> None:
    """After the connection died under the session: roll back what can be, then close the
    session so the next statement checks out a fresh connection (SQLAlchemy has invalidated
    the dead one, and every pooled connection older than it)."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; there is nothing left to roll back
        pass
    db.session.remove()


def close() -> None:
    """End the session at the end of a request. A connection that died after the work was done
    (its commit made, a read transaction left open) fails only the closing ROLLBACK; that
    must not turn a finished request into an error, so the session is abandoned instead."""
    try:
        db.session.remove()
    except DBAPIError as exc:
        if not is_dropped_connection(exc):
            raise
        abandon()
