"""Sign-in for API clients: a bearer token for a username and password."""

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from ..services import auth as auth_service
from ..services.errors import Unauthorized
from .schemas import MeSchema, TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, description="Sign in and who am I")
BEARER = [{"bearerAuth": []}]


def auth_required(view):
    """Resolve the bearer token to g.user before the view runs."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("bearer_required")
        g.user = auth_service.user_for_token(token.strip())
        return view(*args, **kwargs)
    return wrapper


@blp.post("/auth/token")
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
def token(body):
    """Exchange a username and password for a bearer token."""
    return {"token": auth_service.issue_token(body["username"], body["password"])}


@blp.get("/me")
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
@auth_required
def me():
    """The signed-in user: role and what the role is bound to."""
    user = g.user
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "department": user.department.code if user.department else None,
            "street": user.street.code if user.street else None,
            "board": user.board_code, "grid": user.grid.code if user.grid else None}
