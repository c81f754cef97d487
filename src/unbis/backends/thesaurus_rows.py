"""A thesaurus as training rows: each concept's label text as one tf-idf row, in one or every UN language.

A ridge that learns from these rows as well as from documents gives graded scores to labels that no
training document carries, and leans a seen label's weights towards its own wording.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, get_analyzer
from unbis.backends.base import Context
from unbis.learning.sparse import normalise_rows
from unbis.learning.tfidf import TfidfFeatures
from unbis.vocab.subject_index import Vocabulary


def label_rows(features: TfidfFeatures, vocab: Vocabulary, lang: str, fallback: bool = False) -> sp.csr_matrix:
    """Each concept's preferred and alternative labels in ``lang`` as one tf-idf row, analysed as that
    language when it is a UN one (``fallback``: a concept without a label in ``lang`` takes its label
    in the vocabulary's default language)."""
    texts = ["; ".join([vocab.label(cid, lang) if fallback else c.labels.get(lang, ""), *c.alt_labels.get(lang, [])])
             for cid, c in enumerate(vocab.concepts)]
    return (features.analysed_by(get_analyzer(lang).terms) if lang in UN_LANGUAGES else features).transform(texts)


def concept_rows(features: TfidfFeatures, context: Context) -> sp.csr_matrix:
    """Each concept's labels (preferred and alternative) as one feature row: in the project's language,
    or for a multilingual (``auto``) project in every UN language the vocabulary has, each analysed as
    its language (a label is too short to detect it) and the row L2-normalised again, so that a
    document in any of them meets its concept's wording."""
    vocab = context.vocab
    languages = [lang for lang in UN_LANGUAGES if lang in vocab.languages]
    if context.language != "auto" or not languages:
        return label_rows(features, vocab, context.label_language, fallback=True)
    parts = [label_rows(features, vocab, lang) for lang in languages]
    return normalise_rows(sum(parts[1:], parts[0]))


def filled(concepts: sp.csr_matrix) -> np.ndarray:
    """Ids of the concepts whose row has any feature (a label with no known wording teaches nothing)."""
    return np.flatnonzero(np.diff(sp.csr_matrix(concepts).indptr))
