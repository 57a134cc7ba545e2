"""The keys the worker's category search compares with what was typed: everyday words and full
pinyin find a category, not only its official name, code and initials."""

import pytest
import yaml

from boards import DEMO_FOLDER
from dispatch.core.search import initials, normalise, search_keys, syllable_keys


def test_initials_and_full_pinyin_of_a_name():
    keys = search_keys("污水井盖")
    assert keys.initials == "wsjg"
    assert keys.pinyin == ("wushuijinggai", "shuijinggai", "jinggai", "gai")
    assert keys.words == ()


def test_synonyms_give_the_word_its_initials_and_its_pinyin():
    keys = search_keys("占道经营", ("摆摊", "流动摊贩"))
    assert keys.words == ("摆摊", "bt", "baitan", "tan",
                          "流动摊贩", "ldtf", "liudongtanfan", "dongtanfan", "tanfan", "fan")


@pytest.mark.parametrize("typed", ["jinggai", "jing gai", "JingGai", "jing'gai", " JING-GAI "])
def test_the_query_is_normalised_like_the_keys(typed):
    assert normalise(typed) == "jinggai"


def test_pinyin_keys_start_at_syllables_only():
    assert syllable_keys("路灯") == ("ludeng", "deng")
    assert not any(k.startswith("ngsh") for k in syllable_keys("上水井盖"))
    assert initials("其他事项") == "qtsx"


def demo_categories() -> list[dict]:
    with open(f"{DEMO_FOLDER}/categories.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["categories"]


def found(typed: str) -> set[str]:
    """The codes whose keys hold the query the way report.js looks (exact word, prefix of a
    syllable-start pinyin key, inside the name)."""
    q = normalise(typed)
    codes = set()
    for c in demo_categories():
        keys = search_keys(c["name_zh"], tuple(c.get("synonyms", ())))
        if (q in c["name_zh"] or q in keys.words
                or any(k.startswith(q) for k in keys.pinyin + keys.words)):
            codes.add(c["code"])
    return codes


@pytest.mark.parametrize(("typed", "code"), [
    ("垃圾桶", "0301"), ("摆摊", "5301"), ("乱停车", "5302"), ("着火", "5401"),
    ("小广告", "5101"), ("噪音", "5201"), ("下水道", "0102"), ("jinggai", "0102"),
    ("ludeng", "0110"), ("jing gai", "0106"), ("JingGai", "0101"), ("jingg", "0103"),
    ("baitan", "5301"), ("zhaohuo", "5401"), ("红绿灯", "0202"), ("违建", "5203"),
])
def test_a_workers_everyday_words_find_the_category(typed, code):
    assert code in found(typed)


def test_every_demo_category_has_everyday_words():
    categories = demo_categories()
    assert len(categories) >= 50
    for c in categories:
        words = c.get("synonyms")
        assert words and all(isinstance(w, str) and w.strip() for w in words), c["code"]
        assert len(set(words)) == len(words) and c["name_zh"] not in words, c["code"]
