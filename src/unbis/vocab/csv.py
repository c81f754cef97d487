"""Multilingual CSV vocabularies (Annif's CSV format, extended with alternative labels).

Header: ``uri``, one ``label_xx`` column per language, optionally ``notation`` and ``alt_label_xx``
columns whose cells hold ``|``-separated labels. Example::

    uri,label_en,label_fr,alt_label_en,notation
    http://example.org/1,CHILDREN,ENFANTS,KIDS|MINORS,1.1
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from unbis.errors import VocabularyError
from unbis.vocab._textfile import read_text
from unbis.vocab.subject_index import Concept, Vocabulary
from unbis.vocab.tsv import strip_uri

_LABEL = re.compile(r"label_([a-z]{2,3}(?:[-_][a-z0-9]+)*)")
_ALT = re.compile(r"alt_label_([a-z]{2,3}(?:[-_][a-z0-9]+)*)")


def _columns(path: Path, header: list[str]) -> tuple[dict[int, str], dict[int, str], int, int | None]:
    """Map column positions to roles: (label columns, alt-label columns, uri column, notation column)."""
    labels: dict[int, str] = {}
    alts: dict[int, str] = {}
    uri_col: int | None = None
    notation_col: int | None = None
    for pos, raw in enumerate(header):
        name = raw.strip().lower()
        if name == "uri":
            uri_col = pos
        elif name == "notation":
            notation_col = pos
        elif m := _ALT.fullmatch(name):
            alts[pos] = m.group(1)
        elif m := _LABEL.fullmatch(name):
            labels[pos] = m.group(1)
        elif name:
            raise VocabularyError(
                f"{path}:1: unknown column {raw!r}; expected uri, label_xx, alt_label_xx, notation"
            )
    if uri_col is None or not labels:
        raise VocabularyError(f"{path}:1: header needs a 'uri' and at least one 'label_xx' column")
    return labels, alts, uri_col, notation_col


def load_csv(path: Path | str, language: str = "en") -> Vocabulary:
    """Read a multilingual CSV vocabulary; ``language`` becomes the default if it has a label column."""
    path = Path(path)
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise VocabularyError(f"{path}:1: empty file") from None
    except csv.Error as exc:
        raise VocabularyError(f"{path}:1: {exc}") from exc
    label_cols, alt_cols, uri_col, notation_col = _columns(path, header)
    concepts: list[Concept] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num  # end line of the record: right even after quoted newlines
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise VocabularyError(f"{path}:{line}: {len(row)} fields, header has {len(header)}")
            uri = strip_uri(row[uri_col])
            if not uri or any(ch.isspace() for ch in uri):
                raise VocabularyError(f"{path}:{line}: empty or malformed URI {row[uri_col]!r}")
            if uri in seen:
                raise VocabularyError(f"{path}:{line}: URI {uri} repeats line {seen[uri]}")
            seen[uri] = line
            labels = {lang: " ".join(row[pos].split()) for pos, lang in label_cols.items() if row[pos].strip()}
            if not labels:
                raise VocabularyError(f"{path}:{line}: concept {uri} has no label")
            alt_labels: dict[str, list[str]] = {}
            for pos, lang in alt_cols.items():
                values = [" ".join(v.split()) for v in row[pos].split("|") if v.strip()]
                if values:
                    alt_labels.setdefault(lang, []).extend(values)
            notation = row[notation_col].strip() or None if notation_col is not None else None
            concepts.append(Concept(uri=uri, labels=labels, alt_labels=alt_labels, notation=notation))
    except csv.Error as exc:
        raise VocabularyError(f"{path}:{reader.line_num}: {exc}") from exc
    if not concepts:
        raise VocabularyError(f"{path}: no concepts")
    languages = list(label_cols.values())
    default = language if language in languages else languages[0]
    return Vocabulary(concepts, name=path.stem, default_language=default)
