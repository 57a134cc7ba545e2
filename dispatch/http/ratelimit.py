"""Failed sign-ins are limited per username and per address (Flask-Limiter), on the sign-in page
and on the API's token endpoint alike (one count for both).

Each app gets its own Limiter: its storage is Redis when REDIS_URL is set (every web process
counts together), else memory; a test's app starts from zero. Only failed attempts (401) count,
so a busy office behind one address signing in all morning is not refused, while guessing is.
The limit is checked before the view runs, so a refused attempt never hashes a password: a
flood costs a Redis round trip per request, not a worker's 100 ms of scrypt. If the limit
storage is unreachable, never a 500: until it is back, this process counts every attempt per
address in memory (LOGIN_LIMIT_ADDRESS)."""

import hashlib

from flask import current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import error_response

# the views that check a password, and where their username is
LOGIN_VIEWS = {"web.login": "form", "auth.token": "json"}


def _failed(response) -> bool:
    return response.status_code == 401


def _username_key() -> str:
    """The username tried, hashed: a username of any length makes a short key."""
    if LOGIN_VIEWS.get(request.endpoint) == "json":
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    name = name.strip().casefold() if isinstance(name, str) else ""
    return hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]


def install(app) -> Limiter:
    """Limit the sign-in views of `app` (call after the blueprints are registered)."""
    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    config = app.config
    limiter = Limiter(
        get_remote_address,
        storage_uri=config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL")
        or "memory://",
        key_prefix=config["RATELIMIT_KEY_PREFIX"], strategy="moving-window",
        headers_enabled=True, swallow_errors=True, in_memory_fallback_enabled=True,
        in_memory_fallback=[config["LOGIN_LIMIT_ADDRESS"]])
    limiter.init_app(app)
    per_account = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], "login-account",
        key_func=_username_key, methods=["POST"], deduct_when=_failed)
    per_address = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], "login-address",
        key_func=get_remote_address, methods=["POST"], deduct_when=_failed)
    for endpoint in LOGIN_VIEWS.keys() & app.view_functions.keys():
        app.view_functions[endpoint] = per_address(per_account(app.view_functions[endpoint]))
    app.register_error_handler(RateLimitExceeded, refused)
    app.extensions["login_limiter"] = limiter
    return limiter


def refused(error: RateLimitExceeded):
    """429 with Retry-After (Flask-Limiter adds it): JSON for the API, the sign-in form again
    with a message for the pages."""
    if request.path.startswith("/api/"):
        return error_response(429, "too_many_attempts", "too_many_attempts")
    flash(_("Too many sign-in attempts; wait a few minutes and try again."), "error")
    return render_template("web/login.html",
                           username=request.form.get("username", "").strip()), 429
