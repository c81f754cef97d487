"""Nearest neighbours on tf-idf features: a label scores the similarity-weighted share of the ``k``
most similar training documents that carry it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import load_sparse, save_sparse
from unbis.backends.features import FeatureBackend, FeatureParams, top_k_sparse
from unbis.backends.params import check


@dataclass(frozen=True)
class KnnParams(FeatureParams):
    """k: neighbours that vote. top_k: scores kept per document."""

    k: int = 15
    top_k: int = 100

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.k >= 1, f"k must be >= 1, not {self.k}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")


class KnnBackend(FeatureBackend):
    name = "knn"
    Params = KnnParams

    train_x_: sp.csr_matrix
    train_y_: sp.csr_matrix

    def fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix) -> None:
        self.train_x_ = sp.csr_matrix(x, dtype=np.float32)
        self.train_y_ = sp.csr_matrix(y, dtype=np.float32)

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        sims = top_k_sparse((x @ self.train_x_.T).toarray(), self.params.k)
        totals = np.asarray(sims.sum(axis=1)).ravel()
        totals[totals == 0] = 1.0
        votes = sp.diags(1.0 / totals) @ sims @ self.train_y_
        return top_k_sparse(np.clip(votes.toarray(), 0.0, 1.0), self.params.top_k)

    def save_matrix_model(self, directory: Path) -> None:
        save_sparse(directory / "knn-train-x.npz", self.train_x_)
        save_sparse(directory / "knn-train-y.npz", self.train_y_)

    def load_matrix_model(self, directory: Path) -> None:
        self.train_x_ = load_sparse(directory / "knn-train-x.npz")
        self.train_y_ = load_sparse(directory / "knn-train-y.npz")
