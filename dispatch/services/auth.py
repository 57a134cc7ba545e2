"""Who is signing in: a username and password checked for the pages and the API, bearer tokens
for the API (signed with SECRET_KEY, carrying the user id, expiring), the user behind a session."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .errors import Unauthorized


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dispatch-api-token")


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def active_user(user_id: int) -> User | None:
    """The user a session cookie names, while the account is active."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def issue_token(username: str, password: str) -> str:
    user = authenticate(username, password)
    if user is None:
        raise Unauthorized("wrong_credentials")
    return _serializer().dumps({"uid": user.id})


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise Unauthorized("token_expired") from exc
    except BadSignature as exc:
        raise Unauthorized("token_invalid") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise Unauthorized("account_inactive")
    return user
