"""The base of the backends that learn from the shared tf-idf matrix (tfidf, linear, knn, omikuji)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend, Context
from unbis.corpus.document import Document
from unbis.corpus.labelled import LabelledDocuments
from unbis.errors import NotFittedError
from unbis.learning.tfidf import FeatureParams, TfidfFeatures


def make_features(ctx: Context, params: FeatureParams) -> TfidfFeatures:
    """A feature extractor configured from ``params`` that analyses text as ``ctx`` says (the project
    language, or the language detected per document)."""
    return TfidfFeatures(lambda text: ctx.analyzer_for(text).terms(text), ngram_max=params.ngram_max,
                         char_ngrams=params.char_ngrams, min_df=params.min_df,
                         max_features=params.max_features, max_chars=params.max_chars)


class FeatureBackend(Backend):
    """A backend that learns from tf-idf rows.

    Alone, it fits its own ``TfidfFeatures`` on the training texts. As a member of the default pipeline it
    learns from the rows the pipeline computed once for all members (``fit_matrix``), and may give
    held-out scores of every training row from one fit (``fit_out_of_fold``), which the pipeline's
    out-of-fold protocol then uses instead of one fit per fold.

    Subclasses implement ``_fit_matrix``, ``score_matrix``, ``_save_matrix`` and ``_load_matrix``, and
    may override ``rank_matrix``, ``concept_rows``, ``training_rows`` and ``_fit_out_of_fold``.

    Attributes
    ----------
    features_ : TfidfFeatures
        The fitted vectoriser whose rows the model learnt from (shared, not copied, in a pipeline).
    """

    features_: TfidfFeatures

    # -- the Backend hooks -----------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        features = make_features(self.context, self.params)
        x, y = LabelledDocuments(documents).fit_features(features, len(self.context.vocab), self.name)
        self.features_ = features
        self._fit_matrix(x, y, self.concept_rows(features))

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.score_matrix(self.features_.transform(texts))

    def _save(self, directory: Path) -> None:
        self.features_.save(directory)
        self._save_matrix(directory)

    def _load(self, directory: Path) -> None:
        ctx = self.context
        self.features_ = TfidfFeatures.load(directory, lambda text: ctx.analyzer_for(text).terms(text))
        self._load_matrix(directory)

    # -- fitting and saving on shared rows -----------------------------------------------------------
    def fit_matrix(
        self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None = None,
        features: TfidfFeatures | None = None,
    ) -> Self:
        """Learn from documents x features ``x`` and documents x labels 0/1 ``y``.

        Parameters
        ----------
        x, y : the training rows and their labels.
        concepts : the feature rows of ``concept_rows()``, given only when there are any.
        features : the fitted vectoriser that made ``x``, kept so that ``suggest_batch`` works.
        """
        if features is not None:
            self.features_ = features
        self._fit_matrix(x, y, concepts)
        self.fitted_ = True
        return self

    def fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None = None,
        features: TfidfFeatures | None = None,
    ) -> sp.csr_matrix | None:
        """Fit on all rows and return every row's ``rank_matrix`` scores from a model that never saw its
        fold (``fold_of``: each row's fold; leave-one-out when every row is its own), if this backend
        can do so without one fit per fold. Else None, the model stays unfitted, and the caller fits one
        model per fold."""
        if features is not None:
            self.features_ = features
        scores = self._fit_out_of_fold(x, y, fold_of, concepts)
        if scores is not None:
            self.fitted_ = True
        return scores

    def save_matrix_model(self, directory: Path) -> None:
        """Write the learned state without the vectoriser (a pipeline saves that once for all members)."""
        if not self.fitted_:
            raise NotFittedError(f"backend {self.name!r} is not trained; nothing to save")
        self._save_matrix(directory)

    @classmethod
    def load_matrix_model(
        cls, directory: Path, context: Context, params: dict[str, Any], features: TfidfFeatures,
    ) -> Self:
        """A member saved by ``save_matrix_model``, scoring rows of the pipeline's ``features``."""
        backend = cls(context, **params)
        backend.features_ = features
        backend._load_matrix(directory)
        backend.fitted_ = True
        return backend

    # -- hooks on matrices -------------------------------------------------------------------------
    def concept_rows(self, features: TfidfFeatures) -> sp.csr_matrix | None:
        """One feature row per concept (by id) that this backend also learns from, made with the fitted
        ``features``; none by default. Callers pass them to ``fit_matrix`` as ``concepts``."""
        return None

    def training_rows(self, y: sp.csr_matrix) -> np.ndarray | None:
        """The rows that ``fit_matrix`` learns from when it uses only some (None: all of them), so
        that a caller can build the inputs of those rows only."""
        return None

    def rank_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Scores that rank each row's candidates, on the model's own scale (any real number): what a
        learned ranker should see. ``score_matrix`` by default; a model whose scores are clipped
        to [0, 1] gives its raw outputs here, so that labels it scores below zero still rank."""
        return self.score_matrix(x)

    @abstractmethod
    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Documents x labels scores in [0, 1] for feature rows ``x``."""

    @abstractmethod
    def _fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None) -> None: ...

    def _fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None,
    ) -> sp.csr_matrix | None:
        return None

    @abstractmethod
    def _save_matrix(self, directory: Path) -> None: ...

    @abstractmethod
    def _load_matrix(self, directory: Path) -> None: ...
