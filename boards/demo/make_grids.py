"""Generate grids.geojson: 40 demo grid polygons around Guanyinqiao, Jiangbei, Chongqing.

Deterministic (the standard library and the `geojson` package): running
``python boards/demo/make_grids.py`` rewrites grids.geojson byte for byte. The block is 8
columns x 5 rows of ~100 m x 100 m cells whose south-west corner is at lon 106.5255, lat
29.5745 (WGS-84). Interior vertices are jittered (+-15 m, fixed seed) and shared between
neighbouring cells, so the grids tile exactly.
Community codes and names must match district.yaml.
"""

import json
import os
import random

import geojson

STREET = "500105001"
COMMUNITIES = {  # layout letter -> (12-digit code, name_zh)
    "A": (STREET + "001", "洋河路社区"),
    "B": (STREET + "002", "建新北路社区"),
    "C": (STREET + "003", "鲤鱼池社区"),
    "D": (STREET + "004", "南桥寺社区"),
    "E": (STREET + "005", "华新村社区"),
    "F": (STREET + "006", "三洞桥社区"),
}
# Community of each cell; first line is the northern row, columns run west to east.
LAYOUT = """
CCCEEEFF
CCCEEFFF
AACBEFDD
AAABBDDD
AAABBBDD
"""
COLS, ROWS = 8, 5
LON0, LAT0 = 106.5255, 29.5745      # south-west corner of the block
DLON, DLAT = 0.00103, 0.0009        # ~100 m at lat 29.58
JITTER_M = 15.0
SEED = 500105001
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grids.geojson")


def vertices():
    """Return {(i, j): (lon, lat)} for the (COLS+1) x (ROWS+1) lattice, interior jittered."""
    rng = random.Random(SEED)
    pts = {}
    for j in range(ROWS + 1):
        for i in range(COLS + 1):
            lon, lat = LON0 + i * DLON, LAT0 + j * DLAT
            if 0 < i < COLS and 0 < j < ROWS:
                lon += rng.uniform(-JITTER_M, JITTER_M) / 100.0 * DLON
                lat += rng.uniform(-JITTER_M, JITTER_M) / 100.0 * DLAT
            pts[(i, j)] = (round(lon, 6), round(lat, 6))
    return pts


def cell_owner():
    """Return {(col, row): letter} with row 0 the southern row."""
    lines = LAYOUT.split()
    assert len(lines) == ROWS and all(len(line) == COLS for line in lines)
    return {(c, ROWS - 1 - r): ch for r, line in enumerate(lines) for c, ch in enumerate(line)}


def signed_area(ring):
    """Shoelace area of a closed ring in degrees^2; positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2.0


def is_convex_ccw(ring):
    """True if every turn of the closed ring is a strict left turn (convex, CCW, simple)."""
    pts = ring[:-1]
    n = len(pts)
    for k in range(n):
        (ax, ay), (bx, by), (cx, cy) = pts[k], pts[(k + 1) % n], pts[(k + 2) % n]
        if (bx - ax) * (cy - by) - (by - ay) * (cx - bx) <= 0:
            return False
    return True


def check_contiguous(owner):
    """Each community's cells must form one edge-connected block of 6 to 8 cells."""
    for letter in COMMUNITIES:
        cells = {cell for cell, ch in owner.items() if ch == letter}
        assert 6 <= len(cells) <= 8, (letter, len(cells))
        seen, todo = set(), [next(iter(cells))]
        while todo:
            c, r = todo.pop()
            if (c, r) in seen:
                continue
            seen.add((c, r))
            todo += [n for n in ((c + 1, r), (c - 1, r), (c, r + 1), (c, r - 1)) if n in cells]
        assert seen == cells, f"community {letter} is not contiguous"


def build():
    """Build the FeatureCollection (geojson objects), checking every polygon on the way."""
    pts, owner = vertices(), cell_owner()
    check_contiguous(owner)
    counters = {letter: 0 for letter in COMMUNITIES}
    features, total = [], 0.0
    # Number grids within each community from the north-west, row by row.
    for row in range(ROWS - 1, -1, -1):
        for col in range(COLS):
            letter = owner[(col, row)]
            counters[letter] += 1
            community, cname = COMMUNITIES[letter]
            ring = [pts[(col, row)], pts[(col + 1, row)], pts[(col + 1, row + 1)],
                    pts[(col, row + 1)], pts[(col, row)]]          # SW SE NE NW SW: CCW
            assert is_convex_ccw(ring), (col, row)
            total += signed_area(ring)
            features.append(geojson.Feature(
                properties={
                    "code": f"{community}{counters[letter]:03d}",
                    "name_zh": f"{cname}第{counters[letter]}网格",
                    "community": community,
                },
                geometry=geojson.Polygon([ring], validate=True),
            ))
    # Shared vertices and an unjittered outer boundary: the cells add up to the block exactly.
    block = COLS * DLON * ROWS * DLAT
    assert abs(total - block) < 1e-12, (total, block)
    assert len(features) == COLS * ROWS
    features.sort(key=lambda f: f["properties"]["code"])
    collection = geojson.FeatureCollection(features)
    assert collection.is_valid, collection.errors()
    return collection


def dump(fc):
    """Serialise with every coordinate at exactly 6 decimals, one feature per line."""
    def coord(p):
        return f"[{p[0]:.6f}, {p[1]:.6f}]"

    lines = []
    for f in fc["features"]:
        ring = ", ".join(coord(p) for p in f["geometry"]["coordinates"][0])
        props = json.dumps(f["properties"], ensure_ascii=False)
        geometry = f'{{"type": "Polygon", "coordinates": [[{ring}]]}}'
        lines.append(f'{{"type": "Feature", "properties": {props}, "geometry": {geometry}}}')
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


if __name__ == "__main__":
    text = dump(build())
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {OUT}")
