"""Shared tf-idf features over analyzer terms: word uni+bigrams (optionally character n-grams for
Chinese), sublinear tf, l2 norm. One fitted vectoriser feeds the linear, omikuji, knn and ensemble
backends so a text is analysed once. Saved as a JSON term list plus an ``.npz`` idf array (no pickle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend, load_arrays, load_json, save_arrays, save_json
from unbis.backends.params import check
from unbis.corpus.document import Document
from unbis.errors import InputError, NotFittedError

FEATURES_JSON = "features.json"
FEATURES_NPZ = "features.npz"


def label_matrix(documents: Sequence[Document], n_labels: int) -> sp.csr_matrix:
    """Documents x labels 0/1 matrix of gold subjects (out-of-range ids are an input error)."""
    indptr = [0]
    indices: list[int] = []
    for doc in documents:
        subjects = sorted(set(doc.subjects))
        if subjects and (subjects[0] < 0 or subjects[-1] >= n_labels):
            raise InputError(f"{doc.source or doc.name}: subject id outside the vocabulary of {n_labels}")
        indices.extend(subjects)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr)),
                         shape=(len(documents), n_labels))


class TfidfFeatures:
    """A tf-idf vectoriser over analyzer terms with a saved vocabulary (term -> column)."""

    def __init__(
        self,
        terms_of: Callable[[str], list[str]],
        ngram_max: int = 2,
        char_ngrams: int = 0,
        min_df: int = 2,
        max_features: int = 300_000,
        max_chars: int = 0,
    ) -> None:
        self.terms_of = terms_of
        self.ngram_max = ngram_max
        self.char_ngrams = char_ngrams  # >0: also character n-grams of that length inside each term
        self.min_df = min_df
        self.max_features = max_features
        self.max_chars = max_chars  # 0 = whole text; long texts can be cut to bound time
        self.vocabulary_: dict[str, int] | None = None
        self.idf_: np.ndarray | None = None

    # -- analysis ------------------------------------------------------------------------------
    def features_of(self, text: str) -> list[str]:
        """Index terms of one text: unigrams, bigrams of adjacent terms, optional character n-grams."""
        if self.max_chars:
            text = text[: self.max_chars]
        words = self.terms_of(text)
        feats = list(words)
        if self.ngram_max >= 2:
            feats.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
        if self.char_ngrams > 0:
            n = self.char_ngrams
            for w in words:
                if len(w) > n:
                    feats.extend("#" + w[i : i + n] for i in range(len(w) - n + 1))
        return feats

    # -- fitting -------------------------------------------------------------------------------
    def fit_transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Learn vocabulary and idf from ``texts`` and return their tf-idf matrix (one analysis pass)."""
        index: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            row: dict[int, int] = {}
            for f in self.features_of(text):
                j = index.setdefault(f, len(index))
                row[j] = row.get(j, 0) + 1
            indices.extend(row.keys())
            counts.extend(row.values())
            indptr.append(len(indices))
        if len(indptr) == 1:
            raise InputError("no documents to learn features from")
        raw = sp.csr_matrix((np.array(counts, dtype=np.float32), np.array(indices, dtype=np.int64),
                             np.array(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(index)))
        n_docs = raw.shape[0]
        df = np.bincount(raw.indices, minlength=raw.shape[1])
        keep = np.flatnonzero(df >= min(self.min_df, max(1, n_docs // 2)))
        if keep.size > self.max_features:
            # The most frequent features carry most evidence; ties broken by first appearance.
            keep = np.sort(keep[np.argsort(-df[keep], kind="stable")[: self.max_features]])
        if keep.size == 0:
            raise InputError("the training texts yield no index terms (empty or all stop words?)")
        terms = np.empty(len(index), dtype=object)
        for t, j in index.items():
            terms[j] = t
        self.vocabulary_ = {str(terms[j]): i for i, j in enumerate(keep)}
        # Smoothed idf as in scikit-learn: log((1+n)/(1+df)) + 1.
        self.idf_ = (np.log((1 + n_docs) / (1 + df[keep])) + 1).astype(np.float32)
        return self._weight(raw[:, keep])

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """tf-idf rows for ``texts`` with the fitted vocabulary (unknown terms are ignored)."""
        if self.vocabulary_ is None:
            raise NotFittedError("the feature extractor is not fitted")
        vocab = self.vocabulary_
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            row: dict[int, int] = {}
            for f in self.features_of(text):
                j = vocab.get(f)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            indices.extend(row.keys())
            counts.extend(row.values())
            indptr.append(len(indices))
        raw = sp.csr_matrix((np.array(counts, dtype=np.float32), np.array(indices, dtype=np.int64),
                             np.array(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(vocab)))
        return self._weight(raw)

    def _weight(self, raw: sp.csr_matrix) -> sp.csr_matrix:
        assert self.idf_ is not None
        x = sp.csr_matrix(raw, dtype=np.float32)
        x.sort_indices()
        x.data = 1.0 + np.log(x.data)  # sublinear tf: long documents do not drown short ones
        x = sp.csr_matrix(x.multiply(self.idf_[np.newaxis, :]), dtype=np.float32)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x = sp.csr_matrix(sp.diags(1.0 / norms) @ x, dtype=np.float32)
        x.indices = x.indices.astype(np.int32)
        x.indptr = x.indptr.astype(np.int64 if x.nnz > 2**31 - 1 else np.int32)
        return x

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_ or {})

    # -- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path, prefix: str = "") -> None:
        if self.vocabulary_ is None or self.idf_ is None:
            raise NotFittedError("the feature extractor is not fitted; nothing to save")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        save_json(directory / (prefix + FEATURES_JSON), {
            "ngram_max": self.ngram_max, "char_ngrams": self.char_ngrams, "min_df": self.min_df,
            "max_features": self.max_features, "max_chars": self.max_chars, "terms": terms,
        })
        save_arrays(directory / (prefix + FEATURES_NPZ), idf=self.idf_)

    @classmethod
    def load(cls, directory: Path, terms_of: Callable[[str], list[str]], prefix: str = "") -> TfidfFeatures:
        meta = load_json(directory / (prefix + FEATURES_JSON))
        feats = cls(terms_of, ngram_max=meta["ngram_max"], char_ngrams=meta["char_ngrams"],
                    min_df=meta["min_df"], max_features=meta["max_features"], max_chars=meta["max_chars"])
        feats.vocabulary_ = {t: i for i, t in enumerate(meta["terms"])}
        feats.idf_ = load_arrays(directory / (prefix + FEATURES_NPZ))["idf"].astype(np.float32)
        if feats.idf_.shape[0] != len(feats.vocabulary_):
            raise NotFittedError(f"{directory}: feature vocabulary and idf disagree; retrain the project")
        return feats


def top_k_sparse(scores: np.ndarray | sp.spmatrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` best scores of each row (positive scores only) as CSR."""
    dense = np.asarray(scores.todense()) if sp.issparse(scores) else np.asarray(scores)  # type: ignore[union-attr]
    n, m = dense.shape
    k = min(k, m)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, idx, axis=1)
    rows = np.repeat(np.arange(n), k)
    mask = vals.ravel() > 0
    return sp.csr_matrix((vals.ravel()[mask].astype(np.float32), (rows[mask], idx.ravel()[mask])),
                         shape=(n, m))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass(frozen=True)
class FeatureParams:
    """Feature settings shared by the backends built on ``TfidfFeatures``.

    ngram_max: 1 = words, 2 = words and bigrams. char_ngrams: >0 adds character n-grams of that length
    inside each term (useful for Chinese). min_df: drop features seen in fewer documents.
    max_features: keep at most this many (most frequent). max_chars: analyse only the first N characters (0 = all).
    """

    ngram_max: int = 2
    char_ngrams: int = 0
    min_df: int = 2
    max_features: int = 300_000
    max_chars: int = 0

    def __post_init__(self) -> None:
        check(self.ngram_max in (1, 2), f"ngram_max must be 1 or 2, not {self.ngram_max}")
        check(0 <= self.char_ngrams <= 5, f"char_ngrams must be 0..5, not {self.char_ngrams}")
        check(self.min_df >= 1, f"min_df must be >= 1, not {self.min_df}")
        check(self.max_features >= 1, f"max_features must be >= 1, not {self.max_features}")
        check(self.max_chars >= 0, f"max_chars must be >= 0, not {self.max_chars}")


def make_features(backend: Backend, params: FeatureParams) -> TfidfFeatures:
    """A feature extractor configured from ``params`` that analyses text like ``backend``'s context."""
    ctx = backend.context
    return TfidfFeatures(lambda text: ctx.analyzer_for(text).terms(text), ngram_max=params.ngram_max,
                         char_ngrams=params.char_ngrams, min_df=params.min_df,
                         max_features=params.max_features, max_chars=params.max_chars)


class FeatureBackend(Backend):
    """A backend that learns from a tf-idf matrix. The ensemble calls ``fit_matrix``/``score_matrix``
    directly with features it computed once for all members."""

    features_: TfidfFeatures

    def _fit(self, documents: Iterable[Document]) -> None:
        docs = [d for d in documents if d.subjects]
        if not docs:
            raise InputError(f"{self.name} needs labelled documents; the training corpus has none")
        self.features_ = make_features(self, self.params)
        x = self.features_.fit_transform(d.text for d in docs)
        self.fit_matrix(x, label_matrix(docs, len(self.context.vocab)))

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.score_matrix(self.features_.transform(texts))

    def _save(self, directory: Path) -> None:
        self.features_.save(directory)
        self.save_matrix_model(directory)

    def _load(self, directory: Path) -> None:
        ctx = self.context
        self.features_ = TfidfFeatures.load(directory, lambda text: ctx.analyzer_for(text).terms(text))
        self.load_matrix_model(directory)

    # -- hooks on matrices ----------------------------------------------------------------------
    def fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix) -> None:
        """Learn from documents x features ``x`` and documents x labels 0/1 ``y``."""
        raise NotImplementedError

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Documents x labels scores in [0, 1] for feature rows ``x``."""
        raise NotImplementedError

    def save_matrix_model(self, directory: Path) -> None:
        raise NotImplementedError

    def load_matrix_model(self, directory: Path) -> None:
        raise NotImplementedError
