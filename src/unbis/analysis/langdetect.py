"""Offline language detection restricted to the six UN languages."""

from __future__ import annotations

from functools import cache

from unbis.analysis.factory import UN_LANGUAGES


def _script_vote(sample: str) -> str | None:
    """Scripts decide ar/zh/ru outright; only Latin text needs a statistical model."""
    counts = {"ar": 0, "zh": 0, "ru": 0, "latin": 0}
    for ch in sample:
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            counts["ar"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            counts["zh"] += 1
        elif 0x0400 <= o <= 0x04FF:
            counts["ru"] += 1
        elif ch.isalpha() and o < 0x0250:
            counts["latin"] += 1
    best = max(counts, key=lambda k: counts[k])
    if counts[best] == 0:
        return None
    # CJK characters carry a word each, so weight them up against letters.
    if counts["zh"] * 3 >= counts["latin"] and counts["zh"] > 0:
        return "zh"
    return None if best == "latin" else best


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["en", "fr", "es"])
    return ident


def detect_language(text: str, default: str = "en") -> str:
    """The UN language of ``text`` (``default`` when there is nothing to go on)."""
    sample = text[:4000]
    by_script = _script_vote(sample)
    if by_script:
        return by_script
    if not any(ch.isalpha() for ch in sample):
        return default
    lang, _prob = _identifier().classify(sample)
    return lang if lang in UN_LANGUAGES else default
