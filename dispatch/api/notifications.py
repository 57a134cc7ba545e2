"""Notices for the signed-in person: deadline warnings to their department, escalations to them."""

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields

from ..http.validation import Schema
from ..services import notifications
from .auth import BEARER, auth_required
from .docs import errors

blp = Blueprint("notifications", __name__, description="Warnings and escalations")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    ticket = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    read = fields.Boolean()


@blp.get("/notifications")
@errors(blp, 401)
@blp.response(200, NotificationSchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def my_notifications():
    """The 100 most recent notices for me or my department, newest first."""
    rows = notifications.for_user(g.user, limit=100)
    return [{"id": n.id, "kind": n.kind, "ticket": n.data.get("number"), "data": n.data,
             "created_at": n.created_at, "read": n.read_at is not None} for n in rows]
