"""Chinese text as routing reads it: phrases found by substring after normalisation.

Chinese has no spaces between words, so a phrase such as 井盖 is matched wherever its characters
stand together. NFKC folds full-width forms (ＡＢＣ, １２３) and case folding handles Latin text.
"""

import unicodedata


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


class PhraseIndex:
    """Finds which of many phrases occur in a text without testing each phrase in turn:
    every substring of the text up to the longest phrase's length is looked up once."""

    def __init__(self, phrases):
        self.phrases = frozenset(normalise(p) for p in phrases if normalise(p))
        self.lengths = sorted({len(p) for p in self.phrases})

    def found_in(self, normalised_text: str) -> set[str]:
        found = set()
        text = normalised_text
        for size in self.lengths:
            for start in range(len(text) - size + 1):
                piece = text[start:start + size]
                if piece in self.phrases:
                    found.add(piece)
        return found
