"""Bearer tokens for the API: signed with SECRET_KEY, carrying the user id, expiring."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .errors import Unauthorized


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dispatch-api-token")


def issue_token(username: str, password: str) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        raise Unauthorized("Wrong username or password.")
    return _serializer().dumps({"uid": user.id})


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise Unauthorized("The token has expired; sign in again.") from exc
    except BadSignature as exc:
        raise Unauthorized("Invalid token.") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise Unauthorized("The account is not active.")
    return user
