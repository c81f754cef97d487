"""Offline language detection restricted to the six UN languages.

The script decides Arabic, Chinese and Russian outright (each is the only UN language written in its
script); only Latin-script text needs a statistical model, py3langid restricted to en/fr/es.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from unbis.analysis.factory import UN_LANGUAGES, normalise_language
from unbis.analysis.stopwords import STOPWORDS

SAMPLE_CHARS = 4000  # enough for a confident decision; keeps detection O(1) for long documents
OPENING_CHARS = 1000  # what langid reads first; it decides alone when langid is SURE of it
SURE = 0.99


def _script_counts(sample: str) -> dict[str, int]:
    """Letters per script: "ar", "zh" (Han, weighted x3), "ru" (Cyrillic), "latin"."""
    counts = {"ar": 0, "zh": 0, "ru": 0, "latin": 0}
    for ch in sample:
        o = ord(ch)
        if o < 0x80:
            if ch.isalpha():
                counts["latin"] += 1
        elif 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF:
            counts["ar"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2EBEF:
            # A Han character is a syllable, often a word: weight it against letters of other scripts.
            counts["zh"] += 3
        elif 0x0400 <= o <= 0x052F:
            counts["ru"] += 1
        elif ch.isalpha() and o < 0x0250:
            counts["latin"] += 1
    return counts


LATIN_LANGUAGES = ("en", "fr", "es")


@cache
def _identifier() -> Any:
    """py3langid's bundled model, restricted to the Latin-script UN languages (loaded once).

    The model ships LZMA-compressed: decompressing it costs about half a second per process. The part
    the restricted identifier uses is kept in the start-up cache (:mod:`unbis.cache`) as ``.npy`` files
    and memory-mapped; the classifier is the same py3langid one, so its decisions are unchanged."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from unbis.cache import cached_arrays, content_key, file_key

    model = MODEL_DIR / MODEL_FILE
    try:
        key = content_key(file_key(model), *LATIN_LANGUAGES)
    except OSError:
        key = None
    if key is None:
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages(list(LATIN_LANGUAGES))
        return ident

    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        import numpy as np

        full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        full.set_languages(list(LATIN_LANGUAGES))
        arrays = {"ptc": np.asarray(full.nb_ptc), "pc": np.asarray(full.nb_pc),
                  "nextmove": np.frombuffer(full.tk_nextmove, dtype=np.uint32),
                  "row": np.asarray(full.tk_row, dtype=np.int64), "output": np.asarray(full.tk_output)}
        return arrays, {"classes": list(full.nb_classes)}

    arrays, meta = cached_arrays("langid", key, build)
    # memoryview: the DFA walk indexes these once per byte; a view yields Python ints, no numpy scalars.
    nextmove = memoryview(arrays["nextmove"]).cast("B").cast("I")  # type: ignore[arg-type]
    return LanguageIdentifier(arrays["ptc"], arrays["pc"], meta["classes"], nextmove,
                              arrays["output"].tolist(), norm_probs=True, tk_row=arrays["row"].tolist())


UNSURE = 0.9  # below this probability langid's pick for a Latin-script text is checked by function words


def _fold(word: str) -> str:
    """Lower case without accents: text typed without accents (or upper case) still shows its words."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


@cache
def _own_function_words() -> dict[str, frozenset[str]]:
    """Function words of exactly one Latin-script UN language ("the", "et", "los"; not "de", "a", "la").

    A short text ("The Security Council condemns terrorism.") gives langid few character n-grams to go
    on; one article or conjunction decides it for a reader, and only words no other language shares
    can."""
    folded = {lang: frozenset(_fold(w) for w in STOPWORDS[lang]) for lang in LATIN_LANGUAGES}
    # Single letters are left out: elided d', l', s' look like the S of a symbol (S/8484) or an initial.
    return {lang: frozenset(w for w in words if len(w) > 1)
            - frozenset().union(*(folded[o] for o in LATIN_LANGUAGES if o != lang))
            for lang, words in folded.items()}


def _function_word_vote(sample: str) -> str | None:
    """The one Latin language whose own function words occur most in ``sample``; None on a tie or none."""
    own = _own_function_words()
    words = [_fold(w) for w in re.findall(r"[^\W\d_]+", sample)]
    hits = {lang: sum(w in own[lang] for w in words) for lang in LATIN_LANGUAGES}
    ranked = sorted(hits.values(), reverse=True)
    if ranked[0] == 0 or ranked[0] == ranked[1]:
        return None
    return max(hits, key=lambda lang: hits[lang])


def _latin_language(sample: str) -> str:
    """langid's Latin-script language, unless it is unsure and the function words say otherwise.

    langid first reads the opening ``OPENING_CHARS`` only, and that decides when langid is all but
    certain of it (``SURE``): detection runs once per indexed document, and langid's walk over the
    whole sample was a visible share of indexing (benchmarks/results/crosslingual.md)."""
    if len(sample) > OPENING_CHARS:
        lang, prob = _identifier().classify(sample[:OPENING_CHARS])
        if prob >= SURE:
            return str(lang)
    lang, prob = _identifier().classify(sample)
    if prob < UNSURE and (voted := _function_word_vote(sample)) is not None:
        return voted
    return str(lang)


def detect_language(text: str, default: str = "en") -> str:
    """The UN language of ``text``; ``default`` when it has no letters to go on."""
    default = normalise_language(default)
    sample = text[:SAMPLE_CHARS]
    counts = _script_counts(sample)
    best = max(counts, key=lambda k: counts[k])
    if counts[best] == 0:
        return default
    if best != "latin":
        return best
    lang = _latin_language(sample)
    return lang if lang in UN_LANGUAGES else default
