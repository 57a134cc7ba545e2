"""The error answers an endpoint gives, for the OpenAPI document: each status names the
component response flask-smorest registers for it (UNAUTHORIZED, NOT_FOUND, ...), whose body
is the one error shape (dispatch/http/error_schema.py). tests/api/test_openapi_conformance.py
checks every answer the test suite receives against the document, so a status used here and
not listed fails there."""

from http import HTTPStatus


def errors(blp, *statuses: int):
    """Document these error statuses of the decorated view (put it above `auth_required`)."""
    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view
    return decorate
