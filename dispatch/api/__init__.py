"""The JSON API under /api/v1 (flask-smorest; OpenAPI at /api/v1/openapi.json)."""


def register(api) -> None:
    from . import admin, auth, boards, incidents, kpi, notifications, reference, tickets

    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (auth, reference, boards, incidents, tickets, notifications, kpi, admin):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
