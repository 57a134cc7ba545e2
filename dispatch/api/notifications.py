"""Notices for the signed-in person: deadline warnings to their department, escalations to them."""

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Notification
from ..services.actors import actor_for
from .auth import BEARER, auth_required
from .validation import Schema

blp = Blueprint("notifications", __name__, description="Warnings and escalations")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    ticket = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    read = fields.Boolean()


@blp.get("/notifications")
@blp.response(200, NotificationSchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def my_notifications():
    """The 100 most recent notices for me or my department, newest first."""
    user = g.user
    mine = [Notification.user_id == user.id]
    departments = actor_for(user).department_ids
    if departments:
        mine.append(Notification.department_id.in_(departments))
    rows = db.session.scalars(select(Notification).where(or_(*mine))
                              .order_by(Notification.id.desc()).limit(100))
    return [{"id": n.id, "kind": n.kind, "ticket": n.data.get("number"), "data": n.data,
             "created_at": n.created_at, "read": n.read_at is not None} for n in rows]
