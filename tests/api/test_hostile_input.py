"""Input as an attacker or a broken client sends it gets a coded 4xx, never a 500, on SQLite and
on PostgreSQL alike (issue 10, points 1, 7 and 13):

- text no database can store (NUL and the other C0 controls, lone surrogates) in any field,
  key, query argument, path segment, file name or data header, signed in or not;
- numbers past what a column holds (pages, ids, versions), a nameless multipart part, JSON
  nested 100,000 deep;
- odd inputs that used to be quietly accepted: a version of 1.5, a latitude in full-width
  digits, photos under a field the API does not read, an Idempotency-Key reused for another
  report (and a replay that says it is one).
"""

import io
import json
import uuid

import pytest

from dispatch.models import Ticket
from tests.conftest import PASSWORD
from tests.helpers import COVER_MISSING, IN_GRID, jpeg

NUL, ESC, SURROGATE = "\x00", "\x1b", "\ud800"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def codes(r, field: str) -> list[str]:
    return [p["code"] for p in r.json["error_codes"][field]]


def sign_in(client, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.data


# --- 1. text no database can store ------------------------------------------------------------

@pytest.mark.parametrize("username", [f"worker1{NUL}", f"work{ESC}er1", f"a{SURROGATE}"])
def test_signing_in_for_a_token_with_control_characters_is_refused(client, username):
    body = json.dumps({"username": username, "password": "x"})  # "\\ud800" escaped as JSON does
    r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.json["code"] == "invalid_input"
    assert codes(r, "username") == [
        "invalid_unicode" if SURROGATE in username else "control_characters"]
    assert "控制字符" in r.json["errors"]["username"][0] or SURROGATE in username


def test_a_json_key_with_a_nul_is_refused(client):
    r = client.post("/api/v1/auth/token",
                    json={"username": "worker1", "password": "x", f"x{NUL}": 1})
    assert r.status_code == 422 and codes(r, "x\ufffd") == ["control_characters"]


def test_signing_in_on_the_page_with_a_nul_is_refused(client):
    r = client.post("/login", data={"username": f"worker1{NUL}", "password": PASSWORD})
    assert r.status_code == 422
    assert "控制字符" in r.get_data(as_text=True)


@pytest.mark.parametrize("field, value", [
    ("description", f"井盖{NUL}缺失"), ("category", f"01{NUL}02"), ("lat", f"29.5{NUL}"),
    ("description", f"井盖{ESC}[31m缺失"), ("description", "\x7f"),
])
def test_a_report_with_a_control_character_is_refused(api, field, value):
    r = api.report(**{field: value} if field != "lat" else {
        "location": {"lat": value, "lng": IN_GRID["lng"]}})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert codes(r, field) == ["control_characters"]
    assert api.count(Ticket) == 0


def test_tabs_and_line_breaks_are_text(api):
    description = "井盖缺失\r\n第二行\t有制表符"
    r = api.report(description=description)
    assert r.status_code == 201, r.json
    assert r.json["description"] == description


def test_a_photo_file_name_with_a_nul_is_refused(api):
    r = api.client.post("/api/v1/incidents", content_type="multipart/form-data",
                        headers=api.headers("worker1"), data={
                            "category": "0102", "description": COVER_MISSING, **IN_GRID,
                            "photos": [(io.BytesIO(jpeg()), f"a{NUL}.jpg")]})
    assert r.status_code == 422 and codes(r, "photos") == ["control_characters"]


@pytest.mark.parametrize("path", [
    "/api/v1/tickets?reporter=worker1%00", "/api/v1/tickets?grid=%1b",
    "/api/v1/kpi?from=2026-01-01&to=2026-02-01&scope=board:x%00",
    "/api/v1/kpi/departments?from=2026-01-01&to=2026-02-01&board=%00",
])
def test_query_arguments_with_a_nul_are_refused(api, path):
    r = api.get("admin", path)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.json["message"] and "control_characters" in str(r.json["error_codes"])


@pytest.mark.parametrize("path", ["/api/v1/tickets/2026-%00001",
                                  "/api/v1/boards/livelihood%00/summary"])
def test_a_path_segment_with_a_nul_names_nothing(api, path):
    r = api.get("admin", path)
    assert (r.status_code, r.json["code"]) == (404, "not_found"), r.get_data(as_text=True)


def test_an_action_note_with_a_nul_is_refused(api):
    number = api.report().json["number"]
    r = api.act("handler.municipal", number, "accept", note=f"收到{NUL}")
    assert r.status_code == 422 and codes(r, "note") == ["control_characters"]
    assert api.ticket(number)["state"] == "dispatched"


def test_a_control_character_in_the_idempotency_key_is_refused(api):
    r = api.report(key=f"key{ESC}1")
    assert r.status_code == 422 and codes(r, "Idempotency-Key") == ["control_characters"]


def test_pages_refuse_a_nul_in_a_path_or_query(client):
    sign_in(client, "handler.municipal")
    assert client.get("/tickets/2026-%00001").status_code == 404
    assert client.get("/dashboard/livelihood%00").status_code == 404
    assert client.get("/console?grid=%00").status_code == 422


def test_the_phone_form_gets_its_refusal_as_json(client):
    """The outbox on the phone reads the message to show the worker (report.js)."""
    sign_in(client, "worker1")
    r = client.post("/m/report", headers={"Accept": "application/json"}, data={
        "category": "0102", "description": f"井盖{NUL}", **IN_GRID,
        "idempotency_key": str(uuid.uuid4())})
    assert r.status_code == 422 and r.is_json
    assert r.json["message"] and r.json["errors"]["description"]


# --- 7. numbers past a column, nameless parts, deep JSON ------------------------------------

@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "１", str(2**31), str(2**63),
                                  "99999999999999999999", "10001"])
def test_a_ticket_page_beyond_reason_is_refused(api, page):
    r = api.get("admin", f"/api/v1/tickets?page={page}")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "page" in r.json["errors"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", str(2**31), str(2**63), "9" * 30])
def test_the_console_clamps_its_page(client, page):
    sign_in(client, "handler.municipal")
    assert client.get(f"/console?page={page}").status_code == 200


@pytest.mark.parametrize("photo_id", [2**31, 2**63, 10**30])
def test_photo_ids_beyond_any_row_are_not_found(api, client, photo_id):
    r = api.get("admin", f"/api/v1/photos/{photo_id}/thumb")
    assert (r.status_code, r.json["code"]) == (404, "not_found")
    sign_in(client, "admin")
    assert client.get(f"/photos/{photo_id}/thumb").status_code == 404


NAMELESS = (b"--x\r\nContent-Disposition: form-data\r\n\r\nhello\r\n"
            b"--x\r\nContent-Disposition: form-data; filename=\"a.jpg\"\r\n\r\nhello\r\n--x--\r\n")


def test_a_multipart_part_without_a_name_is_refused(api):
    r = api.client.post("/api/v1/incidents", data=NAMELESS,
                        content_type="multipart/form-data; boundary=x")
    assert r.status_code == 401  # no token: nothing of the body is read
    r = api.client.post("/api/v1/incidents", data=NAMELESS, headers=api.headers("worker1"),
                        content_type="multipart/form-data; boundary=x")
    assert (r.status_code, r.json["message"]) == (422, "multipart 表单中有一部分没有名称。")
    r = api.client.post("/api/v1/auth/token", data=NAMELESS,
                        content_type="multipart/form-data; boundary=x")
    assert r.status_code == 422 and codes(r, "_") == ["nameless_part"]


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 100_000 + "1" + "}" * 100_000,
                                  '{"action": "accept", "version": 1, "data": '
                                  + "[" * 40 + "]" * 40 + "}"])
def test_json_nested_too_deep_is_refused(api, body):
    number = api.report().json["number"]
    for path, headers in ((f"/api/v1/tickets/{number}/actions", api.headers("handler.municipal")),
                          ("/api/v1/auth/token", {})):
        r = api.client.post(path, data=body, content_type="application/json", headers=headers)
        assert r.status_code == 422, r.get_data(as_text=True)[:200]
        assert codes(r, "_") == ["json_too_deep"]


def test_a_version_beyond_a_database_integer_is_refused(api):
    number = api.report().json["number"]
    r = api.act("handler.municipal", number, "accept", version=2**63)
    assert r.status_code == 422 and codes(r, "version") == ["number_too_large"]


# --- 13. odd inputs are refused, not guessed at -----------------------------------------------

@pytest.mark.parametrize("version", [0.5, "0.5", True, "１"])
def test_a_version_that_is_not_a_whole_number_is_refused(api, version):
    number = api.report().json["number"]
    current = api.ticket(number)["version"]
    odd = current + version if isinstance(version, float) else version
    r = api.act("handler.municipal", number, "accept", version=odd)
    assert r.status_code == 422, r.json
    assert codes(r, "version") == ["not_an_integer"]
    assert api.ticket(number)["state"] == "dispatched"


@pytest.mark.parametrize("lat", ["２９.５７６８", "29_5768", "29.5768\u0663", "0x1d"])
def test_a_latitude_not_in_ascii_digits_is_refused(api, lat):
    r = api.report(location={"lat": lat, "lng": IN_GRID["lng"]})
    assert r.status_code == 422, r.json
    assert codes(r, "lat") == ["not_a_number"]
    assert api.count(Ticket) == 0


def test_a_point_lookup_in_full_width_digits_is_refused(api):
    r = api.get("worker1", "/api/v1/grids?lat=２９.５７６８&lng=106.5262")
    assert r.status_code == 422 and codes(r, "lat") == ["not_a_number"]


def test_photos_under_a_field_the_api_does_not_read_are_refused(api):
    r = api.client.post("/api/v1/incidents", content_type="multipart/form-data",
                        headers=api.headers("worker1"), data={
                            "category": "0102", "description": COVER_MISSING, **IN_GRID,
                            "photo": [(io.BytesIO(jpeg()), "a.jpg")]})
    assert r.status_code == 422, r.json
    assert r.json["error_codes"]["photo"] == [
        {"code": "send_files_as", "params": {"field": "photos"}}]
    assert "“photos”" in r.json["message"]
    assert api.count(Ticket) == 0


def test_the_same_key_replays_the_same_report_and_refuses_another(api):
    key = str(uuid.uuid4())
    first = api.report(key=key, photos=[jpeg()])
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = api.report(key=key, photos=[jpeg()])
    assert again.status_code == 200 and again.json["number"] == first.json["number"]
    assert again.headers["Idempotent-Replayed"] == "true"

    for changed in ({"description": "另一件事"}, {"category": "0110"},
                    {"location": {"lat": 29.5769, "lng": IN_GRID["lng"]}},
                    {"photos": [jpeg(64, 64)]}):
        r = api.report(key=key, **{"photos": [jpeg()], **changed})
        assert r.status_code == 422, (changed, r.json)
        assert r.json["code"] == "idempotency_key_reused"
        assert first.json["number"] in r.json["message"]
    assert api.count(Ticket) == 1


def test_the_phone_form_is_told_a_replay_and_a_reused_key(client):
    sign_in(client, "worker1")
    key = str(uuid.uuid4())
    data = {"category": "0102", "description": COVER_MISSING, **IN_GRID, "idempotency_key": key}
    headers = {"Accept": "application/json"}
    first = client.post("/m/report", data=data, headers=headers)
    assert first.status_code == 201
    again = client.post("/m/report", data=data, headers=headers)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/m/report", data={**data, "description": "另一件事"}, headers=headers)
    assert other.status_code == 422
    assert other.json["errors"]["idempotency_key"] == [
        "此表单已用不同内容提交过，请核对上报内容后重新提交。"]


def test_the_phone_form_refuses_a_pin_in_full_width_digits(client):
    sign_in(client, "worker1")
    r = client.post("/m/report", headers={"Accept": "application/json"}, data={
        "category": "0102", "description": COVER_MISSING, "lat": "２９.５７６８",
        "lng": str(IN_GRID["lng"]), "idempotency_key": str(uuid.uuid4())})
    assert r.status_code == 422 and r.json["errors"]["location"]
