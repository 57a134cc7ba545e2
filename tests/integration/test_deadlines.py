"""Deadlines on the working calendar, warnings at 80 %, escalation (督办) past 100 %, each once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dispatch import clock
from dispatch.extensions import db
from dispatch.models import Notification, Ticket, TicketEvent, User
from dispatch.services import sla_sweep

TZ = ZoneInfo("Asia/Shanghai")


def local(ticket_field):
    return ticket_field.astimezone(TZ) if ticket_field else None


def filed_at(api, when: datetime, **report) -> str:
    """A report filed (and routed at once) at `when`: the clock pinned there meanwhile."""
    with time_machine.travel(when, tick=False):
        return api.report(**report).json["number"]


def filed_ago(api, delta: timedelta, **report) -> str:
    return filed_at(api, clock.now() - delta, **report)


COVER = {"category": "0103", "description": "雨水井盖破损"}  # 2 clock hours


def test_a_dispatched_ticket_gets_its_deadline_and_a_traffic_light(api):
    number = api.report(category="5001", description="路边暴露垃圾").json["number"]
    ticket = api.ticket(number)
    assert ticket["due_at"] is not None
    assert ticket["sla"]["light"] == "green" and ticket["sla"]["used"] < 0.8
    with api.app.app_context():
        row = db.session.query(Ticket).filter_by(number=number).one()
        assert row.warn_at < row.due_at and row.escalate_at == row.due_at


def test_working_days_skip_the_weekend_and_clock_hours_do_not(api):
    friday_5pm = datetime(2026, 11, 27, 17, 0, tzinfo=TZ)
    lamp = filed_at(api, friday_5pm, category="0110", description="路灯不亮")  # 2 working days
    cover = filed_at(api, friday_5pm, **COVER, location={"lat": 29.5775, "lng": 106.5300})
    with api.app.app_context():
        lamp_due = local(db.session.query(Ticket).filter_by(number=lamp).one().due_at)
        cover_due = local(db.session.query(Ticket).filter_by(number=cover).one().due_at)
    # 1 h left on Friday, 7 h Monday, 6 h Tuesday → Tuesday 17:00
    assert lamp_due == datetime(2026, 12, 1, 17, 0, tzinfo=TZ)
    assert cover_due == friday_5pm + timedelta(hours=2)


def test_parking_stops_the_clock_and_an_extension_moves_the_deadline(api):
    number = api.report(category="0110", description="路灯不亮").json["number"]
    api.act("handler.municipal", number, "accept")
    before = api.ticket(number)["due_at"]
    api.act("handler.municipal", number, "request_extension", hours=7, reason="等配件")
    api.act("dispatcher", number, "approve_extension")
    extended = api.ticket(number)["due_at"]
    assert extended > before
    api.act("handler.municipal", number, "request_park", reason="产权不清")
    api.act("dispatcher", number, "park", reason="同意")
    parked = api.ticket(number)
    assert parked["due_at"] is None  # the clock is stopped while parked
    api.act("dispatcher", number, "unpark")
    assert api.ticket(number)["due_at"] >= extended


def test_the_sweep_warns_then_escalates_each_once(api):
    number = filed_ago(api, timedelta(hours=1, minutes=45), **COVER)  # 87 % used
    with api.app.app_context():
        assert sla_sweep.sweep() == {"warn": 1, "escalate": 0}
        assert sla_sweep.sweep() == {"warn": 0, "escalate": 0}
        notice = db.session.query(Notification).filter_by(kind="sla_warning").one()
        assert notice.department_id == db.session.query(Ticket).filter_by(
            number=number).one().lead_department_id
        later = clock.now() + timedelta(hours=1)
        assert sla_sweep.sweep(now=later) == {"warn": 0, "escalate": 1}
        assert sla_sweep.sweep(now=later) == {"warn": 0, "escalate": 0}
        leader = db.session.query(User).filter_by(username="leader.livelihood").one()
        escalation = db.session.query(Notification).filter_by(kind="escalate").one()
        assert escalation.user_id == leader.id
        db.session.remove()
    warned = api.get("handler.municipal", "/api/v1/notifications").json
    assert [(n["kind"], n["ticket"]) for n in warned] == [("sla_warning", number)]
    escalated = api.get("leader.livelihood", "/api/v1/notifications").json
    assert [(n["kind"], n["ticket"]) for n in escalated] == [("escalate", number)]
    with api.app.app_context():
        actions = [e.action for e in db.session.query(TicketEvent).join(Ticket).filter(
            Ticket.number == number).order_by(TicketEvent.id)]
        assert actions.count("sla_warning") == 1 and actions.count("escalate") == 1


def test_the_sweep_does_not_bump_the_ticket_version(api):
    number = filed_ago(api, timedelta(hours=3), **COVER)
    version = api.ticket(number)["version"]
    with api.app.app_context():
        assert sla_sweep.sweep() == {"warn": 1, "escalate": 1}
    ticket = api.ticket(number)
    assert ticket["version"] == version  # a handler's open page is not made stale
    assert ticket["sla"]["light"] == "red" and ticket["sla"]["used"] > 1
    summary = api.get("leader.livelihood", "/api/v1/boards/livelihood/summary").json
    assert summary["overdue"] == 1


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_sweeps_at_once_escalate_once(api, backend):
    import threading

    for i in range(5):
        filed_ago(api, timedelta(hours=3), category="0103", description=f"雨水井盖破损{i}",
                  location={"lat": 29.5750 + i * 0.0008, "lng": 106.5260})
    results = []
    start = threading.Barrier(2)

    def run():
        with api.app.app_context():
            start.wait()
            results.append(sla_sweep.sweep())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r["escalate"] for r in results) == 5
    assert sum(r["warn"] for r in results) == 5
    with api.app.app_context():
        assert db.session.query(TicketEvent).filter_by(action="escalate").count() == 5


@pytest.mark.parametrize("backend", ["postgres"])
def test_rqs_cron_scheduler_enqueues_the_sweep_and_a_worker_runs_it(api, backend):
    from rq.cron import CronScheduler

    from dispatch.services import outbox
    from workers.jobs import sweep_deadlines

    filed_ago(api, timedelta(hours=3), **COVER)
    with api.app.app_context():
        scheduler = CronScheduler(connection=outbox.redis_connection(), name="test-cron")
        scheduler.register(sweep_deadlines, outbox.queue().name, interval=60)
        assert len(scheduler.enqueue_jobs()) == 1  # a new cron job is due at once
    api.drain()
    with api.app.app_context():
        assert db.session.query(TicketEvent).filter_by(action="escalate").count() == 1
