"""The worker's children: the deadline-sweep cron and the outbox sweeper, each a process of its
own that dies with the worker and that the worker starts again if it dies.

Both keep going through a Redis outage: the sweeper reads the database and pushes what was left
behind as soon as Redis returns; the cron waits with back-off and starts a fresh scheduler, whose
first act is a sweep.
"""

import logging
import multiprocessing
import os
import time

from workers.lifeline import die_with_parent

log = logging.getLogger("dispatch.worker")
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no lock held by a thread
LIVED_LONG_ENOUGH = 60  # seconds; a child that died sooner waits longer before its next start


def run_sweeper(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    from dispatch.factory import build_app
    from dispatch.services import outbox

    _logging()
    app = build_app()
    while True:
        try:
            with app.app_context():
                pushed = outbox.sweep()
            if pushed:
                log.info("outbox sweeper pushed %d rows", pushed)
        except Exception:
            log.exception("outbox sweep failed; will retry")
        time.sleep(app.config["OUTBOX_SWEEP_SECONDS"])


def run_cron(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    from workers.cron import run

    run()


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


class Child:
    def __init__(self, name: str, target, backoff_max: float):
        self.name, self.target, self.backoff_max = name, target, backoff_max
        self.process = None
        self.started = 0.0
        self.delay = 0.0
        self.due = None  # when to start it again after it died

    def start(self) -> None:
        self.process = SPAWN.Process(target=self.target, args=(os.getpid(),), name=self.name,
                                     daemon=True)
        self.process.start()
        self.started = time.monotonic()

    def look_after(self) -> None:
        """Start it again if it died, after a back-off that grows while it keeps dying."""
        if self.process is not None:
            if self.process.is_alive():
                return
            lived = time.monotonic() - self.started
            self.delay = 0.0 if lived > LIVED_LONG_ENOUGH else \
                min(max(1.0, self.delay * 2), self.backoff_max)
            log.warning("%s exited with %s after %.0f s; starting it again in %.0f s",
                        self.name, self.process.exitcode, lived, self.delay)
            self.process.close()
            self.process = None
            self.due = time.monotonic() + self.delay
        if self.due is not None and time.monotonic() >= self.due:
            self.due = None
            self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


class Children:
    def __init__(self, backoff_max: float):
        self.all = [Child("dispatch-cron", run_cron, backoff_max),
                    Child("dispatch-sweeper", run_sweeper, backoff_max)]

    def start(self) -> None:
        for child in self.all:
            child.start()

    def look_after(self) -> None:
        for child in self.all:
            child.look_after()

    def stop(self) -> None:
        for child in self.all:
            child.stop()
