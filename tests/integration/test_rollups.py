"""The dashboards' rollups are kept in step with every change, and a rebuild from the events
gives exactly the same figures."""

from dispatch.extensions import db
from dispatch.models import DailyBoardCount, StateCount
from dispatch.services import rollups
from tests.helpers import IN_GRID_2, OUTSIDE


def busy_day(api):
    closed = api.report().json["number"]
    api.act("handler.municipal", closed, "accept")
    api.act("handler.municipal", closed, "resolve", note="已更换")
    api.act("worker1", closed, "rework", note="还松")
    api.act("handler.municipal", closed, "resolve", note="已加固")
    api.act("worker1", closed, "verify")
    bounced = api.report(category="5001", description="暴露垃圾", location=IN_GRID_2,
                         username="worker2").json["number"]
    api.act("handler.sanitation", bounced, "send_back", reason="不归我们")
    api.act("dispatcher", bounced, "dispatch", board="livelihood",
            department="urban_mgmt.greening")
    queued = api.report(category="9999", description="不知道归谁", location=OUTSIDE).json
    api.act("dispatcher", queued["number"], "void", reason="重复上报")
    parked = api.report(category="0110", description="路灯不亮",
                        location={"lat": 29.5782, "lng": 106.5310}).json["number"]
    api.act("handler.municipal", parked, "request_park", reason="产权不清")
    api.act("dispatcher", parked, "park", reason="同意")


def test_rollups_follow_the_workflow_and_a_rebuild_gives_the_same(api):
    busy_day(api)
    with api.app.app_context():
        assert rollups.check() == []
        counts, states = rollups.stored()
        by_metric = {}
        for key, n in counts.items():
            by_metric[key[2]] = by_metric.get(key[2], 0) + n
        assert by_metric == {"new": 4, "dispatched": 4, "accepted": 1, "resolved": 2,
                             "reworked": 1, "closed": 1, "sent_back": 1, "voided": 1}
        by_state = {}
        for key, n in states.items():
            by_state[key[4]] = by_state.get(key[4], 0) + n
        assert by_state == {"closed": 1, "dispatched": 1, "voided": 1, "parked": 1}
        before = rollups.stored()
        rollups.rebuild()
        assert rollups.stored() == before
        assert db.session.query(StateCount).filter(StateCount.count < 0).count() == 0
        assert db.session.query(DailyBoardCount).count() > 0


def test_the_cli_checks_and_rebuilds(api):
    busy_day(api)
    runner = api.app.test_cli_runner()
    assert "match the events" in runner.invoke(args=["rollups", "check"]).output
    with api.app.app_context():
        db.session.query(DailyBoardCount).delete()
        db.session.commit()
    broken = runner.invoke(args=["rollups", "check"])
    assert broken.exit_code != 0 and "differences" in broken.output
    assert runner.invoke(args=["rollups", "rebuild"]).exit_code == 0
    assert "match the events" in runner.invoke(args=["rollups", "check"]).output


def test_overdue_is_counted_from_escalation_until_the_ticket_leaves_the_department(api):
    from datetime import timedelta

    import time_machine

    from dispatch import clock
    from dispatch.services import sla_sweep

    # filed three hours ago, with two clock hours to go: past due now (whatever the day)
    with time_machine.travel(clock.now() - timedelta(hours=3), tick=False):
        number = api.report(category="0103", description="雨水井盖破损").json["number"]

    def overdue():
        return api.get("leader", "/api/v1/boards/livelihood/summary").json["overdue"]

    assert overdue() == 0  # past due, but not yet escalated by the sweep
    with api.app.app_context():
        sla_sweep.sweep()
    assert overdue() == 1
    api.act("handler.municipal", number, "accept")
    assert overdue() == 1
    api.act("handler.municipal", number, "resolve", note="已修")
    assert overdue() == 0
    api.act("worker1", number, "rework", note="没修好")
    assert overdue() == 1  # back in the department's hands, still past its deadline
    with api.app.app_context():
        assert rollups.check() == []
