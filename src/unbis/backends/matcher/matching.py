"""Finding label occurrences in a document: exact (Aho-Corasick) and gapped / reordered (windows)."""

from __future__ import annotations

from collections import defaultdict
from itertools import accumulate
from typing import NamedTuple

from unbis.backends.matcher.labels import LabelIndex
from unbis.backends.matcher.units import SEP, Units


class Occurrence(NamedTuple):
    """One place where a label matched. Units are inclusive indexes into the document's units."""

    label: int
    first: int
    last: int
    exact: bool
    subsumed: bool  # inside a longer match ("rights" in "human rights") or, in Chinese, cutting a word
    spans: tuple[tuple[int, int], ...]  # character offsets into the original text


def find_occurrences(index: LabelIndex, units: Units, max_gap: int) -> list[Occurrence]:
    """Every exact occurrence of every label, plus gapped/reordered ones of multi-word labels.

    A gapped match needs all of a label's parts inside a window of at most the label's length plus
    ``max_gap`` units; it is dropped where an exact match of the same label already stands.
    """
    terms = units.terms
    if not terms or len(index) == 0:
        return []
    haystack = SEP + SEP.join(terms) + SEP
    # Character index of the separator after unit j -> j (the automaton reports match ends there).
    end_unit = dict(zip(accumulate(len(t) + 1 for t in terms), range(len(terms)), strict=True))
    exact_hits: list[tuple[int, int, int]] = []  # (label, first unit, last unit)
    part_hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for end, (lids, pid, n) in index.automaton.iter(haystack):
        last = end_unit[end]
        first = last - n + 1
        for lid in lids:
            exact_hits.append((lid, first, last))
        if pid >= 0:
            part_hits[pid].append((first, last))

    starts, ends = units.starts, units.ends
    subsumed = _subsumed_spans(exact_hits, index)
    if units.boundaries is not None:  # Chinese: a match that cuts a word is as weak as a subsumed one
        bounds = units.boundaries
        subsumed.update(
            (f, la) for _lid, f, la in exact_hits if starts[f] not in bounds or ends[la] not in bounds
        )
    out = [
        Occurrence(lid, f, la, True, (f, la) in subsumed, ((starts[f], ends[la]),))
        for lid, f, la in exact_hits
    ]
    exact_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lid, f, la in exact_hits:
        exact_at[lid].append((f, la))
    out.extend(_gapped(index, part_hits, exact_at, starts, ends, max_gap))
    return out


def _subsumed_spans(hits: list[tuple[int, int, int]], index: LabelIndex) -> set[tuple[int, int]]:
    """Spans strictly inside a longer exact match (of any label): a sweep sorted by start, end desc."""
    spans = sorted({(f, la) for _lid, f, la in hits}, key=lambda s: (s[0], -s[1]))
    out: set[tuple[int, int]] = set()
    max_end = -1
    for f, la in spans:
        if max_end >= la:
            out.add((f, la))
        max_end = max(max_end, la)
    return out


def _gapped(
    index: LabelIndex,
    part_hits: dict[int, list[tuple[int, int]]],
    exact_at: dict[int, list[tuple[int, int]]],
    starts: list[int],
    ends: list[int],
    max_gap: int,
) -> list[Occurrence]:
    # Labels all of whose parts occur somewhere in the document.
    count: dict[int, int] = defaultdict(int)
    for pid in part_hits:
        for lid in index.part_labels[pid]:
            count[lid] += 1
    gap = max_gap * 2 if index.language == "zh" else max_gap  # Chinese units are characters
    out: list[Occurrence] = []
    for lid, n in count.items():
        parts = index.parts[lid]
        if n < len(parts):
            continue
        limit = sum(index.part_units[p] for p in parts) + gap
        events = sorted((f, la, k) for k, pid in enumerate(parts) for f, la in part_hits[pid])
        for left, right in _windows(events, len(parts), limit):
            first, last = events[left][0], max(e[1] for e in events[left : right + 1])
            if any(f <= last and first <= la for f, la in exact_at.get(lid, ())):
                continue  # the exact match already counts here
            spans = tuple(sorted({(starts[e[0]], ends[e[1]]) for e in events[left : right + 1]}))
            out.append(Occurrence(lid, first, last, False, False, spans))
    return out


def _windows(events: list[tuple[int, int, int]], k: int, limit: int) -> list[tuple[int, int]]:
    """Non-overlapping minimal windows (event index ranges) holding all ``k`` part kinds within ``limit`` units."""
    found: list[tuple[int, int]] = []
    count = [0] * k
    have = 0
    left = 0
    for right, (_f, _la, kind) in enumerate(events):
        count[kind] += 1
        if count[kind] == 1:
            have += 1
        while have == k:
            while count[events[left][2]] > 1:  # shrink from the left while every kind stays covered
                count[events[left][2]] -= 1
                left += 1
            if events[right][1] - events[left][0] + 1 <= limit:
                found.append((left, right))
                count = [0] * k
                have = 0
                left = right + 1
                break
            count[events[left][2]] -= 1
            have -= 1
            left += 1
    return found
