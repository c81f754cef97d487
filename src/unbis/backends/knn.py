"""Nearest neighbours on tf-idf features: a label scores the similarity-weighted share of the ``k``
most similar training documents that carry it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.feature_backend import FeatureBackend
from unbis.backends.params import check
from unbis.learning.sparse import in_row_blocks, strongest_per_row, top_k_sparse
from unbis.learning.tfidf import FeatureParams
from unbis.persistence import load_sparse, save_sparse


@dataclass(frozen=True)
class KnnParams(FeatureParams):
    """k: neighbours that vote. top_k: scores kept per document. query_terms: with more than
    ``prune_above`` training documents, a text is compared through its ``query_terms`` highest-weighted
    features only: search cost grows with the postings of every query term, and the frequent, low-idf
    ones hold most postings but little similarity (0 = never prune)."""

    k: int = 15
    top_k: int = 100
    query_terms: int = 64
    prune_above: int = 20_000

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.k >= 1, f"k must be >= 1, not {self.k}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(self.query_terms >= 0, f"query_terms must be >= 0, not {self.query_terms}")
        check(self.prune_above >= 0, f"prune_above must be >= 0, not {self.prune_above}")


def _block_rows(n_train: int) -> int:
    """Texts scored at once: keeps the dense texts x training-documents similarity array near 100 MB."""
    return max(1, min(1_000, 25_000_000 // max(n_train, 1)))


class KnnBackend(FeatureBackend):
    name = "knn"
    Params = KnnParams

    train_y_: sp.csr_matrix
    # Features x training documents, as CSR: every scored block multiplies by it. (A CSC view of the
    # documents' rows would be converted to CSR again by scipy in every product: at 50k documents
    # that conversion took half the indexing time.)
    train_xt_: sp.csr_matrix

    @property
    def train_x_(self) -> sp.csc_matrix:
        """The training documents' feature rows (a view)."""
        return self.train_xt_.T

    def _fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None) -> None:
        self.train_xt_ = sp.csr_matrix(sp.csr_matrix(x, dtype=np.float32).T)
        self.train_y_ = sp.csr_matrix(y, dtype=np.float32)

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        p: KnnParams = self.params
        n_train = self.train_xt_.shape[1]
        if p.query_terms and n_train > p.prune_above:
            x = strongest_per_row(sp.csr_matrix(x), p.query_terms)
        return in_row_blocks(x, self._score_block, _block_rows(n_train))

    def _fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None,
    ) -> sp.csr_matrix | None:
        """Every document's votes from the documents of other folds (leave-one-out when each document is
        its own fold): the same search as scoring, with same-fold neighbours masked out."""
        self._fit_matrix(x, y, None)
        block = _block_rows(x.shape[0])
        out = []
        for lo in range(0, x.shape[0], block):
            rows = np.arange(lo, min(lo + block, x.shape[0]))
            out.append(self._score_block(x[rows], fold_of[rows][:, None] == fold_of[None, :]))
        return sp.csr_matrix(sp.vstack(out))

    def _score_block(self, x: sp.csr_matrix, exclude: np.ndarray | None = None) -> sp.csr_matrix:
        similarity = x @ self.train_xt_
        if exclude is not None:
            dense = similarity.toarray()
            dense[exclude] = 0.0
            similarity = dense
        sims = top_k_sparse(similarity, self.params.k)
        totals = np.asarray(sims.sum(axis=1)).ravel()
        totals[totals == 0] = 1.0
        votes = sp.diags(1.0 / totals) @ sims @ self.train_y_
        return top_k_sparse(np.clip(votes.toarray(), 0.0, 1.0), self.params.top_k)

    def _save_matrix(self, directory: Path) -> None:
        save_sparse(directory / "knn-train-x.npz", self.train_x_)
        save_sparse(directory / "knn-train-y.npz", self.train_y_)

    def _load_matrix(self, directory: Path) -> None:
        self.train_xt_ = sp.csr_matrix(load_sparse(directory / "knn-train-x.npz").T)
        self.train_y_ = load_sparse(directory / "knn-train-y.npz")
