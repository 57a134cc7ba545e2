"""The shape of every JSON error (dispatch/http/errors.py writes them), for the OpenAPI
document: `code` a stable slug, `status` the HTTP status as a number, `message` in the asker's
language; field problems in words (`errors`) and as codes (`error_codes`); an error may carry
more (a stale action carries the current `ticket`)."""

from apispec import BasePlugin
from marshmallow import INCLUDE, Schema, fields


class ProblemSchema(Schema):
    code = fields.String(required=True, metadata={"description": "a stable slug"})
    params = fields.Dict(required=True, metadata={"description": "what fills in its words"})


class ErrorSchema(Schema):
    class Meta:
        unknown = INCLUDE  # an error may carry more than these (documented where it does)

    code = fields.String(required=True, metadata={
        "description": "what kind of refusal, e.g. not_found, forbidden, invalid_input"})
    status = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    message = fields.String(required=True, metadata={
        "description": "in the asker's language (Accept-Language; Chinese by default)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "field → its problems in words"})
    error_codes = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(
        ProblemSchema)), metadata={"description": "field → its problems as codes"})
    ticket = fields.Dict(metadata={"description": "409 on a ticket action: the ticket as it "
                                                  "is now"})


class AnyOperationMayBeUnavailable(BasePlugin):
    """Every operation may answer 503 `database_unavailable` with Retry-After: a request whose
    database connection drops is retried once only when repeating it is harmless
    (dispatch/http/resilience.py), so the document says so for all of them, in one place."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault(503, "SERVICE_UNAVAILABLE")
