"""A grid worker on a phone: finds the category by pinyin initials, is pinned by geolocation,
attaches photos (downsized in the browser), submits, then files a report with no signal that is
kept on the phone and sent once — exactly once — when the signal comes back."""

import io

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.models import Photo, Ticket
from dispatch.services import photo_store
from tests.browser.conftest import PHONE, assert_no_horizontal_overflow, login, screenshot
from tests.helpers import COVER_MISSING, IN_GRID, ApiDriver, jpeg

GEO = {"geolocation": {"latitude": IN_GRID["lat"], "longitude": IN_GRID["lng"]},
       "permissions": ["geolocation"]}
SEARCH = "搜索：名称、俗称、编码或拼音"
SMALL_PHONE = {"width": 360, "height": 740}

READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("dispatch-worker", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { window.__saved = all.result; open.result.close();
                            resolve(all.result.map(i => i.key)); };
  };
})"""
PUT_BACK = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("dispatch-worker", 1);
  open.onsuccess = () => {
    const t = open.result.transaction("outbox", "readwrite");
    window.__saved.forEach(item => t.objectStore("outbox").put(item));
    t.oncomplete = () => { open.result.close(); resolve(); };
    t.onerror = () => reject(t.error);
  };
})"""


def photo_file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def gps_jpeg(lat: float, lng: float) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (lat, 0.0, 0.0), 3: "E", 4: (lng, 0.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), "green").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def tickets(app) -> list[Ticket]:
    with app.app_context():
        rows = list(db.session.scalars(select(Ticket).order_by(Ticket.id)))
        db.session.expunge_all()
        return rows


def pick(page, initials: str, name: str) -> None:
    page.get_by_label(SEARCH).fill(initials)
    page.locator("#cat-list").get_by_role("button", name=name).click()
    expect(page.locator("#cat-chosen")).to_contain_text(name)


def test_a_worker_reports_online_then_offline(new_page, live_server):
    app = live_server.app
    page = new_page(PHONE, **GEO)
    login(page, "worker1")
    assert page.url.endswith("/m/")
    expect(page.locator("#loc-status")).to_contain_text("洋河路社区第1网格")

    pick(page, "wsjg", "污水井盖")
    page.get_by_label("问题描述").fill(COVER_MISSING)
    page.get_by_label("照片（最多 6 张）").set_input_files([
        photo_file("big.jpg", jpeg(3000, 2000, "gray")), photo_file("small.jpg", jpeg())])
    expect(page.locator("#thumbs img")).to_have_count(2)
    screenshot(page, "report-form-phone")
    assert_no_horizontal_overflow(page)
    page.set_viewport_size(SMALL_PHONE)
    assert_no_horizontal_overflow(page)
    page.set_viewport_size(PHONE)

    page.get_by_role("button", name="提交上报").click()
    result = page.locator("#result")
    expect(result).to_contain_text("民生服务")
    expect(result).to_contain_text("市政科")
    number = result.locator(".number").inner_text()
    assert result.get_by_role("link", name="查看工单").get_attribute("href") == f"/tickets/{number}"
    screenshot(page, "report-submitted-phone")
    assert_no_horizontal_overflow(page)

    [first] = tickets(app)
    assert first.number == number and first.location_source == "pin"
    assert abs(first.lat - IN_GRID["lat"]) < 1e-5 and abs(first.lon - IN_GRID["lng"]) < 1e-5
    with app.app_context():
        rows = db.session.scalars(select(Photo).where(Photo.ticket_id == first.id)
                                  .order_by(Photo.id))
        originals = [Image.open(io.BytesIO(photo_store.read(p.original_path))).size
                     for p in rows]
    assert originals == [(2048, 1365), (800, 600)]  # downsized in the browser before upload

    # no signal: the report stays on the phone
    page.get_by_role("button", name="继续上报").click()
    page.context.set_offline(True)
    pick(page, "ljx", "垃圾箱")
    page.get_by_label("问题描述").fill("垃圾箱破损，垃圾外溢")
    page.get_by_label("照片（最多 6 张）").set_input_files([photo_file("bin.jpg", jpeg())])
    expect(page.locator("#thumbs img")).to_have_count(1)
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#notice")).to_have_text("已保存，有信号时自动发送")
    expect(page.locator("#pending")).to_contain_text("本机待发送的上报：1 条")
    expect(page.locator("#thumbs img")).to_have_count(0)  # the form is ready for the next one
    screenshot(page, "report-offline-phone")
    assert_no_horizontal_overflow(page)
    [key] = page.evaluate(READ_OUTBOX)
    assert len(tickets(app)) == 1

    # signal again: sent by itself, with the key made when its form opened
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    expect(result).to_contain_text("本机保存的上报已发送")
    all_tickets = tickets(app)
    assert len(all_tickets) == 2
    second = all_tickets[1]
    assert second.idempotency_key == key and second.category_id != first.category_id
    expect(result.locator(".number")).to_have_text(second.number)
    assert page.evaluate(READ_OUTBOX) == []

    # the phone sends it again (say the answer was lost): still one ticket
    page.evaluate(PUT_BACK)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("""() => new Promise(resolve => {
        const open = indexedDB.open("dispatch-worker", 1);
        open.onsuccess = () => {
          const c = open.result.transaction("outbox").objectStore("outbox").count();
          c.onsuccess = () => { open.result.close(); resolve(c.result === 0); };
        };
    })""", timeout=15_000)
    assert len(tickets(app)) == 2

    # the department resolves the first one: it waits at the top for the worker to verify
    api = ApiDriver(app, app.test_client())
    assert api.act("handler.municipal", number, "accept").status_code == 200
    assert api.act("handler.municipal", number, "resolve", note="已补装井盖",
                   photos=[jpeg()]).status_code == 200
    page.goto("/m/reports")
    expect(page.get_by_role("link", name=second.number)).to_be_visible()
    expect(page.locator(".to-verify")).to_contain_text(number)
    items = page.locator("section:not(.to-verify) .report-item .number").all_inner_texts()
    assert items == [second.number, number]  # newest first
    screenshot(page, "my-reports-phone")
    assert_no_horizontal_overflow(page)
    page.set_viewport_size(SMALL_PHONE)
    assert_no_horizontal_overflow(page)


def test_a_lost_answer_is_resent_with_the_same_key(new_page, live_server):
    """The server files the report but the answer never reaches the phone."""
    page = new_page(PHONE, **GEO)
    login(page, "worker2")
    expect(page.locator("#loc-status")).to_contain_text("网格")
    pick(page, "0110", "路灯")
    page.get_by_label("问题描述").fill("路灯不亮")

    def lose_the_answer(route):
        route.fetch()  # reaches the server, which files it
        route.abort("connectionreset")

    page.route("**/m/report", lose_the_answer)
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#notice")).to_have_text("已保存，有信号时自动发送")
    assert len(tickets(live_server.app)) == 1
    page.unroute("**/m/report")
    page.get_by_role("button", name="立即发送").click()
    expect(page.locator("#pending")).to_be_hidden()
    [ticket] = tickets(live_server.app)
    expect(page.locator("#result .number")).to_have_text(ticket.number)


def test_without_a_pin_the_place_comes_from_the_photo_gps(new_page, live_server):
    page = new_page(PHONE)  # no geolocation permission
    login(page, "worker1")
    expect(page.locator("#loc-status")).to_contain_text("无法定位")
    pick(page, "wsjg", "污水井盖")
    page.get_by_label("问题描述").fill(COVER_MISSING)
    page.get_by_label("照片（最多 6 张）").set_input_files(
        [photo_file("gps.jpg", gps_jpeg(IN_GRID["lat"], IN_GRID["lng"]))])
    expect(page.locator("#loc-status")).to_contain_text("位置取自照片的 GPS")
    expect(page.locator("#loc-status")).to_contain_text("洋河路社区第1网格")
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#result")).to_contain_text("市政科")
    [ticket] = tickets(live_server.app)
    assert ticket.location_source == "exif"
    assert abs(ticket.lat - IN_GRID["lat"]) < 1e-5 and abs(ticket.lon - IN_GRID["lng"]) < 1e-5


def test_the_form_works_without_javascript(new_page, live_server):
    page = new_page(PHONE, java_script_enabled=False)
    login(page, "worker1")
    screenshot(page, "report-form-nojs-phone")
    assert_no_horizontal_overflow(page)
    page.get_by_label("发现了什么问题？").select_option("0102")
    page.get_by_label("问题描述").fill(COVER_MISSING)
    page.get_by_label("照片（最多 6 张）").set_input_files(
        [photo_file("gps.jpg", gps_jpeg(IN_GRID["lat"], IN_GRID["lng"]))])
    page.get_by_role("button", name="提交上报").click()
    expect(page.get_by_role("heading", name="上报成功")).to_be_visible()
    [ticket] = tickets(live_server.app)
    expect(page.locator(".number")).to_have_text(ticket.number)
    assert ticket.location_source == "exif"
    screenshot(page, "report-done-nojs-phone")
    assert_no_horizontal_overflow(page)


def test_the_english_form_fits_a_small_phone(new_page, live_server):
    page = new_page(SMALL_PHONE, **GEO)
    login(page, "worker3")
    page.goto("/m/?lang=en")
    expect(page.locator("#loc-status")).to_contain_text("Grid:")
    page.get_by_role("button", name="Livelihood services").click()
    expect(page.locator("#cat-list")).to_contain_text("Sewer manhole cover")
    screenshot(page, "report-form-en-360")
    assert_no_horizontal_overflow(page)


def outbox_count(page) -> int:
    return page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open("dispatch-worker", 1);
        open.onsuccess = () => {
          const c = open.result.transaction("outbox").objectStore("outbox").count();
          c.onsuccess = () => { open.result.close(); resolve(c.result); };
        };
    })""")


def test_a_refused_report_is_shown_and_holds_up_nothing(new_page, live_server):
    """Three reports wait on a phone without signal. When it comes back the server refuses the
    first (control characters pasted into its description), a proxy fails the second once
    (502) and the third still goes through: the refused one is shown with the server's words
    and waits for the worker, the failed one is sent again later by itself, the worker fixes
    the refused one and sends it."""
    app = live_server.app
    page = new_page(PHONE, **GEO)
    page.clock.install()
    login(page, "worker1")
    expect(page.locator("#loc-status")).to_contain_text("洋河路社区第1网格")

    page.context.set_offline(True)
    pasted = "井盖缺失\x00\x1b，有行人踩空风险"
    for n, (initials, name, text) in enumerate(
            [("wsjg", "污水井盖", pasted), ("0110", "路灯", "路灯不亮"),
             ("ljx", "垃圾箱", "垃圾箱破损，垃圾外溢")], start=1):
        pick(page, initials, name)
        page.get_by_label("问题描述").fill(text)
        page.get_by_role("button", name="提交上报").click()
        expect(page.locator("#pending")).to_contain_text(f"本机待发送的上报：{n} 条")

    proxy_failures = []

    def fail_the_lamp_once(route):
        if "路灯不亮".encode() in (route.request.post_data_buffer or b"") and not proxy_failures:
            proxy_failures.append(route.request.url)
            route.fulfill(status=502, body="Bad Gateway", content_type="text/html")
        else:
            route.continue_()

    page.route("**/m/report", fail_the_lamp_once)
    page.context.set_offline(False)

    refused = page.locator("#refused")
    expect(refused).to_contain_text("未被受理的上报：1 条")
    expect(refused.locator(".refused-item")).to_have_count(1)
    expect(refused).to_contain_text("污水井盖")
    expect(refused.locator(".refused-why")).to_contain_text("控制字符")
    expect(refused.get_by_role("button", name="修改后重新提交")).to_be_visible()
    expect(refused.get_by_role("button", name="删除")).to_be_visible()
    expect(page.locator("#pending")).to_contain_text("本机待发送的上报：1 条")
    expect(page.locator("#pending")).to_contain_text("服务器暂时出错")
    assert [t.description for t in tickets(app)] == ["垃圾箱破损，垃圾外溢"]
    assert len(proxy_failures) == 1
    screenshot(page, "report-refused-phone")
    assert_no_horizontal_overflow(page)

    # later, by itself: the report the proxy failed is sent again (back-off, not at once)
    page.clock.run_for(60_000)
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    assert [t.description for t in tickets(app)] == ["垃圾箱破损，垃圾外溢", "路灯不亮"]
    expect(refused.locator(".refused-item")).to_have_count(1)  # the refused one is not resent

    # the worker fixes the refused report: back in the form, the invisible characters gone
    refused.get_by_role("button", name="修改后重新提交").click()
    expect(page.get_by_label("问题描述")).to_have_value("井盖缺失，有行人踩空风险")
    expect(page.locator("#cat-chosen")).to_contain_text("污水井盖")
    expect(page.locator("#notice")).to_have_text(
        "这条上报已放回表单，问题描述中看不见的特殊字符已删除。请核对后点“提交上报”。")
    expect(page.locator(".field-error")).to_have_count(0)
    expect(refused).to_be_hidden()  # the one being fixed is in the form, not in the list
    screenshot(page, "report-refused-fix-phone")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#result")).to_contain_text("上报成功")
    assert outbox_count(page) == 0
    assert [t.description for t in tickets(app)][-1] == "井盖缺失，有行人踩空风险"
    assert len(tickets(app)) == 3


def test_a_refused_report_can_be_deleted_from_my_reports(new_page, live_server):
    page = new_page(PHONE, **GEO)
    login(page, "worker1")
    expect(page.locator("#loc-status")).to_contain_text("网格")
    page.context.set_offline(True)
    pick(page, "wsjg", "污水井盖")
    page.get_by_label("问题描述").fill("井盖\x00缺失")
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#pending")).to_contain_text("本机待发送的上报：1 条")
    page.context.set_offline(False)
    page.goto("/m/reports")
    refused = page.locator("#refused")
    expect(refused).to_contain_text("未被受理的上报：1 条")
    screenshot(page, "my-reports-refused-phone")
    assert_no_horizontal_overflow(page)
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="删除").click()
    expect(refused).to_be_hidden()
    assert outbox_count(page) == 0
    assert tickets(live_server.app) == []
