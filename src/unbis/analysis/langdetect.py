"""Offline language detection restricted to the six UN languages.

The script decides Arabic, Chinese and Russian outright (each is the only UN language written in its
script); only Latin-script text needs a statistical model, py3langid restricted to en/fr/es.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
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
    """py3langid's bundled model restricted to the Latin-script UN languages (loaded once): the columns
    of :func:`_world_identifier`'s model for en, fr and es over the same tokenizer, as py3langid's own
    ``set_languages`` takes them, so its decisions are py3langid's."""
    from py3langid.langid import LanguageIdentifier

    world = _world_identifier()
    columns = [i for i, c in enumerate(world.nb_classes) if c in LATIN_LANGUAGES]
    return LanguageIdentifier(world.nb_ptc[:, columns], world.nb_pc[columns], [world.nb_classes[i] for i in columns],
                              world.tk_nextmove, world.tk_output, norm_probs=True, tk_row=world.tk_row)


@cache
def _world_identifier() -> Any:
    """py3langid's bundled model with all of its languages (loaded once): what tells a German or Greek
    document from an English one, which the restricted model cannot.

    The model ships LZMA-compressed: decompressing it costs about half a second per process. Its arrays
    are kept in the start-up cache (:mod:`unbis.cache`) as ``.npy`` files and memory-mapped; the
    classifier is py3langid's own over them."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from unbis.cache import cached_arrays, content_key, file_key

    model = MODEL_DIR / MODEL_FILE
    try:
        key = content_key(file_key(model), "all")
    except OSError:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        import numpy as np

        full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        arrays = {"ptc": np.asarray(full.nb_ptc), "pc": np.asarray(full.nb_pc),
                  "nextmove": np.frombuffer(full.tk_nextmove, dtype=np.uint32),
                  "row": np.asarray(full.tk_row, dtype=np.int64), "output": np.asarray(full.tk_output)}
        return arrays, {"classes": list(full.nb_classes)}

    arrays, meta = cached_arrays("langid-all", key, build)
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


#: Regional varieties py3langid tells apart from a UN language; a document in one of them is served as
#: that language (Egyptian Arabic is Arabic to the analyzer; Nigerian Pidgin is what English front
#: matter with names and numbers often looks like).
UN_VARIETIES = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "pcm": "en"}
_SERVED = frozenset(UN_LANGUAGES) | UN_VARIETIES.keys()
NO_LANGUAGE = "zxx"  # py3langid's "no linguistic content": no vote either way
FOREIGN_CHUNK_CHARS = 1000
FOREIGN_CHUNKS = 5
MIN_LETTERS = 200  # below this a chunk's language is a guess (a Spanish article of 85 characters reads as Portuguese)
UN_MASS = 0.1  # a chunk is in another language when the UN languages together get less than this


def _un_mass(chunk: str) -> tuple[float, str]:
    """The probability py3langid's full model gives the UN languages (varieties included) for ``chunk``,
    and its most likely other language."""
    ranked = _world_identifier().rank(chunk)
    mass = sum(p for lang, p in ranked if lang in _SERVED)
    other = next((lang for lang, _ in ranked if lang not in _SERVED and lang != NO_LANGUAGE), "")
    return mass, other


def _letters(chunk: str) -> int:
    return sum(ch.isalpha() for ch in chunk)


def _spread_chunks(text: str) -> list[str]:
    """Up to ``FOREIGN_CHUNKS`` chunks spread evenly from the opening to the end of ``text``."""
    size, k = FOREIGN_CHUNK_CHARS, FOREIGN_CHUNKS
    if len(text) <= size * k:
        return [text[i:i + size] for i in range(0, len(text), size)]
    step = (len(text) - size) / (k - 1)
    return [text[round(i * step):round(i * step) + size] for i in range(k)]


def foreign_language(text: str) -> str | None:
    """The language of ``text`` when it is a language other than the six UN languages (ISO 639 code, as
    py3langid names it: "de", "el", "uk"), else None.

    :func:`detect_language` only chooses among the UN languages, so a German resolution would be read as
    English ("im Land": LAND). The opening alone cannot decide it: theses in English open with a Swedish
    abstract. So the opening is read first (almost every document stops there: a UN language has some
    probability), and only a foreign-looking opening has chunks spread through the whole document read;
    the document is foreign when most of them are. A text too short to judge is never called foreign."""
    opening, *rest = _spread_chunks(text) or [""]  # the first chunk is the opening
    if _letters(opening) < MIN_LETTERS or (first := _un_mass(opening))[0] >= UN_MASS:
        return None
    votes: Counter[str] = Counter([first[1]] if first[1] else [])
    judged = 1
    for chunk in rest:
        if _letters(chunk) < MIN_LETTERS // 2:
            continue
        judged += 1
        mass, other = _un_mass(chunk)
        if mass < UN_MASS and other:
            votes[other] += 1
    if not votes or sum(votes.values()) * 2 <= judged:
        return None
    return votes.most_common(1)[0][0]


#: English names of the other languages a UN library is most likely to be handed (py3langid's codes);
#: a code not here is shown as the code.
OTHER_LANGUAGE_NAMES = {
    "de": "German", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "nn": "Norwegian", "fi": "Finnish", "et": "Estonian", "lv": "Latvian",
    "lt": "Lithuanian", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian",
    "bs": "Bosnian", "sr": "Serbian", "mk": "Macedonian", "bg": "Bulgarian", "uk": "Ukrainian",
    "be": "Belarusian", "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "mt": "Maltese", "ga": "Irish",
    "ca": "Catalan", "gl": "Galician", "eu": "Basque", "tr": "Turkish", "fa": "Persian", "ur": "Urdu",
    "he": "Hebrew", "hi": "Hindi", "bn": "Bengali", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese",
    "th": "Thai", "id": "Indonesian", "ms": "Malay", "sw": "Swahili", "kk": "Kazakh", "uz": "Uzbek",
    "hy": "Armenian", "ka": "Georgian", "az": "Azerbaijani", "sq": "Albanian", "la": "Latin",
}


def language_name(code: str) -> str:
    """``"de"`` -> ``"German"``; a code without a name here is shown as ``language 'xx'``."""
    return OTHER_LANGUAGE_NAMES.get(code, f"language {code!r}")
