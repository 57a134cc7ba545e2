"""A board leader's dashboard in the browser: today's figures, the ranking, the map, the CSV, and
a phone that does not scroll sideways."""

import csv
import io
import re

import pytest

from tests.browser.conftest import PHONE, assert_no_horizontal_overflow, login, screenshot
from tests.helpers import ApiDriver

GRID_4_1 = {"lat": 29.57676, "lng": 106.53222}  # 500105001004001 南桥寺社区第1网格
GRID_3_1 = {"lat": 29.57859, "lng": 106.52605}  # 500105001003001 鲤鱼池社区第1网格


@pytest.fixture
def tickets(live_server):
    """One manhole cover taken to closed; open garbage (livelihood) and a signal (safety)."""
    api = ApiDriver(live_server.app, live_server.app.test_client())
    number = api.report().json["number"]
    assert api.act("handler.municipal", number, "accept").status_code == 200
    assert api.act("handler.municipal", number, "resolve", note="已更换新井盖").status_code == 200
    assert api.act("worker1", number, "verify").json["state"] == "closed"
    assert api.report(category="5001", description="路边暴露垃圾",
                      location=GRID_4_1).status_code == 201
    assert api.report(category="0202", description="信号灯不亮",
                      location=GRID_3_1).status_code == 201
    return number


def wait_for_map(page) -> None:
    page.wait_for_selector("#dash-map[data-loaded]")
    assert page.get_attribute("#dash-map", "data-loaded") == "40"
    assert page.locator("#dash-map path.leaflet-interactive").count() == 40


def test_the_livelihood_leader_sees_todays_closure_the_ranking_the_map_and_exports(
        new_page, tickets):
    page = new_page()
    login(page, "leader.livelihood")
    assert page.url.endswith("/dashboard")  # lands on the whole street
    tabs = page.get_by_role("navigation", name="板块").get_by_role("link")
    assert tabs.nth(0).inner_text() == "全街道"
    assert tabs.nth(1).inner_text().startswith("民生服务")  # their board first, marked
    assert "我的板块" in tabs.nth(1).inner_text()
    wait_for_map(page)
    assert page.locator("#kpi-new-today .value").inner_text() == "3"
    screenshot(page, "dashboard-street-desktop")

    tabs.nth(1).focus()  # the tabs are links: keyboard-reachable
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/livelihood")
    assert page.locator("a[aria-current=page]").inner_text().startswith("民生服务")
    assert page.locator("#kpi-closed-today .value").inner_text() == "1"
    assert page.locator("#kpi-new-today .value").inner_text() == "2"
    ranking = page.locator("#ranking-table")
    first = ranking.locator("tbody tr").first
    assert first.locator("th").inner_text() == "市政科"
    assert first.locator("td").nth(4).inner_text() == "100%"  # closure rate
    assert first.locator("td").last.inner_text() == "100.0"  # composite: all of it
    assert page.locator("#trend-chart title").first.text_content() == "近 30 天每日新增与结案工单"
    wait_for_map(page)
    shaded = page.locator("#dash-map path.leaflet-interactive[fill='#fdd9b5']")
    assert shaded.count() == 1  # the grid with the open garbage
    screenshot(page, "dashboard-desktop")

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"导出 CSV.*部门排名")).click()
    download = info.value
    assert download.suggested_filename.startswith("dashboard-500105001-livelihood-ranking-")
    with open(download.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["排名", "部门"]
    assert rows[1] == ["1", "市政科", "urban_mgmt.municipal", "1", "1", "0", "100%", "100%",
                       "100.0"]
    assert rows[2][:3] == ["2", "环卫科", "urban_mgmt.sanitation"] and len(rows) == 3


def test_the_dashboard_fits_a_phone(new_page, tickets):
    page = new_page(PHONE)
    login(page, "leader.livelihood")
    page.goto("/dashboard/livelihood")
    wait_for_map(page)
    assert page.locator("#kpi-closed-today .value").inner_text() == "1"
    assert_no_horizontal_overflow(page)
    screenshot(page, "dashboard-phone")
