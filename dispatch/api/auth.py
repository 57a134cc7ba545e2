"""Sign-in for API clients: a bearer token for a username and password."""

from functools import wraps

from flask import current_app, g, request
from flask_smorest import Blueprint

from ..services import auth as auth_service
from ..services.errors import Unauthorized
from .docs import errors
from .schemas import MeSchema, TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, description="Sign in and who am I")
BEARER = [{"bearerAuth": []}]


def _bearer_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("bearer_required")
    return auth_service.user_for_token(token.strip())


def auth_required(view):
    """Resolve the bearer token to g.user before the view runs (and, through
    `authenticate_first`, before its arguments are parsed)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.user = _bearer_user()
        return view(*args, **kwargs)
    wrapper.needs_bearer = True  # copied onto the decorators above it by functools.wraps
    return wrapper


@blp.before_app_request
def authenticate_first():
    """A view marked by `auth_required` checks the token before flask-smorest parses its
    query, form or files: an anonymous client gets 401, and nothing it sent is read or
    validated (no 422 with field errors, no multipart upload spooled to disk)."""
    if request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "needs_bearer", False):
        g.user = _bearer_user()


@blp.post("/auth/token")
@errors(blp, 401, 422, 429)
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(429, description="Too many failed sign-ins for this username or from this "
                  "address: wait the Retry-After seconds.")
def token(body):
    """Exchange a username and password for a bearer token. It stops working when it expires,
    when its user signs out of the pages, changes password or is deactivated."""
    return {"token": auth_service.issue_token(body["username"], body["password"])}


@blp.get("/me")
@errors(blp, 401)
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
