"""Analyzer per language code."""

from __future__ import annotations

from functools import cache

from unbis.analysis.base import Analyzer
from unbis.errors import InputError

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

#: The version of each language's analysis (normalisation, stemming, stop words). Bump a language's
#: number when the terms it gives change: a model trained on the old terms is refused with "retrain"
#: (``project.manifest``). Arabic 2: the article is taken off before stemming; 3: the sound feminine
#: plural keeps no ا of its ات (الحكومات and الحكومة are one term). French and Spanish 2: accents are
#: stripped before stemming.
ANALYSIS_VERSIONS: dict[str, int] = {"ar": 3, "zh": 1, "en": 1, "fr": 2, "ru": 1, "es": 2}


def normalise_language(language: str) -> str:
    """``"EN"``, ``"en-GB"``, ``"zh_Hant"`` -> the UN language code; anything else is an InputError."""
    lang = language.strip().lower().replace("_", "-").split("-", 1)[0]
    if lang not in UN_LANGUAGES:
        raise InputError(f"unsupported language {language!r}; choose one of {', '.join(UN_LANGUAGES)}")
    return lang


def language_option(language: str | None) -> str | None:
    """A ``--language`` value: None when absent or ``auto`` (detect per text), else the UN language code
    (an unsupported one is an InputError)."""
    if not language or language.strip().lower() == "auto":
        return None
    return normalise_language(language)


def get_analyzer(language: str) -> Analyzer:
    """The shared analyzer for a UN language code (analyzers only cache, so sharing is safe)."""
    return _analyzer(normalise_language(language))


@cache
def _analyzer(lang: str, keep: frozenset[str] = frozenset()) -> Analyzer:
    """``keep``: stop words kept as words (the matcher's negations; none for Chinese, which the matcher
    reads as characters)."""
    if lang == "zh":
        from unbis.analysis.chinese import ChineseAnalyzer

        return ChineseAnalyzer()
    if lang == "ar":
        from unbis.analysis.arabic import ArabicAnalyzer

        return ArabicAnalyzer(keep=keep)
    from unbis.analysis.snowball import SnowballAnalyzer

    return SnowballAnalyzer(lang, keep=keep)


def get_matching_analyzer(language: str) -> Analyzer:
    """The analyzer the thesaurus matcher reads labels and texts with: the shared one, except that it keeps
    negations (``stopwords.NEGATIONS``) as words, since a label's negation makes it another concept. Other
    backends keep the shared analyzer, so their terms (and saved models) are unchanged."""
    from unbis.analysis.stopwords import NEGATIONS

    lang = normalise_language(language)
    keep = NEGATIONS.get(lang)
    return _analyzer(lang, keep) if keep else _analyzer(lang)  # no negations: the shared instance itself
