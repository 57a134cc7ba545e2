"""A handler's day at the desk: the console shows the new report with its count, the handler
opens it, accepts and resolves it with an "after" photo; a second tab that is out of date gets
the current state instead of an error; the accept button works from the keyboard."""

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, login, screenshot
from tests.helpers import ApiDriver, jpeg


def file_report(live_server, **fields) -> str:
    api = ApiDriver(live_server.app, live_server.app.test_client())
    r = api.report(photos=[jpeg()], **fields)
    assert r.status_code == 201, r.json
    return r.json["number"]


def state_badge(page):
    return page.locator(".t-title .badge")


def test_handler_accepts_and_resolves_from_the_console(new_page, live_server, tmp_path):
    number = file_report(live_server)
    page = new_page(DESKTOP)
    login(page, "handler.municipal")
    assert page.url.endswith("/console")
    expect(page.locator('[data-state="dispatched"] .count')).to_have_text("1")
    row = page.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text("污水井盖缺失")
    expect(row).to_contain_text("紧急")
    screenshot(page, "console-desktop")

    row.get_by_role("link", name=number).click()
    expect(state_badge(page)).to_have_text("已派遣")
    expect(page.get_by_text("上报位置位于网格 洋河路社区第1网格")).to_be_visible()
    page.locator('form[data-action="accept"]').get_by_role("button", name="签收").click()
    expect(state_badge(page)).to_have_text("处置中")
    expect(page.get_by_role("status")).to_contain_text("“签收”已完成")

    resolve = page.locator('form[data-action="resolve"]')
    expect(resolve).to_be_visible()  # open by default once accepted
    resolve.get_by_label("处置情况").fill("已更换新井盖，周边已清理")
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg(1024, 768, "green"))
    resolve.get_by_label("处置后照片").set_input_files(str(after))
    screenshot(page, "ticket-handler-desktop")
    resolve.get_by_role("button", name="处置反馈").click()

    expect(state_badge(page)).to_have_text("已处置待核查")
    expect(page.locator(".timeline")).to_contain_text("已更换新井盖，周边已清理")
    expect(page.locator(".t-summary .photos img")).to_have_count(2)  # before and after
    assert page.locator('form[data-action="resolve"]').count() == 0


def test_a_second_out_of_date_tab_sees_the_current_state(new_page, live_server):
    number = file_report(live_server)
    first = new_page(DESKTOP)
    login(first, "handler.municipal")
    second = first.context.new_page()
    first.goto(f"/tickets/{number}")
    second.goto(f"/tickets/{number}")

    first.locator('form[data-action="accept"]').get_by_role("button").click()
    expect(state_badge(first)).to_have_text("处置中")

    second.locator('form[data-action="accept"]').get_by_role("button").click()
    expect(second.locator(".flash-warning")).to_have_text(
        "他人已更改此工单，以下为其当前状态。")
    expect(state_badge(second)).to_have_text("处置中")
    assert second.locator('form[data-action="accept"]').count() == 0
    expect(second.locator('form[data-action="resolve"]')).to_be_visible()


def test_the_accept_button_works_from_the_keyboard(new_page, live_server):
    number = file_report(live_server)
    page = new_page(DESKTOP)
    login(page, "handler.municipal")
    page.goto(f"/tickets/{number}")
    accept = page.locator('form[data-action="accept"] button')
    for _ in range(40):
        page.keyboard.press("Tab")
        if accept.evaluate("button => button === document.activeElement"):
            break
    else:
        raise AssertionError("the accept button cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(state_badge(page)).to_have_text("处置中")
