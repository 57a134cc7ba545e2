"""`python -m workers.cron`: RQ's cron scheduler, enqueueing the deadline sweep every
DEADLINE_SWEEP_SECONDS (60) on the routing queue.

It runs in a process of its own (RQ's cron scheduler owns its signal handling); `python -m
workers` starts one beside the worker, looks after it and takes it down with it. RQ's scheduler
gives up on the first Redis error, so this one waits with back-off and starts a fresh scheduler
when Redis answers again: a fresh scheduler sweeps at once. Two schedulers enqueueing the same
sweep do no harm: the sweep claims each warning and escalation exactly once.
"""

import logging
import time

from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronScheduler

log = logging.getLogger("dispatch.cron")


def run() -> None:
    from dispatch.factory import build_app
    from dispatch.services import job_queues
    from workers.jobs import sweep_deadlines

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = build_app()
    config = app.config
    if not config["REDIS_URL"]:
        raise SystemExit("REDIS_URL is not set: the inline app sweeps deadlines itself.")
    connection = Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)
    delay = 1.0
    while True:
        scheduler = CronScheduler(connection=connection)
        scheduler.register(sweep_deadlines, job_queues.queue_name(job_queues.ROUTING, config),
                           interval=config["DEADLINE_SWEEP_SECONDS"], job_timeout=300)
        try:
            scheduler.start()
            return  # stopped on request
        except RedisError as exc:
            log.warning("cron lost Redis (%s); trying again in %.0f s", exc, delay)
        time.sleep(delay)
        delay = min(delay * 2, config["WORKER_BACKOFF_MAX_SECONDS"])
        while not _answers(connection):
            time.sleep(delay)
            delay = min(delay * 2, config["WORKER_BACKOFF_MAX_SECONDS"])
        delay = 1.0


def _answers(connection: Redis) -> bool:
    try:
        return bool(connection.ping())
    except RedisError:
        return False


if __name__ == "__main__":
    run()
