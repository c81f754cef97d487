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
    complete = [lid for lid, n in count.items() if n == len(index.parts[lid])]
    windows = _label_windows(complete, part_hits, index, gap, exact_at, starts, ends, barriers)
    out: list[Occurrence] = []
    for lid, n in count.items():
        parts = index.parts[lid]
        if n == len(parts):
            out.extend(windows.get(lid, ()))
        elif partial and n == len(parts) - 1 and lid not in exact_at:
            out.extend(_partial(lid, parts, part_hits, starts, ends))
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
    labels: list[int],
    part_hits: dict[int, list[tuple[int, int]]],
    index: LabelIndex,
    gap: int,
    exact_at: dict[int, list[tuple[int, int]]],
    starts: list[int] | None,
    ends: list[int] | None,
    barriers: np.ndarray | None = None,
) -> dict[int, list[Occurrence]]:
    """Occurrences of each label's parts close together, for every label of ``labels`` (all of whose
    parts occur): anchored on the label's rarest part, the nearest occurrence of every other part must
    fall within the label's length plus ``gap`` units; windows that overlap an exact match of the label
    or an earlier window are dropped. One set of array operations for all labels of a document (a
    long act has hundreds of such labels; one pass per label was most of the matcher's time)."""
    if not labels:
        return {}
    # Every occurrence of every part as one sorted key, part * stride + position, so that one
    # searchsorted finds the nearest occurrence of any part near any anchor.
    present = sorted({p for lid in labels for p in index.parts[lid]})
    local = {p: i for i, p in enumerate(present)}
    pos_of = [np.fromiter((f for f, _la in part_hits[p]), dtype=np.int64) for p in present]
    stride = 2 + max(int(pos.max()) for pos in pos_of)
    counts = np.array([pos.size for pos in pos_of], dtype=np.int64)
    begin = np.concatenate(([0], np.cumsum(counts)[:-1]))
    keys = np.concatenate([i * stride + pos for i, pos in enumerate(pos_of)])
    part_units = np.array([index.part_units[p] for p in present], dtype=np.int64)

    # Rows: one per (label, occurrence of its anchor), label by label in anchor order.
    anchors = [min(index.parts[lid], key=lambda p: counts[local[p]]) for lid in labels]
    others = [[local[p] for p in index.parts[lid] if p != a] for lid, a in zip(labels, anchors, strict=True)]
    anchor_local = np.array([local[a] for a in anchors], dtype=np.int64)
    per_label = counts[anchor_local]
    row_label = np.repeat(np.arange(len(labels)), per_label)
    a = np.concatenate([pos_of[i] for i in anchor_local])
    lo = a.copy()
    hi = a + part_units[anchor_local][row_label] - 1
    limit = np.array([sum(index.part_units[p] for p in index.parts[lid]) for lid in labels], dtype=np.int64) + gap
    n_other = np.array([len(o) for o in others], dtype=np.int64)
    chosen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per slot: rows with it, its part, place
    for slot in range(int(n_other.max(initial=0))):
        has = np.flatnonzero(n_other[row_label] > slot)
        part = np.array([o[slot] if len(o) > slot else -1 for o in others], dtype=np.int64)[row_label[has]]
        i = np.searchsorted(keys, part * stride + a[has]) - begin[part]
        last = counts[part] - 1
        left = keys[begin[part] + np.maximum(i - 1, 0)] - part * stride
        right = keys[begin[part] + np.minimum(i, last)] - part * stride
        near = np.where(np.abs(left - a[has]) <= np.abs(right - a[has]), left, right)
        chosen.append((has, part, near))
        lo[has] = np.minimum(lo[has], near)
        hi[has] = np.maximum(hi[has], near + part_units[part] - 1)
    good = hi - lo + 1 <= limit[row_label]
    if barriers is not None:  # no punctuation inside the window
        good &= barriers[hi + 1] == barriers[lo]
    with_exact = [j for j, lid in enumerate(labels) if lid in exact_at]
    if with_exact:  # drop windows overlapping an exact match of the label: it already counts there
        ex = np.sort(np.concatenate([j * stride + np.fromiter((f for f, _la in exact_at[labels[j]]), dtype=np.int64)
                                     for j in with_exact]))
        k = np.searchsorted(ex, row_label * stride + hi, side="right") - 1
        same = (k >= 0) & (ex[np.maximum(k, 0)] // stride == row_label)
        ex_first = ex[np.maximum(k, 0)] % stride
        length = index.n_units[np.asarray(labels, dtype=np.int64)].astype(np.int64)[row_label]
        good &= ~(same & (ex_first + length - 1 >= lo))
    ok = np.flatnonzero(good)
    out: dict[int, list[Occurrence]] = {}
    with_spans = starts is not None and ends is not None
    if with_spans:
        place = np.full((len(chosen) + 1, a.size), -1, dtype=np.int64)
        place[0] = a
        width = np.zeros((len(chosen) + 1, a.size), dtype=np.int64)
        width[0] = part_units[anchor_local][row_label]
        for slot, (has, part, near) in enumerate(chosen):
            place[slot + 1, has] = near
            width[slot + 1, has] = part_units[part]
    taken_until = -1
    current = -1
    for r in ok.tolist():
        j = int(row_label[r])
        if j != current:
            current, taken_until = j, -1
        first, last_unit = int(lo[r]), int(hi[r])
        if first <= taken_until:
            continue  # overlaps the previous window
        taken_until = last_unit
        spans: tuple[tuple[int, int], ...] = ()
        if with_spans:
            spans = tuple(sorted({(starts[int(c)], ends[int(c + w) - 1])  # type: ignore[index]
                                  for c, w in zip(place[:, r], width[:, r], strict=True) if c >= 0}))
        out.setdefault(labels[j], []).append(Occurrence(labels[j], first, last_unit, False, False, spans))
    return out
