"""Finding label occurrences in a document: exact (Aho-Corasick) and gapped / reordered (windows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import NamedTuple

import numpy as np

from unbis.analysis.factory import get_matching_analyzer
from unbis.analysis.inflection import gerund_apart, number_differs, same_word
from unbis.analysis.stopwords import CONJUNCTIONS
from unbis.backends.matcher.labels import LabelIndex, negation_units
from unbis.backends.matcher.senses import WordSenses, is_other_sense
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
    derived: bool = False  # a text word shares the label word's stem but is another word (adopted: ADOPTION)
    named: bool = False  # inside a longer match written as a name ("Guinea" in "Papua New Guinea"): no candidate


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
    haystack, end_unit = _haystack(terms)
    exact_hits: list[tuple[int, int, int]] = []  # (label, first unit, last unit)
    part_hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for end, (lids, pid, n) in index.automaton.iter(haystack):
        last = end_unit[end]
        first = last - n + 1
        for lid in lids:
            exact_hits.append((lid, first, last))
        if pid >= 0:
            part_hits[pid].append((first, last))
    # Each unit's segment, inside which a match lies: in Chinese, the barrier units (punctuation) up to
    # it, which no exact match can span anyway (文化 领域 巩固 、 发展 is not 文化发展); elsewhere its
    # sentence (``units.sentence_spans``). None: the whole text is one segment.
    segments = None
    if BARRIER in haystack:
        segments = np.cumsum(np.fromiter((t == BARRIER for t in terms), dtype=np.int32))
    elif units.sentences is not None and units.sentences[-1] > 0:
        sentence = units.sentences  # the list: indexing it per hit is faster than the array
        exact_hits = [h for h in exact_hits if sentence[h[1]] == sentence[h[2]]]
        segments = np.asarray(sentence, dtype=np.int32)
    if index.bodies is not None:
        exact_hits, part_hits = _mask_bodies(index.bodies, haystack, end_unit, len(terms), exact_hits, part_hits)
    derived: set[tuple[int, int]] = set()
    if units.surfaces is not None and index.surfaces:
        exact_hits, derived = _check_words(index, units.surfaces, exact_hits, units.preceding, units.following,
                                           units.titled)
    names = _name_spans(exact_hits, units.titled) if units.titled is not None else {}

    starts, ends = units.starts, units.ends
    subsumed = _subsumed_spans(exact_hits, index)
    if units.boundaries is not None and starts is not None and ends is not None:
        # Chinese: a match that cuts a word (秘书 in 秘书长) is as weak as a subsumed one, and a one-character
        # label inside a longer word is another word that shares a character, as a derivation shares a
        # stem (种 "seed" in 这种 "this kind", 种族 "race"): no match of its own.
        bounds = units.boundaries
        for lid, f, la in exact_hits:
            if starts[f] not in bounds or ends[la] not in bounds:
                subsumed.add((f, la))
                if f == la:
                    derived.add((lid, f))
    out = [
        Occurrence(lid, f, la, True, (f, la) in subsumed,
                   ((starts[f], ends[la]),) if starts is not None and ends is not None else (),
                   derived=(lid, f) in derived, named=f in names and _inside_name(f, la, names))
        for lid, f, la in exact_hits
    ]
    exact_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lid, f, la in exact_hits:
        exact_at[lid].append((f, la))
    gapped = _gapped(index, part_hits, exact_at, starts, ends, max_gap, partial, segments, units.surfaces,
                     units.following, units.titled)
    negations = negation_units(index.language)
    if negations and not negations.isdisjoint(terms):
        # a negation inside a gapped window negates the label: "enfermedades no transmisibles" is not
        # COMMUNICABLE DISEASES (the matcher keeps negations as words for this)
        gapped = [o for o in gapped if negations.isdisjoint(terms[o.first: o.last + 1])
                  or index.negated[o.label]]
    if names:
        # only a window with a unit inside a name can cut one (most windows have none)
        gapped = [o._replace(named=True) if not names.keys().isdisjoint(range(o.first, o.last + 1))
                  and _cuts_name(o.first, o.last, int(index.n_units[o.label]), names) else o for o in gapped]
    out.extend(gapped)
    return out


def _haystack(terms: list[str]) -> tuple[str, dict[int, int]]:
    """The units joined by separators as the automata read them, and the character index of the
    separator after unit j -> j (the automata report match ends there)."""
    haystack = SEP + SEP.join(terms) + SEP
    return haystack, dict(zip(accumulate(len(t) + 1 for t in terms), range(len(terms)), strict=True))


def _covered(bodies: object, haystack: str, end_unit: dict[int, int], n_units: int) -> bytearray:
    """1 for each unit inside the name of a UN body."""
    covered = bytearray(n_units)
    for end, n in bodies.iter(haystack):  # type: ignore[attr-defined]
        last = end_unit[end]
        covered[last - n + 1: last + 1] = b"\x01" * n
    return covered


def units_outside_bodies(index: LabelIndex, terms: list[str]) -> list[str]:
    """``terms`` without those inside the name of a UN body (all of them when the index masks none)."""
    if index.bodies is None or not terms:
        return list(terms)
    covered = _covered(index.bodies, *_haystack(terms), len(terms))
    return [t for t, c in zip(terms, covered, strict=True) if not c]


def _mask_bodies(
    bodies: object, haystack: str, end_unit: dict[int, int], n_units: int,
    exact_hits: list[tuple[int, int, int]], part_hits: dict[int, list[tuple[int, int]]],
) -> tuple[list[tuple[int, int, int]], dict[int, list[tuple[int, int]]]]:
    """Drop the matches that lie inside the name of a UN body (Security Council, United Nations): the
    words of a name are not evidence on their own. A label longer than the name still matches."""
    covered = _covered(bodies, haystack, end_unit, n_units)
    if not any(covered):
        return exact_hits, part_hits

    def inside(f: int, la: int) -> bool:
        return covered[f] == 1 if f == la else all(covered[f: la + 1])

    hits = [h for h in exact_hits if not inside(h[1], h[2])]
    parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pid, places in part_hits.items():
        kept = [p for p in places if not inside(*p)]
        if kept:
            parts[pid] = kept
    return hits, parts


def _name_spans(hits: list[tuple[int, int, int]], titled: list[bool]) -> dict[int, list[tuple[int, int]]]:
    """The unit spans of the exact matches of more than one word written as a name, every word
    capitalised ("Papua New Guinea", "South Africa", "United Arab Emirates"), by each unit they cover: a
    match is checked against the few names at its own units, not against every name of a long text."""
    cover: dict[int, list[tuple[int, int]]] = {}
    for _lid, f, la in hits:
        if la > f and all(titled[f: la + 1]):
            for u in range(f, la + 1):
                cover.setdefault(u, []).append((f, la))
    return cover


def _inside_name(first: int, last: int, names: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether units ``first..last`` lie inside a longer name of ``names``: GUINEA, NEW GUINEA, AFRICA and
    ARABS are words of the name there, not its subject, as the words of a UN body's name are not. Such a
    match is kept as ``named``: it makes no candidate, but its concept still counts as matched for the
    hierarchy columns of the others (a broader concept's words inside a name are evidence of the topic:
    benchmarks/results/zeroshot.md). The name's own concept keeps its match, and so does a label in lower
    case."""
    return any(f <= first and last <= la and la - f > last - first for f, la in names.get(first, ()))


def _cuts_name(first: int, last: int, length: int, names: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether a gapped match of a label of ``length`` units over units ``first..last`` takes only some of
    a name's words: it lies inside the name, overlaps it, or spans it with fewer words than the name has
    ("United Arab Emirates and other Arab States" is not UNITED STATES). A longer label around a whole
    name ("situation in South Africa": SOUTH AFRICA SITUATION) is kept; one no longer than the name takes
    some of its words ("situation in the Democratic Republic of the Congo" is not REPUBLIC OF THE CONGO
    SITUATION)."""
    return any(not (first <= f and la <= last and length > la - f + 1)
               for u in range(first, last + 1) for f, la in names.get(u, ()))


def _check_words(
    index: LabelIndex, surfaces: list[str], exact_hits: list[tuple[int, int, int]],
    preceding: list[str] | None = None, following: list[str] | None = None, titled: list[bool] | None = None,
) -> tuple[list[tuple[int, int, int]], set[tuple[int, int]]]:
    """Exact hits whose text words are the label's words up to inflection, and which of them are only
    derivations (a shared stem: "adopted" for ADOPTION). A one-word label of a plural-only sense
    (SECURITIES) met by a singular word ("security") is no match at all; nor is a label one of whose
    words, in the form written or between the words written around it (``preceding``, ``following``),
    the thesaurus gives to other concepts (``senses``: "droits", "droit à" are not LAW)."""
    lang = index.language
    kept: list[tuple[int, int, int]] = []
    derived: set[tuple[int, int]] = set()
    for hit in exact_hits:
        lid, f, la = hit
        label_words = index.surfaces[lid]
        if (senses := index.other_senses.get(lid)) and _other_sense(senses, label_words, surfaces, f, preceding,
                                                                      following):
            continue
        if la > f and following is not None and index.compound[lid] and _joins(lang, following, f, la, titled):
            continue  # "representatives of the Governments" is not REPRESENTATIVE GOVERNMENT
        if f == la and surfaces[f] == label_words[0]:
            kept.append(hit)  # the label's own word: the common case
            continue
        text_words = surfaces[f: la + 1]
        if index.plural_sense[lid] and number_differs(lang, label_words[0], text_words[0]):
            continue
        if len(label_words) == 1:
            if index.gerunds and gerund_apart(lang, label_words[0], text_words[0]):
                continue  # "take into account" is no ACCOUNTING
            if not same_word(lang, label_words[0], text_words[0], alone=True):
                derived.add((lid, f))
        elif not all(map(partial_same(lang), label_words, text_words)):
            derived.add((lid, f))
        kept.append(hit)
    return kept, derived


def _joins(language: str, following: list[str], first: int, last: int, titled: list[bool] | None = None) -> int:
    """How many of the units ``first`` .. ``last - 1`` of a compound label's match are followed by a
    function word other than a conjunction: in the label's order, one such word puts the label's words in
    different phrases ("the state of the negotiations between the two Governments" is not STATE
    GOVERNMENT; "international peace and security" is INTERNATIONAL SECURITY). A word written as a name
    (``titled``) keeps its own: "the situation in Abkhazia, Republic of Georgia" is GEORGIA SITUATION."""
    allowed = CONJUNCTIONS[language]
    function_word = get_matching_analyzer(language).is_function_word  # type: ignore[attr-defined]
    return sum(bool((w := following[u]) and w not in allowed and function_word(w) and not (titled and titled[u]))
               for u in range(first, last))


def _compound_windows(
    labels: list[int], rows: np.ndarray, row_label: np.ndarray, anchors: list[int], others: list[list[int]],
    table: _PartTable, index: LabelIndex, places: np.ndarray, lo: np.ndarray, hi: np.ndarray,
    following: list[str], titled: list[bool] | None,
) -> np.ndarray:
    """Of window ``rows``, those of compound labels whose words are in different phrases (:func:`_joins`):
    written in the label's order, across one function word; in the other order, across more than one.
    English turns a compound round through one preposition ("the situation between Iraq and Kuwait" is
    IRAQ-KUWAIT SITUATION, "the withdrawal of troops" TROOP WITHDRAWAL), but "information as to the
    state of the negotiations between the two Governments" is not GOVERNMENT INFORMATION."""
    out = np.zeros(places.shape[1], dtype=bool)
    for r in rows.tolist():
        j = int(row_label[r])
        lid = labels[j]
        if not index.compound[lid]:
            continue
        slot = {anchors[j]: 0} | {o: k + 1 for k, o in enumerate(others[j])}
        at = [int(places[slot[table.local[p]], r]) for p in index.parts[lid]]
        out[r] = _joins(index.language, following, int(lo[r]), int(hi[r]), titled) > (0 if at == sorted(at) else 1)
    return out


def _other_sense(senses: WordSenses, label_words: tuple[str, ...], surfaces: list[str], first: int,
                 preceding: list[str] | None, following: list[str] | None) -> bool:
    """Whether an exact match of a label at text unit ``first`` reads one of its words in another
    concept's sense: a form of it, the word written after it, stop words included ("droit au travail"
    is RIGHT TO WORK, not DROIT DU TRAVAIL, LABOUR LAW), or the word written before the match."""
    before = preceding[first] if preceding else None
    return any(is_other_sense(senses, w, surfaces[first + k], following[first + k] if following else None,
                              before if k == 0 else None)
               for k, w in enumerate(label_words))


def partial_same(language: str) -> Callable[[str, str], bool]:
    """``same_word`` of one language, as a two-argument function for ``map``."""
    return lambda a, b: a == b or same_word(language, a, b)


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
    segments: np.ndarray | None,
    surfaces: list[str] | None = None,
    following: list[str] | None = None,
    titled: list[bool] | None = None,
) -> list[Occurrence]:
    # Labels all of whose parts occur somewhere in the document.
    count: dict[int, int] = defaultdict(int)
    for pid in part_hits:
        for lid in index.part_labels[pid]:
            count[lid] += 1
    gap = max_gap * 2 if index.language == "zh" else max_gap  # Chinese units are characters
    complete = [lid for lid, n in count.items() if n == len(index.parts[lid])]
    windows = _label_windows(complete, part_hits, index, gap, exact_at, starts, ends, segments, surfaces, following,
                             titled)
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


class _PartTable(NamedTuple):
    """Every occurrence of the parts in play as one sorted key, local part * stride + position, so
    that one searchsorted finds the nearest occurrence of any part near any anchor."""

    local: dict[int, int]  # part id -> its row here
    positions: list[np.ndarray]  # per row: first units of the part's occurrences, sorted
    counts: np.ndarray
    begin: np.ndarray  # per row: where its keys start
    keys: np.ndarray
    units: np.ndarray  # per row: the part's length in units
    stride: int

    def nearest(self, part: np.ndarray, at: np.ndarray) -> np.ndarray:
        """For each (part row, unit) pair, the part's occurrence nearest ``at`` (the earlier on a tie)."""
        i = np.searchsorted(self.keys, part * self.stride + at) - self.begin[part]
        left = self.keys[self.begin[part] + np.maximum(i - 1, 0)] - part * self.stride
        right = self.keys[self.begin[part] + np.minimum(i, self.counts[part] - 1)] - part * self.stride
        return np.where(np.abs(left - at) <= np.abs(right - at), left, right)


def _part_table(parts: Iterable[int], part_hits: dict[int, list[tuple[int, int]]], index: LabelIndex) -> _PartTable:
    present = sorted(set(parts))
    positions = [np.fromiter((f for f, _la in part_hits[p]), dtype=np.int64) for p in present]
    stride = 2 + max(int(pos.max()) for pos in positions)
    counts = np.array([pos.size for pos in positions], dtype=np.int64)
    return _PartTable(
        local={p: i for i, p in enumerate(present)},
        positions=positions,
        counts=counts,
        begin=np.concatenate(([0], np.cumsum(counts)[:-1])),
        keys=np.concatenate([i * stride + pos for i, pos in enumerate(positions)]),
        units=np.array([index.part_units[p] for p in present], dtype=np.int64),
        stride=stride,
    )


def _overlaps_exact(
    labels: list[int], row_label: np.ndarray, lo: np.ndarray, hi: np.ndarray, index: LabelIndex,
    exact_at: dict[int, list[tuple[int, int]]], stride: int,
) -> np.ndarray:
    """Per window row: whether it overlaps an exact match of its own label (keys label * stride + first
    unit of the match, so one searchsorted finds each window's last match starting at or before it)."""
    with_exact = [j for j, lid in enumerate(labels) if lid in exact_at]
    if not with_exact:
        return np.zeros(row_label.size, dtype=bool)
    ex = np.sort(np.concatenate([j * stride + np.fromiter((f for f, _la in exact_at[labels[j]]), dtype=np.int64)
                                 for j in with_exact]))
    before = np.searchsorted(ex, row_label * stride + hi, side="right") - 1
    k = np.maximum(before, 0)
    same_label = (before >= 0) & (ex[k] // stride == row_label)
    length = index.n_units[np.asarray(labels, dtype=np.int64)].astype(np.int64)[row_label]
    return same_label & (ex[k] % stride + length - 1 >= lo)


def _label_windows(
    labels: list[int],
    part_hits: dict[int, list[tuple[int, int]]],
    index: LabelIndex,
    gap: int,
    exact_at: dict[int, list[tuple[int, int]]],
    starts: list[int] | None,
    ends: list[int] | None,
    segments: np.ndarray | None = None,
    surfaces: list[str] | None = None,
    following: list[str] | None = None,
    titled: list[bool] | None = None,
) -> dict[int, list[Occurrence]]:
    """Occurrences of each label's parts close together, for every label of ``labels`` (all of whose
    parts occur): anchored on the label's rarest part, the nearest occurrence of every other part must
    fall within the label's length plus ``gap`` units; windows that overlap an exact match of the label
    or an earlier window are dropped. One set of array operations for all labels of a document (a
    long act has hundreds of such labels; one pass per label was most of the matcher's time).
    ``surfaces``: the text's words, to check a window's words for inflection as exact matches are (and,
    with ``following``, for another concept's sense of a word: ``senses``)."""
    if not labels:
        return {}
    table = _part_table((p for lid in labels for p in index.parts[lid]), part_hits, index)
    # Rows: one per (label, occurrence of its anchor), label by label in anchor order.
    anchors = [table.local[min(index.parts[lid], key=lambda p: table.counts[table.local[p]])] for lid in labels]
    others = [[table.local[p] for p in index.parts[lid]] for lid in labels]
    for o, anchor in zip(others, anchors, strict=True):
        o.remove(anchor)
    row_label = np.repeat(np.arange(len(labels)), table.counts[anchors])
    a = np.concatenate([table.positions[i] for i in anchors])
    # places[s] / widths[s]: the unit and length of each row's s-th part (the anchor first; -1: none)
    places = np.full((1 + max(len(o) for o in others), a.size), -1, dtype=np.int64)
    widths = np.zeros_like(places)
    places[0], widths[0] = a, table.units[anchors][row_label]
    for slot in range(1, places.shape[0]):
        has = np.flatnonzero(np.array([len(o) >= slot for o in others])[row_label])
        part = np.array([o[slot - 1] if len(o) >= slot else 0 for o in others], dtype=np.int64)[row_label[has]]
        places[slot, has] = table.nearest(part, a[has])
        widths[slot, has] = table.units[part]
    lo = np.where(places >= 0, places, np.iinfo(np.int64).max).min(axis=0)
    hi = (places + widths - 1).max(axis=0)
    limit = np.array([sum(index.part_units[p] for p in index.parts[lid]) for lid in labels], dtype=np.int64) + gap
    good = hi - lo + 1 <= limit[row_label]
    if segments is not None:  # no punctuation (Chinese) or sentence end inside the window
        good &= segments[hi] == segments[lo]
    # A window overlapping an exact match of its label adds nothing: the exact match counts there.
    good &= ~_overlaps_exact(labels, row_label, lo, hi, index, exact_at, table.stride)
    derived = None
    if surfaces is not None and index.part_surfaces:
        words = _slot_words(labels, anchors, others, table, index)
        derived = _derived_windows(words, index, surfaces, places)
        if index.other_senses:
            good &= ~_other_sense_windows(labels, words, index, surfaces, places, row_label, following)
    if following is not None and index.compound.any():
        good &= ~_compound_windows(labels, np.flatnonzero(good), row_label, anchors, others, table, index, places,
                                   lo, hi, following, titled)
    return _take_windows(labels, np.flatnonzero(good), row_label, lo, hi, places, widths, starts, ends, derived)


def _slot_words(
    labels: list[int], anchors: list[int], others: list[list[int]], table: _PartTable, index: LabelIndex,
) -> list[list[str] | None]:
    """Per label of ``labels``: its parts' surface words in slot order (the anchor first, then the
    others), as the window rows' ``places`` hold them; None for a label without surface words (Chinese).
    Outside Chinese a part is one word, so its place is the text word's index."""
    words: list[list[str] | None] = []
    for j, lid in enumerate(labels):
        if not index.part_surfaces[lid]:
            words.append(None)
            continue
        by_local = dict(zip((table.local[p] for p in index.parts[lid]), index.part_surfaces[lid], strict=True))
        words.append([by_local[anchors[j]]] + [by_local[o] for o in others[j]])
    return words


def _derived_windows(
    words: list[list[str] | None], index: LabelIndex, surfaces: list[str], places: np.ndarray,
) -> Callable[[int, int], bool]:
    """Whether window row r of label j is a derivation only: a text word in it is not its label word up
    to inflection ("documented ... important" for IMPORT DOCUMENTS), judged as exact matches are
    (:func:`_check_words`). ``words``: :func:`_slot_words`; a label without surface words is never a
    derivation."""
    same = partial_same(index.language)

    def derived(r: int, j: int) -> bool:
        label_words = words[j]
        return label_words is not None and not all(
            same(w, surfaces[int(c)]) for w, c in zip(label_words, places[:, r], strict=False))
    return derived


def _other_sense_windows(
    labels: list[int], words: list[list[str] | None], index: LabelIndex, surfaces: list[str],
    places: np.ndarray, row_label: np.ndarray, following: list[str] | None,
) -> np.ndarray:
    """Per window row, whether one of its words is read in another concept's sense: a form of its label
    word, or before a word that makes it another concept's ("société ... a droit à" is not DROIT DES
    SOCIETES, CORPORATION LAW). ``words``: :func:`_slot_words`. Only the rows of labels with such senses
    are looked at."""
    out = np.zeros(places.shape[1], dtype=bool)
    for j, lid in enumerate(labels):
        senses = index.other_senses.get(lid)
        label_words = words[j]
        if not senses or label_words is None:
            continue
        for r in np.flatnonzero(row_label == j).tolist():
            out[r] = any(c >= 0 and is_other_sense(senses, w, surfaces[c], following[c] if following else None)
                         for w, c in zip(label_words, places[:, r].tolist(), strict=False))
    return out


def _take_windows(
    labels: list[int], rows: np.ndarray, row_label: np.ndarray, lo: np.ndarray, hi: np.ndarray,
    places: np.ndarray, widths: np.ndarray, starts: list[int] | None, ends: list[int] | None,
    derived: Callable[[int, int], bool] | None = None,
) -> dict[int, list[Occurrence]]:
    """The candidate windows ``rows`` (in label, then anchor order) as occurrences, each label's
    windows taken left to right and skipping those that overlap the one taken before."""
    out: dict[int, list[Occurrence]] = {}
    taken_until = current = -1
    for r in rows.tolist():
        j = int(row_label[r])
        if j != current:
            current, taken_until = j, -1
        first, last = int(lo[r]), int(hi[r])
        if first <= taken_until:
            continue
        taken_until = last
        spans: tuple[tuple[int, int], ...] = ()
        if starts is not None and ends is not None:
            spans = tuple(sorted({(starts[int(c)], ends[int(c + w) - 1])
                                  for c, w in zip(places[:, r], widths[:, r], strict=True) if c >= 0}))
        out.setdefault(labels[j], []).append(Occurrence(labels[j], first, last, False, False, spans,
                                                        derived=derived is not None and derived(r, j)))
    return out
