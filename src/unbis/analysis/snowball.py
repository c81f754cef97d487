"""Latin and Cyrillic languages: Unicode word tokens, case folding, stop words, Snowball stems."""

from __future__ import annotations

import re
import unicodedata

import Stemmer

from unbis.analysis.base import Analyzer, Token
from unbis.analysis.stopwords import STOPWORDS

_SNOWBALL_NAMES = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
# Words are runs of letters/digits, with inner apostrophes or hyphens kept out (split on them).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


class SnowballAnalyzer(Analyzer):
    """Stemmed, accent-insensitive terms. Accents are stripped after stemming so that
    UNBIS's unaccented upper-case French/Spanish labels meet accented running text."""

    def __init__(self, language: str, min_length: int = 2) -> None:
        self.language = language
        self.min_length = min_length
        self._stemmer = Stemmer.Stemmer(_SNOWBALL_NAMES[language])
        self._stop = STOPWORDS.get(language, frozenset())
        self._cache: dict[str, str | None] = {}

    def _normalise(self, word: str) -> str | None:
        cached = self._cache.get(word)
        if cached is not None or word in self._cache:
            return cached
        lower = word.lower()
        if len(lower) < self.min_length or lower in self._stop or lower.isdigit():
            result = None
        else:
            result = _strip_accents(self._stemmer.stemWord(lower))
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result

    def tokens(self, text: str) -> list[Token]:
        out = []
        for m in _WORD.finditer(text):
            term = self._normalise(m.group())
            if term:
                out.append(Token(term, m.start(), m.end()))
        return out

    def terms(self, text: str) -> list[str]:
        norm = self._normalise
        return [t for w in _WORD.findall(text) if (t := norm(w))]
