"""Labelled training documents as the learners see them: a re-iterable stream and 0/1 label matrices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from unbis.corpus.document import Document
from unbis.errors import InputError
from unbis.learning.tfidf import TfidfFeatures


def label_matrix(documents: Sequence[Document], n_labels: int) -> sp.csr_matrix:
    """Documents x labels 0/1 matrix of gold subjects (out-of-range ids are an input error)."""
    return subjects_matrix([doc.subjects for doc in documents], n_labels,
                           lambda i: documents[i].source or documents[i].name)


def subjects_matrix(
    subjects: Sequence[Sequence[int]], n_labels: int, name_of: Callable[[int], str] | None = None,
) -> sp.csr_matrix:
    """Documents x labels 0/1 matrix from each document's subject ids; an id outside the vocabulary is
    an input error naming the document (``name_of(i)``, else its position)."""
    indptr = [0]
    indices: list[int] = []
    for i, ids in enumerate(subjects):
        unique = sorted(set(ids))
        if unique and (unique[0] < 0 or unique[-1] >= n_labels):
            where = name_of(i) if name_of else f"document {i + 1}"
            raise InputError(f"{where}: subject id outside the vocabulary of {n_labels}")
        indices.extend(unique)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr)),
                         shape=(len(subjects), n_labels))


class LabelledDocuments:
    """The documents of a training corpus that carry subjects, re-iterable when the corpus is (a
    one-shot iterator is read into memory once, so that training may take several passes)."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = list(documents) if iter(documents) is documents else documents

    def __iter__(self) -> Iterator[Document]:
        return (doc for doc in self.documents if doc.subjects)

    def texts(self, on_subjects: Callable[[list[int]], None]) -> Iterator[str]:
        """Each document's text, handing its subjects to ``on_subjects`` first (one streamed pass)."""
        for doc in self:
            on_subjects(list(doc.subjects))
            yield doc.text

    def fit_features(self, features: TfidfFeatures, n_labels: int, who: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """One streamed pass: ``features`` learnt from the texts (on every core), and the documents x
        labels matrix. No labelled document is an input error naming the backend ``who``."""
        subjects: list[list[int]] = []
        try:
            x = features.fit_transform(self.texts(subjects.append), jobs=0)
        except InputError:
            if not subjects:
                raise InputError(f"{who} needs labelled documents; the training corpus has none") from None
            raise
        return x, subjects_matrix(subjects, n_labels)
