"""The RQ side of the outbox: which queue a job goes to, whether RQ still holds a pushed job,
and how long the queues are.

Routing and photos have queues of their own (`<RQ_QUEUE>-routing`, `<RQ_QUEUE>-photos`) and
workers listen to routing first, so a burst of photo renditions never delays the routing of a
new report. The deadline sweep rides on the routing queue.
"""

import os
import socket
from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

ROUTING, PHOTOS = "routing", "photos"
KINDS = (ROUTING, PHOTOS)  # listening order: routing first
JOB_KINDS = {"photo": PHOTOS}  # every other outbox job is routing's
WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def queue_name(kind: str, config=None) -> str:
    return f"{(config or current_app.config)['RQ_QUEUE']}-{kind}"


def queue_names(config=None) -> list[str]:
    return [queue_name(kind, config) for kind in KINDS]


def kind_of(job: str) -> str:
    return JOB_KINDS.get(job, ROUTING)


def job_id(outbox_id: int) -> str:
    return f"outbox-{outbox_id}"


def lost(outbox_ids: list[int], connection: Redis) -> tuple[set[int], set[int]]:
    """(lost, held) among rows pushed and not done. Lost: Redis no longer has the job
    (flushed, restarted without persistence) or the worker running it died mid-job; such a
    row is pushed again at once. Held: RQ will still run it (waiting in a queue or the retry
    schedule, or running on a live worker). The rest ended in RQ without the row being done
    (failed for good, stopped) and wait for the stale window."""
    jobs = Job.fetch_many([job_id(i) for i in outbox_ids], connection=connection)
    alive: dict[str, bool] = {}
    gone, kept = set(), set()
    for outbox_id, job in zip(outbox_ids, jobs, strict=True):
        try:
            status = None if job is None else job.get_status(refresh=False)
        except NoSuchJobError:
            status = None
        if status is None:
            gone.add(outbox_id)
        elif status in WAITING:
            kept.add(outbox_id)
        elif status == JobStatus.STARTED:
            name = job.worker_name or ""
            if name not in alive:
                alive[name] = bool(name) and _worker_alive(name, connection)
            (kept if alive[name] else gone).add(outbox_id)
    return gone, kept


def _worker_alive(name: str, connection: Redis) -> bool:
    """RQ forgets a dead worker only when its key expires (90 s after a job's last heartbeat);
    a worker on this host whose process is gone is known dead at once."""
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name,
                                connection=connection)
    if worker is None:
        return False
    if worker.hostname != socket.gethostname() or not worker.pid:
        return True
    if not _process_running(worker.pid):
        return False
    # the pid may now be a newer worker's: a restarted container's worker is pid 1 again
    return not any(other.name != name and other.hostname == worker.hostname
                   and other.pid == worker.pid and other.birth_date and worker.birth_date
                   and other.birth_date > worker.birth_date
                   for other in Worker.all(connection=connection))


def _process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def stats(connection: Redis, now: datetime) -> dict[str, dict]:
    """Length and oldest waiting job's age of each queue."""
    found = {}
    for kind in KINDS:
        queue = Queue(queue_name(kind), connection=connection)
        oldest = None
        first = queue.get_job_ids(0, 1)
        if first:
            job = queue.fetch_job(first[0])
            if job is not None and job.enqueued_at is not None:
                oldest = max(0.0, (now - job.enqueued_at).total_seconds())
        found[kind] = {"name": queue.name, "length": queue.count,
                       "oldest_age_seconds": None if oldest is None else round(oldest, 1)}
    return found
