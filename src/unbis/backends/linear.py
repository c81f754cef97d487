"""A linear one-vs-rest model for all labels at once: ridge regression on tf-idf features, solved in
closed form in its dual (one Cholesky solve for every label together), so 7,000 labels cost the same
as one. Scores are the ridge outputs clipped to [0, 1] (targets are 0/1, so they behave like
probabilities; the ensemble's ranker calibrates them).

The dual is solved through the inverse A = (XX^T + alpha I)^-1 (one Cholesky factorisation and its
inverse), so that the dual coefficients A Y are a dense-by-sparse product (cheap, Y holds a few labels per
document) instead of a triangular solve per label (7,000 right-hand sides), and so that out-of-fold
scores for the ensemble follow exactly from the one fit: ridge is a linear smoother with hat matrix
H = I - alpha A, and deleting a group B of training documents gives the group-deletion identity
    y_B(-B) = Y_B - (A_BB)^-1 (A Y)_B,
which is the prediction of a model fitted without B (no refit per fold; 10k documents x 7k labels:
158 s for five fold fits and the final fit before, one fit now).

Above ``max_train_docs`` documents the model is fitted on a label-stratified sample of that many
documents (every label keeps a few examples, the rest is drawn at random): the dual solve needs an
n x n Gram matrix (memory n^2, time n^3), and a primal solve would need a dense features x labels
weight matrix (300k x 7k floats = 8 GB). Members that scale linearly (knn) still see every document.

With ``concept_weight`` > 0 the thesaurus is learnt too: each concept's label text (preferred and
alternative labels; in a multilingual project, in every UN language) is one more training row,
labelled with that concept alone and weighted as ridge sample weights are (row and target scaled by
sqrt(weight)). A label that no training document carries then still gets graded scores, and a seen
label's weights lean towards its own wording. These rows count towards ``max_train_docs`` (at most
half of it) and are never held out. When that half holds fewer rows than there are concepts, the
least-seen concepts get rows and the model scores only the labels seen no more often than they that
a document or a row teaches (``columns_``): its value lies in rare labels, and its scoring cost grows
with the labels it scores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, get_analyzer
from unbis.backends.base import load_arrays, load_sparse, save_arrays, save_sparse
from unbis.backends.features import (
    FeatureBackend,
    FeatureParams,
    TfidfFeatures,
    in_row_blocks,
    normalise_rows,
    top_k_sparse,
)
from unbis.backends.params import check
from unbis.errors import InputError
from unbis.vocab.subject_index import Vocabulary


@dataclass(frozen=True)
class LinearParams(FeatureParams):
    """alpha: ridge penalty (smaller fits the training set closer). top_k: scores kept per document.
    max_train_docs: the dual solve costs n^2 memory and n^3 time in documents n, so above this many
    documents the model learns from a label-stratified sample of this size (15,000: a 0.9 GB float32
    Gram matrix, a few minutes on 2 cores with 7,000 labels). seed: the sample's random seed.
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


EXACT_DOCS = 10_000  # up to this many training documents the solve runs in float64
SCORE_BLOCK = 1_000  # texts scored at once (kernel and score arrays stay ~100 MB)
GRAM_BLOCK = 2_000  # rows of the Gram matrix computed at once (a sparse product of all rows is ~dense)


def _gram(x: sp.csr_matrix, dtype: type) -> np.ndarray:
    """Dense X X^T, built in row blocks: a whole sparse product would hold the ~dense result as a
    sparse matrix (3x the memory of the dense array)."""
    n = x.shape[0]
    gram = np.empty((n, n), dtype=dtype)
    xt = sp.csc_matrix(x.T)
    for lo in range(0, n, GRAM_BLOCK):
        gram[lo : lo + GRAM_BLOCK] = (x[lo : lo + GRAM_BLOCK] @ xt).toarray()
    return gram


def _spd_inverse(a: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix, computed in place of ``a`` (Cholesky, then
    LAPACK potri; about the cost of the factorisation again)."""
    potrf, potri = scipy.linalg.get_lapack_funcs(("potrf", "potri"), (a,))
    # a.T is a Fortran-ordered view of the same symmetric matrix: LAPACK then works in place instead
    # of on a copy (n^2 floats: 0.9 GB at 15k documents).
    factor, info = potrf(a.T, lower=True, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"ridge Gram matrix not positive definite (LAPACK potrf info {info})")
    inverse, info = potri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"ridge Gram matrix not invertible (LAPACK potri info {info})")
    # potri fills the lower triangle only; mirror it in row blocks (a whole transpose is another n^2).
    n = inverse.shape[0]
    for lo in range(0, n, GRAM_BLOCK):
        hi = min(n, lo + GRAM_BLOCK)
        inverse[lo:hi, hi:] = inverse[hi:, lo:hi].T
        block = inverse[lo:hi, lo:hi]
        block[np.triu_indices(hi - lo, 1)] = block.T[np.triu_indices(hi - lo, 1)]
    return inverse


def _label_rows(features: TfidfFeatures, vocab: Vocabulary, lang: str, fallback: bool = False) -> sp.csr_matrix:
    """Each concept's preferred and alternative labels in ``lang`` as one tf-idf row, analysed as that
    language when it is a UN one (``fallback``: a concept without a label in ``lang`` takes its label
    in the vocabulary's default language)."""
    texts = ["; ".join([vocab.label(cid, lang) if fallback else c.labels.get(lang, ""), *c.alt_labels.get(lang, [])])
             for cid, c in enumerate(vocab.concepts)]
    return (features.analysed_by(get_analyzer(lang).terms) if lang in UN_LANGUAGES else features).transform(texts)


def _filled(concepts: sp.csr_matrix) -> np.ndarray:
    """Ids of the concepts whose row has any feature (a label with no known wording teaches nothing)."""
    return np.flatnonzero(np.diff(sp.csr_matrix(concepts).indptr))


def stratified_sample(y: sp.csr_matrix, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``size`` documents: up to a few random documents of every label first (so
    rare labels stay learnable), then documents drawn at random."""
    n = y.shape[0]
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    by_label = sp.csc_matrix(y[perm])
    by_label.sort_indices()
    present = int(np.count_nonzero(np.diff(by_label.indptr)))
    per_label = int(min(5, max(1, size // max(2 * present, 1))))
    chosen = np.zeros(n, dtype=bool)
    for j in range(by_label.shape[1]):
        lo, hi = by_label.indptr[j], by_label.indptr[j + 1]
        chosen[by_label.indices[lo : min(hi, lo + per_label)]] = True  # positions in ``perm``
    first = np.flatnonzero(chosen)[: size]
    rest = np.flatnonzero(~chosen)[: size - first.size]  # ``perm`` order is already random
    return np.sort(perm[np.concatenate([first, rest])])


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
        """With ``concept_weight`` > 0, each concept's labels (preferred and alternative) as one feature
        row: in the project's language, or for a multilingual (``auto``) project in every UN language
        the vocabulary has, each analysed as its language (a label is too short to detect it) and the
        row L2-normalised again, so that a document in any of them meets its concept's wording."""
        if not self.params.concept_weight:
            return None
        vocab = self.context.vocab
        languages = [lang for lang in UN_LANGUAGES if lang in vocab.languages]
        if self.context.language != "auto" or not languages:
            return _label_rows(features, vocab, self.context.label_language, fallback=True)
        parts = [_label_rows(features, vocab, lang) for lang in languages]
        return normalise_rows(sum(parts[1:], parts[0]))

    def _concept_rows(self) -> int:
        """Most thesaurus rows learnt: all concepts, up to half of ``max_train_docs``."""
        p: LinearParams = self.params
        return min(len(self.context.vocab), p.max_train_docs // 2) if p.concept_weight else 0

    def _capped(self, concepts: sp.csr_matrix | None) -> bool:
        """Whether some concepts with wording would get no row."""
        if concepts is None or not self.params.concept_weight:
            return False
        return _filled(concepts).size > self._concept_rows()

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
        filled = _filled(concepts)
        counts = np.asarray(y.sum(axis=0)).ravel()
        # Among equally seen concepts, those whose wording more of the documents use come first: a
        # wording that no document uses teaches the ridge little (abo-en, 27k YSO concepts for 2,500
        # rows, 5-fold CV: nDCG 0.430 -> 0.444 against rows taken in id order).
        uses = sp.csr_matrix(concepts[filled], dtype=bool) @ sp.csr_matrix(x.T, dtype=bool)
        df = np.diff(sp.csr_matrix(uses).indptr)
        keep = np.sort(filled[np.lexsort((filled, -df, counts[filled]))][: self._concept_rows()])
        root = np.float32(np.sqrt(self.params.concept_weight))
        targets = sp.csr_matrix((np.full(keep.size, root), (np.arange(keep.size), keep)), shape=(keep.size, y.shape[1]))
        rows = root * sp.csr_matrix(concepts[keep], dtype=np.float32)
        y = sp.vstack([sp.csr_matrix(y, dtype=np.float32), targets], format="csr")
        columns = None
        if keep.size < filled.size:
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

    def fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None = None) -> None:
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
        # float64 keeps small problems exact; float32 halves the n^2 memory of large ones.
        dtype = np.float64 if x.shape[0] <= EXACT_DOCS else np.float32
        gram = _gram(x, dtype)
        gram[np.diag_indices_from(gram)] += self.params.alpha
        inverse = _spd_inverse(gram)
        # W = X^T A Y: the primal ridge solution, kept in dual form (X stays sparse). A Y = (Y^T A)^T
        # is a sparse-by-dense product (Y holds a few labels per document), made in column blocks of
        # the symmetric A so that no second documents x labels array is needed.
        yt = sp.csr_matrix(y.T, dtype=dtype)
        self.dual_ = np.empty(y.shape, dtype=np.float32)
        for lo in range(0, x.shape[0], GRAM_BLOCK):
            self.dual_[lo : lo + GRAM_BLOCK] = (yt @ inverse[:, lo : lo + GRAM_BLOCK]).T
        self.train_xt_ = sp.csr_matrix(x.T)
        self._inverse = inverse

    def fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None = None,
    ) -> sp.csr_matrix | None:
        if x.shape[0] > self._document_budget():
            return None  # the per-fold models would each learn from another sample
        if self._capped(concepts):
            # Which concepts get rows, and which labels are scored, follow label counts: decided with the
            # held-out document's own labels counted, they would differ from a model that never saw it
            # (its gold labels look more seen) and the ranker would learn that shift. Per-fold fits
            # instead: abo-en 5-fold CV F1@5 0.316 -> 0.330 (27k concepts, 2,500 rows); eurlex-en 3-fold
            # CV with rows capped at two per document in an experiment, 0.414 -> 0.428.
            return None
        n = y.shape[0]
        # Thesaurus rows follow the documents and are never held out: only documents' rows are scored.
        x, y, self.columns_ = self._with_concepts(x, y, concepts)
        self._fit_inverse(x, y)
        inverse, dual = self._inverse, self.dual_
        assert inverse is not None
        folds = np.unique(fold_of)
        if folds.size == n:
            # Leave-one-out: A_BB is the scalar A_ii. In row blocks: documents x labels arrays are big.
            diagonal = np.diag(inverse).copy()
            self._inverse = None
            del inverse
            parts = []
            for lo in range(0, n, GRAM_BLOCK):
                hi = min(n, lo + GRAM_BLOCK)
                held = y[lo:hi].toarray() - dual[lo:hi] / diagonal[lo:hi, None]
                parts.append(top_k_sparse(held.astype(np.float32), self.params.top_k, positive=False))
            return self._to_labels(sp.csr_matrix(sp.vstack(parts)))
        out = []
        order = []
        for fold in folds:
            rows = np.flatnonzero(fold_of == fold)
            block = inverse[np.ix_(rows, rows)]
            # Y_B - (A_BB)^-1 (AY)_B: the scores of a model fitted without fold B (see the module doc).
            held_out = y[rows].toarray() - scipy.linalg.solve(block, dual[rows].astype(block.dtype),
                                                              assume_a="pos", check_finite=False)
            out.append(top_k_sparse(held_out.astype(np.float32), self.params.top_k, positive=False))
            order.append(rows)
        self._inverse = None
        return self._to_labels(sp.csr_matrix(sp.vstack(out)[np.argsort(np.concatenate(order))]))

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return in_row_blocks(x, self._score_block, SCORE_BLOCK)

    def rank_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return in_row_blocks(x, self._raw_block, SCORE_BLOCK)

    def _score_block(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return self._to_labels(top_k_sparse(np.clip(self._raw(x), 0.0, 1.0), self.params.top_k))

    def _raw_block(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return self._to_labels(top_k_sparse(self._raw(x), self.params.top_k, positive=False))

    def _raw(self, x: sp.csr_matrix) -> np.ndarray:
        """Ridge outputs for the scored labels (about 0 for a label's absence, 1 for its presence)."""
        return (x @ self.train_xt_).toarray() @ self.dual_

    def save_matrix_model(self, directory: Path) -> None:
        save_sparse(directory / "linear-train-x.npz", self.train_x_)
        columns = {} if self.columns_ is None else {"columns": self.columns_}
        save_arrays(directory / "linear-dual.npz", dual=self.dual_, **columns)

    def load_matrix_model(self, directory: Path) -> None:
        self.train_xt_ = sp.csr_matrix(load_sparse(directory / "linear-train-x.npz").T)
        arrays = load_arrays(directory / "linear-dual.npz")
        self.dual_ = arrays["dual"]
        self.columns_ = arrays.get("columns")
