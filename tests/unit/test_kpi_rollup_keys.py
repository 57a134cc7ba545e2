"""The rollup path, without a database: contributions stored under their rollup keys, read
back the way the SQL does (rows whose days fall in the period, one bucket's values for a
percentile), then summarized, give what `compute` gives on the tickets themselves."""

from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core import kpi
from dispatch.services import kpi_rollups
from tests.unit.test_kpi import FIXTURE, PERIODS, L, M, P, S, Y, periods, ticket_sets

ROLLUP_SCOPES = [kpi.Scope("all"), kpi.Scope("street", "s1"), kpi.Scope("street", "s9"),
                 *(kpi.Scope("department", d) for d in (M, S, P)),
                 kpi.Scope("board", L), kpi.Scope("board", Y)]


def within(scope: kpi.Scope, street, board, department) -> bool:
    return scope.kind == "all" or {"street": street, "board": board,
                                   "department": department}[scope.kind] == scope.code


def from_rollup_keys(tickets, scope: kpi.Scope, period: kpi.Period) -> kpi.KpiReport:
    closures, episodes, timings, tallies = Counter(), Counter(), Counter(), Counter()
    for t in tickets:
        share = kpi.contributions(t)
        c, e, tm = kpi_rollups.keys(share)
        closures.update(c)
        episodes.update(e)
        timings.update(tm)
        for tally in share.tallies:
            where = tally.where
            tallies[tally.name, tally.day, where.street, where.board, where.department] += 1
    closure_rows = Counter()
    for (street, board, dept, due, final, outcome), n in closures.items():
        if within(scope, street, board, dept) and (due in period or final in period):
            closure_rows[due, final, outcome] += n
    episode_rows = Counter()
    for (dept, day, street, board, resolved, on_time), n in episodes.items():
        if within(scope, street, board, dept) and day in period:
            episode_rows[day, resolved, on_time] += n
    counts = Counter()
    for (name, day, street, board, dept), n in tallies.items():
        if day in period and within(scope, street or 0, board or "", dept or 0):
            counts[name] += n
    histograms, values = defaultdict(Counter), defaultdict(list)
    for (kind, day, street, board, dept, bucket, hours), n in timings.items():
        if day in period and within(scope, street, board, dept):
            histograms[kind][bucket] += n
            values[kind, bucket] += [hours] * n
    durations = {}
    for kind, histogram in histograms.items():
        found = []
        for p in (50, 90):
            bucket, position = kpi.locate(sorted(histogram.items()), p)
            found.append(sorted(values[kind, bucket])[position - 1])
        durations[kind] = kpi.Durations(sum(histogram.values()), *found)
    return kpi.summarize(scope, period, [(*k, n) for k, n in closure_rows.items()],
                         [(*k, n) for k, n in episode_rows.items()], counts, durations)


def test_the_fixture_through_rollup_keys():
    for period in PERIODS.values():
        for scope in ROLLUP_SCOPES:
            assert from_rollup_keys(FIXTURE, scope, period) == kpi.compute(FIXTURE, scope,
                                                                           period), scope


@settings(max_examples=200, deadline=None)
@given(ticket_sets, st.sampled_from(ROLLUP_SCOPES), periods)
def test_random_histories_through_rollup_keys(tickets, scope, period):
    assert from_rollup_keys(tickets, scope, period) == kpi.compute(tickets, scope, period)
