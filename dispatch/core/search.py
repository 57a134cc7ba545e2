"""Search keys for the worker's category picker.

A grid worker types what they would say on the street (摆摊, 乱停车, `jinggai`), not the
category's official name or its code. The server computes every key once from the name and the
synonyms kept beside the category in the board data; the phone only compares the typed text
with these keys, so the matching rules stay in one small script and the keys are tested here.

Full pinyin is given from every syllable start ("shangshuijinggai", "shuijinggai", "jinggai",
"gai") so that `jinggai` finds 上水井盖 by a prefix test, without letting `ngsh` match across
syllables as a plain substring would.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_SEPARATORS = re.compile(r"[\s'’\-·・_/]+")


def normalise(text: str) -> str:
    """What the phone also does to the query: lower case, no spaces or pinyin apostrophes, so
    `Jing Gai`, `jing'gai` and `jinggai` are one key."""
    return _SEPARATORS.sub("", text).lower()


def initials(text: str) -> str:
    """Pinyin initials: 污水井盖 → wsjg."""
    return normalise("".join(lazy_pinyin(text, style=Style.FIRST_LETTER)))


def syllable_keys(text: str) -> tuple[str, ...]:
    """Full pinyin read from each syllable onwards: 路灯 → ("ludeng", "deng")."""
    syllables = [normalise(s) for s in lazy_pinyin(text)]
    syllables = [s for s in syllables if s]
    return tuple("".join(syllables[i:]) for i in range(len(syllables)))


@dataclass(frozen=True)
class SearchKeys:
    """`initials` and `pinyin` come from the official name (ranked first); `words` holds the
    synonyms themselves, their initials and their pinyin from each syllable start."""

    initials: str
    pinyin: tuple[str, ...]
    words: tuple[str, ...]


@lru_cache(maxsize=1024)
def search_keys(name_zh: str, synonyms: tuple[str, ...] = ()) -> SearchKeys:
    words: list[str] = []
    for synonym in synonyms:
        for key in (normalise(synonym), initials(synonym), *syllable_keys(synonym)):
            if key and key not in words:
                words.append(key)
    return SearchKeys(initials=initials(name_zh), pinyin=syllable_keys(name_zh),
                      words=tuple(words))
