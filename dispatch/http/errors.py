"""Every error leaves as JSON `{code, status, message, errors?, error_codes?}`: `code` is a stable
slug clients can switch on, `status` the HTTP status, `message` and `errors` ({field: [words]})
are in the asker's language (Accept-Language, Chinese by default), and `error_codes` carries the
same field problems for machines ({field: [{code, params}]}). A 500 is logged with its
traceback: it is always a bug."""

import json

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..core.errors import DomainError, problem
from . import messages
from .validation import problems


def install(app) -> None:
    """Answer domain errors and HTTP errors here: JSON under /api/, a page elsewhere. Called
    after flask-smorest's Api is bound, so these replace its HTTP error handler."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)


def error_response(status: int, code: str, message: str | dict, errors=None, **extra):
    """The JSON answer; `message` is a code (or problem) and `errors` {field: [problem]},
    worded here in the request's language."""
    names = messages.Names()
    body = {"code": code, "status": status, "message": messages.render(message, names=names)}
    if errors:
        body["errors"] = messages.render_errors(errors, names)
        body["error_codes"] = errors
    body.update(extra)
    return jsonify(body), status


def wants_json() -> bool:
    """The API, and a page's script that asks for JSON (the phone's outbox, for one)."""
    if request.path.startswith("/api/"):
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def handle_domain_error(error: DomainError):
    if not wants_json():
        return render_template("web/error.html", error=error, status=error.status,
                               message=messages.render(error.message, error.params)), \
            error.status
    response = error_response(error.status, error.code,
                              {"code": error.message, "params": error.params}, error.errors,
                              **error.extra)
    response[0].headers.extend(getattr(error, "headers", None) or {})  # e.g. Retry-After
    return response


def _own_headers(error: HTTPException) -> dict:
    """What the exception itself says in headers (405: Allow; 401: WWW-Authenticate), not its
    Content-Type: the answer is ours."""
    return {k: v for k, v in error.get_headers() if k.lower() != "content-type"}


def handle_http_exception(error: HTTPException):
    if not request.path.startswith("/api/"):  # pages get a page, in the reader's language
        return (render_template("web/error.html", error=error, status=error.code), error.code,
                _own_headers(error))
    data = getattr(error, "data", None) or {}
    headers = {**_own_headers(error), **(data.get("headers") or {})}
    if error.code == 500:
        # Flask has already logged the traceback (app.log_exception)
        return error_response(500, "internal_error", "internal_error")
    errors = data.get("messages")
    if isinstance(getattr(error, "exc", None), (json.JSONDecodeError, UnicodeDecodeError)):
        # webargs' 400 with English words: a body that is no JSON is bad input like any other
        response = error_response(422, "invalid_input", "invalid_input",
                                  {"_": [problem("invalid_json")]})
    elif errors:
        # webargs nests errors by location ({"json": {...}}); clients want the fields
        flat = {}
        for fields in errors.values():
            flat.update(problems(fields if isinstance(fields, dict) else {"_": fields}))
        response = error_response(error.code, "invalid_input", "invalid_input", flat)
    else:
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(error.code, code, data.get("message") or (
            code if _known(code) else error.description))
    for name, value in headers.items():
        response[0].headers[name] = value
    return response


def _known(code: str) -> bool:
    return code in messages.MESSAGES
