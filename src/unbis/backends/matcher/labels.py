"""Compiling a vocabulary's labels of one language into an Aho-Corasick automaton.

Every label (preferred, alternative, hidden) becomes its unit sequence joined by :data:`SEP`; one
automaton holds both the whole-label patterns (exact matches) and the label *parts* (single words),
whose occurrences feed gapped / reordered matching. One scan of a document finds both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import ahocorasick
import numpy as np

from unbis.analysis.factory import get_matching_analyzer
from unbis.analysis.stopwords import CONJUNCTIONS, NEGATIONS, STOPWORDS
from unbis.backends.matcher.senses import WordSenses, cached_other_senses
from unbis.backends.matcher.units import SEP, label_parts, text_units
from unbis.vocab.subject_index import Vocabulary

KIND_CODE = {"pref": 0, "alt": 1, "hidden": 2}


@dataclass
class LabelIndex:
    """The compiled labels of one language. Label ids index the parallel lists/arrays."""

    language: str
    concept: np.ndarray  # int32, concept id of each label
    text: list[str]  # the label as written in the vocabulary
    kind: np.ndarray  # int8, KIND_CODE
    n_units: np.ndarray  # int16, units in the label (its length)
    parts: list[tuple[int, ...]]  # distinct part ids of each label (empty: exact matching only)
    part_units: list[int]  # length in units of each part
    part_labels: list[list[int]]  # inverted: labels that contain each part
    ambiguity: np.ndarray  # int16, concepts sharing this label's unit sequence
    generality: np.ndarray  # int32, other labels that contain this label's unit sequence
    automaton: ahocorasick.Automaton = field(repr=False)
    #: folded surface word of each unit of each label (empty in Chinese): inflection checks
    surfaces: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    #: per label, aligned with ``parts``: the surface word of each part (empty in Chinese), so that a
    #: gapped match is checked for inflection as an exact one is
    part_surfaces: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    #: per label: its concept has a plural-only sense (SECURITIES), so a singular text word is not it
    plural_sense: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    #: per label: it holds a negation (NON-COMMUNICABLE DISEASES), which may then stand in its gapped matches
    negated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    #: UN body names (unit sequences -> length): spans whose words carry no descriptor (None: none)
    bodies: ahocorasick.Automaton | None = field(default=None, repr=False)
    #: label -> its words' other senses, where the thesaurus's translations show any (``senses``)
    other_senses: dict[int, WordSenses] = field(default_factory=dict, repr=False)
    #: per label: a compound, two or more words with no function word among them (REPRESENTATIVE
    #: GOVERNMENT), which a text's function word does not join ("representatives of the Governments")
    compound: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    #: a one-word -ing label is met by -ing words only, and an -ing word meets no other one-word label
    #: (``inflection.gerund_apart``)
    gerunds: bool = False

    def __len__(self) -> int:
        return len(self.text)


def _key(units: tuple[str, ...] | list[str]) -> str:
    return SEP + SEP.join(units) + SEP


#: a trailing qualifier: "agreement (EU)", "GEORGIA (REPUBLIC)"
_QUALIFIER = re.compile(r"^(.*\S)\s*[(（][^()（）]*[)）]\s*$")


def _variants(labels: Iterable[tuple[str, str, str]], language: str) -> Iterator[tuple[str, str]]:
    """(kind, label) of ``language``, each qualified label followed by its bare form as a hidden label:
    a text says "cooperation agreement", not "cooperation agreement (EU)"; the qualifier only tells
    thesaurus readers which sense is meant. A bare form may be another concept's label too (INTERVENTION,
    INTERVENTION (PROCEDURE)): a trained ranker learns which is meant where, and the bundled default keeps
    the one closer in meaning (``zeroshot.one_sense``)."""
    for lang, kind, label in labels:
        if lang != language:
            continue
        yield kind, label
        bare = _QUALIFIER.match(label)
        if bare:
            yield "hidden", bare.group(1)


#: a one-letter word joined by a hyphen: the "e" of E-GOVERNMENT, the "x" of X-RAYS
_LETTER_PREFIX = re.compile(r"(?:^|\s)[^\W\d_]-\w")


def _loses_a_word(label: str, language: str) -> bool:
    """Whether analysis drops a one-letter prefix word of ``label`` (E-GOVERNMENT: "e" is too short to be
    a term): what is left names another concept (GOVERNMENT) and would match wherever it is written."""
    return language != "zh" and _LETTER_PREFIX.search(label) is not None


_WORD = re.compile(r"\w+")
#: the slot of a family template ("الحالة في \x00")
_SLOT = "\x00"
#: a family is at least this many concepts "<NAME> <HEAD>" whose NAME is another concept's label
_MIN_FAMILY = 5


def _family_templates(vocab: Vocabulary, language: str) -> dict[int, tuple[str, ...]]:
    """Concept -> hidden labels lent by its family's other templates in ``language``.

    UNBIS names agenda items as families: "<place> SITUATION", "<place> QUESTION", whose NAME is the
    English label of another concept (MIDDLE EAST). In another language the family's members do not
    always share one wording: 18 Arabic SITUATION labels say الحالة في <place>, as UN Arabic text does, but
    MIDDLE EAST SITUATION says الوضع في الشرق الأوسط, so "الحالة في الشرق الأوسط" never met it. Each
    member's labels give a template (its place's label cut out; the slot at one end of a word boundary,
    or anywhere in Chinese); every template two members share is lent, filled with the member's place,
    to the family's other members. Derived from the thesaurus alone: vocabularies without such families
    (EuroVoc, YSO) lend nothing."""
    default = vocab.default_language
    by_label: dict[str, int] = {}
    for cid in range(len(vocab.concepts)):
        by_label.setdefault(vocab.label(cid, default), cid)
    families: dict[str, list[tuple[int, int]]] = {}
    for cid in range(len(vocab.concepts)):
        name, _, head = vocab.label(cid, default).rpartition(" ")
        place = by_label.get(name) if name and head.isalpha() else None
        if place is not None and place != cid:
            families.setdefault(head, []).append((cid, place))
    lent: dict[int, tuple[str, ...]] = {}
    for members in families.values():
        if len(members) < _MIN_FAMILY:
            continue
        counts: dict[str, int] = {}
        for cid, place in members:
            templates = {_template(label, vocab.concepts[place].labels.get(language), language)
                         for lang, _kind, label in vocab.concepts[cid].all_labels() if lang == language}
            for template in filter(None, templates):
                counts[template] = counts.get(template, 0) + 1
        shared = [t for t, n in counts.items() if n >= 2]
        for cid, place in members:
            place_name = vocab.concepts[place].labels.get(language)
            if not place_name:
                continue
            own = {label for lang, _kind, label in vocab.concepts[cid].all_labels() if lang == language}
            extra = tuple(label for t in shared if (label := t.replace(_SLOT, place_name)) not in own)
            if extra:
                lent[cid] = extra
    return lent


def _template(label: str, name: str | None, language: str) -> str | None:
    """``label`` with ``name`` cut out as the slot, when ``name`` stands in it as whole words."""
    if not name or name not in label or label == name:
        return None
    start = label.index(name)
    end = start + len(name)
    if language != "zh" and ((start and label[start - 1].isalnum()) or (end < len(label) and label[end].isalnum())):
        return None  # glued to an ending or a prefix: the slot would not fit another place (المسألة الجزائرية)
    return label[:start] + _SLOT + label[end:]


def _not_reduced(texts: list[str], units_of: list[tuple[str, ...]], concept: list[int], language: str) -> list[bool]:
    """Per label, False when analysis dropped at least half of its words and what is left is another
    concept's label, written with no word to drop: a dropped function word made it that concept
    (التعليم عن بعد "distance education" is left with التعليم, EDUCATION; EUROPE DE L'EST with EUROPE),
    so it would match wherever the other is written. That concept keeps its own label."""
    if language == "zh":
        return [True] * len(texts)
    whole: dict[tuple[str, ...], set[int]] = {}  # labels that lost no word
    n_words = [len(_WORD.findall(text)) for text in texts]
    for units, cid, n in zip(units_of, concept, n_words, strict=True):
        if len(units) >= n:
            whole.setdefault(units, set()).add(cid)
    dropped = [2 * len(set(units)) <= n for units, n in zip(units_of, n_words, strict=True)]
    return [not lost or not (whole.get(units, set()) - {cid})
            for units, cid, lost in zip(units_of, concept, dropped, strict=True)]


def _add_without_negation(
    concept: list[int], texts: list[str], kinds: list[int], units_of: list[tuple[str, ...]],
    surfaces: list[tuple[str, ...]], borrowed: list[bool], language: str,
) -> None:
    """Lend each label that holds a negation its form without it, as a hidden label, unless that form is
    another concept's label. The negation is kept where it makes another concept (ENFERMEDADES NO
    TRANSMISIBLES is not ENFERMEDADES TRANSMISIBLES); elsewhere the label still matches the words it
    negates, as it did when negations were stop words ("No poverty", SDG 1, for a text on poverty;
    الاتجار غير المشروع, written with or without its negation). Only the negations that are stop words for
    the other backends: a word always kept (French and English "non") was always part of its label
    (NON-RESSORTISSANTS is not "ressortissants"). In place, appended to the columns."""
    negations = negation_units(language, stop_words_only=True)
    if not negations:
        return
    owners: dict[tuple[str, ...], set[int]] = {}
    for units, cid in zip(units_of, concept, strict=True):
        owners.setdefault(units, set()).add(cid)
    for lid in range(len(units_of)):
        units = units_of[lid]
        if negations.isdisjoint(units):
            continue
        kept = [k for k, u in enumerate(units) if u not in negations]
        reduced = tuple(units[k] for k in kept)
        if not reduced or owners.get(reduced, set()) - {concept[lid]}:
            continue
        concept.append(concept[lid])
        texts.append(texts[lid])
        kinds.append(KIND_CODE["hidden"])
        units_of.append(reduced)
        surfaces.append(tuple(surfaces[lid][k] for k in kept) if surfaces[lid] else ())
        borrowed.append(borrowed[lid])
        owners.setdefault(reduced, set()).add(concept[lid])


def _demonym_singular(label: str, language: str) -> str | None:
    """The masculine singular of a one-word Spanish nationality label, which Snowball stems apart from
    its plural (libanés -> liban, LIBANESES -> libanes; francés / FRANCESES): UN text writes "territorio
    libanés" for LEBANON. None for other labels and languages (their singular and plural share a stem)."""
    if language != "es" or " " in label.strip() or len(label) < 5:
        return None
    word = label.strip()
    if word[-2:].casefold() == "es" and word[-3].casefold() not in "aeiouáéíóú":
        return word[:-2]
    return None


@cache
def un_body_names() -> dict[str, dict[str, list[str]]]:
    """The bundled names of UN bodies: body -> language -> names (``data/un-bodies.json``)."""
    path = files("unbis") / "data" / "un-bodies.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["bodies"]  # type: ignore[no-any-return]


def body_automaton(language: str) -> ahocorasick.Automaton | None:
    """An automaton over the unit sequences of the UN body names of ``language`` (value: length)."""
    automaton = ahocorasick.Automaton()
    for names in un_body_names().values():
        for name in names.get(language, ()):
            units = text_units(name, language).terms
            if units:
                automaton.add_word(_key(units), len(units))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


@cache
def _demonym_uris() -> tuple[tuple[str, str], ...]:
    """(nationality URI, country URI) pairs of ``data/demonyms.json``."""
    data = json.loads((files("unbis") / "data" / "demonyms.json").read_text(encoding="utf-8"))
    return tuple((p["people"], p["country"]) for p in data["pairs"])


def nationalities(vocab: Vocabulary) -> dict[int, list[int]]:
    """Country concept id -> the ids of the nationality concepts that name it (ISRAEL: [ISRAELIS]), for the
    pairs of ``data/demonyms.json`` whose two concepts are both in ``vocab`` (none outside UNBIS)."""
    out: dict[int, list[int]] = {}
    for people, country in _demonym_uris():
        p, c = vocab.id_of_uri(people), vocab.id_of_uri(country)
        if p is not None and c is not None:
            out.setdefault(c, []).append(p)
    return out


def compile_labels(
    vocab: Vocabulary, language: str, min_parts: int = 2, qualifiers: bool = True,
    plural_sense: frozenset[int] = frozenset(), bodies: bool = False, demonyms: bool = False,
    other_sense: bool = False, compounds: bool = False, gerunds: bool = False,
) -> LabelIndex:
    """Analyse every label of ``language`` once and build the automaton.

    Labels whose analysis is empty (all stop words) are skipped. A label takes part in gapped matching
    when it has at least ``min_parts`` distinct parts. ``qualifiers``: also match qualified labels
    without their trailing parenthesised qualifier. ``plural_sense``: concepts whose one-word labels
    name a plural-only sense. ``bodies``: mask the words of UN body names. ``demonyms``: a country also
    has the labels of its nationality as hidden labels (``nationalities``): UN text says "Israeli armed
    forces" and "Lebanese territory" where an indexer gives ISRAEL and LEBANON. ``other_sense``: a
    label does not match where the thesaurus's translations say a word of it means another concept
    (``senses.other_senses``). ``compounds``: a label of words with no function word between them is
    not met across a function word (``LabelIndex.compound``). ``gerunds``: ``LabelIndex.gerunds``.
    """
    concept: list[int] = []
    texts: list[str] = []
    kinds: list[int] = []
    units_of: list[tuple[str, ...]] = []
    surfaces: list[tuple[str, ...]] = []
    borrowed: list[bool] = []  # a nationality's label, lent to its country
    seen: set[tuple[int, tuple[str, ...], tuple[str, ...]]] = set()
    people_of = nationalities(vocab) if demonyms else {}

    def labels_of(cid: int) -> list[tuple[str, str]]:
        c = vocab.concepts[cid]
        return list(_variants(c.all_labels(), language) if qualifiers else (
            (kind, label) for lang, kind, label in c.all_labels() if lang == language))

    def singulars(labels: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [("hidden", sg) for _kind, label in labels if (sg := _demonym_singular(label, language))]

    people = {p for ps in people_of.values() for p in ps}
    family = _family_templates(vocab, language)
    for cid in range(len(vocab.concepts)):
        own_labels = labels_of(cid)
        labels = own_labels + [("hidden", label) for label in family.get(cid, ())]
        if cid in people:
            labels += singulars(own_labels)
        own = len(labels)
        for pid in people_of.get(cid, ()):
            lent = labels_of(pid)
            labels += [("hidden", label) for _kind, label in lent] + singulars(lent)
        for k, (kind, label) in enumerate(labels):
            analysed = text_units(label, language, surfaces=True)
            units = tuple(analysed.terms)
            # A lent label is kept beside its country's own when only its words differ: French stems
            # "libanais" to the units of LIBAN, and only the surface word tells the inflection check
            # that "territoire libanais" is LIBANAIS (and now LIBAN), not a derivation of LIBAN.
            seen_key = (cid, units, tuple(analysed.surfaces or ()) if k >= own else ())
            if not units or seen_key in seen or _loses_a_word(label, language):
                continue  # nothing to match, the same concept by another spelling, or another concept
            seen.add(seen_key)
            surfaces.append(tuple(analysed.surfaces or ()))
            concept.append(cid)
            texts.append(label)
            kinds.append(KIND_CODE[kind])
            units_of.append(units)
            borrowed.append(k >= own)

    # a label holding a negation, and its form without it, may span a negation in a gapped match
    n_written = len(units_of)  # the labels as written; the forms without their negation follow
    _add_without_negation(concept, texts, kinds, units_of, surfaces, borrowed, language)
    negations = negation_units(language)
    negated = [not negations.isdisjoint(u) for u in units_of[:n_written]] + [True] * (len(units_of) - n_written)
    keep = _not_reduced(texts, units_of, concept, language)
    if not all(keep):
        kept = [i for i, k in enumerate(keep) if k]
        concept, texts, kinds = [concept[i] for i in kept], [texts[i] for i in kept], [kinds[i] for i in kept]
        units_of, surfaces = [units_of[i] for i in kept], [surfaces[i] for i in kept]
        borrowed, negated = [borrowed[i] for i in kept], [negated[i] for i in kept]

    # Exact patterns: unit sequence -> labels having it (several concepts may share a label).
    exact: dict[str, list[int]] = {}
    for lid, units in enumerate(units_of):
        exact.setdefault(_key(units), []).append(lid)

    # Parts for gapped matching, interned to ids.
    part_id: dict[tuple[str, ...], int] = {}
    parts: list[tuple[int, ...]] = []
    part_surfaces: list[tuple[str, ...]] = []
    part_labels: list[list[int]] = []
    for lid, label in enumerate(texts):
        ids: list[int] = []
        words: list[str] = []
        # Outside Chinese every unit is a part: no need to analyse the label again.
        label_words = label_parts(label, language) if language == "zh" else [(u,) for u in units_of[lid]]
        for k, p in enumerate(label_words):
            if not p:
                continue
            pid = part_id.setdefault(p, len(part_id))
            if pid == len(part_labels):
                part_labels.append([])
            if pid not in ids:
                ids.append(pid)
                if surfaces[lid]:  # outside Chinese part k is unit k
                    words.append(surfaces[lid][k])
        # A qualified label matches exactly or not at all: its qualifier tells a reader which sense is meant
        # and is no word the text need hold near the others ("Toda persona tiene derecho" is not PERSONAS
        # (DERECHO)); its bare form, a hidden label, is matched gapped as any label.
        if len(ids) >= min_parts and not (qualifiers and _QUALIFIER.match(label)):
            parts.append(tuple(ids))
            part_surfaces.append(tuple(words))
            for pid in ids:
                part_labels[pid].append(lid)
        else:
            parts.append(())
            part_surfaces.append(())
    part_units = [0] * len(part_id)
    for p, pid in part_id.items():
        part_units[pid] = len(p)

    automaton = ahocorasick.Automaton()
    keys = set(exact) | {_key(p) for p in part_id}
    for key in keys:
        units = tuple(key[1:-1].split(SEP))
        automaton.add_word(key, (tuple(exact.get(key, ())), part_id.get(units, -1), len(units)))
    if keys:
        automaton.make_automaton()

    ambiguity = np.zeros(len(texts), dtype=np.int16)
    for lids in exact.values():
        # A lent label does not make its nationality's own label ambiguous (LEBANESE stays one concept).
        owners = [i for i in lids if not borrowed[i]] or lids
        ambiguity[lids] = len({concept[i] for i in owners})
    generality = _generality(automaton, units_of, concept) if keys else np.zeros(0, dtype=np.int32)
    senses = cached_other_senses(vocab, language, concept, units_of, surfaces, texts) if other_sense else {}
    return LabelIndex(
        language=language,
        concept=np.asarray(concept, dtype=np.int32),
        text=texts,
        kind=np.asarray(kinds, dtype=np.int8),
        n_units=np.asarray([len(u) for u in units_of], dtype=np.int16),
        parts=parts,
        part_units=part_units,
        part_labels=part_labels,
        ambiguity=ambiguity,
        generality=generality,
        automaton=automaton,
        surfaces=surfaces,
        part_surfaces=part_surfaces,
        plural_sense=np.array([c in plural_sense and len(u) == 1 for c, u in zip(concept, units_of, strict=True)],
                              dtype=bool),
        negated=np.array(negated, dtype=bool),
        bodies=body_automaton(language) if bodies else None,
        other_senses=senses,
        compound=_compounds(texts, units_of, language) if compounds else np.zeros(len(texts), dtype=bool),
        gerunds=gerunds,
    )


def _compounds(texts: list[str], units_of: list[tuple[str, ...]], language: str) -> np.ndarray:
    """Per label: two or more units, each word of the label one of them (no stop word, number or
    letter dropped), in a language whose function words are words (``stopwords.CONJUNCTIONS``)."""
    out = np.zeros(len(texts), dtype=bool)
    if language not in CONJUNCTIONS:
        return out
    analyzer = get_matching_analyzer(language)
    for lid, (label, units) in enumerate(zip(texts, units_of, strict=True)):
        if len(units) >= 2:
            _, terms = analyzer.surface_words(label)  # type: ignore[attr-defined]
            out[lid] = all(terms) and len(terms) == len(units)
    return out


@cache
def negation_units(language: str, stop_words_only: bool = False) -> frozenset[str]:
    """The units of the negations the matcher keeps as words (``stopwords.NEGATIONS``) in ``language``;
    ``stop_words_only``: of those that the other backends drop as stop words."""
    words = NEGATIONS.get(language, frozenset())
    if stop_words_only:
        words = words & STOPWORDS.get(language, frozenset())
    return frozenset(u for w in words for u in text_units(w, language, offsets=False).terms)


def _generality(automaton: ahocorasick.Automaton, units_of: list[tuple[str, ...]], concept: list[int]) -> np.ndarray:
    """How many labels of other concepts contain each label: a zero-shot proxy for how generic it is
    (发展 / DEVELOPMENT sits inside hundreds of labels; 可持续发展 inside few)."""
    counts = np.zeros(len(units_of), dtype=np.int32)
    for lid, units in enumerate(units_of):
        if len(units) < 2:
            continue
        found: set[int] = set()
        for _end, (lids, _pid, _n) in automaton.iter(_key(units)):
            found.update(other for other in lids if concept[other] != concept[lid])
        for other in found:
            counts[other] += 1
    return counts
