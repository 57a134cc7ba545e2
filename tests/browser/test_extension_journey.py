"""An extension in the browser, in zh-CN on a desktop: the handler asks for 2 working days on a
street-lamp ticket (a working-days limit) and sees the new deadline as they type; the dispatcher
sees the same deadline on the approval before granting it, and the ticket then carries it."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.test_handler_journey import file_report

WIDE = {"width": 1366, "height": 900}
NEW_DEADLINE = re.compile(r"新截止时间：\d{1,2}月\d{1,2}日 \d\d:\d\d（延长 2 个工作日）")


def test_the_handler_asks_in_working_days_and_the_dispatcher_approves_the_shown_deadline(
        new_page, live_server):
    number = file_report(live_server, category="0110", description="路灯不亮，整段漆黑")
    handler = new_page(WIDE)
    login(handler, "handler.municipal")
    handler.goto(f"/tickets/{number}")
    handler.locator("#do-request_extension summary").click()
    form = handler.locator('form[data-action="request_extension"]')
    amount = form.get_by_label("延长时长（工作日）")
    preview = form.locator("[data-extension-preview]")
    expect(preview).to_have_text("按工作日计算；填写数量后显示新的截止时间。")
    amount.fill("2")
    expect(preview).to_have_text(NEW_DEADLINE)
    promised = preview.inner_text()
    form.get_by_label("延期理由").fill("需更换整段线缆，等材料到货")
    screenshot(handler, "extension-request-desktop")
    form.get_by_role("button", name="申请延期").click()
    expect(handler.locator("[data-pending=extension]")).to_contain_text("申请延长 2 个工作日")

    dispatcher = new_page(WIDE)
    login(dispatcher, "dispatcher")
    dispatcher.goto(f"/tickets/{number}")
    approve = dispatcher.locator('form[data-action="approve_extension"]')
    expect(approve).to_contain_text("同意后，" + promised)
    expect(dispatcher.locator("[data-new-deadline]")).to_have_text(promised)
    screenshot(dispatcher, "extension-approval-desktop")
    approve.get_by_role("button", name="同意延期").click()
    expect(dispatcher.locator("[data-time-limit]")).to_contain_text("已延长 14 个工作小时")
    due = re.search(r"(\d{1,2})月(\d{1,2})日 (\d\d:\d\d)", promised).groups()
    month, day, time = int(due[0]), int(due[1]), due[2]
    expect(dispatcher.locator("dl.facts").first).to_contain_text(f"-{month:02d}-{day:02d} {time}")
