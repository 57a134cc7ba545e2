"""Signing in: Chinese by default, a clear message on a wrong password, English on request."""

from tests.browser.conftest import PHONE, assert_no_horizontal_overflow, login, screenshot


def test_a_worker_signs_in_on_a_phone_and_stays_signed_in(new_page):
    page = new_page(PHONE)
    page.goto("/login")
    screenshot(page, "login-phone")
    assert_no_horizontal_overflow(page)
    page.get_by_label("用户名").fill("worker1")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"

    login(page, "worker1")
    assert page.url.endswith("/m/")
    page.goto("/login?lang=en")
    assert page.get_by_role("link", name="中文").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "remember_token" in cookies  # stays signed in on the phone
