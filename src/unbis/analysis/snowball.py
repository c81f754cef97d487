"""Alphabetic languages (en, fr, es, ru; ar builds on it): Unicode words, case folding, stop words, Snowball.

Speed matters (training vectorises whole corpora), so the per-word work (NFKC, case folding, stop-word
check, stemming, accent stripping) is done once per distinct surface form and cached: analysing a text is
one regex ``findall`` plus one C-level dict look-up per word.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from itertools import chain, compress, islice
from typing import ClassVar

import Stemmer

from unbis.analysis.base import Analyzer, Token
from unbis.analysis.stopwords import STOPWORDS

SNOWBALL_NAMES = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}

# A word is a run of letters/digits; combining marks (text in NFD form, as PDF extraction sometimes gives)
# continue a word instead of splitting it. Apostrophes, hyphens and underscores separate words.
# That costs ~45% more regex time, so texts without any such mark (nearly all) use the plain pattern,
# which then gives exactly the same words.
LATIN_MARKS = re.compile(r"[\u0300-\u036f]")
LATIN_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
PLAIN_WORD = re.compile(r"[^\W_]+")

# Cap per-analyzer caches: a corpus has far fewer distinct words, but a stream of garbage must not grow
# memory without bound.
CACHE_LIMIT = 500_000


def strip_accents(text: str) -> str:
    """Remove combining marks (é -> e), the way UNBIS's unaccented upper-case labels are written."""
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed.isascii():
        return decomposed
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


class _TermCache(dict[str, str]):
    """surface word -> term ("" for a dropped word); misses are computed by ``normalise`` and stored."""

    def __init__(self, normalise: Callable[[str], str]) -> None:
        super().__init__()
        self._normalise = normalise

    def __missing__(self, word: str) -> str:
        term = self._normalise(word)
        if len(self) < CACHE_LIMIT:
            self[word] = term
        return term


class SnowballAnalyzer(Analyzer):
    """Stemmed, case- and accent-insensitive terms for en, fr, es, ru.

    Accents are stripped so that UNBIS's unaccented upper-case French/Spanish labels meet accented running
    text: before stemming in French and Spanish (a stem of the accented form would differ from the label's),
    after it in English. Russian folds ё to е before stemming and keeps й (stripping its breve would merge
    unrelated words). Words shorter than ``min_length``, pure numbers and stop words are dropped.
    """

    word_pattern: ClassVar[re.Pattern[str]] = LATIN_WORD  # words, marks included
    mark_pattern: ClassVar[re.Pattern[str]] = LATIN_MARKS  # the marks word_pattern keeps inside words

    def __init__(
        self, language: str, min_length: int = 2, use_stopwords: bool = True, keep: frozenset[str] = frozenset(),
    ) -> None:
        if language not in SNOWBALL_NAMES:
            raise ValueError(f"no Snowball stemmer for {language!r}; choose one of {sorted(SNOWBALL_NAMES)}")
        self.language = language
        self.min_length = min_length
        self._stemmer = Stemmer.Stemmer(SNOWBALL_NAMES[language])
        stop = STOPWORDS.get(language, frozenset()) - keep if use_stopwords else frozenset()
        # Labels are often written without accents (DROITS DE L'HOMME, A for à): stop their bare forms too.
        self._stop = frozenset(self.prepare(w) for w in stop) | frozenset(self.prepare(strip_accents(w)) for w in stop)
        self._strip = language in ("en", "fr", "es")
        # French and Spanish UNBIS labels are written in capitals without accents (SECURITE, SOBERANIA), and
        # Snowball stems an unaccented word apart from its accented form (sécurité -> sécur, securite ->
        # securit): there, accents go before stemming, so that text and label meet. English keeps the
        # order (its words rarely carry accents, and its models' terms stay as they were).
        self._strip_first = language in ("fr", "es")
        self._cache = _TermCache(self.normalise_word)
        self._surface_cache = _TermCache(self.surface_word)
        self._stop_surfaces = frozenset(self.surface_word(w) for w in stop)

    def prepare(self, word: str) -> str:
        """Folded, unstemmed form of a word: NFKC (ligatures, full-width), case folding, ё -> е."""
        word = unicodedata.normalize("NFKC", word).casefold()
        if self.language == "ru":
            word = word.replace("ё", "е")
        return word

    def normalise_word(self, word: str) -> str:
        """The index term for one surface word, or "" when the word is dropped (uncached)."""
        folded = self.prepare(word)
        if len(folded) < self.min_length or folded in self._stop or folded.isdigit():
            return ""
        if self._strip_first:
            folded = strip_accents(folded)
        stem = self.stem(folded)
        return strip_accents(stem) if self._strip else stem

    def stem(self, folded: str) -> str:
        """Snowball's stem of a folded word that is kept."""
        return self._stemmer.stemWord(folded)  # type: ignore[no-any-return]

    def surface_word(self, word: str) -> str:
        """The folded, unstemmed, accent-free form of a word: what an inflection check compares
        (labels are often written in capitals without accents; Russian keeps й, as its terms do)."""
        folded = self.prepare(word)
        return strip_accents(folded) if self._strip else folded

    def surface(self, word: str) -> str:
        """:meth:`surface_word`, cached."""
        return self._surface_cache[word]

    def term_details(self, text: str) -> tuple[list[str], list[str], list[bool], list[str], list[str]]:
        """The terms of ``text`` (same order as :meth:`terms`), the folded surface word each came from (the
        matcher tells inflection from derivation on surface forms), whether that word is written as a
        name (``str.istitle``: "Guinea", not "GUINEA" or "guinea"), and the folded words just before and
        after it, stop words included ("" at either end: "droit" in "a droit à" has "a" on both sides)."""
        words = self._pattern(text).findall(text)
        # map / compress run in C, as in :meth:`terms`
        all_terms = list(map(self._cache.__getitem__, words))
        all_surfaces = list(map(self._surface_cache.__getitem__, words))
        surfaces = list(compress(all_surfaces, all_terms))
        titled = list(compress(map(str.istitle, words), all_terms))
        preceding = list(compress(chain(("",), all_surfaces), all_terms))
        following = list(compress(chain(islice(all_surfaces, 1, None), ("",)), all_terms))
        return list(filter(None, all_terms)), surfaces, titled, preceding, following

    def is_function_word(self, surface: str) -> bool:
        """Whether a folded surface word (:meth:`surface_word`, as ``term_details`` gives the words around
        a term) is one of the stop words."""
        return surface in self._stop_surfaces

    def surface_words(self, text: str) -> tuple[list[str], list[str]]:
        """The folded surface form of every word of ``text``, stop words included, and its term ("" for a
        stop word)."""
        words = self._pattern(text).findall(text)
        return list(map(self._surface_cache.__getitem__, words)), list(map(self._cache.__getitem__, words))

    def neighbour_words(self, text: str, starts: list[int], ends: list[int]) -> tuple[list[str], list[str]]:
        """The folded words just before each character offset of ``starts`` and just after each of
        ``ends`` (both sorted) in ``text``, stop words included ("" when none): :meth:`term_details`' last
        two lists, for tokens with offsets."""
        matches = list(self._pattern(text).finditer(text))
        begins = [m.start() for m in matches]
        before, after = [], []
        for start, end in zip(starts, ends, strict=True):
            k = bisect_left(begins, start) - 1
            before.append(self._surface_cache[matches[k].group()] if k >= 0 else "")
            k = bisect_left(begins, end)
            after.append(self._surface_cache[matches[k].group()] if k < len(matches) else "")
        return before, after

    def _pattern(self, text: str) -> re.Pattern[str]:
        """The plain word pattern unless ``text`` holds combining marks (a C-speed scan)."""
        return self.word_pattern if self.mark_pattern.search(text) else PLAIN_WORD

    def tokens(self, text: str) -> list[Token]:
        cache = self._cache
        out = []
        for m in self._pattern(text).finditer(text):
            term = cache[m.group()]
            if term:
                out.append(Token(term, m.start(), m.end()))
        return out

    def terms(self, text: str) -> list[str]:
        # map + filter run in C: one regex pass and one dict hit per word in the steady state.
        return list(filter(None, map(self._cache.__getitem__, self._pattern(text).findall(text))))
