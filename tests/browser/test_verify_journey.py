"""The grid worker checks the work on site, on the phone: before and after photos side by side,
then pass (closed) or send back for rework with a note (in hand again)."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_no_horizontal_overflow, login, screenshot
from tests.helpers import ApiDriver, jpeg

EAST = {"lat": 29.5760, "lng": 106.5300}  # far enough from the first report not to be a duplicate


def resolved_report(api, **fields) -> str:
    number = api.report(photos=[jpeg(800, 600, "red")], **fields).json["number"]
    assert api.act("handler.municipal", number, "accept").status_code == 200
    r = api.act("handler.municipal", number, "resolve", note="已更换新井盖",
                photos=[jpeg(800, 600, "green")])
    assert r.status_code == 200, r.json
    return number


def test_the_worker_passes_one_and_sends_another_back_for_rework(new_page, live_server):
    api = ApiDriver(live_server.app, live_server.app.test_client())
    good = resolved_report(api)
    bad = resolved_report(api, location=EAST, description="雨水井盖破损")

    page = new_page(PHONE)
    login(page, "worker1")
    page.goto(f"/tickets/{good}")
    expect(page.locator(".t-title .badge")).to_have_text("已处置待核查")
    pair = page.locator(".before-after")
    expect(pair.locator("figure").first.locator("img")).to_have_count(1)
    expect(pair.locator("figure").last.locator("img")).to_have_count(1)
    boxes = [f.bounding_box() for f in pair.locator("figure").all()]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2  # side by side, even on a phone
    expect(page.locator(".resolution")).to_contain_text("已更换新井盖")
    assert_no_horizontal_overflow(page)
    screenshot(page, "ticket-verify-phone")

    after = pair.locator("figure").last.locator("a")
    href = after.get_attribute("href")
    assert href.endswith("/display")
    after.click()  # the display copy, in a viewer on the page
    viewer = page.locator("#photo-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("img")).to_have_attribute("src", live_server.url + href)
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    page.get_by_role("button", name="核查通过").click()
    expect(page.locator(".t-title .badge")).to_have_text("已结案")
    assert page.locator("form.action-form").count() == 0
    assert_no_horizontal_overflow(page)

    page.goto(f"/tickets/{bad}")
    page.locator("#do-rework > summary").click()
    rework = page.locator('form[data-action="rework"]')
    rework.get_by_label("仍存在的问题").fill("井盖仍然松动，踩上去有响声")
    rework.get_by_role("button", name="核查不通过，返工").click()
    expect(page.locator(".t-title .badge")).to_have_text("处置中")
    expect(page.locator(".timeline")).to_contain_text("井盖仍然松动")
    assert_no_horizontal_overflow(page)
