"""Driving the system as its people do: sign in, file reports, take actions, run the queue."""

import io
from functools import cache

from PIL import Image
from rq import SimpleWorker

from dispatch.extensions import db
from dispatch.services import outbox

# a point inside grid 500105001001001 (洋河路社区第1网格) of the demo district
IN_GRID = {"lat": 29.5768, "lng": 106.5262}
IN_GRID_2 = {"lat": 29.576717, "lng": 106.529078}  # 建新北路社区第1网格, worker2's
OUTSIDE = {"lat": 29.60, "lng": 106.60}
COVER_MISSING = "污水井盖缺失，有行人踩空风险"


@cache
def jpeg(width: int = 800, height: int = 600, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG")
    return buf.getvalue()


class ApiDriver:
    def __init__(self, app, client):
        self.app, self.client = app, client
        self._tokens: dict[str, str] = {}

    def headers(self, username: str, **extra) -> dict:
        if username not in self._tokens:
            from tests.conftest import PASSWORD
            r = self.client.post("/api/v1/auth/token",
                                 json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.json
            self._tokens[username] = r.json["token"]
        return {"Authorization": f"Bearer {self._tokens[username]}", **extra}

    def forget(self, username: str) -> None:
        """Ask for a new token next time (the user signed out, or changed password)."""
        self._tokens.pop(username, None)

    def get(self, username: str, path: str, **kwargs):
        return self.client.get(path, headers=self.headers(username), **kwargs)

    def report(self, username="worker1", category="0102", description=COVER_MISSING,
               photos=(), key=None, location=IN_GRID, **fields):
        data = {"category": category, "description": description, **location, **fields}
        data = {k: str(v) for k, v in data.items() if v is not None}
        data["photos"] = [(io.BytesIO(p), f"photo{i}.jpg") for i, p in enumerate(photos)]
        extra = {"Idempotency-Key": key} if key else {}
        r = self.client.post("/api/v1/incidents", data=data, content_type="multipart/form-data",
                             headers=self.headers(username, **extra))
        self.drain()
        return r

    def ticket(self, number: str, username: str = "admin") -> dict:
        r = self.get(username, f"/api/v1/tickets/{number}")
        assert r.status_code == 200, r.json
        return r.json

    def act(self, username: str, number: str, action: str, version=None, photos=(), **params):
        if version is None:
            version = self.ticket(number)["version"]
        body = {"action": action, "version": version, **params}
        if photos:
            form = {k: (v if isinstance(v, list) else str(v)) for k, v in body.items()}
            form["photos"] = [(io.BytesIO(p), f"after{i}.jpg") for i, p in enumerate(photos)]
            r = self.client.post(f"/api/v1/tickets/{number}/actions", data=form,
                                 content_type="multipart/form-data",
                                 headers=self.headers(username))
        else:
            r = self.client.post(f"/api/v1/tickets/{number}/actions", json=body,
                                 headers=self.headers(username))
        self.drain()
        return r

    def drain(self) -> None:
        """Run queued jobs to completion (RQ mode); inline mode already ran them."""
        if not self.app.config.get("REDIS_URL"):
            return
        with self.app.app_context():
            worker = SimpleWorker(outbox.queues(), connection=outbox.redis_connection())
            worker.work(burst=True)

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.query(model).count()
