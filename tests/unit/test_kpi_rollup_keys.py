"""The rollup path, without a database: contributions stored under their rollup keys, read
back the way the SQL does (rows whose days fall in the period, one bucket's values for a
percentile), then summarized, give what `compute` gives on the tickets themselves."""

from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core import kpi
from dispatch.services import kpi_rollups
from tests.unit.test_kpi import (
    FIXTURE,
    LONG_AFTER,
    PERIODS,
    SH,
    L,
    M,
    P,
    S,
    Y,
    at,
    periods,
    ticket_sets,
)

# moments a leader may look: long after, and in the middle of the fixture's days (deadlines
# later the same day are not yet due), at awkward hours
NOWS = [LONG_AFTER, at("2026-11-20 10:00"), at("2026-11-09 00:30"), at("2026-11-24 23:59"),
        at("2026-11-13 08:59")]

ROLLUP_SCOPES = [kpi.Scope("all"), kpi.Scope("street", "s1"), kpi.Scope("street", "s9"),
                 *(kpi.Scope("department", d) for d in (M, S, P)),
                 kpi.Scope("board", L), kpi.Scope("board", Y)]


def within(scope: kpi.Scope, street, board, department) -> bool:
    return scope.kind == "all" or {"street": street, "board": board,
                                   "department": department}[scope.kind] == scope.code


def from_rollup_keys(tickets, scope: kpi.Scope, period: kpi.Period,
                     now) -> kpi.KpiReport:
    closures, episodes, timings, tallies = Counter(), Counter(), Counter(), Counter()
    later, today = Counter(), kpi.local_day(now, SH)
    for t in tickets:
        share = kpi.contributions(t, SH)
        c, e, tm = kpi_rollups.keys(share)
        closures.update(c)
        # what the service reads from the tickets themselves: deadlines later today
        if kpi.is_due_later_today(t.due_at, now, today, SH) and share.closure is not None \
                and share.closure.where.within(scope):
            later[share.closure.due_day, share.closure.final_day, share.closure.outcome] += 1
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
                         [(*k, n) for k, n in episode_rows.items()], counts, durations, now,
                         [(*k, n) for k, n in later.items()])


def test_the_fixture_through_rollup_keys():
    for period in PERIODS.values():
        for scope in ROLLUP_SCOPES:
            for now in NOWS:
                assert from_rollup_keys(FIXTURE, scope, period, now) == kpi.compute(
                    FIXTURE, scope, period, now), (scope, now)


@settings(max_examples=200, deadline=None)
@given(ticket_sets, st.sampled_from(ROLLUP_SCOPES), periods, st.sampled_from(NOWS))
def test_random_histories_through_rollup_keys(tickets, scope, period, now):
    assert from_rollup_keys(tickets, scope, period, now) == kpi.compute(tickets, scope,
                                                                        period, now)
