"""Background duties note when they last ran, in the database (it outlives a Redis outage)."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..models import Heartbeat

DEADLINE_SWEEP = "deadline_sweep"


def beat(name: str, detail: dict | None = None, at: datetime | None = None) -> None:
    """Record a run and commit; two duties beating at once both succeed (last one wins)."""
    values = {"at": at or clock.now(), "detail": detail or {}}
    if _update(name, values):
        return
    try:
        with db.session.begin_nested():
            db.session.add(Heartbeat(name=name, **values))
    except IntegrityError:  # another process inserted it first
        _update(name, values)
    db.session.commit()


def _update(name: str, values: dict) -> bool:
    done = db.session.execute(update(Heartbeat).where(Heartbeat.name == name)
                              .values(**values)).rowcount == 1
    if done:
        db.session.commit()
    return done


def last(name: str) -> Heartbeat | None:
    return db.session.get(Heartbeat, name)
