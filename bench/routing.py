"""Routing at Chongqing scale: 62,000 grid cells, 500 jurisdictions, 2,000 rules, 20,000 reports.

    python -m bench.routing [--cells 62000] [--jurisdictions 500] [--rules 2000] [--reports 20000]

Prints, in one run: the engine's decisions per second and latency percentiles (place the point,
then decide with the rules), the rate of a bare STRtree point lookup on the same cells, their
ratio, and the memory the index and rules take. Target: engine ≥ 0.2 × the bare lookup.
"""

import argparse
import gc
import os
import random
import statistics
import time
import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shapely import STRtree
from shapely.geometry import Point, box

from boards.demo.history import SAYINGS, load_categories
from dispatch.core.geo import GridCell, GridIndex, Jurisdiction
from dispatch.core.routing import CategoryFacts, Report, route
from dispatch.core.rules import Catalog, compile_rules

WEST, SOUTH = 106.20, 29.30          # south-west corner of the synthetic city
CELL_LON, CELL_LAT = 0.00103, 0.0009  # about 100 m × 100 m at this latitude
KINDS = ["park", "river_bank", "road_section", "school_zone", "industrial_estate", "market"]
TZ = ZoneInfo("Asia/Shanghai")


def make_cells(n: int) -> list[GridCell]:
    """Square cells row by row; every 64 cells a community, every 16 communities a street."""
    columns = int(n ** 0.5) + 1
    cells = []
    for i in range(n):
        row, col = divmod(i, columns)
        west, south = WEST + col * CELL_LON, SOUTH + row * CELL_LAT
        ring = [[west, south], [west + CELL_LON, south], [west + CELL_LON, south + CELL_LAT],
                [west, south + CELL_LAT], [west, south]]
        community = i // 64
        street = community // 16
        street_code = f"500100{street:03d}"
        community_code = f"{street_code}{community % 1000:03d}"
        cells.append(GridCell(f"{community_code}{i % 1000:03d}", community_code, street_code,
                              {"type": "Polygon", "coordinates": [ring]}))
    return cells


def make_jurisdictions(n: int, extent, departments: list[str], rng) -> list[Jurisdiction]:
    west, south, east, north = extent
    areas = []
    for i in range(n):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        w, h = rng.uniform(0.002, 0.01), rng.uniform(0.002, 0.008)
        geometry = box(lon, lat, lon + w, lat + h).__geo_interface__
        areas.append(Jurisdiction(f"j-{i}", f"辖区{i}", rng.choice(KINDS),
                                  rng.choice(departments), geometry))
    return areas


def make_rules(n: int, catalog: Catalog, communities: list[str], areas, rng) -> list[dict]:
    """Rules shaped like the demo district's: keywords, classes, places, jurisdictions, hours."""
    words = sorted({s[i:i + 2] for says in SAYINGS.values() for s in says
                    for i in range(len(s) - 1)})
    pairs = [(d, b) for d, boards in catalog.departments.items() for b in sorted(boards)]
    classes = sorted({c[:2] for c in catalog.categories})
    rules = []
    for i in range(n):
        when: dict = {}
        shape = i % 5
        if shape in (0, 1, 2):
            when["keywords_any"] = rng.sample(words, 2)
        if shape in (1, 3):
            when["categories"] = [rng.choice(classes)]
        if shape == 2:
            when["communities"] = rng.sample(communities, 3)
        if shape == 3:
            when["jurisdictions"] = [rng.choice(areas).id]
        if shape == 4:
            when["jurisdiction_kinds"] = [rng.choice(KINDS)]
            when["keywords_all"] = [rng.choice(words)]
        if i % 7 == 0:
            when["hours"] = {"from": "22:00", "to": "06:00"}
        department, board = rng.choice(pairs)
        then = {"board": board, "department": department}
        if i % 11 == 0:
            then = {"helpers": [rng.choice(pairs)[0]]}
        rules.append({"id": f"r-{i}", "description": f"规则{i}", "when": when, "then": then,
                      "stop": "helpers" not in then})
    return rules


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=62_000)
    parser.add_argument("--jurisdictions", type=int, default=500)
    parser.add_argument("--rules", type=int, default=2_000)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    categories = load_categories()
    departments = sorted({c["department"] for c in categories.values() if c["department"]})

    cells = make_cells(args.cells)
    extent = (WEST, SOUTH, max(c.geometry["coordinates"][0][1][0] for c in cells),
              max(c.geometry["coordinates"][0][2][1] for c in cells))
    boards_of = {}
    for c in categories.values():
        if c["department"]:
            boards_of.setdefault(c["department"], set()).add(c["board"])
    catalog = Catalog(boards=frozenset({"party", "economy", "livelihood", "safety"}),
                      departments={d: frozenset(b) for d, b in boards_of.items()},
                      categories=frozenset(categories))
    areas = make_jurisdictions(args.jurisdictions, extent, departments, rng)
    communities = sorted({c.community_code for c in cells})
    catalog = Catalog(catalog.boards, catalog.departments, catalog.categories,
                      streets=frozenset(c.street_code for c in cells),
                      communities=frozenset(communities), grids=frozenset(),
                      jurisdictions={a.id: a.kind for a in areas})

    gc.collect()
    rss_before = _rss()
    tracemalloc.start()
    started = time.perf_counter()
    index = GridIndex(cells, areas)
    built = time.perf_counter() - started
    index_bytes = tracemalloc.get_traced_memory()[0]
    index_rss = _rss() - rss_before
    ruleset = compile_rules(make_rules(args.rules, catalog, communities, areas, rng), catalog)
    total_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    coded = [c for c in categories.values() if c["code"] in SAYINGS]
    base = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
    reports, points = [], []
    for _ in range(args.reports):
        c = rng.choice(coded)
        text = rng.choice(SAYINGS[c["code"]]) + "，请尽快处理"
        facts = CategoryFacts(c["code"], c["name_zh"], c["board"], c["department"], c["urgent"])
        reports.append(Report(facts, text, base + timedelta(minutes=rng.randrange(24 * 60))))
        points.append((rng.uniform(extent[0], extent[2]), rng.uniform(extent[1], extent[3])))

    bare_tree = STRtree([box(*Point(0, 0).bounds)] if not cells else
                        [box(*_bounds(c)) for c in cells])
    started = time.perf_counter()
    for lon, lat in points:
        bare_tree.query(Point(lon, lat), predicate="intersects")
    bare_rate = len(points) / (time.perf_counter() - started)

    latencies, dispatched = [], 0
    started = time.perf_counter()
    for report, (lon, lat) in zip(reports, points, strict=True):
        t0 = time.perf_counter()
        decision = route(report, index.place(lon, lat), ruleset,
                         departments=catalog.departments)
        latencies.append(time.perf_counter() - t0)
        dispatched += decision.dispatch
    engine_rate = len(reports) / (time.perf_counter() - started)

    print(f"cells {len(cells):,}  jurisdictions {len(areas):,}  rules {len(ruleset):,}  "
          f"reports {len(reports):,}")
    print(f"index built in {built:.2f} s (under tracemalloc); memory of the index: "
          f"{index_rss / 2**20:.1f} MiB resident (GEOS included), {index_bytes / 2**20:.1f} MiB "
          f"of Python objects; index + rules {total_bytes / 2**20:.1f} MiB of Python objects")
    print(f"bare STRtree point lookup: {bare_rate:,.0f} lookups/s")
    print(f"routing engine:            {engine_rate:,.0f} decisions/s  "
          f"(p50 {statistics.median(latencies) * 1e6:.0f} µs, "
          f"p99 {percentile(latencies, 99) * 1e6:.0f} µs); {dispatched:,} dispatched")
    print(f"ratio engine / bare lookup: {engine_rate / bare_rate:.2f}  (target ≥ 0.20)")


def _rss() -> int:
    """Resident memory of this process in bytes (Linux), C libraries included."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _bounds(cell: GridCell):
    ring = cell.geometry["coordinates"][0]
    return ring[0][0], ring[0][1], ring[2][0], ring[2][1]


if __name__ == "__main__":
    main()
