"""Tf-idf subject centroids: a subject is the normalised sum of its training documents' vectors
(like Annif's tfidf backend); a text scores each subject by cosine similarity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import scipy.sparse as sp
from sklearn.preprocessing import normalize

from unbis.backends.feature_backend import FeatureBackend
from unbis.backends.params import check
from unbis.learning.sparse import in_row_blocks, top_k_sparse
from unbis.learning.tfidf import FeatureParams
from unbis.persistence import load_sparse, save_sparse


@dataclass(frozen=True)
class TfidfParams(FeatureParams):
    """Words only by default (``ngram_max=1``), as Annif's tfidf. top_k: candidates kept per document."""

    ngram_max: int = 1
    top_k: int = 100

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")


class TfidfBackend(FeatureBackend):
    name = "tfidf"
    Params = TfidfParams

    centroids_: sp.csr_matrix  # subjects x features
    centroids_t_: sp.csr_matrix  # its transpose, made once: converting it per batch cost a quarter of suggest time

    def _fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None) -> None:
        self.centroids_ = sp.csr_matrix(normalize(sp.csr_matrix(y.T @ x)))
        self.centroids_t_ = sp.csr_matrix(self.centroids_.T)

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        # Blocks bound the dense texts x subjects array that top-k selection works on.
        return in_row_blocks(x, lambda b: top_k_sparse(b @ self.centroids_t_, self.params.top_k), 1_000)

    def _save_matrix(self, directory: Path) -> None:
        save_sparse(directory / "centroids.npz", self.centroids_)

    def _load_matrix(self, directory: Path) -> None:
        self.centroids_ = load_sparse(directory / "centroids.npz")
        self.centroids_t_ = sp.csr_matrix(self.centroids_.T)
