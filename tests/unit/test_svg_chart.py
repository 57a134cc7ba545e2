"""The server-side trend chart: valid SVG, one point per day and series, escaped text."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from dispatch.web.svg_chart import trend_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
LABELS = {"new": "新增", "closed": "已结案"}


def days(n: int, start: date = date(2026, 4, 1)) -> list[dict]:
    return [{"date": (start + timedelta(days=i)).isoformat(), "new": i % 7, "closed": i % 3}
            for i in range(n)]


def render(data, **kwargs) -> ET.Element:
    options = {"title": "近 30 天趋势", "desc": "每日新增与结案", "labels": LABELS,
               "empty": "暂无数据", **kwargs}
    return ET.fromstring(trend_svg(data, **options))


def test_thirty_days_give_a_valid_svg_with_one_point_per_day_and_series():
    svg = render(days(30))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("role") == "img"
    assert svg.find("svg:title", NS).text == "近 30 天趋势"
    assert svg.find("svg:desc", NS).text == "每日新增与结案"
    assert svg.get("aria-labelledby") == "trend-chart-title trend-chart-desc"
    for key in ("new", "closed"):
        group = svg.find(f"svg:g[@class='series series-{key}']", NS)
        points = group.findall("svg:circle", NS)
        assert len(points) == 30
        assert len(group.find("svg:polyline", NS).get("points").split()) == 30
        assert points[-1].find("svg:title", NS).text == f"2026-04-30 {LABELS[key]}: " + (
            str(29 % 7) if key == "new" else str(29 % 3))


def test_points_go_left_to_right_and_higher_values_higher():
    svg = render([{"date": "2026-04-01", "new": 0, "closed": 0},
                  {"date": "2026-04-02", "new": 10, "closed": 5}])
    new = svg.find("svg:g[@class='series series-new']", NS).findall("svg:circle", NS)
    closed = svg.find("svg:g[@class='series series-closed']", NS).findall("svg:circle", NS)
    assert float(new[0].get("cx")) < float(new[1].get("cx"))
    assert float(new[1].get("cy")) < float(closed[1].get("cy")) < float(new[0].get("cy"))


def test_axes_have_labels_including_today_and_a_round_top():
    svg = render(days(30))
    x_labels = [t.text for t in svg.iterfind(".//svg:text[@class='x-label']", NS)]
    assert x_labels[-1] == "04-30" and 4 <= len(x_labels) <= 8
    y_labels = [int(t.text) for t in svg.iterfind(".//svg:text[@class='y-label']", NS)]
    assert y_labels[0] == 0 and y_labels[-1] >= 6 and y_labels == sorted(y_labels)
    legend = [t.text for t in svg.iterfind(".//svg:g/svg:text", NS)]
    assert legend == ["新增", "已结案"]


def test_text_is_escaped():
    hostile = '<script>alert("x")</script> & "quotes"'
    source = trend_svg(days(3), title=hostile, desc=hostile,
                       labels={"new": "<b>new</b>", "closed": "a&b"}, empty="-",
                       chart_id='x" onload="alert(1)')
    assert "<script>" not in source and "<b>" not in source and 'onload="' not in source
    svg = ET.fromstring(source)
    assert svg.find("svg:title", NS).text == hostile
    assert [t.text for t in svg.iterfind(".//svg:g/svg:text", NS)] == ["<b>new</b>", "a&b"]


def test_no_data_gives_a_valid_svg_that_says_so():
    svg = render([])
    assert svg.find("svg:title", NS).text == "近 30 天趋势"
    assert svg.find(".//svg:text[@class='empty']", NS).text == "暂无数据"
    assert svg.findall(".//svg:circle[@class='point']", NS) == []


def test_all_zero_days_still_draw_a_flat_line_on_an_axis_up_to_one():
    svg = render([{"date": f"2026-04-{d:02d}", "new": 0, "closed": 0} for d in range(1, 31)])
    y_labels = [t.text for t in svg.iterfind(".//svg:text[@class='y-label']", NS)]
    assert y_labels == ["0", "1"]
    points = svg.find("svg:g[@class='series series-new']", NS).findall("svg:circle", NS)
    assert len({p.get("cy") for p in points}) == 1 and len(points) == 30


def test_a_single_day_sits_in_the_middle():
    svg = render(days(1))
    (point,) = svg.find("svg:g[@class='series series-new']", NS).findall("svg:circle", NS)
    assert 200 < float(point.get("cx")) < 440
