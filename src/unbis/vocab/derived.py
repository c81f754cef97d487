"""A vocabulary made from the labels a training corpus uses, when no thesaurus file is given."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from unbis.errors import VocabularyError
from unbis.textnorm import fold
from unbis.vocab.subject_index import Concept, Vocabulary

DERIVED_BASE_URI = "urn:unbis:label:"


def mint_uri(label: str, base_uri: str = DERIVED_BASE_URI) -> str:
    """Deterministic URI for a label: ``base_uri`` + first 16 hex digits of SHA-1 of the label.

    With ``base_uri="http://example.org/subject/"`` this reproduces the made-up URIs of the development
    data's vocabulary TSVs (e.g. EUR-Lex ``AIDS`` -> ``http://example.org/subject/c0a1e4caf423f974``).
    """
    return base_uri + hashlib.sha1(label.encode("utf-8")).hexdigest()[:16]


def vocab_from_labels(
    label_lists: Iterable[Iterable[str]],
    language: str,
    name: str = "derived",
    base_uri: str = DERIVED_BASE_URI,
) -> Vocabulary:
    """One concept per distinct label (compared folded: case, accents, spacing ignored).

    The spelling kept is the most frequent one (the smallest string on ties); concepts are sorted by
    folded label. So labels, URIs, ids and the content hash do not depend on document order.
    """
    spellings: dict[str, Counter[str]] = {}
    for labels in label_lists:
        for raw in labels:
            label = " ".join(raw.split())
            key = fold(label)
            if not key:
                continue
            spellings.setdefault(key, Counter())[label] += 1
    if not spellings:
        raise VocabularyError("cannot derive a vocabulary: the corpus has no labels")
    concepts = []
    for key in sorted(spellings):
        counts = spellings[key]
        label = min(counts, key=lambda s: (-counts[s], s))
        concepts.append(Concept(uri=mint_uri(label, base_uri), labels={language: label}))
    return Vocabulary(concepts, name=name, default_language=language)
