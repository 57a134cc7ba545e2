"""A department sends a report back; the dispatcher finds it in the queue with the reason and
routes it again: a board, a lead department (filtered to the board's) and a helping one."""

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, login, screenshot
from tests.helpers import ApiDriver

REASON = "属于绿化带内，应由绿化科处理"


def test_the_dispatcher_re_routes_a_ticket_a_department_sent_back(new_page, live_server):
    api = ApiDriver(live_server.app, live_server.app.test_client())
    number = api.report(category="5001", description="路边绿化带内有暴露垃圾").json["number"]

    handler = new_page(DESKTOP)
    login(handler, "handler.sanitation")
    handler.goto(f"/tickets/{number}")
    handler.locator("#do-send_back > summary").click()
    send_back = handler.locator('form[data-action="send_back"]')
    send_back.get_by_label("退回理由").fill(REASON)
    send_back.get_by_role("button", name="退回（非本单位职责）").click()
    # the ticket has left the section: back to the console, with the outcome said
    expect(handler.get_by_role("status")).to_contain_text("当前状态：待派遣")
    assert handler.url.endswith("/console")

    page = new_page(DESKTOP)
    login(page, "dispatcher")
    assert page.url.endswith("/dispatch")
    row = page.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("环卫科")
    expect(row).to_contain_text("退回 1 次")
    expect(page.locator('[data-count="waiting"]')).to_have_text("1")
    screenshot(page, "dispatch-queue-desktop")

    row.get_by_role("link", name=number).click()
    expect(page.locator(".t-title .badge")).to_have_text("待派遣")
    form = page.locator('form[data-action="dispatch"]')
    expect(form).to_be_visible()  # open by default while it waits for dispatch
    lead = form.get_by_label("牵头部门")
    greening = lead.locator('option[value="urban_mgmt.greening"]')
    form.get_by_label("板块").select_option("party")
    expect(greening).to_be_disabled()  # greening does not serve party building
    form.get_by_label("板块").select_option("livelihood")
    expect(greening).to_be_enabled()
    lead.select_option("urban_mgmt.greening")
    helpers = form.get_by_label("协办部门")
    expect(helpers.locator('option[value="urban_mgmt.greening"]')).to_be_disabled()
    helpers.select_option(["urban_mgmt.sanitation"])
    form.get_by_label("派遣理由").fill("绿化带内垃圾，绿化科牵头，环卫科协助")
    screenshot(page, "ticket-dispatch-desktop")
    form.get_by_role("button", name="派遣").click()

    expect(page.locator(".t-title .badge")).to_have_text("已派遣")
    expect(page.locator("[data-lead]")).to_have_text("绿化科")
    expect(page.locator(".t-summary")).to_contain_text("环卫科")  # helping
    expect(page.locator(".timeline")).to_contain_text(REASON)
    expect(page.locator(".routing-steps")).to_contain_text("由派遣员人工派遣")
    page.goto("/dispatch")
    expect(page.locator(f'tr[data-number="{number}"]')).to_have_count(0)
