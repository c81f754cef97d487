"""Stage 1 of the default pipeline: the members, built by name, fed and fitted as each one declares.

A member is any registered backend. What it gives the pipeline is declared on its class
(``Backend.member_scores``, ``Backend.member_evidence``); how it is fed follows from its type: a
``FeatureBackend`` learns from the tf-idf rows the pipeline computes once for every member, any other
backend from the texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend, Context
from unbis.backends.feature_backend import FeatureBackend
from unbis.backends.params import build_params
from unbis.backends.registry import get_backend_class
from unbis.corpus.document import Document
from unbis.errors import ParameterError
from unbis.learning.sparse import normalise_rows
from unbis.learning.tfidf import TfidfFeatures

#: Members' settings that differ in the pipeline from the backend's own defaults, as ``member.key``.
#: As a candidate source, knn proposes the labels of more neighbours. The thesaurus ridge learns from at
#: most 5,000 rows (up to 2,500 concepts, the least-seen first, and documents): its scoring cost grows
#: with its rows, and next to ``linear`` its value is in rare labels; there it also gains from half-weight
#: thesaurus rows and a stronger penalty. The semantic member reads 2 passages (the opening zone and one
#: more): next to the other members more passages add nothing measurable, and each costs the encoder's
#: time on every document. The matcher keeps an -ing label's matches by other forms of its verb
#: ("learn" for LEARNING): the ranker learns what they are worth (benchmarks/results/pipeline-decisions.md).
MEMBER_DEFAULTS: dict[str, Any] = {"knn.k": 25, "linear_thesaurus.max_train_docs": 5_000,
                                   "linear_thesaurus.concept_weight": 0.5, "linear_thesaurus.alpha": 0.3,
                                   "semantic.max_passages": 2, "matcher.gerunds": False}


def member_params(dotted: dict[str, Any], members: list[str]) -> dict[str, dict[str, Any]]:
    """``{"linear.alpha": "0.05"}`` -> ``{"linear": {"alpha": 0.05}}``: typed and validated by the
    member's parameter class; a key for a backend that is not a member is an error."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, value in dotted.items():
        name, _, key_name = key.partition(".")
        if name not in members:
            raise ParameterError(f"parameter {key}: {name!r} is not a member of this ensemble "
                                 f"(members: {', '.join(members)})")
        grouped.setdefault(name, {})[key_name] = value
    typed: dict[str, dict[str, Any]] = {}
    for name, values in grouped.items():
        params: Any = build_params(get_backend_class(name).Params, values)
        typed[name] = {k: getattr(params, k) for k in values}
    return typed


@dataclass
class Inputs:
    """What members see of a set of documents.

    Attributes
    ----------
    x : the documents' tf-idf rows.
    x_title : the tf-idf rows of their opening zones (empty rows where a zone is not needed).
    texts : the texts, for members that read them (may be empty while training when none does).
    """

    x: sp.csr_matrix
    x_title: sp.csr_matrix
    texts: Sequence[str] = field(default_factory=list)

    def rows(self, index: np.ndarray, documents: Sequence[Document] | None = None) -> Inputs:
        """The inputs of the documents at ``index`` (texts from ``documents`` when given)."""
        texts = [documents[i].text for i in index] if documents else []
        return Inputs(self.x[index], self.x_title[index], texts)


class Members:
    """The members of one pipeline: how each is built, fed, fitted out of fold and scored.

    Parameters
    ----------
    context : the project's vocabulary and language, shared by every member.
    names : the members, in the order their score columns take.
    params : each member's overridden hyperparameters (``member_params``).
    title_zone : tf-idf members that also see the opening zone as separate features.
    title_weight : the zone's weight beside the whole text for those members.
    """

    def __init__(self, context: Context, names: list[str], params: dict[str, dict[str, Any]],
                 title_zone: list[str], title_weight: float) -> None:
        self.context = context
        self.names = names
        self.params = params
        self.title_zone = title_zone
        self.title_weight = title_weight

    # -- what each member is ---------------------------------------------------------------------
    @property
    def scoring(self) -> list[str]:
        """Members whose scores are candidates and ranker features."""
        return [n for n in self.names if get_backend_class(n).member_scores]

    @property
    def evidence(self) -> list[str]:
        """Members that give evidence rows."""
        return [n for n in self.names if get_backend_class(n).member_evidence]

    def new(self, name: str) -> Backend:
        return get_backend_class(name)(self.context, **self.params.get(name, {}))

    @staticmethod
    def reads_texts(name: str) -> bool:
        """Whether a member learns from texts rather than from the shared feature rows."""
        return not issubclass(get_backend_class(name), FeatureBackend)

    def new_evidence(self, name: str) -> Backend:
        """An evidence member as the pipeline uses it: fitted without documents (see ``Backend``)."""
        return self.new(name).fit([])

    # -- feeding ---------------------------------------------------------------------------------
    def input(self, name: str, x: sp.csr_matrix, x_title: sp.csr_matrix) -> sp.csr_matrix:
        """The feature rows a tf-idf member sees: ``x``, or for title-zone members ``x`` followed by the
        weighted opening zone as separate columns, each row L2-normalised again, so that a term in the
        title weighs more than the same term deep in the body."""
        if name not in self.title_zone:
            return x
        return normalise_rows(sp.hstack([x, self.title_weight * x_title], format="csr", dtype=np.float32))

    def concept_input(self, name: str, member: FeatureBackend, features: TfidfFeatures) -> sp.csr_matrix | None:
        """The member's ``concept_rows`` (None without any) in the member's input space: a label is
        short, so it is its own opening zone, as a short document is."""
        rows = member.concept_rows(features)
        return None if rows is None else self.input(name, rows, rows)

    def zoned_rows(self, y: sp.csr_matrix, in_sample: np.ndarray) -> np.ndarray:
        """Documents whose opening zone is used: the ranker sample's and the rows that title-zone
        members learn from. The others' zones stay empty, so a large corpus is not analysed a second
        time for rows nobody reads."""
        zoned = in_sample.copy()
        for name in self.title_zone:
            member = self.new(name)
            rows = member.training_rows(y) if isinstance(member, FeatureBackend) else None
            zoned[np.arange(y.shape[0]) if rows is None else rows] = True
        return zoned

    # -- fitting and scoring -------------------------------------------------------------------------
    def fit(self, name: str, features: TfidfFeatures, inputs: Inputs, y: sp.csr_matrix,
            documents: Iterable[Document]) -> Backend:
        """Member ``name`` fitted on every row of ``inputs`` (tf-idf members) or on ``documents``."""
        member = self.new(name)
        if isinstance(member, FeatureBackend):
            x, x_title = inputs.x, inputs.x_title
            rows = member.training_rows(y)
            if rows is not None:  # build the (title-zone) input of the rows it learns from only
                x, x_title, y = x[rows], x_title[rows], y[rows]
            return member.fit_matrix(self.input(name, x, x_title), y, self.concept_input(name, member, features),
                                     features=features)
        return member.fit(documents if member.requires_training else [])

    def scores(self, name: str, member: Backend, inputs: Inputs) -> sp.csr_matrix:
        """Member scores of ``inputs`` on the scale a ranker should see (``rank_matrix``)."""
        if isinstance(member, FeatureBackend):
            return sp.csr_matrix(member.rank_matrix(self.input(name, inputs.x, inputs.x_title)))
        return member.suggest_batch(list(inputs.texts))

    def out_of_fold(
        self, name: str, features: TfidfFeatures, inputs: Inputs, y: sp.csr_matrix, documents: list[Document],
        fold_of: np.ndarray, leave_one_out: bool,
    ) -> tuple[sp.csr_matrix, Backend | None]:
        """Every row's scores from a model of ``name`` that never saw its fold, and that member fitted
        on all rows when it got them in one fit (``fit_out_of_fold``, held out one by one with
        ``leave_one_out``); else one fit per fold. ``documents`` (the rows' documents) is read only for
        members that learn from texts, and may be empty."""
        member = self.new(name)
        held_out = np.arange(y.shape[0]) if leave_one_out else fold_of
        if isinstance(member, FeatureBackend):
            direct = member.fit_out_of_fold(self.input(name, inputs.x, inputs.x_title), y, held_out,
                                            self.concept_input(name, member, features), features=features)
        else:
            direct = member.fit_documents_out_of_fold(documents, held_out)
        if direct is not None:
            return sp.csr_matrix(direct), member
        parts: list[sp.csr_matrix] = []
        order: list[np.ndarray] = []
        texts = documents if self.reads_texts(name) else None
        for fold in np.unique(fold_of):
            train_idx, test_idx = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
            fold_member = self.fit(name, features, inputs.rows(train_idx), y[train_idx],
                                   [documents[i] for i in train_idx] if texts else [])
            parts.append(self.scores(name, fold_member, inputs.rows(test_idx, texts)))
            order.append(test_idx)
        return sp.vstack(parts).tocsr()[np.argsort(np.concatenate(order))], None
