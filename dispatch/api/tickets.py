"""Tickets: list within one's jurisdiction, read with history, act on, fetch photos."""

from flask import g, request, send_file
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..core.errors import problem
from ..core.lifecycle import Stale
from ..http.error_schema import ErrorSchema
from ..http.messages import Names
from ..http.security import private_photo
from ..http.uploads import read_photos
from ..http.validation import problems
from ..services import ticket_list, transactions
from ..services import tickets as ticket_service
from ..services.errors import BadInput
from .auth import BEARER, auth_required
from .docs import errors
from .present import ticket_json
from .schemas import (
    ActionSchema,
    TicketDetailSchema,
    TicketListArgsSchema,
    TicketPageSchema,
    TicketSchema,
)

blp = Blueprint("tickets", __name__, description="Tickets and their lifecycle")


@blp.get("/tickets")
@errors(blp, 401, 422)
@blp.arguments(TicketListArgsSchema, location="query")
@blp.response(200, TicketPageSchema)
@blp.doc(security=BEARER)
@auth_required
def list_tickets(args):
    """Tickets you may see, filtered by state, board, department, grid, reporter; newest first,
    or most urgent first with sort=urgency."""
    filters = ticket_list.TicketFilters(
        **{name: args.get(name) for name in ("state", "board", "department", "grid", "reporter")})
    page, per_page = args["page"], args["per_page"]
    rows, total = ticket_list.page(g.user, filters, page, per_page, sort=args["sort"])
    names, hidden = Names(), ticket_service.hidden_numbers(g.user, *rows)
    return {"items": [ticket_json(t, g.user, names=names, hidden=hidden) for t in rows],
            "page": page, "per_page": per_page, "total": total}


@blp.get("/tickets/<number>")
@errors(blp, 401, 404)
@blp.response(200, TicketDetailSchema)
@blp.doc(security=BEARER)
@auth_required
def get_ticket(number):
    """One ticket with its events, photos and routing explanation."""
    return ticket_json(ticket_service.visible_ticket(g.user, number), g.user, detail=True)


@blp.post("/tickets/<number>/actions")
@errors(blp, 401, 403, 404, 413, 422, 429)
@blp.response(200, TicketSchema)
@blp.doc(security=BEARER, requestBody={
    "required": True,
    "description": "JSON, or multipart/form-data with the same fields plus `photos` "
                   "(resolve only).",
    "content": {"application/json": {"schema": "ActionSchema"},
                "multipart/form-data": {"schema": "ActionSchema"}}})
@blp.alt_response(409, schema=ErrorSchema,
                  description="Stale version: the body carries the current ticket.")
@auth_required
def act(number):
    """Take a lifecycle action. 404 a ticket you may not see (as one that does not exist); 403
    wrong role or jurisdiction; 409 stale version (with the current ticket); 422 not allowed
    in this state or bad parameters."""
    payload, photos = _action_payload()
    try:
        ticket = ticket_service.perform_action(g.user, number, payload, photos)
    except Stale as exc:
        transactions.discard()
        current = ticket_service.get_ticket(number)
        exc.extra = {"ticket": TicketSchema().dump(ticket_json(current, g.user))}
        raise
    return ticket_json(ticket, g.user)


def _action_payload() -> tuple[dict, list[bytes]]:
    if request.mimetype == "multipart/form-data":
        raw = request.form.to_dict()
        if "helpers" in request.form:
            raw["helpers"] = [h for h in request.form.getlist("helpers") if h]
        photos = read_photos()
    else:
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            raise BadInput("json_object_required", {"_": [problem("invalid_json")]})
        photos = []
    try:
        return ActionSchema().load(raw), photos
    except ValidationError as exc:
        raise BadInput("action_has_errors", problems(exc.messages)) from exc


@blp.get("/photos/<int:photo_id>/<any(display, thumb):rendition>")
@errors(blp, 401, 404)
@blp.alt_response(200, success=True, content_type="image/jpeg",
                  schema={"type": "string", "format": "binary"},
                  description="The JPEG rendition.")
@blp.doc(security=BEARER)
@auth_required
def photo_file(photo_id, rendition):
    """A processed photo (never the uploaded original)."""
    path = ticket_service.photo_file(g.user, photo_id, rendition)
    return private_photo(send_file(path, mimetype="image/jpeg"))
