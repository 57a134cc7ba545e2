"""Intake: a grid worker files a report (multipart, photos, Idempotency-Key)."""

from flask import g, request
from flask_smorest import Blueprint

from ..core.errors import problem
from ..http.resilience import idempotent_with_key
from ..http.uploads import read_photos
from ..services.errors import BadInput
from ..services.intake import submit_report
from .auth import BEARER, auth_required
from .docs import errors
from .present import ticket_json
from .schemas import IncidentFilesSchema, IncidentFormSchema, TicketSchema

blp = Blueprint("incidents", __name__, description="Filing reports")
KEY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"  # "true" on the answer to a retry, as payment APIs do


@blp.post("/incidents")
@errors(blp, 401, 403, 413, 422, 429)
@blp.arguments(IncidentFormSchema, location="form")
@blp.arguments(IncidentFilesSchema, location="files")
@blp.response(201, TicketSchema)
@blp.alt_response(200, schema=TicketSchema, headers={REPLAY_HEADER: {
    "description": "true: this answers a retry", "schema": {"type": "string"}}},
                  description="The same Idempotency-Key was seen before with the same report: "
                              "the first ticket, with `Idempotent-Replayed: true`.")
@blp.doc(security=BEARER, parameters=[{
    "in": "header", "name": KEY_HEADER, "schema": {"type": "string", "maxLength": 100},
    "description": "Made by the client when the form opens; retries send the same key."}])
@auth_required
@idempotent_with_key
def file_report(form, _files):
    """File a report: category, description, location (lat/lng, or GPS in the first photo),
    up to six photos. The same Idempotency-Key with the same report returns the first ticket
    with 200 and `Idempotent-Replayed: true`; with a different report, 422."""
    key = (request.headers.get(KEY_HEADER) or "").strip() or None
    if key is not None and (len(key) > 100 or not key.isprintable()):
        raise BadInput("bad_idempotency_key",
                       {KEY_HEADER: [problem("printable_characters", min=1, max=100)]})
    ticket, created = submit_report(g.user, form, read_photos(), key)
    if created:
        return ticket_json(ticket, g.user), 201
    return ticket_json(ticket, g.user), 200, {REPLAY_HEADER: "true"}
