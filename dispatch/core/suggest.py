"""Learned suggestions: which department resolves which kind of report.

A multinomial naive Bayes over the category, its class, the place and the description's
character pairs (Chinese words are mostly two characters, and pairs need no segmenter). It learns
from tickets closed without a send-back, and only ever suggests: a dispatcher decides.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .text import normalise


def features(category: str, description: str, grid: str | None = None,
             community: str | None = None) -> list[str]:
    text = normalise(description)
    feats = [f"cat:{category}", f"class:{category[:2]}"]
    if grid:
        feats.append(f"grid:{grid}")
    if community:
        feats.append(f"community:{community}")
    feats.extend(text[i:i + 2] for i in range(len(text) - 1))
    return feats


@dataclass
class Model:
    documents: Counter = field(default_factory=Counter)       # department → examples
    counts: dict[str, Counter] = field(default_factory=dict)  # department → feature counts
    totals: Counter = field(default_factory=Counter)          # department → features seen
    vocabulary: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return sum(self.documents.values())


def train(examples: Iterable[tuple[list[str], str]]) -> Model:
    model = Model()
    for feats, department in examples:
        model.documents[department] += 1
        model.counts.setdefault(department, Counter()).update(feats)
        model.totals[department] += len(feats)
        model.vocabulary.update(feats)
    return model


def suggest(model: Model, feats: list[str], k: int = 3,
            exclude: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """Top k departments with a confidence (posterior probability among the candidates)."""
    if not model.documents:
        return []
    n = sum(model.documents.values())
    v = len(model.vocabulary) + 1
    scores = {}
    for department, docs in model.documents.items():
        if department in exclude:
            continue
        counts, total = model.counts[department], model.totals[department]
        score = math.log(docs / n)
        for feat in feats:
            score += math.log((counts.get(feat, 0) + 1) / (total + v))
        scores[department] = score
    if not scores:
        return []
    top = max(scores.values())
    weights = {d: math.exp(s - top) for d, s in scores.items()}
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [(d, round(w / total, 3)) for d, w in ranked]
