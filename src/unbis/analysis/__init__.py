"""Text analysis for the six UN languages (ar, zh, en, fr, ru, es), with offline language detection."""

from unbis.analysis.base import Analyzer, Token
from unbis.analysis.factory import UN_LANGUAGES, get_analyzer, language_option, normalise_language
from unbis.analysis.langdetect import detect_language

__all__ = ["UN_LANGUAGES", "Analyzer", "Token", "detect_language", "get_analyzer", "language_option",
           "normalise_language"]
