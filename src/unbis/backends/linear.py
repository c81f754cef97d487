"""A linear one-vs-rest model for all labels at once: ridge regression on tf-idf features, solved in
closed form in its dual (one Cholesky solve for every label together), so 7,000 labels cost the same
as one. Scores are the ridge outputs clipped to [0, 1] (targets are 0/1, so they behave like
probabilities; the ensemble's ranker calibrates them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from unbis.backends.base import load_arrays, load_sparse, save_arrays, save_sparse
from unbis.backends.features import FeatureBackend, FeatureParams, top_k_sparse
from unbis.backends.params import check
from unbis.errors import InputError


@dataclass(frozen=True)
class LinearParams(FeatureParams):
    """alpha: ridge penalty (smaller fits the training set closer). top_k: scores kept per document.
    max_train_docs: the dual solve is cubic in documents; larger corpora are refused with a hint."""

    alpha: float = 0.1
    top_k: int = 100
    max_train_docs: int = 30_000

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.alpha > 0, f"alpha must be > 0, not {self.alpha}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(self.max_train_docs >= 1, f"max_train_docs must be >= 1, not {self.max_train_docs}")


class LinearBackend(FeatureBackend):
    name = "linear"
    Params = LinearParams

    train_x_: sp.csr_matrix
    dual_: np.ndarray  # training documents x labels

    def fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix) -> None:
        p: LinearParams = self.params
        if x.shape[0] > p.max_train_docs:
            raise InputError(f"linear: {x.shape[0]} training documents exceed max_train_docs={p.max_train_docs}; "
                             "raise it (memory grows with its square) or sample the corpus")
        gram = (x @ x.T).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += p.alpha
        # W = X^T (XX^T + alpha I)^-1 Y: the primal ridge solution, kept in dual form (X stays sparse).
        self.dual_ = scipy.linalg.solve(gram, y.toarray(), assume_a="pos").astype(np.float32)
        self.train_x_ = sp.csr_matrix(x, dtype=np.float32)

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        kernel = (x @ self.train_x_.T).toarray()
        scores = np.clip(kernel @ self.dual_, 0.0, 1.0)
        return top_k_sparse(scores, self.params.top_k)

    def save_matrix_model(self, directory: Path) -> None:
        save_sparse(directory / "linear-train-x.npz", self.train_x_)
        save_arrays(directory / "linear-dual.npz", dual=self.dual_)

    def load_matrix_model(self, directory: Path) -> None:
        self.train_x_ = load_sparse(directory / "linear-train-x.npz")
        self.dual_ = load_arrays(directory / "linear-dual.npz")["dual"]
