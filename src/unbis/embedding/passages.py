"""Which parts of a document are embedded: the opening zone and a bounded number of further passages.

A sentence encoder reads a few hundred tokens well and a whole act badly (one vector for everything),
and its cost grows with every character it reads, so a document is cut into passages of about
``chars`` characters and only ``max_passages`` of them are embedded: the first (title, preamble,
operative summary: where UN documents say what they are about) and the others spread evenly over the
rest, so a long document is sampled along its length rather than read only at its start.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

_WORD = re.compile(r"\S+")


def split_passages(text: str, chars: int = 600, max_passages: int = 8) -> list[str]:
    """The passages of ``text`` to embed (at most ``max_passages``, each at most about ``chars``
    characters, cut at a space where there is one; runs of white space read as one space). An empty
    text gives no passage."""
    norm = " ".join(_WORD.findall(text))
    return [norm[lo:hi] for lo, hi in _pieces(norm, chars, max_passages)]


def passage_spans(text: str, chars: int = 600, max_passages: int = 8) -> list[tuple[str, int, int]]:
    """:func:`split_passages`'s passages with where each one starts and ends in ``text`` itself (so
    that a suggestion found by meaning can point at the passage it came from)."""
    tokens = list(_WORD.finditer(text))
    norm = " ".join(t.group() for t in tokens)
    # where each token starts in the normalised text: a passage starts and ends on a token's character,
    # which is the same character of that token in ``text``
    starts = list(accumulate((len(t.group()) + 1 for t in tokens[:-1]), initial=0))

    def original(i: int) -> int:
        k = bisect_right(starts, i) - 1
        return tokens[k].start() + i - starts[k]

    return [(norm[lo:hi], original(lo), original(hi - 1) + 1) for lo, hi in _pieces(norm, chars, max_passages)]


def _pieces(norm: str, chars: int, max_passages: int) -> list[tuple[int, int]]:
    """Where in ``norm`` (words joined by single spaces) the passages start and end, none beginning or
    ending with a space."""
    pieces: list[tuple[int, int]] = []
    start = 0
    while start < len(norm):
        end = min(len(norm), start + chars)
        if end < len(norm):
            cut = norm.rfind(" ", start + chars // 2, end)
            if cut > start:
                end = cut
        lo, hi = start, end
        while lo < hi and norm[lo] == " ":
            lo += 1
        while hi > lo and norm[hi - 1] == " ":
            hi -= 1
        if hi > lo:
            pieces.append((lo, hi))
        start = end
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
