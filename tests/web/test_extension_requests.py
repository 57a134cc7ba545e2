"""An extension is asked in the ticket's time-limit unit and both people see where it leads:
the handler's form previews the new deadline as the number changes, the dispatcher's approval
shows it before granting, and the API says which unit it counts (issue 11, point 4)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dispatch.extensions import db
from dispatch.models import Ticket, TicketEvent
from tests.conftest import PASSWORD
from tests.helpers import ApiDriver

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SH = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2026, 9, 24, 10, 0, tzinfo=SH)  # Mid-Autumn Friday, then National Day
LAMP = {"category": "0110", "description": "路灯不亮"}  # 2 working days


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def api(app):
    return ApiDriver(app, app.test_client())


@pytest.fixture
def thursday():
    with time_machine.travel(THURSDAY, tick=False):
        yield


def signed_in(app, username):
    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.data
    return client


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_handler_asks_in_working_days_and_the_dispatcher_sees_the_new_deadline(
        app, api, thursday):
    number = api.report(**LAMP).json["number"]
    # 2 working days from Thu 10:00: 6 h Thursday, Fri–Sun off (Mid-Autumn), 7 h Monday,
    # 1 h Tuesday → Tue 9-29 10:00
    assert api.ticket(number)["due_at"] == "2026-09-29T02:00:00+00:00"
    handler = signed_in(app, "handler.municipal")
    page = text(handler.get(f"/tickets/{number}").get_data(as_text=True))
    assert "延长时长（工作日）" in page and "按工作日计算" in page

    preview = handler.get(f"/tickets/{number}/extension-preview?amount=3")
    # +3 working days: Tue, Wed, then National Day 10-01..07, Thu 10-08 → Fri 10-09 10:00
    assert preview.json["text"] == "新截止时间：10月9日 10:00（延长 3 个工作日）"
    assert preview.json["unit"] == "working_days"
    refused = handler.get(f"/tickets/{number}/extension-preview?amount=1000")
    assert refused.status_code == 422 and "1 到 285" in refused.json["text"]

    version = api.ticket(number)["version"]
    r = handler.post(f"/tickets/{number}/act", data={
        "action": "request_extension", "version": version, "amount": "300", "reason": "等配件"})
    assert r.status_code == 422  # 300 working days: beyond the cap, said in working days
    assert "延长时长：请输入 1 到 285 之间的整数" in text(r.get_data(as_text=True))
    r = handler.post(f"/tickets/{number}/act", data={
        "action": "request_extension", "version": version, "amount": "3", "reason": "等灯杆配件"})
    assert r.status_code == 302
    with app.app_context():
        ticket = db.session.query(Ticket).filter_by(number=number).one()
        asked = db.session.query(TicketEvent).filter_by(
            ticket_id=ticket.id, action="request_extension").one()
        assert asked.data == {"amount": 3, "unit": "working_days", "hours": 21}
        assert ticket.pending_hours == 21  # the clock keeps working hours: 3 × 7

    dispatcher = signed_in(app, "dispatcher")
    page = text(dispatcher.get(f"/tickets/{number}").get_data(as_text=True))
    assert "申请延长 3 个工作日" in page
    assert "同意后，新截止时间：10月9日 10:00（延长 3 个工作日）" in page
    queue = text(dispatcher.get("/dispatch").get_data(as_text=True))
    assert "延长 3 个工作日" in queue

    api.act("dispatcher", number, "approve_extension")
    ticket = api.ticket(number)
    assert ticket["due_at"] == "2026-10-09T02:00:00+00:00"  # what both forms said
    assert ticket["events"][-1]["data"] == {"amount": 3, "unit": "working_days", "hours": 21}


def test_the_api_takes_the_amount_in_the_tickets_unit_and_refuses_another(api, thursday):
    number = api.report(**LAMP).json["number"]
    assert api.ticket(number)["time_limit"] == {"value": 2, "unit": "working_days"}
    r = api.act("handler.municipal", number, "request_extension", amount=48,
                unit="clock_hours", reason="等配件")
    assert r.status_code == 422 and r.json["code"] == "invalid_input"
    assert r.json["message"] == "该工单的延期按工作日申请。"
    assert r.json["error_codes"]["unit"] == [{"code": "extension_unit_is",
                                              "params": {"unit": "working_days"}}]
    r = api.act("handler.municipal", number, "request_extension", reason="等配件")
    assert r.status_code == 422 and r.json["error_codes"]["amount"][0]["code"] == "required"
    r = api.act("handler.municipal", number, "request_extension", amount=2,
                unit="working_days", reason="等配件")
    assert r.status_code == 200, r.json
    assert r.json["pending_hours"] == 14
