"""RQ's worker, made to look after what runs beside it.

RQ's own worker checks on its scheduler (retries) only every 10 minutes, and only between
jobs once a blocking wait of 7 minutes ends; its scheduler dies on the first Redis error. Here
the wait is WORKER_CHECK_SECONDS, and every check starts a dead scheduler (or the worker's
children) again. The scheduler and each work horse die with the worker (`workers.lifeline`), so
a killed worker leaves no process behind and the scheduler lets go of its lock.
"""

import os
import signal
import time

from rq import Worker
from rq.scheduler import RQScheduler

from workers.lifeline import die_with_parent


class LinkedScheduler(RQScheduler):
    """RQ's scheduler process, stopped (and its lock released) when the worker dies."""

    def start(self):
        self._parent_pid = os.getpid()
        return super().start()

    def work(self):
        die_with_parent(self._parent_pid)
        super().work()


class DispatchWorker(Worker):
    def __init__(self, *args, check_seconds: int = 5, backoff_max: float = 10,
                 children=None, **kwargs):
        self.check_seconds = check_seconds  # before RQ's init, which reads dequeue_timeout
        super().__init__(*args, **kwargs)
        self.max_connection_wait_time = backoff_max  # RQ's back-off between Redis attempts
        self.children = children
        self._keep_scheduler = False
        self._next_check = 0.0

    @property
    def dequeue_timeout(self) -> int:
        """How long one blocking wait for a job lasts: between two, the worker checks on its
        scheduler and children."""
        return self.check_seconds

    @property
    def should_run_maintenance_tasks(self) -> bool:
        """RQ asks this before every wait for a job; it is our moment to look after things."""
        self.look_after()
        return super().should_run_maintenance_tasks

    def look_after(self) -> None:
        if time.monotonic() < self._next_check:
            return
        self._next_check = time.monotonic() + self.check_seconds
        if self.children is not None:
            self.children.look_after()
        scheduler = self.scheduler
        if self._keep_scheduler and scheduler is not None and \
                (scheduler._process is None or not scheduler._process.is_alive()):
            if scheduler._process is not None:
                self.log.warning("RQ's scheduler exited (%s); starting it again",
                                 scheduler._process.exitcode)
                scheduler._process = None
            scheduler.acquire_locks(auto_start=True)  # may wait for a dead holder's lock

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=None,
                         log_format=None):
        """RQ's own, with the scheduler that dies with the worker."""
        kwargs = {k: v for k, v in (("date_format", date_format), ("log_format", log_format))
                  if v is not None}
        self.scheduler = LinkedScheduler(
            self.queues, connection=self.connection, serializer=self.serializer,
            logging_level=logging_level if logging_level is not None else self.log.level,
            **kwargs)
        self.scheduler.acquire_locks()
        if burst:
            if self.scheduler.acquired_locks:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            return
        self._keep_scheduler = True
        if self.scheduler.acquired_locks:
            self.scheduler.start()

    def main_work_horse(self, job, queue):
        """A horse whose worker was killed must not finish its job unwatched: its transaction
        rolls back and the outbox sweeper pushes the job again."""
        die_with_parent(self.pid, signal.SIGKILL)
        super().main_work_horse(job, queue)

    def stop_scheduler(self):
        if self.scheduler is not None and self.scheduler._process is not None \
                and self.scheduler._process.is_alive():
            super().stop_scheduler()
