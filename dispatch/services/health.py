"""What an operator (or a probe) needs to know the background work is alive: the database and
Redis answer, the deadline sweep ran lately, nothing waits long in the outbox or the queues.

No secrets: no URLs, no host names, no error texts that could carry them.
"""

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..extensions import db
from ..models import OutboxJob
from . import heartbeats, job_queues, outbox


def report(config) -> dict:
    """{"healthy": bool, "problems": [codes], and each check's figures}."""
    now, limit = clock.now(), config["HEALTH_MAX_AGE_SECONDS"]
    problems: list[str] = []
    found: dict = {"database": {"ok": True}}
    try:
        found["deadline_sweep"] = _last_sweep(now)
        found["outbox"] = _outbox(now)
    except SQLAlchemyError:
        db.session.rollback()
        found["database"] = {"ok": False}
        problems.append("database_unreachable")
    sweep = found.get("deadline_sweep")
    if sweep is not None and (sweep["age_seconds"] is None or sweep["age_seconds"] > limit):
        problems.append("deadline_sweep_stale")
    if found.get("outbox") and _older(found["outbox"]["oldest_not_done_age_seconds"], limit):
        problems.append("outbox_backlog")
    if config.get("REDIS_URL"):
        found["redis"], found["queues"] = {"ok": True}, {}
        try:
            connection = outbox.redis_connection()
            connection.ping()
            found["queues"] = job_queues.stats(connection, now)
        except RedisError:
            found["redis"] = {"ok": False}
            problems.append("redis_unreachable")
        for kind, queue in found["queues"].items():
            if _older(queue["oldest_age_seconds"], limit):
                problems.append(f"queue_{kind}_backlog")
    else:
        found["redis"] = {"ok": True, "mode": "inline"}
    return {"healthy": not problems, "problems": problems, "checked_at": now.isoformat(),
            **found}


def _older(age, limit) -> bool:
    return age is not None and age > limit


def _last_sweep(now) -> dict:
    beat = heartbeats.last(heartbeats.DEADLINE_SWEEP)
    db.session.rollback()
    if beat is None:
        return {"last_run_at": None, "age_seconds": None}
    return {"last_run_at": beat.at.isoformat(), "age_seconds": _age(now, beat.at),
            "result": beat.detail}


def _outbox(now) -> dict:
    rows = db.session.execute(
        select(OutboxJob.state, func.count(), func.min(OutboxJob.created_at))
        .where(OutboxJob.state.in_(("pending", "pushed", "failed")))
        .group_by(OutboxJob.state)).all()
    db.session.rollback()
    counts = {state: 0 for state in ("pending", "pushed", "failed")}
    oldest = {}
    for state, count, first in rows:
        counts[state], oldest[state] = count, first
    waiting = [oldest[s] for s in ("pending", "pushed") if oldest.get(s) is not None]
    return {**counts, "oldest_not_done_age_seconds": _age(now, min(waiting)) if waiting
            else None}


def _age(now, then) -> float:
    return round(max(0.0, (now - then).total_seconds()), 1)
