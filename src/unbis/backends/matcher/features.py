"""Per-candidate evidence features: one row per (document, matched concept)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from unbis.backends.matcher.labels import LabelIndex
from unbis.backends.matcher.matching import Occurrence

#: Feature columns, in order. ``commonness``, ``keyphraseness`` and ``prior`` come from a (labelled)
#: background corpus and are filled in by :meth:`CorpusStats.fill`.
FEATURES = (
    "exact",  # log1p(exact occurrences not inside a longer match)
    "subsumed",  # log1p(exact occurrences inside a longer match of another concept)
    "fuzzy",  # log1p(gapped / reordered occurrences)
    "partial",  # log1p(partial occurrences: all words of a label but one)
    "earliness",  # 1 - first position / document length
    "spread",  # (last - first position) / document length
    "length",  # log1p(words in the longest matched label)
    "generality",  # log1p(labels of other concepts containing the most specific matched label)
    "ambiguity",  # log(concepts sharing the matched label)
    "pref",  # a preferred label matched
    "narrower",  # log1p(narrower concepts matched in the document)
    "related",  # log1p(related concepts matched)
    "broader",  # log1p(broader concepts matched): the topic is present at a more general level too
    "first_pos",  # log1p(first position in units) / 10: in the title or opening lines, whatever the length
    "relfreq",  # occurrences / occurrences of the most frequent candidate
    "doclen",  # log1p(document units) / 10
    "commonness",  # log1p(background documents matching the concept) / log1p(background size)
    "keyphraseness",  # P(assigned | matched) in the labelled background, smoothed
    "prior",  # log1p(times assigned in the labelled background) / log1p(labelled size)
    "derived",  # log1p(occurrences, exact or gapped, through a derivation only: "adopted" for ADOPTION; weak)
)
N_FEATURES = len(FEATURES)
COL = {name: i for i, name in enumerate(FEATURES)}
#: the columns that are evidence of a label itself; ``derived`` (a shared stem only) is not
_LABEL_EVIDENCE = [COL[f] for f in ("exact", "subsumed", "fuzzy", "partial")]


def label_matched(rows: np.ndarray) -> np.ndarray:
    """Per feature row, whether a label of its concept matched: a derivation alone ("adopted" for
    ADOPTION) is weak evidence, which may add to a concept matched otherwise but never makes it a match."""
    return np.asarray(rows[:, _LABEL_EVIDENCE].any(axis=1), dtype=bool)


@dataclass(frozen=True)
class Hierarchy:
    """Concept relations as lists of ids (empty when the vocabulary has none)."""

    narrower: list[list[int]]
    related: list[list[int]]
    broader: list[list[int]]


def candidate_features(
    occurrences: list[Occurrence], index: LabelIndex, n_units: int, hierarchy: Hierarchy
) -> tuple[np.ndarray, np.ndarray]:
    """Concept ids matched in one document and their feature rows (corpus columns left at 0)."""
    stats: dict[int, list[float]] = {}
    # per concept: exact, subsumed, fuzzy, first, last, longest, min generality, min ambiguity, pref,
    # partial, derived. Derived, then partial occurrences come last so that positions are those of real
    # matches when any.
    own: set[int] = set()  # concepts with a match outside the names of others: the candidates
    # where each concept has a real match: a derived reading of the same words through another of its labels
    # is no weakness ("libanés" is LIBANESES, lent to LEBANON, though it is not LÍBANO)
    real: set[tuple[int, int, int]] = set()
    for occ in sorted(occurrences, key=lambda o: (o.partial, o.derived)):
        lid = occ.label
        cid = int(index.concept[lid])
        if occ.derived and (cid, occ.first, occ.last) in real:
            continue
        if not occ.named:
            own.add(cid)
        s = stats.get(cid)
        if s is None:
            s = stats[cid] = [0, 0, 0, occ.first, occ.last, 0, math.inf, math.inf, 0, 0, 0]
        if not occ.derived:
            real.add((cid, occ.first, occ.last))
        if occ.derived:
            s[10] += 1
            if s[0] + s[1] + s[2] > 0:
                continue
        elif occ.partial:
            s[9] += 1
            if s[0] + s[1] + s[2] > 0:
                continue  # positions and label statistics come from the real matches
        elif occ.exact and not occ.subsumed:
            s[0] += 1
        elif occ.exact:
            s[1] += 1
        else:
            s[2] += 1
        s[3] = min(s[3], occ.first)
        s[4] = max(s[4], occ.last)
        s[5] = max(s[5], float(index.n_units[lid]))
        s[6] = min(s[6], float(index.generality[lid]))
        s[7] = min(s[7], float(index.ambiguity[lid]))
        if index.kind[lid] == 0:
            s[8] = 1
    # Every concept matched counts for the others' hierarchy columns and the most frequent candidate's
    # count; only those with a match of their own are candidates.
    matched = set(stats)
    max_occ = max((s[0] + s[1] + s[2] for s in stats.values()), default=0) or 1
    stats = {cid: s for cid, s in stats.items() if cid in own}
    concepts = np.fromiter(stats, dtype=np.int32, count=len(stats))
    rows = np.zeros((len(stats), N_FEATURES), dtype=np.float32)
    if not stats:
        return concepts, rows
    n = max(n_units, 1)
    words_per_unit = 0.5 if index.language == "zh" else 1.0  # Chinese units are characters
    for i, (cid, s) in enumerate(stats.items()):
        rows[i] = (
            math.log1p(s[0]),
            math.log1p(s[1]),
            math.log1p(s[2]),
            math.log1p(s[9]),
            1.0 - s[3] / n,
            (s[4] - s[3]) / n,
            math.log1p(s[5] * words_per_unit),
            math.log1p(s[6]),
            math.log(max(s[7], 1.0)),
            s[8],
            math.log1p(sum(1 for c in hierarchy.narrower[cid] if c in matched)),
            math.log1p(sum(1 for c in hierarchy.related[cid] if c in matched)),
            math.log1p(sum(1 for c in hierarchy.broader[cid] if c in matched)),
            math.log1p(s[3]) / 10.0,
            (s[0] + s[1] + s[2]) / max_occ,
            math.log1p(n_units) / 10.0,
            0.0,
            0.0,
            0.0,
            math.log1p(s[10]),
        )
    return concepts, rows
