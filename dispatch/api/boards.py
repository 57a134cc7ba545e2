"""Board summaries for street leaders (full dashboards come with the screens)."""

from flask import current_app, g
from flask_smorest import Blueprint
from sqlalchemy import select

from boards.summary import board_summary

from ..core.lifecycle import Forbidden
from ..extensions import db
from ..models import Board, Street
from ..models.types import utcnow
from ..services.errors import NotFound
from .auth import BEARER, auth_required
from .schemas import BoardSummarySchema, StreetArgsSchema

blp = Blueprint("boards", __name__, description="Leaders' board summaries")


@blp.get("/boards/<code>/summary")
@blp.arguments(StreetArgsSchema, location="query")
@blp.response(200, BoardSummarySchema)
@blp.doc(security=BEARER)
@auth_required
def summary(args, code):
    """Counts by state, overdue, today's new and closed, for the caller's street
    (admins: every street, or ?street=)."""
    user = g.user
    if user.role not in ("leader", "dispatcher", "admin"):
        raise Forbidden("board_summary_forbidden")
    if db.session.get(Board, code) is None:
        raise NotFound("board_not_found", code=code)
    street_id = user.street_id
    if user.role == "admin":
        street_id = None
        if args.get("street"):
            street_id = db.session.scalar(select(Street.id).where(Street.code == args["street"]))
            if street_id is None:
                raise NotFound("street_not_found", code=args["street"])
    return board_summary(code, street_id, utcnow(), current_app.config["TIMEZONE"])
