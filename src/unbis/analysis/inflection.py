"""Inflection versus derivation: is a text word the same word as a label word, up to its inflection?

Snowball stems conflate derivations (nation / nationalism / nationality, adopt / adoption, import /
importance, period / periodicals): good for recall in retrieval, wrong as evidence that a thesaurus
descriptor is meant. Two surface words that share a stem are taken as *the same word* only when what
is left after their longest common prefix is, on both sides, an inflectional ending of the language
(number, gender, case, tense); in Spanish both endings must belong to one paradigm (``PARADIGMS``). The
check runs on folded (case- and accent-free) surface forms, so it costs a prefix comparison and a few set
look-ups per distinct word pair.

Arabic also inflects with proclitics (و ف ب ل ك and the article ال), stripped before the comparison.
Chinese has no inflection (its units are characters), so it has no check.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unbis.analysis.arabic import normalise_arabic

#: Spanish endings by paradigm, each with what its stem must end in (None: anything): number (libre /
#: libres, nación / naciones), gender and number (humano / humanas), the gender of an adjective whose
#: masculine ends in a consonant (francés / francesa / franceses; not así / ASIA), z / ces (paz / paces).
#: Two endings must come from one paradigm: libres / libros, tratos / tratados, desarrollo / desarrollados
#: share a stem and an ending set, yet are other words (free / books, dealings / treaties, development /
#: developed). Verb endings are no inflection of a label's noun or adjective.
_ES_PARADIGMS: tuple[tuple[frozenset[str], re.Pattern[str] | None], ...] = (
    (frozenset({"", "s", "es"}), None),
    (frozenset({"o", "a", "os", "as"}), None),
    (frozenset({"", "a", "es", "as"}), re.compile(r"[^aeiou]$")),
    (frozenset({"z", "ces"}), None),
)

# Endings that inflect a word without making another word of it. An empty ending is the bare form.
# Orthographic alternations at the stem's end (policy / policies, international / internationaux) are
# covered because the common prefix stops before the alternating letter: "y" vs "ies", "l" vs "ux".
INFLECTIONAL_ENDINGS: dict[str, frozenset[str]] = {
    "en": frozenset({"", "s", "es", "y", "ies", "ied", "e", "ed", "d", "ing", "'s", "s'"}),
    # nouns and adjectives: gender and number; common verb endings (adopte / adoptent / adopté)
    "fr": frozenset({"", "s", "x", "e", "es", "l", "ux", "al", "aux", "il", "er", "ez", "ent", "ons",
                     "ee", "ees", "ait", "aient", "ant",
                     # the feminine doubles a final n or l: italien / italienne, officiel / officielle
                     "ne", "nes", "le", "les"}),
    "es": frozenset[str]().union(*(endings for endings, _stem in _ES_PARADIGMS)),
    # noun and adjective declension endings (the stem may keep or drop a soft sign / й)
    "ru": frozenset({"", "а", "я", "о", "е", "ё", "ы", "и", "у", "ю", "ь", "й", "ой", "ей", "ом", "ем",
                     "ам", "ям", "ах", "ях", "ами", "ями", "ов", "ев", "ий", "ый", "ая", "яя", "ое", "ее",
                     "ые", "ие", "ого", "его", "ому", "ему", "ым", "им", "ую", "юю", "ых", "их", "ыми",
                     "ими", "ью", "ия", "ии", "ию", "ием", "иям", "иях", "иями", "ья", "ьи", "ье", "ьей", "ьям",
                     "ьях", "ьями", "ьев"}),
    # feminine, dual and sound plurals, accusative alef, attached pronouns (after ة -> ه folding); not
    # the nisba -ي / -ية, which derives adjectives (دولي "international" from دول "states")
    "ar": frozenset({"", "ا", "ه", "ات", "ون", "ين", "ان", "تان", "تين", "ها", "هم", "هن", "نا", "ته",
                     "تها", "تهم", "اته", "اتها"}),
}

# Endings that make a noun plural (a singular text word does not name a plural-only sense).
PLURAL_ENDINGS: dict[str, frozenset[str]] = {
    "en": frozenset({"s", "es", "ies", "s'"}),
    "fr": frozenset({"s", "x", "es", "ux", "aux", "ees"}),
    "es": frozenset({"s", "es", "as", "os", "ces"}),
    "ru": frozenset({"ы", "и", "ов", "ев", "ей", "ам", "ям", "ах", "ях", "ами", "ями", "ые", "ие", "ых",
                     "их", "ыми", "ими", "ии", "иям", "иях", "иями"}),
    "ar": frozenset({"ات", "ون", "ين"}),
}

#: languages whose two endings must belong to one paradigm (a set of endings of one word), not merely
#: both be endings of the language
PARADIGMS: dict[str, tuple[tuple[frozenset[str], re.Pattern[str] | None], ...]] = {"es": _ES_PARADIGMS}

_AR_PROCLITICS = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def _arabic_forms(word: str) -> list[str]:
    """An Arabic word and its readings without a proclitic sequence (conjunction, preposition,
    article): و may be a conjunction (وقت = و + قت?) or the word's own first letter, so all are kept."""
    return [word] + [word[len(p):] for p in _AR_PROCLITICS if word.startswith(p) and len(word) - len(p) >= 2]


#: how far back from the end of the common prefix an ending may start ("права" / "правам": the
#: common prefix "права" swallows the ending "а" of the first; the split is "прав" + "а" / "ам")
_BACKTRACK = 3


def _splits(a: str, b: str, arabic: bool = False) -> list[tuple[str, str]]:
    """The (ending of ``a``, ending of ``b``) pairs left by splitting both after a common prefix, the
    longest common prefix first, then up to ``_BACKTRACK`` characters shorter. ``arabic``: letters
    agree when they are the same after normalisation and neither spells out a different mark (a bare
    alef agrees with أ, إ or آ — the hamza was left out — but أ and آ are two words); the endings are
    returned normalised, as the endings table is written."""
    n = 0
    limit = min(len(a), len(b))
    while n < limit and (a[n] == b[n] or arabic and _arabic_letters_agree(a, b, n)):
        n += 1
    if arabic:
        a, b = normalise_arabic(a), normalise_arabic(b)
    return [(a[k:], b[k:]) for k in range(n, max(n - _BACKTRACK, 1) - 1, -1)]


#: Arabic letters that normalisation merges with another
_AR_SPELLED = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}


def _arabic_letters_agree(a: str, b: str, i: int) -> bool:
    """Whether the ``i``-th letters of two Arabic surface words are one letter: a bare alef and a
    hamza alef (the hamza left unwritten), or a final ى / ي or ة / ه (the dots left out at the end of
    a word, as is common); أ and آ, or a final ى and a ي that goes on (مرضى, مرضية), are not."""
    x, y = a[i], b[i]
    if "ا" in (x, y):
        return _AR_SPELLED.get(x, x) == _AR_SPELLED.get(y, y) == "ا"
    final = i == len(a) - 1 and i == len(b) - 1
    return final and _AR_SPELLED.get(x, x) == _AR_SPELLED.get(y, y)


_GERUND = ("ing", "ings")


def gerund_apart(language: str, label_word: str, text_word: str) -> bool:
    """Whether a one-word English label and a text word are two words because one of them is an -ing
    noun and the other is not, although one verb inflects into both: an -ing label names an activity of
    its own ("take into account" is no ACCOUNTING, "in the light of" no LIGHTING, "zones" no ZONING,
    "houses" no HOUSING, "commute" no COMMUTING). Only for a label of that one word: in a longer label
    the -ing word is a modifier that a text turns round ("conditions of work": WORKING CONDITIONS)."""
    return language == "en" and label_word.endswith(_GERUND) != text_word.endswith(_GERUND)


@lru_cache(maxsize=200_000)
def same_word(language: str, label_word: str, text_word: str, alone: bool = False) -> bool:
    """Whether ``text_word`` is ``label_word`` up to inflection (both folded surface forms that share
    a stem). Languages without a table (Chinese) always say yes: their matching units are exact.
    ``alone``: the label is this one word, so no agreement explains a changed ending: in Arabic the bare
    stem then does not meet a ta marbuta word (العملة "currency" is not عمل "work", الوطنية "patriotism"
    is not الوطني "national"), where in a longer label the ة may be an adjective's agreement."""
    if label_word == text_word:
        return True
    endings = INFLECTIONAL_ENDINGS.get(language)
    if endings is None:
        return True
    if language == "ar":
        pairs = [(a, b) for a in _arabic_forms(label_word) for b in _arabic_forms(text_word)]
        return any(a in endings and b in endings and not _ta_marbuta_lost(la, tx, a, b, bare=not alone)
                   and not (alone and _plural_apart(a, b))
                   for la, tx in pairs for a, b in _splits(la, tx, True))
    paradigms = PARADIGMS.get(language)
    if paradigms is not None:
        return any(a in group and b in group and (stem is None or stem.search(label_word[: len(label_word) - len(a)]))
                   for a, b in _splits(label_word, text_word) for group, stem in paradigms)
    return any(a in endings and b in endings for a, b in _splits(label_word, text_word))


def _plural_apart(label_end: str, text_end: str) -> bool:
    """Whether a one-word Arabic label and a text word are two words although their endings are both
    inflections: a sound feminine plural label (ات) met by a word not in that plural names another
    thing as often as not (العالمات "women scientists" and العالم "world", المهاجرات "women migrants" and
    المهاجرين "migrants", الواردات "imports" and الواردة "contained"), and a bare label is not the ات plural
    of its ة-word (الحمل "pregnancy", الحملات "campaigns"). A ة label still meets its plural: الحرية, الحريات."""
    plural_label, plural_text = label_end.startswith("ات"), text_end.startswith("ات")
    if plural_label:
        return not plural_text
    return plural_text and label_end not in ("ه", "ة")


#: what may follow a stem whose other form ends in ta marbuta: the same word keeps its ت when it
#: takes an ending (منظمة, منظمتان, منظمته) or turns it into the plural ات (منظمات); the bare stem is
#: kept for adjectives (كبير, كبيرة)
_WITH_TA = frozenset({"", "ة", "ه", "ات", "تان", "تين", "ته", "تها", "تهم", "اته", "اتها"})


def _ta_marbuta_lost(a: str, b: str, end_a: str, end_b: str, bare: bool = True) -> bool:
    """Whether one of two Arabic surface words ends in ta marbuta (ة, which the endings table folds
    into ه) where the other has an ending that a ة-word never takes: وسيلة "means" and سيلان
    "gonorrhoea" share سيل, but the dual of وسيلة would be وسيلتان. ``bare``: the bare stem counts as
    the ة-word's masculine (كبير, كبيرة)."""
    raw_a, raw_b = a[len(a) - len(end_a):], b[len(b) - len(end_b):]
    with_ta = _WITH_TA if bare else _WITH_TA - {""}
    return (raw_a == "ة" and raw_b not in with_ta) or (raw_b == "ة" and raw_a not in with_ta)


@lru_cache(maxsize=200_000)
def number_differs(language: str, label_word: str, text_word: str) -> bool:
    """Whether a plural label word is met by a singular text word (SECURITIES by "security"): the
    label's remainder is a plural ending and the text's is not."""
    plural = PLURAL_ENDINGS.get(language)
    if plural is None or label_word == text_word:
        return False
    endings = INFLECTIONAL_ENDINGS[language]
    pairs = [(label_word, text_word)]
    if language == "ar":
        pairs = [(a, b) for a in _arabic_forms(label_word) for b in _arabic_forms(text_word)]
    for la, tx in pairs:
        for a, b in _splits(la, tx, language == "ar"):
            if a in endings and b in endings:
                return a in plural and b not in plural
    return False
