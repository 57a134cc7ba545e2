"""The JSON API under /api/v1 (flask-smorest; OpenAPI at /api/v1/openapi.json)."""


def register(api) -> None:
    """Register every API blueprint, each exempt from CSRF: the API authenticates with bearer
    tokens sent by the client, never with the session cookie a browser adds by itself. Only
    these blueprints are exempt, whatever else is registered before or after them."""
    from . import admin, auth, boards, incidents, kpi, notifications, reference, tickets

    csrf = api._app.extensions["csrf"]  # Flask-WTF's CSRFProtect, bound to this app
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (auth, reference, boards, incidents, tickets, notifications, kpi, admin):
        api.register_blueprint(csrf.exempt(module.blp), url_prefix="/api/v1")
