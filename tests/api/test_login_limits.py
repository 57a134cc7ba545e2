"""Guessing passwords is slowed down: failed sign-ins are counted per username and per address
over the sign-in page and the token endpoint together, and past the limit the answer is 429
with Retry-After before any password is checked. An unknown username costs the same password
check as a known one, so the answer does not tell whether the username exists."""

import pytest

from dispatch.services import auth as auth_service
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "LOGIN_LIMIT_ACCOUNT": "3 per minute",
            "LOGIN_LIMIT_ADDRESS": "5 per minute"}


@pytest.fixture
def password_checks(monkeypatch):
    """How many password hashes the sign-ins checked."""
    calls = []
    real = auth_service.check_password_hash

    def counting(hashed, password):
        calls.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(auth_service, "check_password_hash", counting)
    return calls


def token(client, username, password="wrong", address="10.0.0.1"):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def page(client, username, password="wrong", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_an_account_is_refused_after_three_failures_even_with_the_right_password(
        client, password_checks):
    for _ in range(3):
        assert token(client, "worker1").status_code == 401
    checked = len(password_checks)

    r = token(client, "worker1", PASSWORD)

    assert r.status_code == 429
    assert r.json["code"] == "too_many_attempts" and r.json["status"] == 429
    assert r.json["message"]
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert len(password_checks) == checked  # refused before any hashing
    # the limit is the account's: the same address may still sign in someone else
    assert token(client, "worker2", PASSWORD).status_code == 200


def test_the_page_and_the_api_count_together_and_the_page_says_why(client):
    assert page(client, "worker1").status_code == 401
    assert token(client, "worker1").status_code == 401
    assert page(client, "worker1", address="10.0.0.2").status_code == 401

    r = page(client, "worker1", PASSWORD, address="10.0.0.3")

    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    text = r.get_data(as_text=True)
    assert "登录尝试次数过多" in text and 'name="password"' in text  # the form, with why


def test_an_address_is_refused_after_five_failures_whatever_the_username(client):
    for name in ("worker1", "worker2", "worker3", "nobody", "handler.municipal"):
        assert token(client, name).status_code == 401
    assert token(client, "worker4", PASSWORD).status_code == 429
    assert page(client, "worker4", PASSWORD).status_code == 429
    # another address is not affected
    assert token(client, "worker4", PASSWORD, address="10.0.0.9").status_code == 200


def test_successful_sign_ins_are_not_counted(client):
    for _ in range(6):
        assert token(client, "worker1", PASSWORD).status_code == 200


def test_an_unknown_username_costs_one_password_check_like_a_known_one(client,
                                                                        password_checks):
    assert token(client, "worker1").status_code == 401
    assert token(client, "no-such-user").status_code == 401
    assert page(client, "no-such-user", address="10.0.0.2").status_code == 401
    assert len(password_checks) == 3
    assert password_checks[1] == password_checks[2]  # one dummy hash, made once


class TestWithTheLimitStorageDown:
    """Redis unreachable: sign-ins go on (no 500), limited per address in this process."""

    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",  # nothing listens there
                "LOGIN_LIMIT_ACCOUNT": "3 per minute", "LOGIN_LIMIT_ADDRESS": "3 per minute"}

    @pytest.mark.parametrize("backend", ["sqlite"])
    def test_sign_ins_go_on_limited_in_memory(self, client, caplog):
        assert token(client, "worker1", PASSWORD).status_code == 200
        assert token(client, "worker1").status_code == 401
        assert token(client, "worker2", PASSWORD).status_code == 200
        assert token(client, "worker3", PASSWORD).status_code == 429
        assert token(client, "worker3", PASSWORD, address="10.0.0.2").status_code == 200
        assert "falling back to in-memory storage" in caplog.text
