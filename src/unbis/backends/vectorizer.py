"""Tf-idf features over analyzer terms, persisted as JSON + npz (no pickle)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from unbis.errors import NotFittedError


class TermVectorizer:
    """Sublinear tf-idf over term uni/bigrams, L2-normalised rows.

    Fitting streams the documents once (only term counts are kept), so corpora larger than memory
    as strings still fit as long as the term vocabulary does.
    """

    def __init__(self, ngram: int = 1, min_df: int = 2, max_features: int | None = 500_000) -> None:
        self.ngram = ngram
        self.min_df = min_df
        self.max_features = max_features

    def _features(self, terms: list[str]) -> list[str]:
        if self.ngram < 2:
            return terms
        return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]

    def fit(self, term_lists: Iterable[list[str]]) -> TermVectorizer:
        df: Counter[str] = Counter()
        n_docs = 0
        for terms in term_lists:
            df.update(set(self._features(terms)))
            n_docs += 1
        kept = [(t, c) for t, c in df.items() if c >= self.min_df] or list(df.items())
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        if self.max_features:
            kept = kept[: self.max_features]
        self.vocabulary_ = {t: i for i, (t, _c) in enumerate(kept)}
        counts = np.array([c for _t, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + n_docs) / (1 + counts)) + 1.0).astype(np.float32)
        self.n_docs_ = n_docs
        return self

    def transform(self, term_lists: Sequence[list[str]]) -> sp.csr_matrix:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("vectorizer is not fitted")
        vocab = self.vocabulary_
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for terms in term_lists:
            counts = Counter(i for t in self._features(terms) if (i := vocab.get(t)) is not None)
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        x = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(term_lists), len(vocab)),
        )
        x.data = (1.0 + np.log(x.data)) * self.idf_[x.indices]
        return normalize(x, copy=False)

    def transform_texts(self, texts: Sequence[str], analyze: Callable[[str], list[str]]) -> sp.csr_matrix:
        return self.transform([analyze(t) for t in texts])

    def save(self, directory: Path, prefix: str = "vectorizer") -> None:
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        meta = {"ngram": self.ngram, "min_df": self.min_df, "max_features": self.max_features,
                "n_docs": self.n_docs_, "terms": terms}
        (directory / f"{prefix}.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        np.save(directory / f"{prefix}-idf.npy", self.idf_, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, prefix: str = "vectorizer") -> TermVectorizer:
        meta = json.loads((directory / f"{prefix}.json").read_text("utf-8"))
        vec = cls(meta["ngram"], meta["min_df"], meta["max_features"])
        vec.vocabulary_ = {t: i for i, t in enumerate(meta["terms"])}
        vec.idf_ = np.load(directory / f"{prefix}-idf.npy", allow_pickle=False)
        vec.n_docs_ = meta["n_docs"]
        return vec
