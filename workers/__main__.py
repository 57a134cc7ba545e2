"""`python -m workers`: an RQ worker (routing queue first, then photos) with RQ's scheduler,
looking after two children of its own: the deadline-sweep cron and the outbox sweeper.

It outlives Redis outages: when RQ's worker gives up on Redis, this waits with back-off and
starts a fresh one. Its children are started again if they die, stop when it stops, and die
with it if it is killed. A deployment still restarts the worker itself if it exits
(docker-compose `restart:`, systemd `Restart=always`; README).
"""

import argparse
import contextlib
import logging
import os
import signal
import time

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("dispatch.worker")


def ready_to_fork() -> None:
    """RQ forks a work horse per job. SQLAlchemy configures its mappers lazily, under a global
    lock: a fork while another thread held it left the horse waiting for ever. Configured here,
    before anything else runs, the lock is never taken again."""
    from sqlalchemy.orm import configure_mappers

    import dispatch.models  # noqa: F401  (every mapper registered)

    configure_mappers()


class Stop:
    """SIGTERM / SIGINT between two RQ workers (RQ's own handlers cover the time inside one)."""

    def __init__(self):
        self.requested = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def _set(self, signum, frame) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(min(0.25, max(0.0, end - time.monotonic())))


def run(burst: bool = False) -> None:
    from dispatch.factory import build_app
    from dispatch.services import job_queues

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = build_app()
    ready_to_fork()
    config = app.config
    if not config["REDIS_URL"]:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run inline in the web app.")
    connection = Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2)
    queues = job_queues.queue_names(config)
    settings = {"check_seconds": config["WORKER_CHECK_SECONDS"],
                "backoff_max": config["WORKER_BACKOFF_MAX_SECONDS"]}
    if burst:
        _burst(app, queues, connection, settings)
        return

    from workers.children import Children
    from workers.worker import DispatchWorker

    children = Children(config["WORKER_BACKOFF_MAX_SECONDS"])
    children.start()
    stop, delay = Stop(), 1.0
    stop.install()
    try:
        while not stop.requested:
            children.look_after()
            worker = None
            try:
                connection.ping()
                delay = 1.0
                worker = DispatchWorker(queues, connection=connection, children=children,
                                        **settings)
                worker.work(with_scheduler=True)
            except RedisError as exc:
                log.warning("Redis unavailable (%s); trying again in %.0f s", exc, delay)
                stop.install()
                stop.sleep(delay)
                delay = min(delay * 2, config["WORKER_BACKOFF_MAX_SECONDS"])
            finally:
                stop.install()  # RQ's worker had replaced the handlers
                if worker is not None:
                    _let_go(worker)
            if worker is not None and (worker._stop_requested
                                       or worker._shutdown_requested_date is not None):
                break  # SIGTERM / SIGINT while RQ's worker ran
            if worker is not None and not stop.requested:
                log.warning("RQ's worker stopped on its own; starting a fresh one")
    finally:
        children.stop()


def _burst(app, queues, connection, settings) -> None:
    """Push what the outbox left behind, run every queued job, exit (tests, one-off runs)."""
    from dispatch.services import outbox
    from workers.worker import DispatchWorker

    with app.app_context():
        outbox.sweep()
    DispatchWorker(queues, connection=connection, **settings).work(with_scheduler=True,
                                                                    burst=True)


def _let_go(worker) -> None:
    """What a worker that gave up on Redis may have left: its scheduler, its pubsub thread, a
    horse still finishing a job."""
    with contextlib.suppress(Exception):
        worker.stop_scheduler()
    thread = getattr(worker, "pubsub_thread", None)
    if thread is not None:
        thread.stop()
        thread.join(1)
    if worker.pubsub is not None:
        with contextlib.suppress(Exception):
            worker.pubsub.close()
    if worker.horse_pid:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(worker.horse_pid, 0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    run(burst=parser.parse_args(argv).burst)


if __name__ == "__main__":
    main()
