"""The backend contract: hyperparameters in __init__, learned state in attributes ending in ``_``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, Analyzer, detect_language, get_analyzer
from unbis.backends.params import build_params, params_to_dict
from unbis.corpus.document import Document
from unbis.errors import NotFittedError
from unbis.parallel import parallel_map
from unbis.vocab.subject_index import Vocabulary


@dataclass(frozen=True)
class Context:
    """What every backend needs besides its own parameters: the vocabulary and the project language.

    ``language`` is a UN language code, or ``"auto"`` to detect it per document (multilingual projects).
    """

    vocab: Vocabulary
    language: str = "en"

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer of a single-language project (English when the language is ``auto``)."""
        return get_analyzer("en" if self.language == "auto" else self.language)

    @property
    def label_language(self) -> str:
        """The language of the labels that stand for concepts in text: the project language, or the
        vocabulary's default one when the language is detected per document."""
        return self.vocab.default_language if self.language == "auto" else self.language

    def analyzer_for(self, text: str) -> Analyzer:
        """The analyzer for one document: the project language, or the detected one."""
        if self.language == "auto":
            return get_analyzer(detect_language(text))
        return get_analyzer(self.language)


#: Added to every stored evidence value (``Backend.evidence_batch``).
STORED_ZERO = 1e-6


@dataclass(frozen=True)
class NoParams:
    pass


class Backend(ABC):
    """A suggestion algorithm. Subclasses set ``name``, ``Params`` and implement the underscored hooks.

    ``suggest_batch`` returns a CSR matrix (documents x vocabulary size) of scores in [0, 1];
    evaluation consumes it directly.

    As a member of the default pipeline (``ensemble``), a backend declares what it gives through two
    class attributes, never through its name:

    * ``member_scores``: its scores (``suggest_batch``, or ``rank_matrix`` for tf-idf backends) propose
      candidates and become ranker features. Such a member is fitted out of fold: once per fold, or in
      one fit when it can score held-out rows itself (``FeatureBackend.fit_out_of_fold``).
    * ``member_evidence``: it describes each (document, concept) pair it finds with the columns
      ``evidence_columns()``, from ``evidence_rows(text, language)``; every pair it finds is a candidate. An
      evidence member is used as fitted without documents (``fit([])``): its evidence must not depend
      on the training corpus, so it needs no out-of-fold protocol, and the pipeline learns from its
      rows how often what it finds is assigned.
    * ``crosslingual``: what it gives means the same for a document in any language of
      ``languages_served()`` (labels matched in the document's own language, multilingual embeddings),
      so that a project trained on documents in one language can use it for documents in the others.

    Parameters
    ----------
    context : the vocabulary and the project language.
    params : an instance of ``Params``, or None for its defaults; ``overrides`` replace single fields
        (strings from the command line are typed and validated by ``Params``).

    Attributes
    ----------
    fitted_ : bool
        Set by ``fit`` (and by loading a saved model): suggesting before is a ``NotFittedError``.
    """

    name: ClassVar[str]
    Params: ClassVar[type] = NoParams
    #: Whether ``fit`` needs labelled documents (the matcher does not).
    requires_training: ClassVar[bool] = True
    #: As a pipeline member, whether its scores are candidates and ranker features.
    member_scores: ClassVar[bool] = True
    #: As a pipeline member, whether it gives evidence rows (``evidence_columns`` / ``evidence_rows``).
    member_evidence: ClassVar[bool] = False
    #: Whether its scores or evidence mean the same in every language it serves (see above).
    crosslingual: ClassVar[bool] = False

    def __init__(self, context: Context, params: Any = None, **overrides: Any) -> None:
        self.context = context
        if params is None:
            params = build_params(self.Params, overrides)
        elif overrides:
            params = build_params(self.Params, {**params_to_dict(params), **overrides})
        self.params = params
        self.fitted_: bool = False

    # -- public API --------------------------------------------------------------------------
    def fit(self, documents: Iterable[Document]) -> Self:
        """Learn from labelled documents. ``documents`` may be iterated more than once."""
        self._fit(documents)
        self.fitted_ = True
        return self

    def suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Score every vocabulary concept for each text (sparse: only candidates are stored)."""
        if not self.fitted_:
            raise NotFittedError(f"backend {self.name!r} is not trained: run `unbis train` first")
        if not texts:
            return sp.csr_matrix((0, len(self.context.vocab)), dtype=np.float32)
        scores = self._suggest_batch(texts)
        return sp.csr_matrix(scores, dtype=np.float32)

    def save(self, directory: Path) -> None:
        """Write learned state into ``directory`` (already created; the project makes it atomic)."""
        if not self.fitted_:
            raise NotFittedError(f"backend {self.name!r} is not trained; nothing to save")
        self._save(directory)

    @classmethod
    def load(cls, directory: Path, context: Context, params: dict[str, Any]) -> Self:
        backend = cls(context, **params)
        backend._load(directory)
        backend.fitted_ = True
        return backend

    def params_dict(self) -> dict[str, Any]:
        return params_to_dict(self.params)

    def fit_documents_out_of_fold(self, documents: Sequence[Document], fold_of: np.ndarray) -> sp.csr_matrix | None:
        """Fit on ``documents`` and return each one's scores from a model that never saw its fold
        (``fold_of``: each document's fold), if this backend can do so in one fit; else None, and a
        pipeline fits one model per fold. A backend that learns nothing from documents can: its scores
        are out of fold whatever it was fitted on."""
        if self.requires_training:
            return None
        return self.fit([]).suggest_batch([d.text for d in documents])

    def languages_served(self) -> frozenset[str]:
        """The UN languages of the documents it can give suggestions for: the project's language, or
        every UN language for a multilingual (``auto``) project."""
        if self.context.language == "auto":
            return frozenset(UN_LANGUAGES)
        return frozenset({self.context.language})

    # -- as an evidence member of a pipeline ---------------------------------------------------------
    def evidence_columns(self) -> tuple[str, ...]:
        """The names of the evidence columns, in order (saved with a pipeline: a ranker learnt on other
        columns must not read these)."""
        raise NotImplementedError(f"backend {self.name!r} gives no evidence rows")

    def evidence_rows(self, text: str, language: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The concept ids found in ``text`` (written in ``language``; None: detect it if it matters)
        and one row of ``evidence_columns()`` values for each."""
        raise NotImplementedError(f"backend {self.name!r} gives no evidence rows")

    def evidence_batch(
        self, texts: Sequence[str], languages: Sequence[str | None], jobs: int = 1,
    ) -> list[sp.csr_matrix]:
        """The evidence for ``texts``: per column of ``evidence_columns()`` a documents x concepts matrix,
        then one marking (1) the concepts found. Built from ``evidence_rows`` text by text, on ``jobs``
        processes (0: every core); a member that evidences a batch at once (embeddings) overrides this.

        Every found pair is stored in every column (a value of 0 is stored as ``STORED_ZERO``), so that
        "found, value 0" differs from "not found"."""
        width = len(self.evidence_columns())  # fixed, so that a text with nothing found still has every column

        def rows_of(item: tuple[str, str | None]) -> tuple[np.ndarray, np.ndarray]:
            c, r = self.evidence_rows(*item)
            return np.asarray(c, dtype=np.int64), np.asarray(r, dtype=np.float32).reshape(len(c), width)

        indptr = [0]
        concepts: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for c, r in parallel_map(rows_of, list(zip(texts, languages, strict=True)), jobs):
            concepts.append(c)
            rows.append(r)
            indptr.append(indptr[-1] + len(c))
        cols = np.concatenate(concepts) if concepts else np.zeros(0, dtype=np.int64)
        data = np.concatenate(rows) if rows else np.zeros((0, width), np.float32)
        shape = (len(texts), len(self.context.vocab))
        out = [sp.csr_matrix((data[:, k] + STORED_ZERO, cols, np.array(indptr)), shape=shape) for k in range(width)]
        out.append(sp.csr_matrix((np.ones(len(cols), np.float32), cols, np.array(indptr)), shape=shape))
        return out

    # -- hooks -------------------------------------------------------------------------------
    @abstractmethod
    def _fit(self, documents: Iterable[Document]) -> None: ...

    @abstractmethod
    def _suggest_batch(self, texts: Sequence[str]) -> sp.spmatrix | np.ndarray: ...

    @abstractmethod
    def _save(self, directory: Path) -> None: ...

    @abstractmethod
    def _load(self, directory: Path) -> None: ...
