"""Analyzer per language code."""

from __future__ import annotations

from functools import cache

from unbis.analysis.base import Analyzer
from unbis.errors import InputError

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


@cache
def get_analyzer(language: str) -> Analyzer:
    """The analyzer for a UN language code (cached: analyzers are stateless)."""
    from unbis.analysis.snowball import SnowballAnalyzer

    lang = language.lower()
    if lang == "zh":
        from unbis.analysis.chinese import ChineseAnalyzer

        return ChineseAnalyzer()
    if lang == "ar":
        from unbis.analysis.arabic import ArabicAnalyzer

        return ArabicAnalyzer()
    if lang in UN_LANGUAGES:
        return SnowballAnalyzer(lang)
    raise InputError(f"unsupported language {language!r}; choose one of {', '.join(UN_LANGUAGES)}")
