"""Annif subject TSV: ``<uri><TAB>label`` lines, optionally a third ``notation`` column."""

from __future__ import annotations

from pathlib import Path

from unbis.errors import VocabularyError
from unbis.vocab._textfile import read_text
from unbis.vocab.subject_index import Concept, Vocabulary


def strip_uri(text: str) -> str:
    """``<http://x>`` -> ``http://x``; a bare URI is returned unchanged."""
    text = text.strip()
    return text[1:-1].strip() if text.startswith("<") and text.endswith(">") else text


def load_tsv(path: Path | str, language: str = "en") -> Vocabulary:
    """Read an Annif TSV vocabulary; labels are in ``language``. Blank lines are ignored."""
    path = Path(path)
    concepts: list[Concept] = []
    seen: dict[str, int] = {}
    # split on "\n" only: str.splitlines() also breaks at U+2028 etc. and would skew line numbers
    for lineno, raw in enumerate(read_text(path).split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) not in (2, 3):
            raise VocabularyError(
                f"{path}:{lineno}: expected <uri><TAB>label[<TAB>notation], got {len(cols)} column(s)"
            )
        uri, label = strip_uri(cols[0]), " ".join(cols[1].split())
        if not uri or not label or any(ch.isspace() for ch in uri):
            raise VocabularyError(f"{path}:{lineno}: empty or malformed URI/label in {line!r}")
        if uri in seen:
            raise VocabularyError(f"{path}:{lineno}: URI {uri} repeats line {seen[uri]}")
        seen[uri] = lineno
        notation = cols[2].strip() if len(cols) == 3 and cols[2].strip() else None
        concepts.append(Concept(uri=uri, labels={language: label}, notation=notation))
    if not concepts:
        raise VocabularyError(f"{path}: no concepts")
    return Vocabulary(concepts, name=path.stem, default_language=language)
