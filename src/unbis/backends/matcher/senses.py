"""Word senses read from a multilingual thesaurus's own translations.

A multilingual thesaurus is a corpus of word senses: each concept is named in several languages, so its
English labels say what a French, Spanish, Russian or Arabic label word means there. French DROIT is
LAW, but in 15 other UNBIS labels "droit à" is RIGHT TO (the truth, a fair trial ...), never LAW, and the
plural "droits" is in 37 labels, never as LAW (DROITS DE L'HOMME). So "Toute personne a droit à la vie",
"égaux en dignité et en droits" and "droits économiques" are neither LAW nor ECONOMIC LAW (DROIT
ECONOMIQUE). Likewise SOURCES (SPRINGS) before "d'énergie", FONDS (FUNDS) before "marins" (SEABED),
الضمان (WARRANTY) before الاجتماعي (SOCIAL SECURITY), الهند (INDIA) before الصينية (INDO-CHINA), право (LAW)
before на; Russian "суды" (courts) is not Суда (SHIPS), nor is Spanish "fiscal" (tax) FISCALES
(PROSECUTORS).

A one-word label's concept is its word's sense; the word's English counterpart is the English word of
that concept which the thesaurus pairs with the word's stem most often (LAW's "law" for DROIT). A *form*
of the word (the same word up to inflection, written otherwise) or a *following word* (stop words
included) is another sense when at least :data:`MIN_FORM_CONCEPTS` (following words:
:data:`MIN_NEIGHBOUR_CONCEPTS`) other concepts use it in their labels and none of their English labels
holds that counterpart; so is a *preceding* word (a stop word with as many concepts as a form: "mise en
valeur" is DEVELOPMENT, not VALUE; منع الحمل "contraception", not PREGNANCY; جزر القمر COMOROS, not MOON;
عبر الوطنية "transnational", not PATRIOTISM). A longer label with the word in that sense (its concept's English has
the counterpart: DROIT ECONOMIQUE, ECONOMIC LAW) has the same other senses. The matcher does not match a
label there (``matching._check_words``; gapped windows by forms and following words). Nothing is read for
English itself (its labels are the pivot), for Chinese (no words), or for a vocabulary without English
labels; a derived form is left to the inflection check, which already makes it weak evidence. The
thresholds were fixed on the thesaurus's own pairs, before any suggestion list was read.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from unbis.analysis.factory import ANALYSIS_VERSIONS, get_matching_analyzer
from unbis.analysis.inflection import same_word
from unbis.analysis.snowball import SnowballAnalyzer
from unbis.vocab.subject_index import Vocabulary

logger = logging.getLogger("unbis.senses")

MIN_FORM_CONCEPTS = 5
MIN_NEIGHBOUR_CONCEPTS = 3


class Sense(NamedTuple):
    """Where one label word is another concept's: in these forms, before these words, after these words
    (stop words included)."""

    forms: frozenset[str]
    following: frozenset[str]
    preceding: frozenset[str]


#: per label word (its surface form): where it is another sense
WordSenses = dict[str, Sense]


@dataclass
class _English:
    """The English side of a vocabulary: each concept's folded content words, and which concepts have an
    English word that may be a given word (:func:`same_english`), asked once per word."""

    words: list[frozenset[str]]
    concepts_of: dict[str, set[int]]
    by_prefix: dict[str, list[str]]
    _aligned: dict[str, frozenset[int]] = field(default_factory=dict)

    def aligned(self, word: str) -> frozenset[int]:
        out = self._aligned.get(word)
        if out is None:
            out = frozenset().union(*(self.concepts_of[w] for w in self.by_prefix.get(word[:3], ())
                                      if same_english(word, w)))
            self._aligned[word] = out
        return out


_ENGLISH: weakref.WeakKeyDictionary[Vocabulary, _English] = weakref.WeakKeyDictionary()


def _english(vocab: Vocabulary) -> _English:
    """:class:`_English` of ``vocab``, once per vocabulary (every language's label index asks for it)."""
    cached = _ENGLISH.get(vocab)
    if cached is not None:
        return cached
    analyzer = get_matching_analyzer("en")
    assert isinstance(analyzer, SnowballAnalyzer)
    words: list[frozenset[str]] = []
    concepts_of: dict[str, set[int]] = {}
    for cid, c in enumerate(vocab.concepts):
        own: set[str] = set()
        for lang, _kind, label in c.all_labels():
            if lang == "en":
                surfaces, terms = analyzer.surface_words(label)
                own.update(w for w, t in zip(surfaces, terms, strict=True) if t)
        words.append(frozenset(own))
        for w in own:
            concepts_of.setdefault(w, set()).add(cid)
    by_prefix: dict[str, list[str]] = {}
    for w in concepts_of:
        by_prefix.setdefault(w[:3], []).append(w)
    out = _ENGLISH[vocab] = _English(words, concepts_of, by_prefix)
    return out


def _reads_senses(language: str) -> bool:
    """Whether a language's labels are read for senses: not English (the pivot) nor Chinese (no words)."""
    return isinstance(get_matching_analyzer(language), SnowballAnalyzer) and language != "en"


def same_english(a: str, b: str) -> bool:
    """Whether two folded English words may be one word (child / children, gas / gases, law / laws): they
    share their first three letters and differ at most in their last three. Generous on purpose: a use
    of a word is another sense only when no English label of the concepts using it could translate it."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 3 and n >= min(len(a), len(b)) - 3


def other_senses(
    vocab: Vocabulary, language: str, concept: list[int], units_of: list[tuple[str, ...]],
    surfaces: list[tuple[str, ...]], texts: list[str],
) -> dict[int, WordSenses]:
    """Per label (index into ``concept`` / ``units_of`` / ``surfaces`` / ``texts``, the label index's
    columns) that has any: its words' other senses, keyed by the label word's surface form."""
    if not _reads_senses(language):
        return {}
    analyzer = get_matching_analyzer(language)
    assert isinstance(analyzer, SnowballAnalyzer)  # as _reads_senses checked
    english = _english(vocab)
    if not english.concepts_of:
        return {}
    following: dict[str, dict[str, set[int]]] = {}  # word -> the word after it -> concepts
    preceding: dict[str, dict[str, set[int]]] = {}  # word -> the word before it -> concepts
    forms: dict[str, dict[str, set[int]]] = {}  # stem -> surface form -> concepts
    paired: dict[str, Counter[str]] = {}  # stem of a one-word label -> English word -> concepts having both
    single = {stems[0] for stems in units_of if len(stems) == 1}
    for cid, c in enumerate(vocab.concepts):
        stems: set[str] = set()
        for lang, _kind, label in c.all_labels():
            if lang != language:
                continue
            all_words, terms = analyzer.surface_words(label)
            for a, b in zip(all_words, all_words[1:], strict=False):
                following.setdefault(a, {}).setdefault(b, set()).add(cid)
                preceding.setdefault(b, {}).setdefault(a, set()).add(cid)
            for w, t in zip(all_words, terms, strict=True):
                if t:
                    forms.setdefault(t, {}).setdefault(w, set()).add(cid)
                    stems.add(t)
        for t in stems & single:
            paired.setdefault(t, Counter()).update(english.words[cid])

    def foreign(uses: dict[str, set[int]], cid: int, aligned: frozenset[int], least: int) -> frozenset[str]:
        return frozenset(w for w, cids in uses.items()
                         if len(others := cids - {cid}) >= least and others.isdisjoint(aligned))

    # One-word labels first: their concept is their word's sense, and its English counterpart is the
    # English word of the concept that the thesaurus pairs with the word's stem most often.
    by_stem: dict[str, list[tuple[str, str, Sense]]] = {}
    for cid, label_stems, label_words in zip(concept, units_of, surfaces, strict=True):
        own = english.words[cid]
        if len(label_words) != 1 or len(label_stems) != 1 or not own:
            continue
        [stem], [word] = label_stems, label_words
        counts = paired.get(stem, Counter())
        counterpart = max(sorted(own), key=lambda e: counts[e])
        aligned = english.aligned(counterpart)
        inflected = {w: cids for w, cids in forms.get(stem, {}).items()
                     if w != word and same_word(language, word, w)}
        # A stop word before the word says less of its sense than a content word (في المنازعات is "in
        # conflicts" in three labels, yet "in disputes" in a text): it needs as many concepts as a form.
        before = preceding.get(word, {})
        strong = foreign(before, cid, aligned, MIN_FORM_CONCEPTS)
        sense = Sense(foreign(inflected, cid, aligned, MIN_FORM_CONCEPTS),
                      foreign(following.get(word, {}), cid, aligned, MIN_NEIGHBOUR_CONCEPTS),
                      frozenset(w for w in foreign(before, cid, aligned, MIN_NEIGHBOUR_CONCEPTS)
                                if w in strong or analyzer.terms(w)))
        if any(sense):
            by_stem.setdefault(stem, []).append((word, counterpart, sense))
    # Then every label holding such a word, in any inflection, in that sense: its concept's English has
    # the counterpart (DROIT ECONOMIQUE is ECONOMIC LAW: its "droit" is LAW's, and "droits économiques"
    # is not it). The form the label itself writes stays its own.
    # The label's own words around the word stay its own too (TRABAJO EN GRUPO may hold "trabajo en").
    out: dict[int, WordSenses] = {}
    for lid, (cid, label_stems, words) in enumerate(zip(concept, units_of, surfaces, strict=True)):
        senses: WordSenses = {}
        if len(label_stems) != len(words) or not any(by_stem.get(stem) for stem in label_stems):
            continue
        written = analyzer.surface_words(texts[lid])[0]
        for stem, word in zip(label_stems, words, strict=True):
            for single_word, counterpart, sense in by_stem.get(stem, ()):
                if (word == single_word or same_word(language, single_word, word)) \
                        and any(same_english(counterpart, e) for e in english.words[cid]):
                    around = _neighbours(written, word)
                    senses[word] = Sense(sense.forms - {word}, sense.following - around, sense.preceding - around)
                    break
        if senses:
            out[lid] = senses
    return out


def _neighbours(words: list[str], word: str) -> frozenset[str]:
    """The words just before and after each occurrence of ``word`` in ``words``."""
    return frozenset(w for k, x in enumerate(words) if x == word
                     for w in words[max(0, k - 1): k] + words[k + 1: k + 2])


_ANALYSIS_FILES = ("snowball.py", "arabic.py", "stopwords.py", "inflection.py")


def cached_other_senses(
    vocab: Vocabulary, language: str, concept: list[int], units_of: list[tuple[str, ...]],
    surfaces: list[tuple[str, ...]], texts: list[str],
) -> dict[int, WordSenses]:
    """:func:`other_senses`, kept in the start-up cache (``unbis.cache``): reading every label of the
    language and every English label costs a process about a quarter of a second. The entry is keyed by the
    vocabulary's content, the label index's columns, the analysis versions and the code that reads
    senses, so a change to any of them is never served a stale entry."""
    from unbis import analysis
    from unbis.cache import cached_arrays, content_key, file_key

    if not _reads_senses(language):
        return {}  # before the key: hashing the labels costs more than finding none
    try:
        code = [file_key(Path(__file__))] + [file_key(Path(analysis.__file__).parent / f) for f in _ANALYSIS_FILES]
    except OSError:
        return other_senses(vocab, language, concept, units_of, surfaces, texts)
    labels = json.dumps([concept, units_of, surfaces, texts], ensure_ascii=False)
    key = content_key("senses", vocab.content_hash(), language, json.dumps(ANALYSIS_VERSIONS, sort_keys=True),
                      *code, labels)

    def build() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        found = other_senses(vocab, language, concept, units_of, surfaces, texts)
        return {}, {"senses": [[lid, word, sorted(sense.forms), sorted(sense.following), sorted(sense.preceding)]
                               for lid, words in found.items() for word, sense in words.items()]}

    _arrays, meta = cached_arrays("senses", key, build)
    out: dict[int, WordSenses] = {}
    try:
        for lid, word, forms, following, preceding in meta["senses"]:
            out.setdefault(int(lid), {})[word] = Sense(frozenset(forms), frozenset(following), frozenset(preceding))
    except (KeyError, TypeError, ValueError) as exc:  # an entry of another shape: read the thesaurus again
        logger.warning("start-up cache entry for %s senses unreadable (%s); read from the vocabulary", language, exc)
        return other_senses(vocab, language, concept, units_of, surfaces, texts)
    return out


def is_other_sense(senses: WordSenses, label_word: str, text_word: str, next_word: str | None,
                   previous_word: str | None = None) -> bool:
    """Whether the text word ``text_word`` (followed by ``next_word``, after ``previous_word``; None:
    not known) meeting the label word ``label_word`` is another sense of it
    (:func:`other_senses`)."""
    sense = senses.get(label_word)
    return sense is not None and (text_word in sense.forms or (next_word is not None and next_word in sense.following)
                                  or (previous_word is not None and previous_word in sense.preceding))
