"""Sign in once on the phone and stay signed in (a remembered session cookie); sign out ends
every session of the person (services.auth)."""

from urllib.parse import urlsplit, urlunsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..services import auth as auth_service
from .blueprint import bp, home_endpoint


def home_for(user) -> str:
    return url_for(home_endpoint(user, "web.login"))


def local_path(target: str) -> str | None:
    """`next` when it is a path of this site, else None. Judged on what a browser would make of
    it: browsers drop tabs and newlines and read a backslash as a slash, so `/\\t/evil` and
    `/\\\\evil` would be `//evil`, another host; any such character refuses the whole target."""
    if not target or any(ord(c) < 0x20 or c in "\x7f\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("web.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = auth_service.authenticate(username, request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=True)
            # what the session and remember cookies carry: new at each sign-in, revocable
            session["_user_id"] = auth_service.session_id(user)
            return redirect(local_path(request.args.get("next", "")) or home_for(user))
        flash(_("Wrong username or password."), "error")
        return render_template("web/login.html", username=username), 401
    return render_template("web/login.html", username="")


@bp.post("/logout")
def logout():
    """Signing out ends every session of the person, on every device, and their API tokens:
    a copied cookie must not outlive it."""
    if current_user.is_authenticated:
        auth_service.end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("web.login"))
