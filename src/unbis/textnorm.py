"""Normalisation shared by label lookup and analysis."""

import unicodedata


def fold(text: str) -> str:
    """Key for case- and form-insensitive comparison: NFKC, case-folded, accents removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Strip Latin/Cyrillic combining marks so ENFANTS ABANDONNES matches "enfants abandonnés";
    # keep marks of scripts where they carry meaning only in Arabic (handled by the Arabic analyzer).
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())
