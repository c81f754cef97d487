"""Finding label occurrences in a document: exact (Aho-Corasick) and gapped / reordered (windows)."""

from __future__ import annotations

from collections import defaultdict
from itertools import accumulate
from typing import NamedTuple

import numpy as np

from unbis.backends.matcher.labels import LabelIndex
from unbis.backends.matcher.units import BARRIER, SEP, Units


class Occurrence(NamedTuple):
    """One place where a label matched. Units are inclusive indexes into the document's units."""

    label: int
    first: int
    last: int
    exact: bool
    subsumed: bool  # inside a longer match ("rights" in "human rights") or, in Chinese, cutting a word
    spans: tuple[tuple[int, int], ...]  # character offsets into the original text (empty: not asked)
    partial: bool = False  # all parts of the label but one occur (weak; only a learned ranker uses it)


def find_occurrences(index: LabelIndex, units: Units, max_gap: int, partial: bool = False) -> list[Occurrence]:
    """Every exact occurrence of every label, plus gapped/reordered ones of multi-word labels.

    A gapped match needs all of a label's parts inside a window of at most the label's length plus
    ``max_gap`` units; windows overlapping an exact match of the same label are dropped. ``partial``:
    also report labels all of whose parts but one occur (``EU statistics`` where only "statistics" is
    written), one occurrence per place of their rarest present part.
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
    if units.boundaries is not None and starts is not None and ends is not None:
        # Chinese: a match that cuts a word (秘书 in 秘书长) is as weak as a subsumed one.
        bounds = units.boundaries
        subsumed.update(
            (f, la) for _lid, f, la in exact_hits if starts[f] not in bounds or ends[la] not in bounds
        )
    out = [
        Occurrence(lid, f, la, True, (f, la) in subsumed,
                   ((starts[f], ends[la]),) if starts is not None and ends is not None else ())
        for lid, f, la in exact_hits
    ]
    exact_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lid, f, la in exact_hits:
        exact_at[lid].append((f, la))
    # Prefix counts of barrier units (Chinese punctuation): a gapped match must not span one, as an
    # exact match cannot (文化 领域 巩固 、 发展 is not 文化发展).
    barriers = None
    if BARRIER in haystack:
        barriers = np.concatenate(([0], np.cumsum(np.fromiter((t == BARRIER for t in terms), dtype=np.int32))))
    out.extend(_gapped(index, part_hits, exact_at, starts, ends, max_gap, partial, barriers))
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
    starts: list[int] | None,
    ends: list[int] | None,
    max_gap: int,
    partial: bool,
    barriers: np.ndarray | None,
) -> list[Occurrence]:
    # Labels all of whose parts occur somewhere in the document.
    count: dict[int, int] = defaultdict(int)
    for pid in part_hits:
        for lid in index.part_labels[pid]:
            count[lid] += 1
    gap = max_gap * 2 if index.language == "zh" else max_gap  # Chinese units are characters
    positions: dict[int, np.ndarray] = {}
    out: list[Occurrence] = []
    for lid, n in count.items():
        parts = index.parts[lid]
        if n < len(parts):
            if partial and n == len(parts) - 1 and lid not in exact_at:
                out.extend(_partial(lid, parts, part_hits, starts, ends))
            continue
        for p in parts:
            if p not in positions:
                positions[p] = np.fromiter((f for f, _la in part_hits[p]), dtype=np.int64)
        out.extend(_label_windows(lid, parts, positions, index, gap, exact_at, starts, ends, barriers))
    return out


def _partial(
    lid: int,
    parts: tuple[int, ...],
    part_hits: dict[int, list[tuple[int, int]]],
    starts: list[int] | None,
    ends: list[int] | None,
    cap: int = 20,
) -> list[Occurrence]:
    """Partial occurrences of a label: the places of its rarest present part (at most ``cap``)."""
    anchor = min((p for p in parts if p in part_hits), key=lambda p: len(part_hits[p]))
    with_offsets = starts is not None and ends is not None
    return [
        Occurrence(lid, f, la, False, False,
                   ((starts[f], ends[la]),) if with_offsets else (), True)  # type: ignore[index]
        for f, la in part_hits[anchor][:cap]
    ]


def _label_windows(
    lid: int,
    parts: tuple[int, ...],
    positions: dict[int, np.ndarray],
    index: LabelIndex,
    gap: int,
    exact_at: dict[int, list[tuple[int, int]]],
    starts: list[int] | None,
    ends: list[int] | None,
    barriers: np.ndarray | None = None,
) -> list[Occurrence]:
    """Occurrences of one label's parts close together: anchored on its rarest part, the nearest
    occurrence of every other part must fall within the label's length plus ``gap`` units."""
    limit = sum(index.part_units[p] for p in parts) + gap
    anchor = min(parts, key=lambda p: len(positions[p]))
    a = positions[anchor]
    lo = a.copy()
    hi = a + (index.part_units[anchor] - 1)
    chosen = [a]
    for p in parts:
        if p == anchor:
            continue
        pos = positions[p]
        i = np.searchsorted(pos, a)
        left = pos[np.maximum(i - 1, 0)]
        right = pos[np.minimum(i, len(pos) - 1)]
        near = np.where(np.abs(left - a) <= np.abs(right - a), left, right)
        chosen.append(near)
        np.minimum(lo, near, out=lo)
        np.maximum(hi, near + (index.part_units[p] - 1), out=hi)
    good = hi - lo + 1 <= limit
    if barriers is not None:  # no punctuation inside the window
        good &= barriers[hi + 1] == barriers[lo]
    if lid in exact_at:  # drop windows overlapping an exact match of the label: it already counts there
        ex_first = np.asarray(sorted(f for f, _la in exact_at[lid]), dtype=np.int64)
        k = np.searchsorted(ex_first, hi, side="right") - 1
        length = int(index.n_units[lid])
        good &= ~((k >= 0) & (ex_first[np.maximum(k, 0)] + length - 1 >= lo))
    ok = np.flatnonzero(good)
    out: list[Occurrence] = []
    taken_until = -1
    lengths = [index.part_units[p] for p in parts]
    anchor_first = [i for i, p in enumerate(parts) if p == anchor][0]
    order = [anchor_first] + [i for i in range(len(parts)) if i != anchor_first]
    for j in ok.tolist():
        first, last = int(lo[j]), int(hi[j])
        if first <= taken_until:
            continue  # overlaps the previous window
        taken_until = last
        spans: tuple[tuple[int, int], ...] = ()
        if starts is not None and ends is not None:
            spans = tuple(sorted({
                (starts[int(c[j])], ends[int(c[j]) + lengths[k] - 1]) for c, k in zip(chosen, order, strict=True)
            }))
        out.append(Occurrence(lid, first, last, False, False, spans))
    return out
