"""`python -m workers.cron`: RQ's cron scheduler, enqueueing the deadline sweep every minute.

It runs in a process of its own (RQ's scheduler owns its signal handling); `python -m workers`
starts one beside the worker. Two schedulers enqueueing the same sweep do no harm: the sweep
claims each warning and escalation exactly once.
"""

import logging

from redis import Redis
from rq.cron import CronScheduler

SWEEP_SECONDS = 60


def run() -> None:
    from dispatch.factory import build_app
    from workers.jobs import sweep_deadlines

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = build_app()
    if not app.config["REDIS_URL"]:
        raise SystemExit("REDIS_URL is not set: the inline app sweeps deadlines itself.")
    scheduler = CronScheduler(connection=Redis.from_url(app.config["REDIS_URL"]),
                              name="dispatch-cron")
    scheduler.register(sweep_deadlines, app.config["RQ_QUEUE"], interval=SWEEP_SECONDS,
                       job_timeout=300)
    scheduler.start()


if __name__ == "__main__":
    run()
