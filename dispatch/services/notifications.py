"""The notices a person reads: deadline warnings to their department (and its sections, for a
bureau's handler) and escalations to them, newest first. The sweep writes them (sla_sweep.py)."""

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Notification, User
from .actors import actor_for


def for_user(user: User, limit: int = 100) -> list[Notification]:
    """The `limit` most recent notices for the user or one of their departments."""
    mine = [Notification.user_id == user.id]
    departments = actor_for(user).department_ids
    if departments:
        mine.append(Notification.department_id.in_(departments))
    return list(db.session.scalars(select(Notification).where(or_(*mine))
                                   .order_by(Notification.id.desc()).limit(limit)))
