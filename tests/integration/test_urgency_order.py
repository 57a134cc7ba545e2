"""Queues put the most urgent work first: overdue tickets, then the least time left before the
deadline, then tickets whose clock does not run (parked: stopped), oldest first; and every list
says the time left in words beside the light ("剩 1 小时 20 分", "超期 3 小时")."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dispatch.extensions import db
from dispatch.models import User
from dispatch.services import queues
from tests.conftest import PASSWORD

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)  # a Wednesday morning
COVER = {"category": "0103", "description": "雨水井盖破损"}  # 2 clock hours
LAMP = {"category": "0110", "description": "路灯不亮"}  # 2 working days
PLACES = [{"lat": 29.5768, "lng": 106.5262}, {"lat": 29.5760, "lng": 106.5300},
          {"lat": 29.5752, "lng": 106.5332}, {"lat": 29.5775, "lng": 106.5300},
          {"lat": 29.5764, "lng": 106.5280}]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def filed(api, when: datetime, n: int, what: dict) -> str:
    with time_machine.travel(when, tick=False):
        return api.report(location=PLACES[n], **what).json["number"]


@pytest.fixture
def street(api):
    """Five of municipal's tickets, filed so that the newest is not the most urgent."""
    t = {  # in the order they were filed (a token is not used before it was issued)
        "parked": filed(api, NOW - timedelta(days=1, hours=1), 1, LAMP),
        "lamp_old": filed(api, NOW - timedelta(days=1), 0, LAMP),  # due Thu 10:00
        "overdue": filed(api, NOW - timedelta(hours=5), 2, COVER),  # due 07:00: 3 h late
        "soon": filed(api, NOW - timedelta(minutes=40), 4, COVER),  # due 11:20
        "lamp_new": filed(api, NOW, 3, LAMP),  # due Fri 10:00: 2 working days
    }
    with time_machine.travel(NOW, tick=False):
        api.act("handler.municipal", t["parked"], "request_park", reason="产权不清")
        api.act("dispatcher", t["parked"], "park", reason="同意")
    return t


URGENT_FIRST = ["overdue", "soon", "lamp_old", "lamp_new", "parked"]


def test_queues_put_overdue_first_then_least_time_left(app, api, street):
    with time_machine.travel(NOW, tick=False), app.app_context():
        handler = db.session.query(User).filter_by(username="handler.municipal").one()
        stmt, _ = queues.console_query(handler, queues.ConsoleFilters(state="all"))
        rows, total = queues.page_of(stmt, 1, 50)
        assert [t.number for t in rows] == [street[k] for k in URGENT_FIRST]
        stmt, _ = queues.console_query(handler, queues.ConsoleFilters(state="all",
                                                                      sort="newest"))
        assert queues.page_of(stmt, 1, 50)[0][0].number == street["lamp_new"]

    with time_machine.travel(NOW, tick=False):
        listed = api.get("handler.municipal", "/api/v1/tickets?sort=urgency").json["items"]
        assert [t["number"] for t in listed] == [street[k] for k in URGENT_FIRST]
        newest = api.get("handler.municipal", "/api/v1/tickets").json["items"]
        assert newest[0]["number"] == street["lamp_new"]  # the API's default stays newest
        assert api.get("handler.municipal", "/api/v1/tickets?sort=bogus").status_code == 422


def signed_in(app, username):
    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302
    return client


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', page)


def deadline_cell(page: str, number: str) -> str:
    row = page.split(f'<tr data-number="{number}"', 1)[1].split("</tr>", 1)[0]
    cell = re.search(r'class="c-deadline"[^>]*>(.*?)</td>', row, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()


def test_the_console_says_the_time_left_in_words(app, api, street):
    with time_machine.travel(NOW, tick=False):
        page = signed_in(app, "handler.municipal").get("/console?state=all").get_data(
            as_text=True)
    assert rows_of(page) == [street[k] for k in URGENT_FIRST]  # urgency is the default
    assert "<th scope=\"col\">时限</th>" in page
    assert deadline_cell(page, street["overdue"]) == "! 超期 3 小时"  # a shape, not colour only
    assert 'class="deadline deadline-red overdue"' in page
    assert deadline_cell(page, street["soon"]) == "剩 1 小时 20 分"
    assert deadline_cell(page, street["lamp_old"]) == "剩 1 个工作日"
    assert deadline_cell(page, street["lamp_new"]) == "剩 2 个工作日"
    assert deadline_cell(page, street["parked"]) == "计时暂停"
    assert page.count(">处理</a>") == 5  # each card's main action

    with time_machine.travel(NOW, tick=False):
        english = signed_in(app, "handler.municipal").get(
            "/console?state=all&lang=en").get_data(as_text=True)
    assert deadline_cell(english, street["overdue"]) == "! 3 h overdue"
    assert deadline_cell(english, street["soon"]) == "1 h 20 min left"


def test_the_dispatch_queue_says_the_time_left_of_requests(app, api, street):
    with time_machine.travel(NOW, tick=False):
        api.act("handler.municipal", street["overdue"], "accept")
        api.act("handler.municipal", street["overdue"], "request_extension", hours=2,
                reason="需定制井盖")
        api.act("handler.municipal", street["lamp_new"], "accept")
        api.act("handler.municipal", street["lamp_new"], "request_extension", hours=7,
                reason="等配件")
        page = signed_in(app, "dispatcher").get("/dispatch").get_data(as_text=True)
    requests = page.split('id="requests"', 1)[1].split('id="parked"', 1)[0]
    assert rows_of(requests) == [street["overdue"], street["lamp_new"]]  # overdue first
    assert deadline_cell(requests, street["overdue"]) == "! 超期 3 小时"
    assert deadline_cell(requests, street["lamp_new"]) == "剩 2 个工作日"
    parked = page.split('id="parked"', 1)[1]
    assert "计时暂停" in parked and ">去审批</a>" in requests
