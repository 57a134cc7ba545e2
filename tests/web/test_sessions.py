"""Sessions can be ended: a copied session or remember cookie stops working once its owner signs
out or gets a new password, a remember cookie is new at each sign-in and expires on the server,
and the cookies carry the flags the configuration asks for. After signing in, only a path of
this site is followed."""

from datetime import timedelta

import pytest
import time_machine

from dispatch import clock
from dispatch.extensions import db
from dispatch.models import User
from tests.conftest import PASSWORD

NO_CSRF = {"WTF_CSRF_ENABLED": False}  # tests/web/test_csrf.py proves the tokens


@pytest.fixture
def app_config():
    return NO_CSRF


def sign_in(client, username="worker1", password=PASSWORD, next_=None):
    path = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(path, data={"username": username, "password": password})


def signed_in(client) -> bool:
    """Whether the client's cookies still open the home page (not the sign-in page)."""
    r = client.get("/")
    return r.status_code == 302 and "/login" not in r.location


def copy_cookies(app, source, *names):
    """A second browser holding copies of the named cookies (an attacker's, say)."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def change_password(app, username: str, password: str) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        user.set_password(password)
        db.session.commit()


@pytest.fixture
def restore_worker1(app):
    yield
    change_password(app, "worker1", PASSWORD)
    with app.app_context():
        db.session.query(User).filter_by(username="worker1").one().active = True
        db.session.commit()


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, client, cookie):
    assert sign_in(client).status_code == 302
    thief = copy_cookies(app, client, cookie)
    assert signed_in(thief)

    client.post("/logout")

    assert not signed_in(client)
    assert not signed_in(thief)


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_after_a_password_change(app, client, cookie,
                                                               restore_worker1):
    assert sign_in(client).status_code == 302
    thief = copy_cookies(app, client, cookie)
    assert signed_in(thief)

    change_password(app, "worker1", "a-new-password-2027")

    assert not signed_in(thief)
    assert not signed_in(client)
    assert sign_in(client, password="a-new-password-2027").status_code == 302
    assert signed_in(client)


def test_deactivation_ends_the_sessions(app, client, restore_worker1):
    assert sign_in(client).status_code == 302
    thief = copy_cookies(app, client, "remember_token")
    with app.app_context():
        db.session.query(User).filter_by(username="worker1").one().active = False
        db.session.commit()
        db.session.query(User).filter_by(username="worker1").one().active = True
        db.session.commit()  # active again: the old cookies stay dead
    assert not signed_in(thief)
    assert not signed_in(client)


def test_the_remember_cookie_is_new_at_each_sign_in(app):
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second)
    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value


def test_the_remember_cookie_expires_on_the_server(app, client):
    """A browser may keep the cookie past its expiry (or an attacker a copy of it): the server
    refuses it once REMEMBER_COOKIE_DURATION has passed since the sign-in."""
    assert sign_in(client).status_code == 302
    days = app.config["REMEMBER_COOKIE_DURATION"] // 86400
    with time_machine.travel(clock.now() + timedelta(days=days - 1)):
        assert signed_in(copy_cookies(app, client, "remember_token"))
    with time_machine.travel(clock.now() + timedelta(days=days + 1)):
        assert not signed_in(copy_cookies(app, client, "remember_token"))


def test_a_session_cookie_without_a_generation_is_refused(app, client):
    """A cookie of the kind issued before sessions could be ended (the user id alone) names
    nobody: everyone signs in once after the upgrade."""
    with app.test_request_context():
        from flask_login.utils import encode_cookie
        old = encode_cookie("1")
    client.set_cookie("remember_token", old)
    assert not signed_in(client)


def test_signing_out_ends_the_api_tokens_too(app, client, api):
    headers = api.headers("worker1")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    sign_in(client)
    client.post("/logout")
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json["message"]


def test_a_bearer_token_dies_with_a_password_change(app, client, api, restore_worker1):
    headers = api.headers("worker1")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    change_password(app, "worker1", "a-new-password-2027")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


class TestSecureCookies:
    @pytest.fixture
    def app_config(self, monkeypatch):
        monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
        return NO_CSRF

    def test_both_cookies_are_secure_httponly_and_same_site_lax(self, client):
        r = sign_in(client)
        cookies = {c.split("=", 1)[0]: c for c in r.headers.getlist("Set-Cookie")}
        assert set(cookies) >= {"session", "remember_token"}
        for name in ("session", "remember_token"):
            flags = {part.strip().lower() for part in cookies[name].split(";")[1:]}
            assert {"secure", "httponly", "samesite=lax"} <= flags, cookies[name]


# --- where the sign-in leads ------------------------------------------------------------------

OFF_SITE = ["/%09/evil.example", "//evil.example", "/\\evil.example", "/%5Cevil.example",
            "/%0a/evil.example", "/%0d%0aSet-Cookie:x=1", "https://evil.example/",
            "javascript:alert(1)", "http:/evil.example", "%2F%2Fevil.example",
            "/%E3%80%80/x", "evil.example", ""]


@pytest.mark.parametrize("target", OFF_SITE)
def test_after_sign_in_only_a_path_of_this_site_is_followed(client, target):
    r = sign_in(client, next_=target)
    assert r.status_code == 302
    location = r.location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "evil" not in location
    if target != "/%E3%80%80/x":  # a full-width space is just a character of a path
        assert location == "/m/"  # worker1's home page


def test_a_next_carrying_a_nul_is_refused_at_the_door_and_signs_no_one_in(client):
    """The input guard refuses a NUL anywhere in a request before the sign-in view runs."""
    r = sign_in(client, next_="/%00")
    assert r.status_code == 422
    assert not signed_in(client)


def test_a_path_of_this_site_is_followed(client):
    r = sign_in(client, next_="/m/reports%3Fstate%3Dresolved")
    assert r.location == "/m/reports?state=resolved"


# --- what an administrator does when a phone is lost or a person leaves -----------------------

def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=["user", *args])


def test_an_administrator_signs_a_lost_phone_out_everywhere(app, client):
    assert sign_in(client).status_code == 302
    result = run_cli(app, "sign-out-everywhere", "worker1")
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert sign_in(client).status_code == 302  # the password itself still works


def test_a_new_password_from_the_command_line_ends_the_old_sessions(app, client,
                                                                     restore_worker1):
    assert sign_in(client).status_code == 302
    result = run_cli(app, "set-password", "worker1", "--password", "a-new-password-2027")
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert sign_in(client, password="a-new-password-2027").status_code == 302


def test_a_deactivated_account_is_out_at_once(app, client, restore_worker1):
    assert sign_in(client).status_code == 302
    assert run_cli(app, "deactivate", "worker1").exit_code == 0
    assert not signed_in(client)
    assert sign_in(client).status_code != 302


def test_the_command_refuses_a_short_password_and_an_unknown_account_in_words(app):
    short = run_cli(app, "set-password", "worker1", "--password", "short")
    assert short.exit_code != 0 and "密码至少需要 10 个字符" in short.output
    unknown = run_cli(app, "sign-out-everywhere", "nobody", "--lang", "en")
    assert unknown.exit_code != 0 and "There is no account named nobody." in unknown.output
