"""Intake: a grid worker files a report (multipart, photos, Idempotency-Key)."""

from flask import g, request
from flask_smorest import Blueprint

from ..core.errors import problem
from ..http.uploads import read_photos
from ..services.errors import BadInput
from ..services.intake import submit_report
from .auth import BEARER, auth_required
from .docs import errors
from .present import ticket_json
from .schemas import IncidentFilesSchema, IncidentFormSchema, TicketSchema

blp = Blueprint("incidents", __name__, description="Filing reports")
KEY_HEADER = "Idempotency-Key"


@blp.post("/incidents")
@errors(blp, 401, 403, 413, 422, 429)
@blp.arguments(IncidentFormSchema, location="form")
@blp.arguments(IncidentFilesSchema, location="files")
@blp.response(201, TicketSchema)
@blp.alt_response(200, schema=TicketSchema,
                  description="The same Idempotency-Key was seen before: the first ticket.")
@blp.doc(security=BEARER, parameters=[{
    "in": "header", "name": KEY_HEADER, "schema": {"type": "string", "maxLength": 100},
    "description": "Made by the client when the form opens; retries send the same key."}])
@auth_required
def file_report(form, _files):
    """File a report: category, description, location (lat/lng, or GPS in the first photo),
    up to six photos. The same Idempotency-Key again returns the first ticket with 200."""
    key = (request.headers.get(KEY_HEADER) or "").strip() or None
    if key is not None and (len(key) > 100 or not key.isprintable()):
        raise BadInput("bad_idempotency_key",
                       {KEY_HEADER: [problem("printable_characters", min=1, max=100)]})
    ticket, created = submit_report(g.user, form, read_photos(), key)
    return ticket_json(ticket, g.user), 201 if created else 200
