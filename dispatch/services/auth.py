"""Who is signing in: a username and password checked for the pages and the API, bearer tokens
for the API and session ids for the pages (signed with SECRET_KEY, carrying the user id and the
user's session generation, expiring), the user behind a session.

Revocation without a table of sessions: each user has a session generation, and every session
id and token carries the one it was issued in. Signing out, a new password and deactivation
bump it (models.User), so every cookie or token issued before is refused from then on."""

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.errors import problem
from ..extensions import db
from ..models import User
from .errors import BadInput, NotFound, Unauthorized

MIN_PASSWORD_LENGTH = 10


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


@cache
def _dummy_hash() -> str:
    """A hash made as real ones are, so that an unknown username costs one check too."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None. Always checks one password
    hash, so the time to answer does not tell whether the username exists or is active."""
    user = db.session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not matches or not user.active:
        return None
    return user


def _issue(user: User, salt: str) -> str:
    # the nonce makes two sign-ins within one second two different ids
    return _serializer(salt).dumps({"uid": user.id, "gen": user.session_generation,
                                    "n": secrets.token_urlsafe(8)})


def _holder(token: str, salt: str, max_age: int) -> User:
    """The active user a signed id names, while it is younger than max_age and of the user's
    current generation."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Unauthorized("token_expired") from exc
    except BadSignature as exc:
        raise Unauthorized("token_invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise Unauthorized("token_invalid")
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        raise Unauthorized("account_inactive")
    if data.get("gen") != user.session_generation:
        raise Unauthorized("token_revoked")
    return user


# --- sessions of the pages (Flask-Login keeps the id in the session and the remember cookie) ---

def session_id(user: User) -> str:
    """What the session cookie and the remember cookie carry: a new one at every sign-in, and
    it expires on the server after REMEMBER_COOKIE_DURATION whatever the browser keeps."""
    return _issue(user, "dispatch-session")


def active_user(sid: str) -> User | None:
    """The user a session or remember cookie names, while the id is valid, or None."""
    try:
        return _holder(sid, "dispatch-session",
                       int(current_app.config["REMEMBER_COOKIE_DURATION"]))
    except Unauthorized:
        return None


def end_sessions(user_id: int) -> None:
    """Sign the user out everywhere: every session, remember cookie and bearer token."""
    user = db.session.get(User, user_id)
    if user is not None:
        user.end_sessions()
        db.session.commit()


# --- what an administrator does to an account (`dispatch user ...`) ---

def _account(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("unknown_user", username=username)
    return user


def change_password(username: str, password: str) -> User:
    """A new password; every session and token of the old one ends with it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput("password_too_short", {"password": [
            problem("password_too_short", n=MIN_PASSWORD_LENGTH)]}, n=MIN_PASSWORD_LENGTH)
    user = _account(username)
    user.set_password(password)
    db.session.commit()
    return user


def deactivate(username: str) -> User:
    """The account can no longer sign in, and its sessions and tokens end at once."""
    user = _account(username)
    user.active = False
    db.session.commit()
    return user


def sign_out_everywhere(username: str) -> User:
    """A lost phone: every session, remember cookie and token of the account ends."""
    user = _account(username)
    end_sessions(user.id)
    return user


# --- bearer tokens of the API ---

def issue_token(username: str, password: str) -> str:
    user = authenticate(username, password)
    if user is None:
        raise Unauthorized("wrong_credentials")
    return _issue(user, "dispatch-api-token")


def user_for_token(token: str) -> User:
    return _holder(token, "dispatch-api-token", current_app.config["TOKEN_MAX_AGE"])
