"""The KPI rollups give, for every street, board and department, exactly the figures that
core.kpi computes from the tickets and their events; a rebuild gives the same rollups."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dispatch.core import kpi
from dispatch.extensions import db
from dispatch.models import Department, Street, Ticket
from dispatch.services import kpi as kpi_service
from dispatch.services import kpi_rollups, rollups
from tests.integration.test_rollups import busy_day

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
PERIODS = [kpi.Period.days(TODAY, TODAY + timedelta(days=1)),
           kpi.Period.days(TODAY - timedelta(days=3), TODAY + timedelta(days=40)),
           kpi.Period.days(TODAY + timedelta(days=1), TODAY + timedelta(days=40)),
           kpi.Period.days(date(2020, 1, 1), date(2020, 2, 1))]


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
        for period in PERIODS:
            for scope in scopes:
                exact = kpi.as_dict(kpi.compute(facts, scope, period))
                assert kpi_service.report(scope, period) == exact, (str(scope), period)
                compared += exact["dispatched"] + exact["due_to_close"]
        assert compared > 20  # the comparison saw real figures, not only zeros


def test_department_rankings_come_from_the_rollups_too(api):
    more_history(api)
    period = PERIODS[1]
    with api.app.app_context():
        facts = every_fact()
        ranking = kpi_service.department_scores(period)
        assert {r["scope"]["code"] for r in ranking} >= {"urban_mgmt.municipal",
                                                         "urban_mgmt.sanitation"}
        for row in ranking:
            exact = kpi.as_dict(kpi.compute(facts, kpi.Scope.parse(
                f"department:{row['scope']['code']}"), period))
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
        for period in PERIODS:
            exact = kpi.as_dict(kpi.compute(facts, wanted, period))
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
