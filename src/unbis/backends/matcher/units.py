"""Texts as sequences of matching *units* with character offsets into the original text.

Labels and documents go through the same function, so a label matches wherever its unit sequence
occurs in the document's. For Latin, Cyrillic and Arabic script the units are the language analyzer's
terms (case- and accent-folded stems, stop words dropped; Arabic orthographic variants folded by the
Arabic analyzer). For Chinese the units are single Han characters (simplified script): matching on
characters makes the label 可持续发展 meet raw 可持续发展 and segmented 可 持续 发展 alike, whatever
the segmenter does; punctuation becomes a barrier unit so a label never matches across it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from unbis.analysis import get_analyzer
from unbis.analysis.base import Analyzer
from unbis.analysis.factory import get_matching_analyzer
from unbis.analysis.snowball import SnowballAnalyzer

#: joins units into the string the Aho-Corasick automaton scans; never part of a unit
SEP = "\x1f"
#: the unit punctuation becomes in Chinese text: no label contains it, so no match spans it
BARRIER = "\x1e"

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# One Han character, or a run of other letters/digits, or one punctuation character.
_ZH_UNIT = re.compile(f"([{_HAN}])|([^\\W_{_HAN}]+)|([^\\w\\s])")
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


#: A citation of a UN document: the word just before a document symbol (S/636, A/RES/55/100,
#: E/CN.4/1997/L.1) or a resolution number ("242 (1967)", "55/100"; not an EU act's "2001/83/EC" or
#: "No 1234/2007"). "document S/636" and "resolution 242 (1967)" cite; they say nothing of the text's
#: subject, so the word is no evidence (DOCUMENTS was in the top 10 of a quarter of the Security Council
#: resolutions, from their footnotes). The same in every language that writes a space before the symbol
#: (not Chinese: 第242(1967)号决议).
_CITATION = re.compile(
    r"\b[^\W\d_]+(?=\s+(?:[ASE]/(?:[A-Z0-9.\-]+/)*[A-Z0-9.\-]*\d|\d+\s*\(\d{4}\)|\d{1,3}/\d{1,3}\b(?!/)))")


#: The Arabic "dated" of a citation ("قرارها 54/169 المؤرخ 17 كانون الأول 1999"): the same word as المؤرخ
#: "historian", so HISTORIANS came with every resolution cited. Followed by the day's number it can only
#: be the date (English, French, Russian and Spanish write a function word there: of, du, от, de).
_DATED = re.compile(r"(?<!\w)[وف]?(?:ال)?مؤرخ[ةه]?(?=\s+\d)")


def mask_citations(text: str) -> str:
    """``text`` with each citation word (see ``_CITATION``, ``_DATED``) blanked by as many spaces: offsets
    stay."""
    return _DATED.sub(_blank, _CITATION.sub(_blank, text))


def _blank(m: re.Match[str]) -> str:
    """As many spaces as the match has characters (line breaks kept): offsets stay."""
    return re.sub(r"[^\n]", " ", m.group())


# The record of a resolution's adoption, in the UN's editorial formulas: the line that opens "Adopted
# unanimously at the 1537th meeting" / "Adopted at the 2145th meeting by 14 votes to none, with 1
# abstention (France)", and the footnotes "One member (China) did not participate in the voting", "The
# draft resolution was voted on in parts. No vote was taken on the text as a whole". It tells
# how the text was voted, not what it is about, yet its words were evidence for VOTING, MEETING RECORDS,
# MEMBERS and the abstaining countries (benchmarks/results/zeroshot.md). A record opens a line (a
# preamble's "the Declaration adopted at ..." is not one) and runs to
# the end of its sentence: onto the next line when that goes on in lower case or with a number, or closes
# a list of abstaining members (scanned records break anywhere); past an ordinal's full stop (Spanish
# "1537a. sesión").
_SENTENCE = (r"(?:\d+[^\W\d_]{0,3}\.(?=[ \t]*[a-zà-ÿа-я])|[^.;!?\n]|\n(?=[ \t]*[a-zà-ÿа-я0-9(])"
             r"|\n(?=[^(.]{0,80}?\))){0,400}")
#: Arabic short vowels and shadda, written or not (اتُّخذ, اتخذ)
_HARAKAT = "[\u064b-\u0652]*"
_RECORD_OPENING = {
    "en": r"Adopted\b(?=[^.]{0,120}?\b(?:meeting|votes?|unanimously|consensus)\b)",
    "fr": r"Adopt[ée]e?s?\b(?=[^.]{0,120}?(?:séance|seance|voix|vote|unanimité|unanimite|consensus))",
    "es": r"Aprobad[ao]s?\b(?=[^.]{0,120}?(?:sesión|sesion|votos?|votación|votacion|unanimidad|consenso))",
    "ru": r"Принят[аоы]?\b(?=[^.]{0,120}?(?:заседани|голос|единогласно|консенсус))",
    "ar": r"(?:ا_*ت_*خ_*ذ|ا_*ع_*ت_*م_*د)_*(?=[^.]{0,120}?(?:الجلسة|صوت|بالإجماع|تصويت))".replace("_*", _HARAKAT),
}
#: a word every vote footnote of the language holds: a text without it is not searched (most are not,
#: and the footnote pattern is case-insensitive, a slow scan)
_VOTE_WORD = {"en": ("vot", "Vot", "VOT"), "fr": ("vote", "VOTE"), "es": ("votaci", "VOTACI"),
              "ru": ("голосовани", "ГОЛОСОВАНИ"), "ar": ("التصويت",), "zh": ("表决",)}
#: the footnotes on a vote: a member that did not take part, a draft voted on in parts
_VOTE_NOTES = {
    "en": ["did not participate in the vot(?:e|ing)", "no (?:formal )?vote (?:was|having been) taken",
           "(?:was|were) (?:voted on|adopted) in parts"],
    "fr": ["n['’](?:a|ont) pas participé au vote"],
    "es": ["no particip(?:ó|aron) en la votación"],
    "ru": ["не участвовал[аио]? в голосовании"],
    "ar": ["لم (?:ي|ت)شترك في التصويت"],
}


@cache
def _adoption_record(language: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """The record's opening line and its vote footnotes, as two patterns (None: no formulas)."""
    opening, notes = _RECORD_OPENING.get(language), _VOTE_NOTES.get(language)
    if opening is None or notes is None:
        return None
    # a footnote's words may break across lines anywhere
    note = "|".join(n.replace(" ", r"\s+") for n in notes)
    return re.compile(rf"(?m)^[ \t\d*]*{opening}{_SENTENCE}"), re.compile(rf"(?i:{note})")


def _note_sentences(text: str, note: re.Pattern[str], ends: str = ".;") -> list[tuple[int, int]]:
    """The spans of the sentences (up to 200 characters on) that hold a vote footnote's words; ``ends``:
    the marks that end a sentence. Found from the words out, not by a pattern that reads every line from
    every position: that was quadratic in the length of a line without a full stop (a legal act's table)."""
    stop = re.compile(f"[{re.escape(ends)}]")
    spans = []
    for m in note.finditer(text):
        start = max(text.rfind(c, 0, m.start()) for c in ends + "\n") + 1
        end = stop.search(text, m.end(), m.end() + 200)
        spans.append((start, end.start() if end else min(len(text), m.end() + 200)))
    return spans


#: Chinese: "第1537次会议一致通过", "第2145次会议以14票对0票通过" (no line rule: the date often opens the
#: record's line) and the footnote "未参加表决"
_ZH_RECORD = re.compile(r"第\s*\d+\s*次会议[^。；\n]{0,30}?通过")
_ZH_NOTE = re.compile("未参加表决")


def mask_adoption(text: str, language: str) -> str:
    """``text`` with the record of its adoption (how it was voted; see ``_RECORD_OPENING``) blanked by
    as many spaces: offsets stay. Languages without the formulas: ``text`` unchanged."""
    if language == "zh":
        record, note, ends = _ZH_RECORD, _ZH_NOTE, "。；"
    elif (patterns := _adoption_record(language)) is not None:
        (record, note), ends = patterns, ".;"
    else:
        return text
    text = record.sub(_blank, text)
    if not any(word in text for word in _VOTE_WORD[language]):
        return text
    spans = _note_sentences(text, note, ends)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [c if c == "\n" else " " for c in chars[start:end]]
    return "".join(chars)


#: Where a sentence ends outside Chinese (whose punctuation is a barrier unit): at ".", "!" or "?" before
#: white space and a word not written in lower case, at ";" (a UN resolution's paragraphs end so) and at a
#: blank line. A label's words in two sentences are two subjects ("... conditions de travail et à la
#: protection contre le chômage. Tous ont droit ..." is no DROIT DU TRAVAIL). An initial ("J. Smith"),
#: a short title ("Mr.", "No.", "Art.") or a number ("2. Requests") ends no sentence.
_SENTENCE_END = re.compile(r"[.!?\u061f](?=\s+\S)|[;\u061b]|\n[ \t]*\n")
_BEFORE_STOP = re.compile(r"(?:^|\W)(\w+)$")
_ABBREVIATION = 3


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` (see ``_SENTENCE_END``), covering it end to end."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if m.group() in ".!?\u061f":
            after = text[end:end + 40].lstrip()
            word = _BEFORE_STOP.search(text[max(0, m.start() - 8): m.start()])
            if (after[:1].islower() or word is None or word.group(1).isdigit()
                    or (word.group(1).istitle() and len(word.group(1)) <= _ABBREVIATION)):
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


class Units(NamedTuple):
    """A text as units: ``terms[i]`` spans ``text[starts[i]:ends[i]]``.

    ``boundaries`` (Chinese only, else None): character offsets where the segmenter puts a word
    boundary; a match that starts or ends elsewhere cuts a word (秘书 inside 秘书长) and counts as weak.
    """

    terms: list[str]
    starts: list[int] | None  # None when offsets were not asked for (scoring needs none)
    ends: list[int] | None
    boundaries: set[int] | None = None
    #: folded unstemmed word of each unit (outside Chinese, when asked for): inflection checks
    surfaces: list[str] | None = None
    #: whether each unit's word is written as a name, "Guinea" (with ``surfaces``, in scripts with case)
    titled: list[bool] | None = None
    #: the folded words just before and after each unit's, stop words included (with ``surfaces``, in a
    #: document): "a" after "droit" in "a droit à la vie" tells a label word's sense (``senses``)
    preceding: list[str] | None = None
    following: list[str] | None = None
    #: the sentence of each unit (outside Chinese, in a document): a gapped match stays inside one
    #: (``_SENTENCE_END``); the words around a unit are those of its sentence
    sentences: list[int] | None = None


@cache
def _simplifier() -> Callable[[str], str]:
    """Traditional -> simplified Chinese (OpenCC when installed, else zhconv), as the analyzer does."""
    try:
        import opencc

        return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - only where OpenCC is missing
        import zhconv

        return lambda text: zhconv.convert(text, "zh-hans")


def chinese_units(text: str) -> Units:
    """Han characters one by one, other words folded, punctuation as barriers, spaces ignored."""
    folded = text.translate(_FULLWIDTH)
    simplified = _simplifier()(folded)
    # Keep offsets exact: fall back to the unconverted text if conversion changed the length.
    if len(simplified) == len(folded):
        folded = simplified
    terms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _ZH_UNIT.finditer(folded):
        han, word = m.group(1), m.group(2)
        if han is not None:
            terms.append(han)
        elif word is not None:
            terms.append(unicodedata.normalize("NFKC", word).casefold())
        else:
            terms.append(BARRIER)
        starts.append(m.start())
        ends.append(m.end())
    return Units(terms, starts, ends)


def chinese_document_units(text: str) -> Units:
    """:func:`chinese_units` plus the word boundaries of the Chinese analyzer (raw or segmented text)."""
    units = chinese_units(text)
    boundaries: set[int] = set()
    for token in get_analyzer("zh").tokens(text):
        boundaries.add(token.start)
        boundaries.add(token.end)
    # Barriers and spaces delimit words too, also around function words the analyzer drops.
    assert units.starts is not None and units.ends is not None
    for term, start, end in zip(units.terms, units.starts, units.ends, strict=True):
        if term == BARRIER or len(term) > 1 or term.isascii():
            boundaries.add(start)
            boundaries.add(end)
    for i, ch in enumerate(text):
        if ch.isspace():
            boundaries.add(i)
            boundaries.add(i + 1)
    return units._replace(boundaries=boundaries)


def text_units(
    text: str, language: str, document: bool = False, offsets: bool = True, surfaces: bool = False
) -> Units:
    """The matching units of ``text`` read as ``language`` (``document``: with Chinese word boundaries;
    ``offsets=False`` skips character offsets outside Chinese, the analyzer's fast path; ``surfaces``:
    with each unit's folded surface word, outside Chinese, and in a document the words around it). In a
    document the words that cite another document and the record of its adoption are left out
    (``mask_citations``, ``mask_adoption``)."""
    if document:
        text = mask_adoption(text if language == "zh" else mask_citations(text), language)
    if language == "zh":
        return chinese_document_units(text) if document else chinese_units(text)
    analyzer = get_matching_analyzer(language)
    if document:
        return _document_units(text, analyzer, offsets, surfaces)
    return _plain_units(text, analyzer, offsets, surfaces)


def _plain_units(text: str, analyzer: Analyzer, offsets: bool, surfaces: bool, neighbours: bool = False) -> Units:
    """:func:`text_units` outside Chinese (``neighbours``: with the words around each unit, as a
    document's units have them; a label's own words are read from the label itself)."""
    if not offsets:
        if surfaces and isinstance(analyzer, SnowballAnalyzer):
            terms, folded, titled, before, after = analyzer.term_details(text)
            return Units(terms, None, None, surfaces=folded, titled=titled, preceding=before, following=after)
        return Units(analyzer.terms(text), None, None)
    tokens = analyzer.tokens(text)
    words: list[str] | None = None
    names: list[bool] | None = None
    preceding = following = None
    if surfaces and isinstance(analyzer, SnowballAnalyzer):
        words = [analyzer.surface(text[t.start:t.end]) for t in tokens]
        names = [text[t.start:t.end].istitle() for t in tokens]
        if neighbours:
            preceding, following = analyzer.neighbour_words(text, [t.start for t in tokens], [t.end for t in tokens])
    return Units([t.term for t in tokens], [t.start for t in tokens], [t.end for t in tokens], surfaces=words,
                 titled=names, preceding=preceding, following=following)


def _document_units(text: str, analyzer: Analyzer, offsets: bool, surfaces: bool) -> Units:
    """:func:`text_units` of a document outside Chinese: sentence by sentence, each unit numbered with
    its sentence (``Units.sentences``), offsets into the whole text."""
    parts: list[Units] = []
    for start, end in sentence_spans(text):
        piece = _plain_units(text[start:end], analyzer, offsets, surfaces, neighbours=True)
        if offsets and start:
            assert piece.starts is not None and piece.ends is not None
            piece = piece._replace(starts=[s + start for s in piece.starts], ends=[e + start for e in piece.ends])
        parts.append(piece)
    sentences = [k for k, piece in enumerate(parts) for _ in piece.terms]

    def joined(name: str) -> list | None:
        lists = [getattr(piece, name) for piece in parts]
        return None if lists[0] is None else [x for part in lists for x in part]  # one span at least

    return Units([t for piece in parts for t in piece.terms], joined("starts"), joined("ends"),
                 surfaces=joined("surfaces"), titled=joined("titled"), preceding=joined("preceding"),
                 following=joined("following"), sentences=sentences)


def label_parts(label: str, language: str) -> list[tuple[str, ...]]:
    """The words of a label, each as its unit sequence, for gapped / reordered matching.

    Non-Chinese: each analyzer term is a part. Chinese: the analyzer's words (segmented, function
    words removed), each as its characters; one-character words are too ambiguous to anchor a gapped
    match and are dropped.
    """
    if language != "zh":
        return [(t,) for t in text_units(label, language).terms]
    words = get_analyzer("zh").terms(label)
    return [tuple(chinese_units(w).terms) for w in words if len(w) >= 2]
