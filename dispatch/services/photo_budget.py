"""How much photo decoding one person may cause: per request (declared pixels of all its
photos, read from their headers) and per person over a rolling hour (photos and megapixels).

Why: a 600-byte JPEG can declare 36 million pixels, and decoding is paid twice (the check at
upload and the job that makes the renditions), so bytes say nothing about the cost. The hourly
count lives with the `limits` library (the one Flask-Limiter uses): in Redis when the app has
one, so every process of an install shares it, else in this process's memory. If Redis is
down the budget is not counted rather than refusing every photo.
"""

import logging

from flask import current_app
from limits import RateLimitItemPerHour
from limits.strategies import MovingWindowRateLimiter

from .. import clock
from ..core.errors import problem
from .errors import BadInput, PhotoBudgetExceeded

log = logging.getLogger(__name__)


def _limiter() -> MovingWindowRateLimiter:
    """Counted in the sign-in limiter's storage (dispatch/http/ratelimit.py): one connection,
    one setting saying where limits count."""
    app = current_app._get_current_object()
    limiter = app.extensions.get("photo_budget")
    if limiter is None:
        limiter = MovingWindowRateLimiter(app.extensions["login_limiter"].storage)
        app.extensions["photo_budget"] = limiter
    return limiter


def check_request(pixels: int) -> None:
    """Refuse a request whose photos together declare more pixels than one report needs."""
    most = current_app.config["MAX_REQUEST_PHOTO_PIXELS"]
    if pixels > most:
        mp = most // 1_000_000
        raise BadInput("photos_refused", {"photos": [problem("photos_too_many_pixels", mp=mp)]})


def spend(user_id: int, pixels: list[int]) -> None:
    """Count these photos against the person's hour, or refuse them all with a 429 that says
    when to try again. Nothing is counted for a refused request."""
    if not pixels:
        return
    cfg = current_app.config
    scope = cfg["RATELIMIT_KEY_PREFIX"]  # one Redis may serve several installs
    costs = [(RateLimitItemPerHour(cfg["PHOTO_HOURLY_COUNT"]), "count", len(pixels)),
             (RateLimitItemPerHour(cfg["PHOTO_HOURLY_MEGAPIXELS"]), "megapixels",
              max(1, -(-sum(pixels) // 1_000_000)))]
    limiter = _limiter()
    try:
        for item, kind, cost in costs:
            if not limiter.test(item, scope, "photos", kind, str(user_id), cost=cost):
                reset = limiter.get_window_stats(item, scope, "photos", kind, str(user_id))
                raise PhotoBudgetExceeded(
                    "photo_budget_exceeded", retry_after=_seconds_until(reset.reset_time),
                    count=cfg["PHOTO_HOURLY_COUNT"], mp=cfg["PHOTO_HOURLY_MEGAPIXELS"])
        for item, kind, cost in costs:
            limiter.hit(item, scope, "photos", kind, str(user_id), cost=cost)
    except PhotoBudgetExceeded:
        raise
    except Exception:  # the limiter's store is down: serve the report, say so in the log
        log.warning("photo budget not counted: its store is unavailable", exc_info=True)


def _seconds_until(reset_time: float) -> int:
    """The limiter's windows run on the system's clock, not on the app's business clock."""
    return max(1, int(reset_time - clock.system_now().timestamp()) + 1)
