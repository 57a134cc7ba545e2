"""The outbox: jobs are rows written in the use case's transaction and pushed after commit.

If Redis is down at that moment the row simply stays `pending` and the sweeper pushes it later.
A row `pushed` but not done is pushed again at once when its RQ job is lost (Redis forgot it,
or the worker running it died), and after a stale window (short for routing, long for photos)
when RQ ended it without the row being done. Without REDIS_URL (the embedded mode) the same job
functions run in-process right after commit. Jobs are idempotent: a row already `done` is
skipped, so a retry or a double push does no harm.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from .. import clock
from ..extensions import db
from ..models import OutboxJob
from . import job_queues, transactions

log = logging.getLogger(__name__)
JOB_FUNCTION = "workers.jobs.run_outbox_job"
MAX_ATTEMPTS = 10
# RQ's own retries of a failed job: routing soon (a report must reach its handler within a
# minute), photos patiently; past these, the sweeper's stale windows take over
RETRIES = {job_queues.ROUTING: Retry(max=3, interval=[5, 15, 30]),
           job_queues.PHOTOS: Retry(max=3, interval=[10, 60, 300])}
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


def queue(kind: str = job_queues.ROUTING) -> Queue:
    return Queue(job_queues.queue_name(kind), connection=redis_connection())


def queues() -> list[Queue]:
    """Every queue, routing first: the order a worker listens in."""
    return [queue(kind) for kind in job_queues.KINDS]


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
    kinds = dict(db.session.execute(select(OutboxJob.id, OutboxJob.job)
                                    .where(OutboxJob.id.in_(ids))).all())
    by_kind = {kind: queue(kind) for kind in job_queues.KINDS}
    pushed = []
    for outbox_id in ids:
        if outbox_id not in kinds:
            continue
        try:
            by_kind[job_queues.kind_of(kinds[outbox_id])].enqueue_call(
                JOB_FUNCTION, args=(outbox_id,), job_id=job_queues.job_id(outbox_id),
                retry=RETRIES[job_queues.kind_of(kinds[outbox_id])], failure_ttl=7 * 24 * 3600)
        except RedisError as exc:
            log.warning("Redis unavailable, outbox rows stay pending for the sweeper: %s", exc)
            break
        pushed.append(outbox_id)
    if pushed:
        # not done rows only: a fast worker may already have marked one done; a row pushed
        # again starts its stale window anew
        db.session.execute(update(OutboxJob)
                           .where(OutboxJob.id.in_(pushed),
                                  OutboxJob.state.in_(("pending", "pushed")))
                           .values(state="pushed", pushed_at=clock.now()))
        db.session.commit()
    return len(pushed)


def sweep(limit: int = 500) -> int:
    """Hand on rows left behind: never pushed (Redis was down), or pushed and not done while
    RQ no longer holds their job, or pushed longer ago than their kind's stale window."""
    pending = db.session.scalars(
        select(OutboxJob.id).where(OutboxJob.state == "pending")
        .order_by(OutboxJob.id).limit(limit)).all()
    pushed = db.session.execute(
        select(OutboxJob.id, OutboxJob.job, OutboxJob.pushed_at)
        .where(OutboxJob.state == "pushed").order_by(OutboxJob.id).limit(limit)).all()
    db.session.rollback()
    return publish([*pending, *_not_held(pushed)])


def _not_held(rows) -> list[int]:
    if not rows:
        return []
    config, now = current_app.config, clock.now()
    windows = {job_queues.ROUTING: config["OUTBOX_STALE_SECONDS"],
               job_queues.PHOTOS: config["OUTBOX_PHOTO_STALE_SECONDS"]}
    stale = {row.id for row in rows
             if row.pushed_at is None or row.pushed_at
             < now - timedelta(seconds=windows[job_queues.kind_of(row.job)])}
    connection = redis_connection()
    if connection is None:
        return sorted(stale)
    try:
        lost, held = job_queues.lost([row.id for row in rows], connection)
    except RedisError as exc:  # nothing can be pushed now anyway
        log.warning("Redis unavailable, cannot check pushed outbox rows: %s", exc)
        return []
    if lost:
        log.warning("outbox rows %s: their RQ jobs were lost; pushing them again", sorted(lost))
    return sorted(lost | (stale - held))


def run_job(outbox_id: int) -> str:
    """Carry out one outbox row in its own transaction; the row is marked done in the same one.

    A job whose database connection drops under it (a failover, a terminated backend) is run
    once more at once on a fresh connection: jobs are idempotent, and waiting for RQ's retry
    would leave a report unrouted for its whole back-off."""
    try:
        return _run_job(outbox_id)
    except DBAPIError as exc:
        if not transactions.is_dropped_connection(exc):
            raise
        log.warning("outbox job %s lost its database connection; running it again", outbox_id)
        transactions.abandon()
        return _run_job(outbox_id)


def _run_job(outbox_id: int) -> str:
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
