"""The KPI rollups give, for every street, board and department, exactly the figures that
core.kpi computes from the tickets and their events; a rebuild gives the same rollups."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from dispatch import clock
from dispatch.core import kpi
from dispatch.extensions import db
from dispatch.models import Department, Street, Ticket
from dispatch.services import kpi as kpi_service
from dispatch.services import kpi_rollups, rollups
from tests.integration.test_rollups import busy_day

SH = clock.zone()  # outside an app: the default zone, Asia/Shanghai


def periods() -> list[kpi.Period]:
    """Today, around today, after today and long ago, as the clock reads now."""
    today = clock.now().astimezone(SH).date()
    return [kpi.Period.days(today, today + timedelta(days=1), SH),
            kpi.Period.days(today - timedelta(days=3), today + timedelta(days=40), SH),
            kpi.Period.days(today + timedelta(days=1), today + timedelta(days=40), SH),
            kpi.Period.days(date(2020, 1, 1), date(2020, 2, 1), SH)]


def still():
    """The clock held where it is, so the rollups and the exact replay see the same now."""
    return time_machine.travel(clock.now(), tick=False)


def every_fact() -> list[kpi.TicketFact]:
    return kpi_service._facts(db.session.execute(select(
        Ticket.id, Ticket.created_at, Ticket.state, Ticket.street_id, Ticket.grid_id,
        Ticket.community_id, Ticket.board_code, Ticket.lead_department_id, Ticket.due_at,
        Ticket.closed_at)).all())


def more_history(api):
    """An extension, a merge, a resolved-but-unverified ticket and a send-back on top."""
    busy_day(api)
    extended = api.report(description="井盖松动", username="worker3").json["number"]
    api.act("handler.municipal", extended, "accept")
    api.act("handler.municipal", extended, "request_extension", hours=8, reason="等材料")
    api.act("dispatcher", extended, "approve_extension")
    api.act("handler.municipal", extended, "resolve", note="已修")
    survivor = api.report(description="井盖丢失").json["number"]
    merged = api.report(description="井盖丢失了", username="worker2").json["number"]
    api.act("dispatcher", merged, "merge", into=survivor)
    refused = api.report(category="5001", description="垃圾堆积",
                         username="worker4").json["number"]
    api.act("handler.sanitation", refused, "send_back", reason="不归我们")


def test_the_rollups_give_the_exact_figures_for_every_rollup_scope(api):
    more_history(api)
    with api.app.app_context():
        facts = every_fact()
        codes = db.session.scalars(select(Department.code)).all()
        street = db.session.scalars(select(Street.code)).first()
        scopes = [kpi.Scope("all"), kpi.Scope("street", street),
                  *(kpi.Scope("board", b) for b in ("party", "economy", "livelihood",
                                                    "safety")),
                  *(kpi.Scope("department", c) for c in codes)]
        compared = 0
        with still():
            for period in periods():
                for scope in scopes:
                    exact = kpi.as_dict(kpi.compute(facts, scope, period, clock.now()))
                    assert kpi_service.report(scope, period) == exact, (str(scope), period)
                    compared += exact["dispatched"] + exact["due_to_close"]
        assert compared > 20  # the comparison saw real figures, not only zeros


def test_department_rankings_come_from_the_rollups_too(api):
    more_history(api)
    period = periods()[1]
    with api.app.app_context(), still():
        facts = every_fact()
        ranking = kpi_service.department_scores(period)
        assert {r["scope"]["code"] for r in ranking} >= {"urban_mgmt.municipal",
                                                         "urban_mgmt.sanitation"}
        for row in ranking:
            exact = kpi.as_dict(kpi.compute(facts, kpi.Scope.parse(
                f"department:{row['scope']['code']}"), period, clock.now()))
            assert {k: v for k, v in row.items() if k != "composite"} == exact


def test_check_and_rebuild_cover_the_kpi_rollups(api):
    more_history(api)
    with api.app.app_context():
        assert kpi_rollups.check() == []
        before = kpi_rollups.stored()
        assert sum(before[0].values()) == db.session.query(Ticket).filter(
            Ticket.due_at.isnot(None) | Ticket.closed_at.isnot(None)
            | (Ticket.state == "parked")).count()  # one closure row-count per such ticket
        rollups.rebuild()
        assert kpi_rollups.stored() == before
        db.session.execute(kpi_rollups.TIMINGS.delete())
        db.session.commit()
        assert any("timings" in line for line in rollups.check())


@pytest.mark.parametrize("scope", ["grid:{grid}", "community:{community}"])
def test_grid_and_community_figures_come_from_their_tickets(api, scope):
    more_history(api)
    with api.app.app_context():
        facts = every_fact()
        place = next(f.where for f in facts if f.where.grid)
        wanted = kpi.Scope.parse(scope.format(grid=place.grid, community=place.community))
        with still():
            for period in periods():
                exact = kpi.as_dict(kpi.compute(facts, wanted, period, clock.now()))
                assert kpi_service.report(wanted, period) == exact


def test_a_database_from_before_the_kpi_rollups_is_detected_and_rebuilt(api):
    more_history(api)
    with api.app.app_context():
        assert not kpi_rollups.missing()
        for table in (kpi_rollups.CLOSURES, kpi_rollups.EPISODES, kpi_rollups.TIMING_COUNTS,
                      kpi_rollups.TIMINGS):
            db.session.execute(table.delete())
        db.session.commit()
        assert kpi_rollups.missing()
        rollups.rebuild()
        assert not kpi_rollups.missing() and kpi_rollups.check() == []


def test_a_report_filed_before_dawn_is_not_due_until_its_deadline_passes(api):
    """02:43 on a Monday: the manhole is dispatched with an urgent limit in clock hours. At
    02:45 and a minute before the deadline the department has nothing due to close (closure
    rate null, not 0 %); after the deadline it has one ticket due and not closed. The rollup
    path and the exact replay agree at every moment."""
    dawn = datetime(2026, 12, 7, 2, 43, tzinfo=SH)
    with time_machine.travel(dawn, tick=False) as traveller:
        number = api.report().json["number"]
        with api.app.app_context():
            ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
            department = ticket.lead_department.code
            due_at = ticket.due_at
            assert dawn < due_at < dawn + timedelta(hours=3)  # an urgent limit, clock hours
        scope = kpi.Scope("department", department)
        period = kpi.Period.days(dawn.date(), dawn.date() + timedelta(days=1), SH)
        expected = {dawn + timedelta(minutes=2): (0, None),
                    due_at - timedelta(minutes=1): (0, None),
                    due_at + timedelta(minutes=5): (1, 0.0)}
        for moment, (due, rate) in expected.items():
            traveller.move_to(moment)
            with api.app.app_context():
                got = kpi_service.report(scope, period)
                assert (got["due_to_close"], got["closure_rate"]) == (due, rate), moment
                assert got == kpi.as_dict(kpi.compute(every_fact(), scope, period, moment))
                ranked = {r["scope"]["code"]: r for r in kpi_service.department_scores(period)}
                assert ranked[department]["closure_rate"] == rate
