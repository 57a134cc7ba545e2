"""A grid worker on a phone finds the category by the word they would say on the street (摆摊,
下水道) or by full pinyin (`jinggai`, `Jing Gai`), not only by its official name or initials."""

import os

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PHONE, assert_no_horizontal_overflow, login

SEARCH = "搜索：名称、俗称、编码或拼音"


def offered(page) -> list[str]:
    return page.locator("#cat-list .chip .chip-name").all_inner_texts()


def test_everyday_words_and_full_pinyin_find_the_category(new_page):
    page = new_page(PHONE)
    login(page, "worker1")
    search = page.get_by_label(SEARCH)

    search.fill("摆摊")
    expect(page.locator("#cat-list .chip").first).to_contain_text("占道经营")
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "category-search-baitan-phone.png"))
    assert_no_horizontal_overflow(page)

    search.fill("jinggai")
    expect(page.locator("#cat-list")).to_contain_text("污水井盖")
    assert "路灯" not in offered(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "category-search-jinggai-phone.png"))

    for typed, name in [("ludeng", "路灯"), ("Jing Gai", "燃气井盖"), ("jingg", "雨水井盖"),
                        ("乱停车", "乱停乱放"), ("着火", "突发火情"), ("小广告", "违规广告"),
                        ("噪音", "施工扰民"), ("下水道", "污水井盖"), ("垃圾桶", "垃圾箱"),
                        ("wsjg", "污水井盖")]:
        search.fill(typed)
        expect(page.locator("#cat-list .chip-name").filter(has_text=name)).to_have_count(1)

    search.fill("摆摊")
    page.locator("#cat-list").get_by_role("button", name="占道经营").click()
    expect(page.locator("#cat-chosen")).to_contain_text("占道经营")
    assert page.locator("#f-category").input_value() == "5301"


def test_the_same_search_on_a_desktop(new_page):
    page = new_page({"width": 1366, "height": 900})
    login(page, "worker1")
    page.get_by_label(SEARCH).fill("下水道")
    expect(page.locator("#cat-list .chip-name")).to_have_text(["污水井盖", "雨水井盖"])
    page.screenshot(path=os.path.join(ARTIFACTS, "category-search-xiashuidao-desktop.png"))
