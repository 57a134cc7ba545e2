"""Sign in once on the phone and stay signed in (a remembered session cookie)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..services.auth import authenticate
from .blueprint import bp, home_endpoint


def home_for(user) -> str:
    return url_for(home_endpoint(user, "web.login"))


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("web.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = authenticate(username, request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=True)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = home_for(user)
            return redirect(target)
        flash(_("Wrong username or password."), "error")
        return render_template("web/login.html", username=username), 401
    return render_template("web/login.html", username="")


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("web.login"))
