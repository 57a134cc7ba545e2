"""The Content-Security-Policy breaks no screen: with map tiles from a server of another origin
(MAP_TILE_URL), the phone form's and the dashboard's maps load their tiles, the ticket page
shows its photo, and the browser reports no violation (new_page fails the test on any)."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.browser.conftest import PHONE, login
from tests.helpers import ApiDriver, jpeg


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), "#dfe8d0").save(buf, "PNG")
    return buf.getvalue()


class TileHandler(BaseHTTPRequestHandler):
    tile = _png()

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.tile)))
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server(live_server):
    """A tile server on another port (another origin), set as MAP_TILE_URL for the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = live_server.app.config
    before = config["MAP_TILE_URL"]
    config["MAP_TILE_URL"] = f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    yield server
    config["MAP_TILE_URL"] = before
    server.shutdown()
    server.server_close()
    thread.join(5)


def tiles_loaded(page, map_selector: str) -> None:
    page.wait_for_function(
        """selector => [...document.querySelectorAll(selector + ' img.leaflet-tile')]
             .some(img => img.complete && img.naturalWidth > 0)""", arg=map_selector)


def test_maps_load_tiles_of_another_origin_and_photos_show(new_page, live_server, tile_server):
    api = ApiDriver(live_server.app, live_server.app.test_client())
    number = api.report(photos=[jpeg()]).json["number"]

    phone = new_page(PHONE)
    login(phone, "worker1")
    assert phone.url.endswith("/m/")
    tiles_loaded(phone, "#map")
    phone.goto(f"/tickets/{number}")
    photo = phone.locator("img[src*='/photos/']").first
    photo.wait_for()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0",
                            arg=photo.element_handle())

    desk = new_page()
    login(desk, "leader")
    desk.wait_for_selector("#dash-map[data-loaded]")
    assert desk.get_attribute("#dash-map", "data-loaded") == "40"
    tiles_loaded(desk, "#dash-map")
    swatch = desk.locator("#map-legend .swatch").nth(4)
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(166, 27, 18)"
