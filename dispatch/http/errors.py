"""Every error leaves as JSON `{code, status, message, errors?}`; `code` is a stable slug clients
can switch on, `status` the HTTP status. A 500 is logged with its traceback: it is always a bug."""

from flask import jsonify, render_template, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..core.errors import DomainError


def error_response(status: int, code: str, message: str, errors=None, **extra):
    body = {"code": code, "status": status, "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return jsonify(body), status


class DispatchApi(Api):
    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(DomainError, self.handle_domain_error)

    def handle_domain_error(self, error: DomainError):
        if not request.path.startswith("/api/"):
            return render_template("web/error.html", error=error), error.status
        return error_response(error.status, error.code, error.message, error.errors,
                              **error.extra)

    def handle_http_exception(self, error: HTTPException):
        if not request.path.startswith("/api/"):  # pages get a page, in the reader's language
            return render_template("web/error.html", error=error), error.code
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or {}
        if error.code == 500:
            # Flask has already logged the traceback (app.log_exception)
            return error_response(500, "internal_error", "Internal error; it has been logged.")
        errors = data.get("messages")
        if errors:
            # webargs nests errors by location ({"json": {...}}); clients want the fields
            flat = {}
            for fields in errors.values():
                flat.update(fields if isinstance(fields, dict) else {"_": fields})
            response = error_response(error.code, "invalid_input",
                                      "The request has errors.", flat)
        else:
            code = (error.name or "error").lower().replace(" ", "_")
            response = error_response(error.code, code, data.get("message") or error.description)
        for name, value in headers.items():
            response[0].headers[name] = value
        return response
