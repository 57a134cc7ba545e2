"""Button labels follow each reader's language, however the server started: a fresh server
whose first ticket page is read in English still shows Chinese handlers 处置反馈 and 申请延期
(Jinja once folded the label of a literal action into the compiled template, in the language
of the first page served)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, LiveServer, login
from tests.conftest import _wipe, make_app
from tests.helpers import ApiDriver


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own: the session's server has long compiled its templates."""
    app = make_app(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path / "uploads", None,
                   TESTING=False)
    server = LiveServer(app)
    yield server
    server.stop()
    _wipe(app)


def buttons(page, action):
    return page.locator(f'form[data-action="{action}"] button[type="submit"]')


def test_english_first_does_not_make_the_buttons_english_for_chinese_readers(browser,
                                                                             fresh_server):
    api = ApiDriver(fresh_server.app, fresh_server.app.test_client())
    accepted = api.report().json["number"]
    assert api.act("handler.municipal", accepted, "accept").status_code == 200
    waiting = api.report(category="9999", description="不知道归谁管",
                         location={"lat": 29.5752, "lng": 106.5332}).json["number"]

    def context(locale):
        ctx = browser.new_context(viewport=DESKTOP, locale=locale, base_url=fresh_server.url)
        ctx.set_default_timeout(10_000)
        return ctx

    english, chinese, dispatcher = context("en-US"), context("zh-CN"), context("zh-CN")
    try:
        page = english.new_page()  # the very first ticket page this server renders
        login(page, "handler.municipal")
        page.goto(f"/tickets/{accepted}?lang=en")
        expect(buttons(page, "resolve")).to_have_text("Resolve")
        expect(buttons(page, "request_extension")).to_have_text("Request extension")

        page = chinese.new_page()
        login(page, "handler.municipal")
        page.goto(f"/tickets/{accepted}")
        expect(page.locator("#actions-title")).to_have_text("可办理操作")
        expect(buttons(page, "resolve")).to_have_text("处置反馈")
        expect(buttons(page, "request_extension")).to_have_text("申请延期")

        page = dispatcher.new_page()
        login(page, "dispatcher")
        page.goto(f"/tickets/{waiting}")
        expect(buttons(page, "dispatch")).to_have_text("派遣")
        expect(buttons(page, "merge")).to_have_text("合并为重复件")
    finally:
        for ctx in (english, chinese, dispatcher):
            ctx.close()
