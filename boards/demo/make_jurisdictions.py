"""Generate jurisdictions.geojson: 12 demo jurisdiction polygons around the Guanyinqiao grids.

Deterministic (the standard library and the `geojson` package): running
``python boards/demo/make_jurisdictions.py`` rewrites jurisdictions.geojson byte for byte. A
jurisdiction is an area with an owning department (a park, a river bank, a road section, a
school zone, an industrial estate, a market, a construction site);
routing rules can match "inside jurisdiction X" or "inside a jurisdiction of kind K" and can send a
ticket to "@jurisdiction", the owner of the matched polygon (docs/routing-rules.md).

Names are plausible Guanyinqiao-flavoured names for the demo, not claimed official boundaries.
Jurisdictions may overlap each other and cross grid borders; river-jialing lies entirely south of
the grid block (about 105-155 m), and its western end is more than 200 m from every grid, so rules
can route points the grids do not cover. Departments must exist in departments.yaml.
"""

import os

import geojson

try:  # run as a script (python boards/demo/make_jurisdictions.py) or imported as a module
    from make_grids import dump
except ImportError:
    from boards.demo.make_grids import dump

KINDS = ("park", "river_bank", "road_section", "school_zone", "industrial_estate", "market",
         "construction_site")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jurisdictions.geojson")

# id, name_zh, name_en, kind, department, outer ring (lon, lat) counter-clockwise, not closed.
JURISDICTIONS = [
    ("park-yanghe", "洋河体育公园", "Yanghe Sports Park", "park", "urban_mgmt.greening",
     [(106.525800, 29.574800), (106.527250, 29.574850), (106.527350, 29.575600),
      (106.527000, 29.576100), (106.525900, 29.576050)]),
    ("park-beicang", "北仓文创街区", "Beicang Creative Quarter", "park", "urban_mgmt.greening",
     [(106.526000, 29.577650), (106.527900, 29.577700), (106.528000, 29.578600),
      (106.526800, 29.578750), (106.526050, 29.578500)]),
    ("road-guanyinqiao-walkway", "观音桥步行街", "Guanyinqiao Pedestrian Street", "road_section",
     "urban_mgmt.municipal",
     [(106.528800, 29.576550), (106.533000, 29.576400), (106.533000, 29.576900),
      (106.528800, 29.577050)]),
    ("road-jianxin-north", "建新北路（观音桥段）", "Jianxin North Road (Guanyinqiao section)",
     "road_section", "urban_mgmt.municipal",
     [(106.529400, 29.574700), (106.529750, 29.574700), (106.529750, 29.578800),
      (106.529400, 29.578800)]),
    ("school-jianxin", "建新北路小学周边", "Jianxin North Road Primary School area",
     "school_zone", "traffic_police",
     [(106.529200, 29.574700), (106.530500, 29.574700), (106.530500, 29.575600),
      (106.529200, 29.575600)]),
    ("school-huaxin", "华新村小学周边", "Huaxincun Primary School area", "school_zone", "police",
     [(106.529900, 29.577900), (106.531100, 29.577900), (106.531100, 29.578800),
      (106.529900, 29.578800)]),
    ("market-liyuchi", "鲤鱼池农贸市场", "Liyuchi Farmers' Market", "market", "market_reg",
     [(106.527700, 29.576600), (106.528400, 29.576650), (106.528400, 29.577500),
      (106.527750, 29.577500), (106.527700, 29.577000)]),
    ("river-jialing", "嘉陵江滨江路段（观音桥段）",
     "Jialing River embankment (Guanyinqiao section)", "river_bank", "emergency_office",
     [(106.522500, 29.573100), (106.526000, 29.573150), (106.530000, 29.573150),
      (106.534500, 29.573100), (106.534500, 29.573500), (106.530000, 29.573550),
      (106.526000, 29.573550), (106.522500, 29.573500)]),
    ("river-panxi", "盘溪河沿岸（南桥寺段）", "Panxi River bank (Nanqiaosi section)", "river_bank",
     "water",
     [(106.533100, 29.574600), (106.533450, 29.574550), (106.534600, 29.576900),
      (106.534250, 29.577000)]),
    ("industrial-sandongqiao", "三洞桥文创产业园", "Sandongqiao Creative Industry Park",
     "industrial_estate", "economy_office",
     [(106.531900, 29.577500), (106.533300, 29.577500), (106.533300, 29.578700),
      (106.531900, 29.578700)]),
    ("industrial-nanqiaosi", "南桥寺小微企业园", "Nanqiaosi Small Business Park",
     "industrial_estate", "work_safety",
     [(106.530800, 29.575500), (106.532000, 29.575500), (106.532000, 29.576200),
      (106.530800, 29.576200)]),
    ("site-huaxin", "华新村旧城改造项目工地", "Huaxincun urban renewal construction site",
     "construction_site", "housing",
     [(106.530200, 29.576800), (106.531200, 29.576800), (106.531200, 29.577600),
      (106.530200, 29.577600)]),
]


def signed_area(ring):
    """Shoelace area of a closed ring in degrees^2; positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2.0


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_cross(p1, p2, q1, q2):
    """True if segments p1p2 and q1q2 touch or cross (collinear overlaps included)."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and d1 and d2 and ((d3 > 0) != (d4 > 0)) and d3 and d4:
        return True

    def on(a, b, c):  # c collinear with ab and within its box
        return (_cross(a, b, c) == 0 and min(a[0], b[0]) <= c[0] <= max(a[0], b[0])
                and min(a[1], b[1]) <= c[1] <= max(a[1], b[1]))

    return on(q1, q2, p1) or on(q1, q2, p2) or on(p1, p2, q1) or on(p1, p2, q2)


def is_simple(ring):
    """True if no two non-adjacent edges of the closed ring touch (no self-intersection)."""
    edges = list(zip(ring, ring[1:], strict=False))
    n = len(edges)
    for a in range(n):
        for b in range(a + 1, n):
            if b == a + 1 or (a == 0 and b == n - 1):
                continue  # neighbours share a vertex by construction
            if _segments_cross(*edges[a], *edges[b]):
                return False
    return True


def build():
    """Build the FeatureCollection (geojson objects), checking every polygon on the way."""
    features, seen = [], set()
    for jid, name_zh, name_en, kind, department, points in JURISDICTIONS:
        assert jid not in seen and jid.replace("-", "").isalnum() and jid == jid.lower(), jid
        seen.add(jid)
        assert kind in KINDS, (jid, kind)
        ring = [(round(lon, 6), round(lat, 6)) for lon, lat in points]
        assert len(set(ring)) == len(ring) >= 3, jid
        ring.append(ring[0])                                   # close the ring
        assert signed_area(ring) > 0, f"{jid}: ring is not counter-clockwise"
        assert is_simple(ring), f"{jid}: ring intersects itself"
        features.append(geojson.Feature(
            properties={"id": jid, "name_zh": name_zh, "name_en": name_en, "kind": kind,
                        "department": department},
            geometry=geojson.Polygon([ring], validate=True),
        ))
    assert 8 <= len(features) <= 12
    collection = geojson.FeatureCollection(features)
    assert collection.is_valid, collection.errors()
    return collection


if __name__ == "__main__":
    text = dump(build())
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {OUT}")
