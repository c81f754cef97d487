"""Analyzer per language code."""

from __future__ import annotations

from functools import cache

from unbis.analysis.base import Analyzer
from unbis.errors import InputError

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


def normalise_language(language: str) -> str:
    """``"EN"``, ``"en-GB"``, ``"zh_Hant"`` -> the UN language code; anything else is an InputError."""
    lang = language.strip().lower().replace("_", "-").split("-", 1)[0]
    if lang not in UN_LANGUAGES:
        raise InputError(f"unsupported language {language!r}; choose one of {', '.join(UN_LANGUAGES)}")
    return lang


def get_analyzer(language: str) -> Analyzer:
    """The shared analyzer for a UN language code (analyzers only cache, so sharing is safe)."""
    return _analyzer(normalise_language(language))


@cache
def _analyzer(lang: str) -> Analyzer:
    if lang == "zh":
        from unbis.analysis.chinese import ChineseAnalyzer

        return ChineseAnalyzer()
    if lang == "ar":
        from unbis.analysis.arabic import ArabicAnalyzer

        return ArabicAnalyzer()
    from unbis.analysis.snowball import SnowballAnalyzer

    return SnowballAnalyzer(lang)
