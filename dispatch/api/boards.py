"""Board summaries for street leaders (full dashboards come with the screens)."""

from flask import g
from flask_smorest import Blueprint

from .. import clock
from ..services import policy, reference
from ..services.board_summary import board_summary
from ..services.errors import NotFound
from .auth import BEARER, auth_required
from .docs import errors
from .schemas import BoardSummarySchema, StreetArgsSchema

blp = Blueprint("boards", __name__, description="Leaders' board summaries")


@blp.get("/boards/<code>/summary")
@errors(blp, 401, 403, 404, 422)
@blp.arguments(StreetArgsSchema, location="query")
@blp.response(200, BoardSummarySchema)
@blp.doc(security=BEARER)
@auth_required
def summary(args, code):
    """Counts by state, overdue, today's new and closed, for the caller's street
    (admins: every street, or ?street=)."""
    street_id = policy.street_limit(g.user, policy.Permission.VIEW_DASHBOARD)
    if reference.board(code) is None:
        raise NotFound("board_not_found", code=code)
    if street_id is None and args.get("street"):  # whoever reads every street may pick one
        street_id = reference.street_id(args["street"])
        if street_id is None:
            raise NotFound("street_not_found", code=args["street"])
    return board_summary(code, street_id, clock.now(), clock.zone_name())
