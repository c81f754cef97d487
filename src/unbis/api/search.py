"""Fast autocomplete over a vocabulary's labels (``Vocabulary.search`` scans concepts; this keeps one
flat, pre-folded list per vocabulary so each keystroke costs a few milliseconds)."""

from __future__ import annotations

from functools import lru_cache

from unbis.textnorm import fold
from unbis.vocab.subject_index import Vocabulary


class LabelSearch:
    """Folded labels of every concept, in every language (pref, alt and hidden)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.entries: list[tuple[str, str, int]] = [
            (fold(label), lang, cid)
            for cid, c in enumerate(vocab.concepts)
            for lang, _kind, label in c.all_labels()
        ]

    @staticmethod
    @lru_cache(maxsize=8)
    def of(vocab: Vocabulary) -> LabelSearch:
        return LabelSearch(vocab)

    def search(self, query: str, language: str | None = None, limit: int = 15) -> list[int]:
        """Concept ids whose labels start with the query, then those containing it; each concept once."""
        q = fold(query)
        if not q:
            return []
        prefix: dict[int, None] = {}
        infix: dict[int, None] = {}
        for folded, lang, cid in self.entries:
            if language and lang != language:
                continue
            if folded.startswith(q):
                prefix[cid] = None
            elif q in folded:
                infix[cid] = None
        ordered = list(prefix) + [cid for cid in infix if cid not in prefix]
        return ordered[:limit]
