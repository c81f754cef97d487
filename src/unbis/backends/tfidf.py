"""Tf-idf subject centroids: a subject is the sum of its training documents' vectors (like Annif's tfidf)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from unbis.backends.base import Backend, load_sparse, save_sparse
from unbis.backends.params import check
from unbis.backends.sparse_utils import top_k_per_row
from unbis.backends.vectorizer import TermVectorizer
from unbis.corpus.document import Document
from unbis.errors import InputError


@dataclass(frozen=True)
class TfidfParams:
    """ngram: 1 = words, 2 = words and bigrams. min_df: drop rarer terms. top_k: candidates kept per document."""

    ngram: int = 1
    min_df: int = 2
    top_k: int = 100

    def __post_init__(self) -> None:
        check(self.ngram in (1, 2), f"ngram must be 1 or 2, not {self.ngram}")
        check(self.min_df >= 1, f"min_df must be >= 1, not {self.min_df}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")


class TfidfBackend(Backend):
    name = "tfidf"
    Params = TfidfParams

    def _analyze(self, text: str) -> list[str]:
        return self.context.analyzer_for(text).terms(text)

    def _fit(self, documents: Iterable[Document]) -> None:
        p: TfidfParams = self.params
        labelled = [(self._analyze(d.text), d.subjects) for d in documents if d.subjects]
        if not labelled:
            raise InputError("tfidf needs labelled documents; the training corpus has none")
        self.vectorizer_ = TermVectorizer(p.ngram, p.min_df).fit(terms for terms, _ in labelled)
        x = self.vectorizer_.transform([terms for terms, _ in labelled])
        rows = np.repeat(np.arange(len(labelled)), [len(s) for _, s in labelled])
        cols = np.concatenate([np.asarray(s, dtype=np.int64) for _, s in labelled])
        shape = (len(labelled), len(self.context.vocab))
        y = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
        self.centroids_ = normalize(sp.csr_matrix(y.T @ x))  # subjects x terms
        self._prepare()

    def _prepare(self) -> None:
        # Transposed once here: converting it on every batch cost about a quarter of suggest time.
        self.centroids_t_ = sp.csr_matrix(self.centroids_.T)

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        x = self.vectorizer_.transform([self._analyze(t) for t in texts])
        sims = sp.csr_matrix(x @ self.centroids_t_)
        return top_k_per_row(sims, self.params.top_k)

    def _save(self, directory: Path) -> None:
        self.vectorizer_.save(directory)
        save_sparse(directory / "centroids.npz", self.centroids_)

    def _load(self, directory: Path) -> None:
        self.vectorizer_ = TermVectorizer.load(directory)
        self.centroids_ = load_sparse(directory / "centroids.npz")
        self._prepare()

