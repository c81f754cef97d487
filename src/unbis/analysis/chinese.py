"""Chinese: word segmentation (rjieba, jieba as fallback), traditional -> simplified folding, offsets.

Chinese UN documents come in two shapes: raw running text, and text a human (or an upstream tool) has
already segmented with spaces between words, like the project's seed document. Both must give the same
index terms, or a model trained on one shape would not recognise the other.

Pre-segmented text is handled by re-segmenting each space-separated chunk with the same segmenter that
handles raw text ("resegment", the default). This never merges words across a human boundary (the human
segmentation is preserved as a floor) while splitting chunks the segmenter would split anyway
(``1978年`` -> ``1978`` + ``年``), which is what makes the two shapes agree. ``"despace"`` ignores the human
spaces and segments the joined text exactly like raw text (perfect agreement, human boundaries lost);
``"keep"`` takes the human chunks as they are (human boundaries only, least agreement). The agreement
of each strategy on the seed document is measured in tests/test_analysis.py.

jieba likes long compounds (多边合作, 联合国秘书处) where people and thesaurus labels write two words, so
every Han word of four or more characters is split into its dictionary parts (see ``split_compound``):
on the seed this lifts raw/segmented agreement from 0.87 to 0.95.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from typing import Literal

from unbis.analysis.base import Analyzer, Token
from unbis.analysis.stopwords import STOPWORDS

PresegmentedMode = Literal["resegment", "despace", "keep"]
PRESEGMENTED_MODES: tuple[PresegmentedMode, ...] = ("resegment", "despace", "keep")

# Han ideographs: CJK Unified (+ Extension A, B-F), compatibility ideographs, and 〇 (used in dates).
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# A piece splits into Han runs and runs of other letters/digits (Latin, Cyrillic, numbers);
# punctuation and spaces match neither and are dropped.
_PART = re.compile(f"([{_HAN}]+)|([^\\W_{_HAN}]+)")
_HAN_SPACE_HAN = re.compile(f"[{_HAN}][^\\S\\n]+(?=[{_HAN}])")
_HAN_HAN = re.compile(f"[{_HAN}](?=[{_HAN}])")
_CHUNK = re.compile(r"\S+")
# Full-width ASCII (ＵＮＤＰ２０１５) -> ASCII, one character for one, so offsets are unchanged and the
# segmenter sees ordinary words instead of cutting them letter by letter.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

Segmenter = Callable[[str], list[str]]
WordCheck = Callable[[str], bool]


SegmenterName = Literal["auto", "rjieba", "jieba"]


@cache
def _segmenter(name: SegmenterName = "auto") -> tuple[Segmenter, WordCheck]:
    """The cut function and dictionary look-up of rjieba (Rust, fast) or jieba (pure Python, same
    dictionary and algorithm). "auto" takes rjieba when installed, else jieba."""
    if name in ("auto", "rjieba"):
        try:
            import rjieba

            return rjieba.cut, rjieba.has_word
        except ImportError:
            if name == "rjieba":
                raise
    import jieba

    jieba.setLogLevel(60)  # its dictionary-loading chatter goes to stderr otherwise
    jieba.dt.initialize()
    freq = jieba.dt.FREQ
    return (lambda text: list(jieba.cut(text, HMM=True))), (lambda word: freq.get(word, 0) > 0)


def split_compound(word: str, has_word: WordCheck) -> list[str]:
    """The finest cover of ``word`` by dictionary words of two or more characters, else ``[word]``.

    jieba prefers long compounds (多边合作, 联合国秘书处) that human segmenters, and the thesaurus labels,
    write as two words (多边 合作). Splitting compounds into their dictionary parts makes raw and
    pre-segmented text agree and lets a label match its words inside longer compounds. Parts must have
    two characters at least, so 联合国 stays whole rather than becoming 联合 + 国.
    """
    n = len(word)
    if n < 4:
        return [word]
    # best[i]: most parts covering word[:i] (-1: no cover); back[i]: where the last part starts.
    best = [-1] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0
    for end in range(2, n + 1):
        for start in range(0, end - 1):
            # Cheap checks first: the dictionary look-up is the costly part.
            if best[start] >= 0 and best[start] + 1 > best[end] and (end - start) < n and has_word(word[start:end]):
                best[end] = best[start] + 1
                back[end] = start
    if best[n] < 2:
        return [word]
    parts: list[str] = []
    end = n
    while end > 0:
        parts.append(word[back[end] : end])
        end = back[end]
    return parts[::-1]


@cache
def _to_simplified() -> Callable[[str], str]:
    """Traditional -> simplified converter: OpenCC (C++, fast) when installed, else zhconv."""
    try:
        import opencc

        return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - exercised only where OpenCC is missing
        import zhconv

        return lambda text: zhconv.convert(text, "zh-hans")


def is_presegmented(text: str, min_ratio: float = 0.25) -> bool:
    """True when spaces separate Han characters often enough to be word boundaries.

    Raw Chinese has no spaces between characters; segmented text has one every ~1.7 characters.
    The ratio is spaced / (spaced + adjacent) Han-Han boundaries: ~0.55 for the seed, ~0 for raw text.
    """
    spaced = len(_HAN_SPACE_HAN.findall(text))
    if spaced == 0:
        return False
    adjacent = len(_HAN_HAN.findall(text))
    return spaced / (spaced + adjacent) >= min_ratio


class ChineseAnalyzer(Analyzer):
    """Segmented, simplified-script Chinese terms; Latin/digit words inside are lower-cased.

    One- and two-character words are kept (most Chinese words are that short); pure numbers and
    single Latin letters are dropped, as in the other analyzers, and so are function words.
    """

    language = "zh"

    def __init__(
        self,
        presegmented: PresegmentedMode = "resegment",
        use_stopwords: bool = True,
        segmenter: SegmenterName = "auto",
    ) -> None:
        if presegmented not in PRESEGMENTED_MODES:
            raise ValueError(f"presegmented must be one of {PRESEGMENTED_MODES}, got {presegmented!r}")
        if segmenter not in ("auto", "rjieba", "jieba"):
            raise ValueError(f"segmenter must be 'auto', 'rjieba' or 'jieba', got {segmenter!r}")
        self.presegmented = presegmented
        self._stop = STOPWORDS["zh"] if use_stopwords else frozenset()
        self._cut, self._has_word = _segmenter(segmenter)
        self._simplify = _to_simplified()
        # piece or chunk -> its (term, start, end) triples relative to the piece: words repeat a lot,
        # so most pieces cost one dict lookup.
        self._piece_cache: dict[str, tuple[tuple[str, int, int], ...]] = {}
        self._chunk_cache: dict[str, tuple[tuple[str, int, int], ...]] = {}

    # -- normalisation ------------------------------------------------------------------------------

    def _fold(self, text: str) -> str:
        """Full-width ASCII -> ASCII and traditional -> simplified, keeping the length when possible."""
        text = text.translate(_FULLWIDTH)
        simplified = self._simplify(text)
        # OpenCC/zhconv map characters and phrases one for one in practice; if a phrase ever changes
        # length, keep the original so offsets stay exact (pieces are then simplified one by one).
        return simplified if len(simplified) == len(text) else text

    def _piece_terms(self, piece: str) -> tuple[tuple[str, int, int], ...]:
        """Index terms inside one segmenter piece, with offsets relative to the piece."""
        cached = self._piece_cache.get(piece)
        if cached is not None:
            return cached
        out: list[tuple[str, int, int]] = []
        for m in _PART.finditer(piece):
            han, other = m.group(1), m.group(2)
            if han is not None:
                # Already simplified unless _fold had to keep the original; then convert the run alone.
                simplified = self._simplify(han)
                word = simplified if len(simplified) == len(han) else han
                pos = m.start()
                for part in split_compound(word, self._has_word):
                    if part not in self._stop:
                        out.append((part, pos, pos + len(part)))
                    pos += len(part)
            else:
                term = unicodedata.normalize("NFKC", other).lower()
                if not (term.isdigit() or (len(term) < 2 and term.isascii())):
                    out.append((term, m.start(), m.end()))
        result = tuple(out)
        if len(self._piece_cache) < 500_000:
            self._piece_cache[piece] = result
        return result

    # -- segmentation -------------------------------------------------------------------------------

    def _segment(self, text: str) -> Iterator[tuple[str, int]]:
        """Segmenter pieces of ``text`` with their start offsets (pieces concatenate to ``text``)."""
        pos = 0
        for piece in self._cut(text):
            yield piece, pos
            pos += len(piece)

    def _raw_tokens(self, text: str) -> Iterator[tuple[str, int, int]]:
        folded = self._fold(text)
        for piece, start in self._segment(folded):
            for term, s, e in self._piece_terms(piece):
                yield term, start + s, start + e

    def _resegmented_tokens(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Each human chunk re-segmented on its own: human boundaries are never crossed."""
        folded = self._fold(text)
        for m in _CHUNK.finditer(folded):
            chunk, base = m.group(), m.start()
            triples = self._chunk_cache.get(chunk)
            if triples is None:
                triples = tuple(
                    (term, start + s, start + e)
                    for piece, start in self._segment(chunk)
                    for term, s, e in self._piece_terms(piece)
                )
                if len(self._chunk_cache) < 500_000:
                    self._chunk_cache[chunk] = triples
            for term, s, e in triples:
                yield term, base + s, base + e

    def _kept_tokens(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Human chunks taken as words (only split where Han meets Latin/digits or punctuation)."""
        folded = self._fold(text)
        for m in _CHUNK.finditer(folded):
            for term, s, e in self._piece_terms(m.group()):
                yield term, m.start() + s, m.start() + e

    def _despaced_tokens(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Spaces next to Han characters removed, then segmented like raw text; offsets mapped back."""
        keep: list[int] = []  # original index of every character kept in the joined text
        n = len(text)
        for i, ch in enumerate(text):
            if ch.isspace():
                prev = text[i - 1] if i > 0 else ""
                nxt = text[i + 1] if i + 1 < n else ""
                # Spaces between two Latin/digit words still separate them ("United Nations").
                if prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
                    keep.append(i)
                continue
            keep.append(i)
        joined = "".join(text[i] for i in keep)
        for term, s, e in self._raw_tokens(joined):
            yield term, keep[s], keep[e - 1] + 1

    def _triples(self, text: str) -> Iterator[tuple[str, int, int]]:
        if not is_presegmented(text):
            return self._raw_tokens(text)
        if self.presegmented == "resegment":
            return self._resegmented_tokens(text)
        if self.presegmented == "despace":
            return self._despaced_tokens(text)
        return self._kept_tokens(text)

    # -- contract -----------------------------------------------------------------------------------

    def tokens(self, text: str) -> list[Token]:
        return [Token(term, s, e) for term, s, e in self._triples(text)]

    def terms(self, text: str) -> list[str]:
        return [term for term, _s, _e in self._triples(text)]
