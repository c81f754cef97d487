"""A linear one-vs-rest model for all labels at once: ridge regression on tf-idf features, solved in
closed form in its dual (``unbis.learning.ridge``: one Cholesky solve for every label together). Scores
are the ridge outputs clipped to [0, 1] (targets are 0/1, so they behave like probabilities; the
ensemble's ranker calibrates them). Held-out scores for the ensemble follow exactly from the one fit
(the group-deletion identity), so its out-of-fold pass costs no refit.

Above ``max_train_docs`` documents the model is fitted on a label-stratified sample of that many
documents (every label keeps a few examples, the rest is drawn at random): the dual solve needs an
n x n Gram matrix (memory n^2, time n^3), and a primal solve would need a dense features x labels
weight matrix (300k x 7k floats = 8 GB). Members that scale linearly (knn) still see every document.

With ``concept_weight`` > 0 the thesaurus is learnt too (``thesaurus_rows``): each concept's label text
is one more training row, labelled with that concept alone and weighted as ridge sample weights are
(row and target scaled by sqrt(weight)). These rows count towards ``max_train_docs`` (at most half of
it) and are never held out. When that half holds fewer rows than there are concepts, the least-seen
concepts get rows and the model scores only the labels seen no more often than they that a document or
a row teaches (``columns_``): its value lies in rare labels, and its scoring cost grows with the labels
it scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.feature_backend import FeatureBackend
from unbis.backends.params import check
from unbis.backends.thesaurus_rows import concept_rows, filled
from unbis.errors import InputError
from unbis.learning.ridge import fit_dual, leave_folds_out, leave_one_out
from unbis.learning.sampling import stratified_sample
from unbis.learning.sparse import dense_product, in_row_blocks, top_k_sparse
from unbis.learning.stable_matmul import batch_stable_matmul
from unbis.learning.tfidf import FeatureParams, TfidfFeatures
from unbis.persistence import load_arrays, load_sparse, save_arrays, save_sparse


@dataclass(frozen=True)
class LinearParams(FeatureParams):
    """alpha: ridge penalty (smaller fits the training set closer). top_k: scores kept per document.
    max_train_docs: the dual solve costs n^2 memory and n^3 time in documents n, so above this many
    documents the model learns from a label-stratified sample of this size (its float32 Gram matrix
    grows with the square of it). seed: the sample's random seed.
    concept_weight: weight of the thesaurus rows, one per concept (0 = documents only; see the module
    doc)."""

    alpha: float = 0.1
    top_k: int = 100
    max_train_docs: int = 15_000
    seed: int = 0
    concept_weight: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.alpha > 0, f"alpha must be > 0, not {self.alpha}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(self.max_train_docs >= 2, f"max_train_docs must be >= 2, not {self.max_train_docs}")
        check(self.concept_weight >= 0, f"concept_weight must be >= 0, not {self.concept_weight}")


SCORE_BLOCK = 1_000  # texts scored at once (kernel and score arrays stay ~100 MB)


class LinearBackend(FeatureBackend):
    name = "linear"
    Params = LinearParams

    train_xt_: sp.csr_matrix  # features x training documents, as CSR (see knn: no conversion per product)
    dual_: np.ndarray  # training documents x scored labels
    columns_: np.ndarray | None = None  # the labels scored (dual_'s columns); None: every label
    _inverse: np.ndarray | None = None  # (XX^T + alpha I)^-1 between a fit and out-of-fold scoring

    @property
    def train_x_(self) -> sp.csc_matrix:
        """The training documents' feature rows (a view)."""
        return self.train_xt_.T

    def concept_rows(self, features: TfidfFeatures) -> sp.csr_matrix | None:
        """With ``concept_weight`` > 0, each concept's labels as one feature row (``thesaurus_rows``)."""
        return concept_rows(features, self.context) if self.params.concept_weight else None

    def _concept_rows(self) -> int:
        """Most thesaurus rows learnt: all concepts, up to half of ``max_train_docs``."""
        p: LinearParams = self.params
        return min(len(self.context.vocab), p.max_train_docs // 2) if p.concept_weight else 0

    def _capped(self, concepts: sp.csr_matrix | None) -> bool:
        """Whether some concepts with wording would get no row."""
        if concepts is None or not self.params.concept_weight:
            return False
        return filled(concepts).size > self._concept_rows()

    def _document_budget(self) -> int:
        return self.params.max_train_docs - self._concept_rows()

    def _with_concepts(
        self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None,
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray | None]:
        """``x`` and ``y`` followed by the weighted rows of the concepts that have any feature (the
        ones least seen in ``y`` first when they exceed their share of ``max_train_docs``), with
        ``y`` cut to the labels scored, and those labels (None: all; see the module doc)."""
        if concepts is None or not self.params.concept_weight:
            return x, y, None
        if concepts.shape[0] != y.shape[1]:
            raise InputError(f"linear: {concepts.shape[0]} concept rows for {y.shape[1]} labels")
        with_wording = filled(concepts)
        counts = np.asarray(y.sum(axis=0)).ravel()
        # Among equally seen concepts, those whose wording more of the documents use come first: a
        # wording that no document uses teaches the ridge little.
        uses = sp.csr_matrix(concepts[with_wording], dtype=bool) @ sp.csr_matrix(x.T, dtype=bool)
        df = np.diff(sp.csr_matrix(uses).indptr)
        keep = np.sort(with_wording[np.lexsort((with_wording, -df, counts[with_wording]))][: self._concept_rows()])
        root = np.float32(np.sqrt(self.params.concept_weight))
        targets = sp.csr_matrix((np.full(keep.size, root), (np.arange(keep.size), keep)), shape=(keep.size, y.shape[1]))
        rows = root * sp.csr_matrix(concepts[keep], dtype=np.float32)
        y = sp.vstack([sp.csr_matrix(y, dtype=np.float32), targets], format="csr")
        columns = None
        if keep.size < with_wording.size:
            # Of the labels seen no more often than the rarest left without a row, those that a document
            # or a row teaches: any other label's dual column, and so its every score, is 0 (abo-en,
            # 27k concepts: 26k such columns made a 270 MB dual and a 400 MB product while fitting).
            taught = np.zeros(counts.size, dtype=bool)
            taught[keep] = True
            columns = np.flatnonzero((counts <= counts[keep].max(initial=0)) & (taught | (counts > 0)))
            y = sp.csr_matrix(y[:, columns])
        return sp.vstack([sp.csr_matrix(x, dtype=np.float32), rows], format="csr"), y, columns

    def _to_labels(self, m: sp.csr_matrix) -> sp.csr_matrix:
        """Scores over the scored labels (``columns_``) as scores over every label."""
        if self.columns_ is None:
            return m
        return sp.csr_matrix((m.data, self.columns_[m.indices], m.indptr), shape=(m.shape[0], len(self.context.vocab)))

    def _fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None) -> None:
        if x.shape[0] != y.shape[0]:
            raise InputError(f"linear: {x.shape[0]} feature rows but {y.shape[0]} label rows")
        rows = self.training_rows(y)
        if rows is not None:
            x, y = x[rows], y[rows]
        x, y, self.columns_ = self._with_concepts(x, y, concepts)
        self._fit_inverse(x, y)
        self._inverse = None  # n^2 floats; only out-of-fold scoring needs it after the fit

    def training_rows(self, y: sp.csr_matrix) -> np.ndarray | None:
        """Above the documents' share of ``max_train_docs``, the label-stratified sample that the model
        learns from."""
        budget = self._document_budget()
        return stratified_sample(y, budget, self.params.seed) if y.shape[0] > budget else None

    def _fit_inverse(self, x: sp.csr_matrix, y: sp.csr_matrix) -> None:
        """Fit on every row of ``x`` and keep A = (XX^T + alpha I)^-1 in ``_inverse``."""
        x = sp.csr_matrix(x, dtype=np.float32)
        self.dual_, self._inverse = fit_dual(x, y, self.params.alpha)
        self.train_xt_ = sp.csr_matrix(x.T)

    def _fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None,
    ) -> sp.csr_matrix | None:
        if x.shape[0] > self._document_budget():
            return None  # the per-fold models would each learn from another sample
        if self._capped(concepts):
            # Which concepts get rows, and which labels are scored, follow label counts: decided with the
            # held-out document's own labels counted, they would differ from a model that never saw it
            # (its gold labels look more seen) and the ranker would learn that shift: per-fold fits instead.
            return None
        n = y.shape[0]
        # Thesaurus rows follow the documents and are never held out: only documents' rows are scored.
        x, y, self.columns_ = self._with_concepts(x, y, concepts)
        self._fit_inverse(x, y)
        inverse, dual = self._inverse, self.dual_
        assert inverse is not None
        if np.unique(fold_of).size == n:
            diagonal = np.diag(inverse).copy()
            self._inverse = None  # n^2 floats, freed before the documents x labels blocks are made
            del inverse
            return self._to_labels(leave_one_out(y[:n], dual[:n], diagonal[:n], self._ranking_top))
        scores = leave_folds_out(y, dual, inverse, fold_of, self._ranking_top)
        self._inverse = None
        return self._to_labels(scores)

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return in_row_blocks(x, self._score_block, SCORE_BLOCK)

    def rank_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return in_row_blocks(x, self._raw_block, SCORE_BLOCK)

    def _score_block(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return self._to_labels(top_k_sparse(np.clip(self._raw(x), 0.0, 1.0), self.params.top_k))

    def _raw_block(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return self._to_labels(self._ranking_top(self._raw(x)))

    def _ranking_top(self, raw: np.ndarray) -> sp.csr_matrix:
        """The ``top_k`` best raw outputs of each row, negative ones included (they still rank)."""
        return top_k_sparse(raw, self.params.top_k, positive=False)

    def _raw(self, x: sp.csr_matrix) -> np.ndarray:
        """Ridge outputs for the scored labels (about 0 for a label's absence, 1 for its presence). The
        dense product runs in fixed row blocks, so that a document's outputs, to the last bit, never
        depend on the other documents of its batch."""
        return batch_stable_matmul(dense_product(x, self.train_xt_), self.dual_)

    def _save_matrix(self, directory: Path) -> None:
        save_sparse(directory / "linear-train-x.npz", self.train_x_)
        columns = {} if self.columns_ is None else {"columns": self.columns_}
        save_arrays(directory / "linear-dual.npz", dual=self.dual_, **columns)

    def _load_matrix(self, directory: Path) -> None:
        self.train_xt_ = sp.csr_matrix(load_sparse(directory / "linear-train-x.npz").T)
        arrays = load_arrays(directory / "linear-dual.npz")
        self.dual_ = arrays["dual"]
        self.columns_ = arrays.get("columns")
