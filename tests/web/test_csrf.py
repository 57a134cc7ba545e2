"""Which requests need a CSRF token is decided by what they are, not by the order blueprints are
registered in: every page form needs one, the bearer-token API never does."""

import importlib
import re

import pytest

from dispatch.extensions import api as smorest
from tests.conftest import PASSWORD, make_app

API, WEB = importlib.import_module("dispatch.api"), importlib.import_module("dispatch.web")
REAL_API, REAL_WEB = API.register, WEB.register


def pages_then_api(api):
    REAL_WEB(api._app)
    REAL_API(api)


ORDERS = {
    "as create_app does": {},
    # create_app's API step registers nothing; its pages step registers the pages, then the API
    "pages first, at the pages' step": {"api": lambda api: None,
                                        "web": lambda app: pages_then_api(smorest)},
    # both at the API step, the pages first
    "pages first, at the API's step": {"api": pages_then_api, "web": lambda app: None},
}


@pytest.mark.parametrize("order", list(ORDERS))
def test_pages_need_a_token_and_the_api_does_not_whatever_the_order(
        order, monkeypatch, sqlite_database, tmp_path):
    from dispatch.extensions import csrf

    # exemptions live on the process-wide extension: start this app from none
    monkeypatch.setattr(csrf, "_exempt_blueprints", set())
    monkeypatch.setattr(csrf, "_exempt_views", set())
    for name, module in (("api", API), ("web", WEB)):
        if name in ORDERS[order]:
            monkeypatch.setattr(module, "register", ORDERS[order][name])
    app = make_app(sqlite_database, tmp_path / "uploads", WTF_CSRF_ENABLED=True)
    assert {"web", "auth", "incidents", "tickets"} <= set(app.blueprints)
    client = app.test_client()
    credentials = {"username": "worker1", "password": PASSWORD}

    # the API: a bearer token, no CSRF token
    token = client.post("/api/v1/auth/token", json=credentials)
    assert token.status_code == 200, token.json
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    action = client.post("/api/v1/tickets/2026-999999/actions", headers=headers,
                         json={"action": "accept", "version": 1})
    assert action.status_code == 404, action.json

    # the pages: refused without the form's token, accepted with it
    assert client.post("/login", data=credentials).status_code == 400
    assert client.post("/logout").status_code == 400
    form = client.get("/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed_in = client.post("/login", data={**credentials, "csrf_token": csrf_token})
    assert signed_in.status_code == 302
    assert client.post("/m/report", data={"category": "0102"}).status_code == 400
