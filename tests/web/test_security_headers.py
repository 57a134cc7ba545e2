"""Every response carries the security headers: a Content-Security-Policy that allows no inline
script or style (and the map's tiles), no framing, no type sniffing, no page address sent to
other sites. A ticket's photos are kept by the browser that may see them, never by a shared
cache."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.helpers import jpeg

TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "MAP_TILE_URL": TILES}


def policy(response) -> dict[str, list[str]]:
    csp = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}


def assert_secured(response):
    response.close()  # a file's response (static, photos) holds the file open
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin",
                                                   "strict-origin-when-cross-origin")


def assert_no_inline(html: str, path: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
    assert not re.search(r"<[^>]+\sstyle\s*=", html), path
    assert "<style" not in html, path


PAGES = {"worker1": ["/m/", "/m/reports"], "handler.municipal": ["/console"],
         "dispatcher": ["/dispatch"], "leader": ["/dashboard", "/dashboard/livelihood"]}


def test_every_kind_of_response_carries_the_headers(app, client, api):
    assert_secured(client.get("/login"))
    assert_secured(client.get("/api/v1/openapi.json"))
    assert_secured(client.get("/api/v1/me"))  # a 401
    assert_secured(client.get("/no-such-page"))  # a 404
    assert_secured(client.get("/static/js/report.js"))
    assert "https://*.tile.example.org" in policy(client.get("/login"))["img-src"]


@pytest.mark.parametrize("username", list(PAGES))
def test_the_pages_run_no_inline_script_or_style(app, username):
    """What the policy would block: inline <script>, on* handlers, style attributes and
    <style> elements (a browser test watches the console as well)."""
    client = app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302
    for path in PAGES[username]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert_secured(r)
        assert_no_inline(r.get_data(as_text=True), path)


def test_ticket_photos_are_private_to_the_browser_and_vary_by_who_asks(app, client, api):
    ticket = api.report("worker1", photos=[jpeg()]).json
    photo = api.ticket(ticket["number"])["photos"][0]["id"]

    r = api.get("worker1", f"/api/v1/photos/{photo}/display")
    client.post("/login", data={"username": "worker1", "password": PASSWORD})
    page = client.get(f"/photos/{photo}/thumb")
    ticket_page = client.get(f"/tickets/{ticket['number']}")
    assert ticket_page.status_code == 200 and f"/photos/{photo}/" in ticket_page.text
    assert_no_inline(ticket_page.text, "the ticket page")

    for response in (r, page):
        assert response.status_code == 200
        assert_secured(response)
        cache = response.cache_control
        assert cache.private and not cache.public, response.headers["Cache-Control"]
        assert {"authorization", "cookie"} <= {v.strip().lower() for v in
                                               response.headers["Vary"].split(",")}
