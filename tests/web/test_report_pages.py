"""The grid worker's report pages through the Flask test client: the form without JavaScript,
one ticket per idempotency key, bad input shown again with the worker's words, the JSON mode
the page's script uses, and who may open the form."""

import html
import io
import json
import uuid

import pytest
from PIL import Image

from dispatch.core.search import initials
from dispatch.extensions import db
from dispatch.models import Ticket
from tests.conftest import PASSWORD
from tests.helpers import COVER_MISSING, IN_GRID, jpeg

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def sign_in(client, username="worker1"):
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.data


def report(client, key=None, photos=(), json=False, **fields):
    data = {"category": "0102", "description": COVER_MISSING, "lat": str(IN_GRID["lat"]),
            "lng": str(IN_GRID["lng"]), "idempotency_key": key or str(uuid.uuid4()), **fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["photos"] = [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/m/report", data=data, content_type="multipart/form-data",
                       headers=headers)


def tickets(app) -> list[Ticket]:
    with app.app_context():
        return list(db.session.scalars(db.select(Ticket).order_by(Ticket.id)))


def gps_jpeg(lat: float, lng: float) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (lat, 0.0, 0.0), 3: "E", 4: (lng, 0.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_the_form_offers_every_category_by_board_with_a_fresh_key(client):
    sign_in(client)
    r = client.get("/m/")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    for board in ("党的建设", "经济发展", "民生服务", "平安法治", "其他事项"):
        assert f'<optgroup label="{board}">' in page
    assert 'value="0102"' in page and 'value="9999"' in page
    assert 'name="idempotency_key"' in page
    first = page.split('name="idempotency_key" id="f-key" value="')[1][:36]
    second = client.get("/m/").get_data(as_text=True)
    assert first not in second and str(uuid.UUID(first)) == first
    assert '"initials": "wsjg"' in page.replace("&#34;", '"')
    assert "/static/vendor/leaflet/leaflet.js" in page and "//unpkg" not in page


def test_the_form_sends_each_category_its_search_keys(client):
    """The picker's script finds 占道经营 by 摆摊 or `baitan` and 路灯 by `ludeng` from these."""
    sign_in(client)
    page = client.get("/m/").get_data(as_text=True)
    config = json.loads(html.unescape(page.split('data-config="')[1].split('"', 1)[0]))
    by_code = {c["code"]: c for c in config["categories"]}
    vending = by_code["5301"]
    assert {"摆摊", "baitan", "bt"} <= set(vending["words"])
    assert vending["pinyin"][0] == "zhandaojingying"
    assert by_code["0110"]["pinyin"] == ["ludeng", "deng"]
    assert "jinggai" in by_code["0102"]["pinyin"] and "jinggai" in by_code["0102"]["words"]


def test_pinyin_initials(backend):
    assert initials("污水井盖") == "wsjg"
    assert initials("其他事项") == "qtsx"


def test_a_form_without_javascript_files_a_ticket_and_shows_where_it_went(app, client):
    sign_in(client)
    r = report(client, photos=[jpeg()])
    assert r.status_code == 302
    [ticket] = tickets(app)
    assert r.headers["Location"].endswith(f"/m/done/{ticket.number}")
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ticket.number in done and "民生服务" in done and "市政科" in done
    assert f"/tickets/{ticket.number}" in done


def test_without_a_pin_the_first_photo_gps_gives_the_place(app, client):
    sign_in(client)
    r = report(client, lat="", lng="", photos=[gps_jpeg(IN_GRID["lat"], IN_GRID["lng"])])
    assert r.status_code == 302
    [ticket] = tickets(app)
    assert ticket.location_source == "exif"
    assert ticket.lat == pytest.approx(IN_GRID["lat"])
    assert ticket.lon == pytest.approx(IN_GRID["lng"])


def test_the_same_key_twice_makes_one_ticket(app, client):
    sign_in(client)
    key = str(uuid.uuid4())
    first = report(client, key=key)
    second = report(client, key=key)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(tickets(app)) == 1


@pytest.mark.parametrize("fields, field_text", [
    ({"category": ""}, "请选择事件类别"),
    ({"category": "7777"}, "未知的事件类别"),
    ({"description": "   "}, "请描述发现的问题"),
    ({"lat": "abc"}, "位置无效"),
    ({"lat": "nan", "lng": "inf"}, "位置无效"),
    ({"lat": "95", "lng": "106.5"}, "位置无效"),
    ({"lat": "", "lng": ""}, "请在地图上标注位置"),
    ({"lat": "29.5", "lng": ""}, "位置无效"),
    ({"idempotency_key": "x" * 101}, "表单已损坏"),
])
def test_bad_input_shows_the_form_again_with_the_message_and_writes_nothing(
        app, client, fields, field_text):
    sign_in(client)
    r = report(client, **{"description": "井盖没了，小心", **fields})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_text in page
    if "description" not in fields:
        assert "井盖没了，小心" in page  # the worker's words are kept
    assert 'role="alert"' in page
    assert tickets(app) == []


def test_a_bad_photo_is_refused_and_the_input_kept(app, client):
    sign_in(client)
    r = report(client, photos=[b"not a photo at all"], description="路灯不亮")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "照片未被接受" in page and "路灯不亮" in page and "请重新添加照片" in page
    assert 'value="0102" selected' in page
    assert tickets(app) == []


def test_too_many_photos_are_refused(app, client):
    sign_in(client)
    r = report(client, photos=[jpeg()] * 7, json=True)
    assert r.status_code == 422
    assert r.json["errors"]["photos"] == ["最多 6 张照片。"]
    assert tickets(app) == []


def test_json_mode_answers_the_ticket_and_201_then_200(app, client):
    sign_in(client)
    key = str(uuid.uuid4())
    r = report(client, key=key, json=True, photos=[jpeg(), jpeg(300, 200, "blue")])
    assert r.status_code == 201
    body = r.json
    assert body["state"] == "dispatched"
    assert body["board"] == "livelihood" and body["board_name"] == "民生服务"
    assert body["department"] == "urban_mgmt.municipal" and body["department_name"] == "市政科"
    assert body["url"] == f"/tickets/{body['number']}"
    # the phone resends the report it kept, photos and all (another report under the key: 422)
    again = report(client, key=key, json=True, photos=[jpeg(), jpeg(300, 200, "blue")])
    assert again.status_code == 200 and again.json["number"] == body["number"]
    assert len(tickets(app)) == 1
    bad = report(client, json=True, category="")
    assert bad.status_code == 422
    assert bad.json["message"] and bad.json["errors"]["category"] == ["请选择事件类别。"]


def test_category_9999_without_a_board_waits_for_the_dispatcher(app, client):
    sign_in(client)
    r = report(client, category="9999", json=True)
    assert r.status_code == 201
    assert r.json["board"] is None and r.json["state"] == "reported"


def test_english_on_request(client):
    sign_in(client)
    page = client.get("/m/?lang=en").get_data(as_text=True)
    assert "Submit report" in page and "Sewer manhole cover" in page


def test_my_reports_newest_first_with_to_verify_first(app, client, api):
    sign_in(client)
    older = api.report("worker1").json["number"]
    newer = api.report("worker1", category="0110", description="路灯不亮").json["number"]
    api.report("worker2")  # someone else's
    api.act("handler.municipal", older, "accept")
    api.act("handler.municipal", older, "resolve", note="已补装井盖", photos=[jpeg()])
    page = client.get("/m/reports").get_data(as_text=True)
    assert "待核查" in page
    verify, everything = page.split('id="all-title"')
    assert older in verify and newer not in verify
    assert everything.index(newer) < everything.index(older)
    assert "处置完毕" in page  # the to-verify hint
    assert f"/tickets/{older}" in page and "路灯" in page
    with app.app_context():
        assert db.session.query(Ticket).count() == 3
    assert "light-" not in page  # no deadline on any ticket yet: no traffic light


def test_times_are_shown_in_shanghai_time(app):
    from datetime import UTC, datetime

    from dispatch.web.report import local_time
    with app.app_context():
        assert local_time(datetime(2026, 1, 1, 16, 30, tzinfo=UTC)) == "2026-01-02 00:30"


def test_a_handler_may_not_open_the_form(client):
    sign_in(client, "handler.municipal")
    assert client.get("/m/").status_code == 403
    assert client.get("/m/reports").status_code == 403
    assert report(client).status_code == 403


def test_signed_out_goes_to_sign_in(client):
    r = client.get("/m/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_an_oversized_request_is_refused_with_413_not_500(app, client):
    sign_in(client)
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    r = report(client, photos=[jpeg(1600, 1200, "green") + b"\0" * 30_000], json=True)
    assert r.status_code == 413 and r.json["errors"]["photos"]
    r = report(client, photos=[jpeg(1600, 1200, "green") + b"\0" * 30_000])
    assert r.status_code == 413 and "上报内容过大" in r.get_data(as_text=True)
    assert tickets(app) == []
