"""Configuration read once from the environment.

Nothing secret lives in the repository: SECRET_KEY comes from the environment, or else is
generated once into the instance folder (git-ignored) so every process of one install agrees.
"""

import os
import secrets


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Every setting the app reads, with the embedded defaults of a one-laptop install."""

    def __init__(self, instance_path: str):
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or _instance_secret(instance_path)
        self.SQLALCHEMY_DATABASE_URI = _normalise_db_url(
            env.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'dispatch.db')}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Unset: jobs run inline after commit. Set: jobs go to RQ on this Redis.
        self.REDIS_URL = env.get("REDIS_URL") or None
        # the prefix of the RQ queues: <prefix>-routing (routing, the deadline sweep; listened
        # to first) and <prefix>-photos (photo renditions), so photos never delay routing
        self.RQ_QUEUE = env.get("RQ_QUEUE", "dispatch")
        self.UPLOAD_FOLDER = env.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads")
        self.MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 64) * 1024 * 1024
        self.MAX_PHOTO_BYTES = _int("MAX_PHOTO_MB", 15) * 1024 * 1024
        self.MAX_PHOTOS = _int("MAX_PHOTOS", 6)
        self.MAX_PHOTO_PIXELS = _int("MAX_PHOTO_PIXELS", 40_000_000)
        # what decoding may cost, priced from the photos' headers (services/photo_budget.py)
        self.MAX_REQUEST_PHOTO_PIXELS = _int("MAX_REQUEST_PHOTO_PIXELS", 120_000_000)
        self.PHOTO_HOURLY_COUNT = _int("PHOTO_HOURLY_COUNT", 120)
        self.PHOTO_HOURLY_MEGAPIXELS = _int("PHOTO_HOURLY_MEGAPIXELS", 1500)
        self.TOKEN_MAX_AGE = _int("TOKEN_MAX_AGE_SECONDS", 30 * 24 * 3600)
        self.OUTBOX_SWEEP_SECONDS = _int("OUTBOX_SWEEP_SECONDS", 15)
        # a row pushed this long ago and not done is pushed again, unless RQ still holds it
        # queued or running on a live worker (a lost or abandoned job is pushed at once)
        self.OUTBOX_STALE_SECONDS = _int("OUTBOX_STALE_SECONDS", 60)
        self.OUTBOX_PHOTO_STALE_SECONDS = _int("OUTBOX_PHOTO_STALE_SECONDS", 900)
        self.DEADLINE_SWEEP_SECONDS = _int("DEADLINE_SWEEP_SECONDS", 60)
        # the worker looks after its children and RQ's scheduler this often, and waits at
        # most this long between attempts to reach Redis again
        self.WORKER_CHECK_SECONDS = _int("WORKER_CHECK_SECONDS", 5)
        self.WORKER_BACKOFF_MAX_SECONDS = _int("WORKER_BACKOFF_MAX_SECONDS", 10)
        # the health check fails when the last deadline sweep, the oldest outbox row not done
        # or the oldest queued job is older than this
        self.HEALTH_MAX_AGE_SECONDS = _int("HEALTH_MAX_AGE_SECONDS", 300)
        self.TIMEZONE = env.get("DISPATCH_TIMEZONE", "Asia/Shanghai")
        self.CLOCK = None  # None: the system clock; tests inject a function (dispatch.clock)
        self.DUPLICATE_RADIUS_M = _int("DUPLICATE_RADIUS_M", 50)
        self.DUPLICATE_WINDOW_DAYS = _int("DUPLICATE_WINDOW_DAYS", 7)
        self.DEMO_PASSWORD = env.get("DEMO_PASSWORD", "Dispatch-2026")
        # flask-smorest / OpenAPI
        self.API_TITLE = "dispatch"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.BABEL_DEFAULT_LOCALE = "zh_CN"
        self.WTF_CSRF_TIME_LIMIT = None  # a phone offline for hours still sends its report
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SECURE = env.get("SESSION_COOKIE_SECURE", "0") == "1"
        self.PERMANENT_SESSION_LIFETIME = _int("SESSION_DAYS", 30) * 24 * 3600
        self.REMEMBER_COOKIE_DURATION = self.PERMANENT_SESSION_LIFETIME  # checked on the server
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_SAMESITE = self.SESSION_COOKIE_SAMESITE
        self.REMEMBER_COOKIE_HTTPONLY = True
        # Failed sign-ins (POST /login, POST /api/v1/auth/token) per username and per address,
        # in Flask-Limiter's notation; refused with 429 before any password is hashed.
        self.LOGIN_LIMIT_ACCOUNT = env.get("LOGIN_LIMIT_ACCOUNT", "5 per minute; 30 per hour")
        self.LOGIN_LIMIT_ADDRESS = env.get("LOGIN_LIMIT_ADDRESS", "20 per minute; 200 per hour")
        # unset: REDIS_URL when set (shared by every web process), else this process's memory
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI") or None
        self.RATELIMIT_KEY_PREFIX = env.get("RATELIMIT_KEY_PREFIX", "dispatch")
        # How many reverse proxies stand before the app and set X-Forwarded-For (0: none): the
        # per-address limit must count the client's address, not the proxy's.
        self.PROXY_COUNT = _int("PROXY_COUNT", 0)
        self.MAP_TILE_URL = env.get("MAP_TILE_URL", "")  # empty: grids on a plain background
        self.JSON_AS_ASCII = False


def _instance_secret(instance_path: str) -> str:
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        key = secrets.token_hex(32)
        fh.write(key)
    return key


def _normalise_db_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
