"""Which parts of a document are embedded: the opening zone and a bounded number of further passages.

A sentence encoder reads a few hundred tokens well and a whole act badly (one vector for everything),
and its cost grows with every character it reads, so a document is cut into passages of about
``chars`` characters and only ``max_passages`` of them are embedded: the first (title, preamble,
operative summary: where UN documents say what they are about) and the others spread evenly over the
rest, so a long document is sampled along its length rather than read only at its start.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def split_passages(text: str, chars: int = 600, max_passages: int = 8) -> list[str]:
    """The passages of ``text`` to embed (at most ``max_passages``, each at most about ``chars``
    characters, cut at a space where there is one). An empty text gives no passage."""
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return []
    pieces = []
    start = 0
    while start < len(text):
        end = min(len(text), start + chars)
        if end < len(text):
            cut = text.rfind(" ", start + chars // 2, end)
            if cut > start:
                end = cut
        pieces.append(text[start:end].strip())
        start = end
    pieces = [p for p in pieces if p]
    if len(pieces) <= max_passages:
        return pieces
    if max_passages == 1:
        return pieces[:1]
    # the opening passage, then max_passages - 1 passages evenly spaced over the remainder
    rest = len(pieces) - 1
    if max_passages == 2:
        return pieces[:2]
    take = [1 + round(i * (rest - 1) / (max_passages - 2)) for i in range(max_passages - 1)]
    return [pieces[0]] + [pieces[i] for i in dict.fromkeys(take)]


def label_text(label: str) -> str:
    """The form of a thesaurus label given to the encoder: an all-capitals label (UNBIS writes
    ``HUMAN RIGHTS``) in lower case, since the encoder's word pieces are learnt from running text,
    where capitals mark acronyms (measured: benchmarks/results/embedders.md)."""
    return label.lower() if label.isupper() else label
