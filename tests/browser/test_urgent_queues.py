"""A handler between site visits reads the queue at a glance: most urgent first, each ticket's
deadline as a light and words ("超期 3 小时", "剩 1 小时 20 分"), and on a phone one card per
ticket instead of a table squeezed to one character a line. The dispatcher's queue likewise."""

from datetime import timedelta

import time_machine
from playwright.sync_api import expect

from dispatch import clock
from tests.browser.conftest import PHONE, assert_no_horizontal_overflow, login, screenshot
from tests.helpers import OUTSIDE, ApiDriver

DESKTOP = {"width": 1366, "height": 900}
COVER = {"category": "0103", "description": "雨水井盖破损，车辆经过有异响"}  # 2 clock hours
LAMP = {"category": "0110", "description": "路灯不亮，夜间行人看不清路面"}  # 2 working days
PLACES = [{"lat": 29.5768, "lng": 106.5262}, {"lat": 29.5760, "lng": 106.5300},
          {"lat": 29.5752, "lng": 106.5332}, {"lat": 29.5775, "lng": 106.5300},
          {"lat": 29.5764, "lng": 106.5280}]


def a_morning_of_work(live_server) -> dict:
    """Tickets filed over the last day (oldest first: a token is not used before it was
    issued), one parked, one asking for more time, one report nobody could route."""
    api = ApiDriver(live_server.app, live_server.app.test_client())
    now = clock.now()
    filed = {}
    for name, ago, n, what in (("parked", timedelta(hours=25), 1, LAMP),
                               ("lamp_old", timedelta(hours=24), 0, LAMP),
                               ("overdue", timedelta(hours=5), 2, COVER),
                               ("soon", timedelta(minutes=40), 4, COVER)):
        with time_machine.travel(now - ago, tick=False):
            filed[name] = api.report(location=PLACES[n], **what).json["number"]
    filed["lamp_new"] = api.report(location=PLACES[3], **LAMP).json["number"]
    filed["outside"] = api.report(location=OUTSIDE, description="网格外的井盖缺失").json["number"]
    api.act("handler.municipal", filed["parked"], "request_park", reason="产权不清")
    api.act("dispatcher", filed["parked"], "park", reason="同意")
    api.act("handler.municipal", filed["overdue"], "accept")
    api.act("handler.municipal", filed["overdue"], "request_extension", hours=2,
            reason="需定制井盖")
    return filed


def test_the_console_and_dispatch_queue_read_at_a_glance(new_page, live_server):
    t = a_morning_of_work(live_server)

    page = new_page(PHONE)
    login(page, "handler.municipal")
    rows = page.locator("table.tickets tbody tr")
    expect(rows.first).to_have_attribute("data-number", t["overdue"])  # urgency by default
    expect(rows.nth(1)).to_have_attribute("data-number", t["soon"])
    overdue = page.locator(f'tr[data-number="{t["overdue"]}"] .c-deadline')
    expect(overdue).to_contain_text("超期 3 小时")
    expect(overdue.locator(".cue")).to_have_text("!")  # a shape besides the red
    expect(page.locator(f'tr[data-number="{t["soon"]}"] .c-deadline')).to_contain_text(
        "剩 1 小时")
    expect(page.locator("table.tickets thead")).to_be_hidden()  # cards, not a table
    card = rows.first.bounding_box()
    assert card["width"] > 330, card  # a card across the phone, not a squeezed column
    number = page.locator(f'tr[data-number="{t["overdue"]}"] .c-number').bounding_box()
    assert number["height"] < 60, number  # the number on one line
    expect(rows.first.get_by_role("link", name="处理")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "console-urgency-phone")

    desk = new_page(DESKTOP)
    login(desk, "handler.municipal")
    expect(desk.locator("table.tickets thead")).to_be_visible()
    expect(desk.get_by_role("columnheader", name="时限")).to_be_visible()
    expect(desk.locator("table.tickets tbody tr").first).to_have_attribute(
        "data-number", t["overdue"])
    assert_no_horizontal_overflow(desk)
    screenshot(desk, "console-urgency-desktop")

    phone = new_page(PHONE)
    login(phone, "dispatcher")
    phone.goto("/dispatch")
    request = phone.locator(f'#requests tr[data-number="{t["overdue"]}"]')
    expect(request.locator(".c-deadline")).to_contain_text("超期 3 小时")
    expect(request.get_by_role("link", name="去审批")).to_be_visible()
    expect(phone.locator(f'#waiting tr[data-number="{t["outside"]}"]')).to_contain_text(
        "未开始计时")
    expect(phone.locator(f'#parked tr[data-number="{t["parked"]}"]')).to_contain_text("计时暂停")
    assert phone.locator("#waiting tbody tr").first.bounding_box()["width"] > 330
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "dispatch-urgency-phone")

    desk = new_page(DESKTOP)
    login(desk, "dispatcher")
    desk.goto("/dispatch")
    expect(desk.locator("#requests thead")).to_be_visible()
    assert_no_horizontal_overflow(desk)
    screenshot(desk, "dispatch-urgency-desktop")
