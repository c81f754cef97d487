"""Normalisation shared by label lookup and analysis."""

import re
import unicodedata

from unbis.errors import InputError


def fold(text: str) -> str:
    """Key for case- and form-insensitive comparison: NFKC, case-folded, accents removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Strip Latin/Cyrillic combining marks so ENFANTS ABANDONNES matches "enfants abandonnés";
    # keep marks of scripts where they carry meaning only in Arabic (handled by the Arabic analyzer).
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


# A word: two letters or more, or one Han character (often a word in itself). A lone letter is not: it is
# the S of a document symbol (S/2001/1373), an initial or a list mark.
_WORD = re.compile(r"[^\W\d_]{2,}|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def nothing_to_index(text: str) -> str | None:
    """Why ``text`` gives nothing to index from, or None when it has words.

    A text of digits and signs only ("57/43 — 1999-11-15", "S/2001/1373 (2001)") has no word a descriptor could be found
    from; the semantic member would still place it somewhere in meaning (dates near the centuries),
    so it is refused like an empty text instead of answered with guesses."""
    if not text.strip():
        return "empty text"
    if _WORD.search(text) is None:
        return "no words (only digits and signs)"
    return None


def require_words(text: str, where: str = "", purpose: str = "suggest from") -> str:
    """``text``, or an :class:`~unbis.errors.InputError` saying why it gives nothing to ``purpose``
    (``where``: the file or field it came from, first in the message)."""
    if reason := nothing_to_index(text):
        raise InputError(f"{where + ': ' if where else ''}{reason}: nothing to {purpose}")
    return text
