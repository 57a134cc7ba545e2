"""RQ job functions: thin shells that open an app context and call a service.

A forked work-horse builds its own app (and so its own database connections) instead of
inheriting the parent's pooled connections, which must never cross a fork.
"""

from flask import has_app_context
from rq import get_current_job

_app = None


def _get_app():
    global _app
    if _app is None:
        from dispatch.factory import build_app
        _app = build_app()
    return _app


def run_outbox_job(outbox_id: int) -> str:
    """Carry out one outbox row (routing a ticket, processing a photo); idempotent."""
    from dispatch.services import outbox

    if has_app_context():
        result = outbox.run_job(outbox_id)
    else:
        with _get_app().app_context():
            result = outbox.run_job(outbox_id)
    job = get_current_job()
    if job is not None:
        job.meta["outcome"] = result
        job.save_meta()
    return result


def sweep_deadlines() -> dict:
    """Scheduled every minute by `python -m workers.cron`: warn at 80 %, escalate past 100 %."""
    from dispatch.services import sla_sweep

    if has_app_context():
        return sla_sweep.sweep()
    with _get_app().app_context():
        return sla_sweep.sweep()
