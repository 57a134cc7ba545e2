"""A request whose database connection drops under it (PostgreSQL restarted or failed over,
an administrator terminating backends, a proxy closing idle links) is answered anyway: retried
once on a fresh connection when repeating it is harmless, else a 503 that says to try again.

Why here, in one place: the views and services cannot all know which statement may meet a dead
connection. Pool pre-ping (config.py) covers connections that died between requests; this
covers the ones that die during one. Repeating is harmless for reads (GET, HEAD, OPTIONS) and
for writes that carry an idempotency key to a view marked `@idempotent_with_key`: the services
find the first attempt's ticket by the key if it did commit. A transaction cut off before its
commit leaves nothing; files a service wrote are removed by its own rollback path.
"""

import logging

from flask import Flask, Response, current_app, g, make_response, render_template, request
from sqlalchemy.exc import DBAPIError

from ..services import transactions
from ..services.transactions import is_dropped_connection
from . import errors as http_errors
from . import messages

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_HEADER = "Idempotency-Key"
KEY_FIELD = "idempotency_key"  # the phone form's hidden field
RETRY_AFTER_SECONDS = 2


def idempotent_with_key(view):
    """Marks a view whose effect happens once per idempotency key, however often it runs."""
    view.idempotent_with_key = True
    return view


class ResilientFlask(Flask):
    """Flask with one retry of a request whose database connection dropped (see module)."""

    def full_dispatch_request(self):
        for attempt in ("first", "retry"):
            try:
                return super().full_dispatch_request()
            except DBAPIError as exc:
                if not is_dropped_connection(exc):
                    raise
                transactions.abandon()
                if attempt == "retry" or not _repeatable():
                    log.warning("database connection lost during %s %s (%s attempt); "
                                "answered 503", request.method, request.path, attempt,
                                exc_info=True)
                    return self.finalize_request(_unavailable(), from_error_handler=True)
                log.warning("database connection lost during %s %s; retrying once",
                            request.method, request.path)
            _prepare_retry()

    def do_teardown_appcontext(self, *args, **kwargs) -> None:
        transactions.close()  # before Flask-SQLAlchemy's own remove(), which would raise
        super().do_teardown_appcontext(*args, **kwargs)


def _repeatable() -> bool:
    if request.method in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if not getattr(view, "idempotent_with_key", False):
        return False
    return bool((request.headers.get(KEY_HEADER) or "").strip()
                or (request.form.get(KEY_FIELD) or "").strip())


def _prepare_retry() -> None:
    """The second attempt starts as the first did: no user cached from the dead session, and
    uploaded files readable again from the start."""
    for name in list(g):
        g.pop(name, None)
    for _, storage in request.files.items(multi=True):
        storage.stream.seek(0)


def _unavailable() -> Response:
    """A 503 the phone and API clients retry after a moment; a page for the browser."""
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = http_errors.error_response(503, "database_unavailable",
                                              "database_unavailable")[0]
    else:
        response = make_response(render_template(
            "web/error.html", status=503, message=messages.render("database_unavailable")))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
