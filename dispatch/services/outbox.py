"""The outbox: jobs are rows written in the use case's transaction and pushed after commit.

If Redis is down at that moment the row simply stays `pending` and the sweeper pushes it later.
Without REDIS_URL (the embedded mode) the same job functions run in-process right after commit.
Jobs are idempotent: a row already `done` is skipped, so a retry or a double push does no harm.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import and_, or_, select, update

from .. import clock
from ..extensions import db
from ..models import OutboxJob

log = logging.getLogger(__name__)
JOB_FUNCTION = "workers.jobs.run_outbox_job"
MAX_ATTEMPTS = 10
HANDLERS: dict[str, Callable[[OutboxJob], None]] = {}


def handles(job: str):
    """Register the service function that carries out one kind of outbox job."""
    def register(func: Callable[[OutboxJob], None]):
        HANDLERS[job] = func
        return func
    return register


def record(job: str, key: str, ticket_id: int | None = None,
           payload: dict | None = None) -> OutboxJob:
    """Add a job to the current transaction; it leaves only if the transaction commits."""
    row = OutboxJob(job=job, key=key, ticket_id=ticket_id, payload=payload or {})
    db.session.add(row)
    return row


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    conn = current_app.extensions.get("dispatch_redis")
    if conn is None:
        conn = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        current_app.extensions["dispatch_redis"] = conn
    return conn


def queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_connection())


def publish(ids: Iterable[int]) -> int:
    """After commit: push to RQ, or run inline when there is no Redis. Returns rows handed on."""
    ids = list(ids)
    if not ids:
        return 0
    if redis_connection() is None:
        for outbox_id in ids:
            try:
                run_job(outbox_id)
            except Exception:  # recorded on the row by run_job; the request itself succeeded
                log.exception("inline job %s failed", outbox_id)
        return len(ids)
    return _push(ids)


def _push(ids: list[int]) -> int:
    q = queue()
    pushed = []
    for outbox_id in ids:
        try:
            q.enqueue_call(JOB_FUNCTION, args=(outbox_id,), job_id=f"outbox-{outbox_id}",
                           retry=Retry(max=3, interval=[10, 60, 300]),
                           failure_ttl=7 * 24 * 3600)
        except RedisError as exc:
            log.warning("Redis unavailable, outbox rows stay pending for the sweeper: %s", exc)
            break
        pushed.append(outbox_id)
    if pushed:
        # only pending rows: a fast worker may already have marked one done
        db.session.execute(update(OutboxJob)
                           .where(OutboxJob.id.in_(pushed), OutboxJob.state == "pending")
                           .values(state="pushed", pushed_at=clock.now()))
        db.session.commit()
    return len(pushed)


def sweep(limit: int = 500) -> int:
    """Hand on rows left behind: never pushed (Redis was down), or pushed long ago, not done."""
    stale = clock.now() - timedelta(seconds=current_app.config["OUTBOX_STALE_SECONDS"])
    ids = db.session.scalars(
        select(OutboxJob.id)
        .where(or_(OutboxJob.state == "pending",
                   and_(OutboxJob.state == "pushed", OutboxJob.pushed_at < stale)))
        .order_by(OutboxJob.id).limit(limit)).all()
    db.session.rollback()
    return publish(ids)


def run_job(outbox_id: int) -> str:
    """Carry out one outbox row in its own transaction; the row is marked done in the same one."""
    row = db.session.get(OutboxJob, outbox_id)
    if row is None:
        return "missing"
    if row.state in ("done", "failed"):
        db.session.rollback()
        return f"already {row.state}"
    try:
        HANDLERS[row.job](row)
        row.state, row.done_at, row.attempts = "done", clock.now(), row.attempts + 1
        db.session.commit()
        return "done"
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(OutboxJob, outbox_id)
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        db.session.commit()
        raise
