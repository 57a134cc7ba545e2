"""Bad input gets a clear JSON 4xx and leaves nothing behind: no ticket, event, photo row,
outbox row or file."""

import io
import os

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from dispatch.models import OutboxJob, Photo, Ticket, TicketEvent
from tests.helpers import IN_GRID, jpeg

PHOTO_LIMIT = 300 * 1024


@pytest.fixture
def app_config():
    return {"MAX_PHOTO_BYTES": PHOTO_LIMIT, "MAX_CONTENT_LENGTH": 2 * 1024 * 1024}


def assert_nothing_written(api):
    for model in (Ticket, TicketEvent, Photo, OutboxJob):
        assert api.count(model) == 0, model.__name__
    uploads = api.app.config["UPLOAD_FOLDER"]
    assert [f for _, _, files in os.walk(uploads) for f in files] == []


def noise(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize("fields, field", [
    ({"category": None}, "category"),
    ({"description": None}, "description"),
    ({"description": ""}, "description"),
    ({"description": "长" * 2001}, "description"),
    ({"location": {"lat": 91, "lng": 106.5}}, "lat"),
    ({"location": {"lat": 29.5, "lng": -181}}, "lng"),
    ({"location": {"lat": "nan", "lng": 106.5}}, "lat"),
    ({"location": {"lat": 29.5, "lng": "inf"}}, "lng"),
    ({"location": {"lat": "二十九", "lng": 106.5}}, "lat"),
    ({"location": {"lat": 29.5, "lng": None}}, "lng"),
    ({"location": {"lat": None, "lng": None}}, "location"),
    ({"category": "0000"}, "category"),
])
def test_a_report_with_a_missing_or_bad_field_is_refused(api, fields, field):
    r = api.report(**fields)
    assert r.status_code == 422, r.json
    assert r.json["code"] == "invalid_input"
    assert field in r.json["errors"], r.json
    assert r.json["message"]
    assert_nothing_written(api)


@pytest.mark.parametrize("photo, message", [
    (b"this is a text file, not a photo", "not_an_image"),
    (b"", "empty"),
    (jpeg(1200, 900)[: len(jpeg(1200, 900)) // 2], "truncated"),
    (b"GIF89a" + bytes(64), "photo"),
])
def test_a_photo_that_is_not_a_whole_image_is_refused(api, photo, message):
    r = api.report(photos=[jpeg(), photo])
    assert r.status_code == 422, r.json
    assert "photos" in r.json["errors"]
    assert r.json["errors"]["photos"][0].startswith("第 2 张照片无法使用")
    refused = r.json["error_codes"]["photos"][0]
    assert refused["code"] == "photo_unusable" and refused["params"]["n"] == 2
    if message != "photo":
        assert refused["params"]["why"]["code"] == f"photo_{message}"
    assert_nothing_written(api)


def test_an_oversize_photo_is_refused(api):
    r = api.report(photos=[noise(PHOTO_LIMIT + 1)])
    assert r.status_code == 422
    assert r.json["error_codes"]["photos"][0]["code"] == "photo_too_large"
    assert_nothing_written(api)


def test_an_oversize_upload_is_refused_before_it_is_read(api):
    # encoded in memory: the test client would spool a large body to a temp file the app
    # (rightly) never reads
    boundary, body = encode_multipart({
        "category": "0102", "description": "x", "lat": "29.5", "lng": "106.5",
        "photos": [FileStorage(io.BytesIO(noise(PHOTO_LIMIT)), f"{i}.jpg") for i in range(8)]})
    r = api.client.post("/api/v1/incidents", data=body, headers=api.headers("worker1"),
                        content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413
    assert r.json["code"] == "request_entity_too_large"
    assert_nothing_written(api)


def test_more_than_six_photos_are_refused(api):
    r = api.report(photos=[jpeg(64, 64)] * 7)
    assert r.status_code == 422 and r.json["errors"]["photos"] == ["最多 6 张照片。"]
    assert r.json["error_codes"]["photos"] == [{"code": "too_many_photos", "params": {"n": 6}}]
    assert_nothing_written(api)


def test_a_report_without_a_pin_takes_its_place_from_the_photo_gps(api):
    from tests.unit.test_photos import make_image  # the photo tests' EXIF builder

    # 29°34'36.48" N, 106°31'34.32" E is IN_GRID
    photo = make_image((400, 300), gps=("N", (29, 34, 36.48), "E", (106, 31, 34.32)))
    r = api.report(location={"lat": None, "lng": None}, photos=[photo])
    assert r.status_code == 201, r.json
    assert r.json["location"]["source"] == "exif"
    assert abs(r.json["location"]["lat"] - IN_GRID["lat"]) < 1e-4
    assert api.ticket(r.json["number"])["grid"] == "500105001001001"


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "unauthorized"),
    ({"Authorization": "Bearer not-a-token"}, 401, "unauthorized"),
    ({"Authorization": "Basic abc"}, 401, "unauthorized"),
])
def test_requests_without_a_valid_token_are_refused(client, headers, status, code):
    r = client.get("/api/v1/me", headers=headers)
    assert (r.status_code, r.json["code"]) == (status, code)


def test_a_wrong_password_gets_no_token(client):
    r = client.post("/api/v1/auth/token", json={"username": "worker1", "password": "nope"})
    assert (r.status_code, r.json["code"]) == (401, "unauthorized")
    r = client.post("/api/v1/auth/token", json={"username": "worker1"})
    assert r.status_code == 422 and "password" in r.json["errors"]


def test_leaders_and_handlers_do_not_file_reports(api):
    assert api.report(username="leader").status_code == 403
    assert api.report(username="handler.police").status_code == 403
    assert_nothing_written(api)


@pytest.mark.parametrize("body, field", [
    ({"action": "fly", "version": 1}, "action"),
    ({"action": "accept"}, "version"),
    ({"action": "accept", "version": "one"}, "version"),
    ({"action": "request_extension", "version": 2, "hours": "many", "reason": "x"}, "hours"),
    ({"action": "accept", "version": 2, "colour": "red"}, "colour"),
])
def test_a_malformed_action_is_refused(api, body, field):
    number = api.report().json["number"]
    r = api.client.post(f"/api/v1/tickets/{number}/actions", json=body,
                        headers=api.headers("handler.municipal"))
    assert r.status_code == 422, r.json
    assert field in r.json["errors"]
    assert api.ticket(number)["state"] == "dispatched"


def test_an_action_body_that_is_not_json_is_refused(api):
    number = api.report().json["number"]
    r = api.client.post(f"/api/v1/tickets/{number}/actions", data="accept please",
                        content_type="text/plain", headers=api.headers("handler.municipal"))
    assert r.status_code == 422 and r.json["code"] == "invalid_input"


def test_unknown_tickets_departments_and_merge_targets_are_named(api):
    number = api.report().json["number"]
    r = api.act("dispatcher", "2026-999999", "void", version=1, reason="x")
    assert (r.status_code, r.json["code"]) == (404, "not_found")
    r = api.act("dispatcher", number, "dispatch", board="livelihood", department="nobody")
    assert r.status_code == 422 and "nobody" in r.json["errors"]["department"][0]
    assert r.json["error_codes"]["department"] == [
        {"code": "unknown_department", "params": {"code": "nobody"}}]
    r = api.act("dispatcher", number, "dispatch", board="livelihood", department="police")
    assert r.status_code == 422 and r.json["message"] == "观音桥派出所不服务“民生服务”板块。"
    assert r.json["error_codes"]["department"] == [
        {"code": "not_on_board", "params": {"board": "livelihood"}}]
    r = api.act("dispatcher", number, "merge", into="2026-424242")
    assert r.status_code == 422 and "into" in r.json["errors"]


def test_photos_only_come_with_a_resolution(api):
    number = api.report().json["number"]
    r = api.act("handler.municipal", number, "accept", photos=[jpeg()])
    assert r.status_code == 422 and "photos" in r.json["errors"]


def test_a_bad_photo_with_a_resolution_leaves_the_ticket_as_it_was(api):
    number = api.report().json["number"]
    api.act("handler.municipal", number, "accept")
    r = api.act("handler.municipal", number, "resolve", note="done", photos=[b"not an image"])
    assert r.status_code == 422
    assert api.ticket(number)["state"] == "accepted"
    assert api.count(Photo) == 0


def test_unknown_paths_and_methods_answer_in_json(client):
    r = client.get("/api/v1/nothing-here")
    assert (r.status_code, r.json["code"]) == (404, "not_found")
    r = client.delete("/api/v1/incidents")
    assert (r.status_code, r.json["code"]) == (405, "method_not_allowed")
