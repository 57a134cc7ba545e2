"""Photos cost what they declare, not what they weigh: a 600-byte JPEG can declare 36 million
pixels. A report's photos are priced from their headers before any is decoded, and each person
has an hourly budget of photos and megapixels (issue 10, point 6)."""

import pytest

from dispatch.models import Photo, Ticket
from tests.helpers import IN_GRID_2, jpeg
from tests.unit.test_photos import tiny_jpeg_declaring

BOMB = tiny_jpeg_declaring(6000, 6000)  # 36 megapixels in well under a kilobyte


@pytest.fixture
def app_config():
    return {"PHOTO_HOURLY_COUNT": 4, "PHOTO_HOURLY_MEGAPIXELS": 80}


def test_six_huge_photos_in_one_report_are_refused_before_decoding(api):
    r = api.report(photos=[BOMB] * 6, key="six-bombs")
    assert r.status_code == 422, r.json
    assert r.json["error_codes"]["photos"] == [
        {"code": "photos_too_many_pixels", "params": {"mp": 120}}]
    assert api.count(Ticket) == 0 and api.count(Photo) == 0


def test_a_huge_photo_is_rendered_at_display_size(api):
    r = api.report(photos=[BOMB], key="one-bomb")
    assert r.status_code == 201, r.json
    with api.app.app_context():
        photo = Photo.query.one()
        assert (photo.status, photo.width, photo.height) == ("ready", 2048, 2048)


def test_a_worker_who_spent_the_hours_photos_is_told_to_wait(api):
    assert api.report(photos=[jpeg(64, 64)] * 3, key="first").status_code == 201
    r = api.report(photos=[jpeg(64, 64)] * 2, key="second")
    assert r.status_code == 429, r.json
    assert r.json["code"] == "photo_budget_exceeded"
    assert 0 < int(r.headers["Retry-After"]) <= 3600 and r.json["retry_after"] > 0
    assert api.count(Ticket) == 1
    # what is left of the hour can still be used, and nobody else is held back
    assert api.report(photos=[jpeg(64, 64)], key="third").status_code == 201
    assert api.report("worker2", photos=[jpeg(64, 64)] * 4, location=IN_GRID_2,
                      key="theirs").status_code == 201
    assert api.report(key="no-photos").status_code == 201  # a report without photos is free


def test_megapixels_count_too_and_a_retry_of_a_filed_report_costs_nothing(api):
    first = api.report(photos=[BOMB, BOMB], key="two-bombs")  # 72 of the 80 megapixels
    assert first.status_code == 201, first.json
    assert api.report(photos=[BOMB, BOMB], key="two-bombs").status_code == 200  # the same one
    r = api.report(photos=[BOMB], key="one-more")
    assert r.status_code == 429 and r.json["code"] == "photo_budget_exceeded"
    assert api.report(photos=[jpeg(64, 64)], key="small").status_code == 201
