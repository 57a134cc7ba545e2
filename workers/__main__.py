"""`python -m workers`: an RQ worker with its scheduler, plus the outbox sweeper.

The sweeper reads the database, not Redis, so it keeps trying while Redis is down and pushes
what was left behind as soon as Redis returns.
"""

import argparse
import logging
import multiprocessing
import threading

from redis import Redis
from rq import Worker

log = logging.getLogger("dispatch.worker")


def _sweep_forever(app, stop: threading.Event) -> None:
    from dispatch.services import outbox

    while not stop.is_set():
        try:
            with app.app_context():
                pushed = outbox.sweep()
            if pushed:
                log.info("outbox sweeper pushed %d rows", pushed)
        except Exception:
            log.exception("outbox sweep failed; will retry")
        stop.wait(app.config["OUTBOX_SWEEP_SECONDS"])


def ready_to_fork() -> None:
    """RQ forks a work horse per job while the sweeper thread runs. SQLAlchemy configures its
    mappers lazily, under a global lock: a fork while the sweeper held it left the horse
    waiting for ever. Configured here, before any thread starts, the lock is never taken
    again."""
    from sqlalchemy.orm import configure_mappers

    import dispatch.models  # noqa: F401  (every mapper registered)

    configure_mappers()


def run(burst: bool = False) -> None:
    from dispatch.factory import build_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = build_app()
    ready_to_fork()
    url = app.config["REDIS_URL"]
    if not url:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run inline in the web app.")
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep_forever, args=(app, stop), daemon=True)
    sweeper.start()
    cron = None
    if not burst:  # the deadline sweep's scheduler, in its own process
        from workers.cron import run as run_cron
        cron = multiprocessing.Process(target=run_cron, name="dispatch-cron", daemon=True)
        cron.start()
    try:
        worker = Worker([app.config["RQ_QUEUE"]], connection=Redis.from_url(url))
        worker.work(with_scheduler=True, burst=burst)
    finally:
        stop.set()
        if cron is not None:
            cron.terminate()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    run(burst=parser.parse_args(argv).burst)


if __name__ == "__main__":
    main()
