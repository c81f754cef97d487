"""Stage 4 of the default pipeline: what the ranker knows of each candidate (document, concept) pair.

Per scoring member: its score, log rank and score relative to the document's best. Then how many members
proposed the pair, the concept's prior (log share of training documents assigned it), and how much of its
label's wording occurs in the text and in its opening zone. Per evidence member: its evidence columns,
how often a concept it finds is assigned, and how common finding it is.

Corpus statistics are computed out of fold in training, like member scores: each document sees the
statistics of the other folds only. Leave-one-out counts would differ between a concept's positive and
negative documents (count - 1 against count), a shift that the ranker would learn and that never occurs
on new text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Context
from unbis.errors import IncompatibleModelError
from unbis.learning.sparse import lookup, row_best, row_ranks
from unbis.learning.tfidf import TfidfFeatures
from unbis.persistence import load_arrays, save_arrays

STATE = "ensemble.npz"
WORDING = "label-features.npz"
#: Training folds: each training document's fold, and the gold labels.
Folds = tuple[np.ndarray, sp.csr_matrix]


def label_wording(features: TfidfFeatures, context: Context) -> sp.csr_matrix:
    """Concepts x features, each row summing to 1 over its label's wording: the label's terms, or for a
    multi-word label its bigrams (features missing from the vocabulary still count in the denominator)."""
    vocab = context.vocab
    lang = context.label_language
    analyzer = context.analyzer
    index = features.vocabulary_ or {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for cid in range(len(vocab)):
        terms = analyzer.terms(vocab.label(cid, lang))
        if not terms:
            continue
        feats = terms if len(terms) == 1 or features.ngram_max < 2 else [
            f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
        for f in feats:
            j = index.get(f)
            if j is not None:
                rows.append(cid)
                cols.append(j)
                vals.append(1.0 / len(feats))
    return sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(vocab), features.n_features))


class CandidateFeatures:
    """The feature rows of candidate pairs, and the corpus statistics they need.

    Parameters
    ----------
    context : the vocabulary and project language (the labels' wording is read in its label language).
    per_member : candidates taken from each scoring member; a pair a member did not rank gets ten times
        that as its rank.

    Attributes
    ----------
    n_train_ : int
        Training documents.
    label_count_ : ndarray of shape (n_concepts,)
        Training documents assigned each concept.
    label_wording_ : sparse matrix of shape (n_concepts, n_features)
        ``label_wording`` of the fitted vectoriser.
    found_df_, found_hit_ : dict of str to ndarray of shape (n_concepts,)
        Per evidence member, training documents in which it found each concept, and of those the ones
        assigned it (estimated on the ranker sample, scaled to the corpus).
    """

    n_train_: int
    label_count_: np.ndarray
    label_wording_: sp.csr_matrix

    def __init__(self, context: Context, per_member: int) -> None:
        self.context = context
        self.per_member = per_member
        self.found_df_: dict[str, np.ndarray] = {}
        self.found_hit_: dict[str, np.ndarray] = {}

    def fit(self, features: TfidfFeatures, y: sp.csr_matrix) -> Self:
        """Learn the concepts' priors and wording from the whole corpus's labels ``y``."""
        self.n_train_ = y.shape[0]
        self.label_count_ = np.asarray(y.sum(axis=0)).ravel().astype(np.float32)
        self.label_wording_ = label_wording(features, self.context)
        return self

    def fit_evidence(self, name: str, found: sp.csr_matrix, y: sp.csr_matrix) -> None:
        """How often evidence member ``name`` finds each concept, and finds it assigned, in the ranker
        sample (``found``, ``y``), scaled to the corpus so that it stays comparable with ``n_train_``."""
        scale = np.float32(self.n_train_ / y.shape[0])
        self.found_df_[name] = np.asarray(found.sum(axis=0)).ravel().astype(np.float32) * scale
        self.found_hit_[name] = np.asarray(found.multiply(y).sum(axis=0)).ravel().astype(np.float32) * scale

    # -- feature rows ------------------------------------------------------------------------------
    def transform(
        self, rows: np.ndarray, cols: np.ndarray, proposers: np.ndarray, scores: list[sp.csr_matrix],
        x: sp.csr_matrix, x_title: sp.csr_matrix, evidence: dict[str, list[sp.csr_matrix]],
        folds: Folds | None = None, crosslingual: bool = False,
    ) -> np.ndarray:
        """The feature matrix (float32) of the pairs (``rows``, ``cols``).

        Parameters
        ----------
        proposers : how many members proposed each pair.
        scores : each scoring member's scores; ``x``, ``x_title``: the documents' tf-idf rows.
        evidence : per evidence member, its ``evidence_matrices``.
        folds : in training, each document's fold and the gold labels: statistics then come from the
            other folds.
        crosslingual : for documents in another language than the training documents': only what the
            document's own evidence says. No lexical coverage (the wording is the training language's;
            ``x`` and ``x_title`` are not read) and no corpus statistics (priors, how often what a member
            finds is assigned): they describe the training corpus, whose language and kind of text these
            documents are not, and a ranker that learnt from them orders other documents by the training
            corpus's frequent labels.
        """
        columns = []
        for s in scores:
            s = sp.csr_matrix(s)
            value = lookup(s, rows, cols)
            rank = lookup(row_ranks(s), rows, cols)
            rank[rank == 0] = self.per_member * 10  # not scored by this member at all
            best = row_best(s)[rows]
            columns += [value, np.log1p(rank), value / np.maximum(np.abs(best), 1e-6)]
        columns.append(proposers)
        if not crosslingual:  # the corpus statistics, computed only where they are read
            count, n_docs = self._label_statistics(rows, cols, folds)
            columns.append(np.log((count + 0.1) / np.maximum(n_docs, 1)))
            columns.append(lookup(self._coverage(x), rows, cols))
            columns.append(lookup(self._coverage(x_title), rows, cols))
        for name, matrices in evidence.items():
            columns += [lookup(e, rows, cols) for e in matrices]
            if not crosslingual:
                df, hit = self._evidence_statistics(name, matrices[-1], rows, cols, folds)
                columns.append((hit + 0.2) / (df + 1.0))
                columns.append(np.log1p(df) / np.log1p(np.maximum(n_docs, 1)))
        return np.column_stack(columns).astype(np.float32)

    def _coverage(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Documents x concepts: the share of each label's wording that occurs in the document."""
        binary = sp.csr_matrix(x, copy=True)
        binary.data[:] = 1.0
        return sp.csr_matrix(binary @ self.label_wording_.T)

    def _label_statistics(self, rows: np.ndarray, cols: np.ndarray, folds: Folds | None) -> tuple[np.ndarray, ...]:
        """Per pair: documents assigned the concept, and documents counted."""
        if folds is None:
            return self.label_count_[cols], np.full(rows.size, self.n_train_, np.float32)
        fold_of, y = folds
        out = np.zeros((2, rows.size), np.float32)
        for fold in np.unique(fold_of):
            pairs = fold_of[rows] == fold
            others = sp.diags((fold_of != fold).astype(np.float32))
            out[0, pairs] = np.asarray((others @ y).sum(axis=0)).ravel()[cols[pairs]]
            out[1, pairs] = np.count_nonzero(fold_of != fold)
        return out[0], out[1]

    def _evidence_statistics(
        self, name: str, found: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, folds: Folds | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: documents in which evidence member ``name`` found the concept, and of those the ones
        assigned it."""
        if folds is None:
            return self.found_df_[name][cols], self.found_hit_[name][cols]
        fold_of, y = folds
        out = np.zeros((2, rows.size), np.float32)
        for fold in np.unique(fold_of):
            pairs = fold_of[rows] == fold
            others = sp.diags((fold_of != fold).astype(np.float32))
            matched = others @ found
            out[0, pairs] = np.asarray(matched.sum(axis=0)).ravel()[cols[pairs]]
            out[1, pairs] = np.asarray(matched.multiply(y).sum(axis=0)).ravel()[cols[pairs]]
        return out[0], out[1]

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        arrays = {"label_count": self.label_count_, "n_train": np.array([self.n_train_])}
        for name in self.found_df_:
            arrays.update({f"found_df-{name}": self.found_df_[name], f"found_hit-{name}": self.found_hit_[name]})
        save_arrays(directory / STATE, **arrays)
        sp.save_npz(directory / WORDING, self.label_wording_, compressed=False)

    def load(self, directory: Path, evidence: list[str]) -> Self:
        """The statistics saved in ``directory`` for the evidence members ``evidence``."""
        arrays = load_arrays(directory / STATE)
        if "label_count" not in arrays:
            raise IncompatibleModelError(f"{directory}: ensemble model of an older format; retrain the project")
        if "match_df" in arrays:  # saved before evidence members were named: the matcher was the only one
            arrays.update({"found_df-matcher": arrays["match_df"], "found_hit-matcher": arrays["match_hit"]})
        self.label_count_ = arrays["label_count"]
        self.n_train_ = int(arrays["n_train"][0])
        for name in evidence:
            if f"found_df-{name}" not in arrays:
                raise IncompatibleModelError(f"{directory}: no statistics of the member {name!r}; retrain the project")
            self.found_df_[name] = arrays[f"found_df-{name}"]
            self.found_hit_[name] = arrays[f"found_hit-{name}"]
        self.label_wording_ = sp.csr_matrix(sp.load_npz(directory / WORDING))
        return self
