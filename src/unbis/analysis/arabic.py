"""Arabic: orthographic normalisation, then Snowball's Arabic stemmer (PyStemmer) and stop words.

The same Arabic word is written many ways: with or without short vowels (harakat), stretched with
tatweel, with hamza on or under its alef or not, with final ى or ي, ة or ه. Normalising all of them to
one spelling before stemming makes every variant give the same term. The definite article (and the
conjunction or preposition written onto it) is taken off before stemming: Snowball's own prefix rules
leave the same word with two stems, one with its article and one without.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from unbis.analysis.snowball import SnowballAnalyzer

# Word = letters/digits; harakat (U+064B-U+065F), superscript alef (U+0670) and Quranic marks (U+06D6-U+06ED)
# are combining marks that Python's \w does not match, so they must not end a word.
ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed\u0300-\u036f]")
ARABIC_WORD = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670\u06d6-\u06ed\u0300-\u036f]+[^\W_]*)*")

_DELETE = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640])  # marks, tatweel
_MAP = {
    "أ": "ا",  # alef with hamza above
    "إ": "ا",  # alef with hamza below
    "آ": "ا",  # alef with madda
    "ٱ": "ا",  # alef wasla
    "ى": "ي",  # alef maqsura -> yeh (final -y spelt either way, e.g. in Egyptian usage)
    "ة": "ه",  # ta marbuta -> heh (often written without its dots)
    "ی": "ي",  # Persian yeh, found in text typed on Persian keyboards
    "ک": "ك",  # keheh -> kaf, same reason
}
NORMALISE_TABLE = str.maketrans({**{chr(k): None for k in _DELETE}, **_MAP})
#: what surface forms keep: harakat and tatweel go, the letters that tell words apart stay (أجر wage and
#: آجر brick, مرضى patients and مرضية satisfactory); ``inflection.same_word`` compares them
SURFACE_TABLE = str.maketrans({chr(k): None for k in _DELETE} | {"ی": "ي", "ک": "ك"})


def normalise_arabic(text: str) -> str:
    """Harakat and tatweel removed, alef variants -> ا, ى -> ي, ة -> ه (length may change)."""
    return text.translate(NORMALISE_TABLE)


#: the article and the one-letter words written onto it (and, so, with, as), longest first; not لل
#: (for the): لل + لجنة is the article's ل swallowed, لل + جنة another word
_ARTICLES = ("وال", "فال", "بال", "كال", "ال")


class ArabicAnalyzer(SnowballAnalyzer):
    """Normalised, Snowball-stemmed Arabic terms; offsets point at the original (vocalised) words."""

    word_pattern: ClassVar[re.Pattern[str]] = ARABIC_WORD
    mark_pattern: ClassVar[re.Pattern[str]] = ARABIC_MARKS

    def __init__(self, min_length: int = 2, use_stopwords: bool = True, keep: frozenset[str] = frozenset()) -> None:
        super().__init__("ar", min_length=min_length, use_stopwords=use_stopwords, keep=keep)

    def prepare(self, word: str) -> str:
        """NFKC (presentation forms -> letters), case folding for Latin words, Arabic normalisation."""
        return normalise_arabic(unicodedata.normalize("NFKC", word).casefold())

    def stem(self, folded: str) -> str:
        """Snowball's stem of the word without its definite article (and a conjunction or preposition
        before it). Snowball's Arabic stemmer takes either a prefix or a suffix off, so the same word
        stemmed differently with and without its article (حرية -> حري but الحرية -> حريه; والأمم kept
        whole) and a label in one form never met the text in the other."""
        for article in _ARTICLES:
            if folded.startswith(article) and len(folded) - len(article) >= 2:
                folded = folded[len(article):]
                break
        stem = super().stem(folded)
        # Snowball takes the sound feminine plural's ت but leaves its ا: الحكومات -> حكوما, الحكومة -> حكوم,
        # so a plural label (most UNBIS labels are) never met the singular in a text, nor the reverse.
        if folded.endswith("ات") and stem.endswith("ا") and len(stem) >= 4:
            return stem[:-1]
        return stem

    def surface_word(self, word: str) -> str:
        """The word without harakat and tatweel but with its hamza, alef maqsura and ta marbuta: the
        spellings that normalisation merges for matching, and an inflection check must still see."""
        return unicodedata.normalize("NFKC", word).casefold().translate(SURFACE_TABLE)
