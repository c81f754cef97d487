"""The public extension point: a new pipeline member is one class and one registration line.

Two toy members, written here as a user would write theirs, join the default pipeline without any change
to its modules: one gives scores (learnt from documents, so the pipeline fits it out of fold), one gives
evidence rows (used as fitted without documents).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import scipy.sparse as sp

from unbis.backends import Context, get_backend_class
from unbis.backends.base import Backend
from unbis.backends.registry import register, unregister
from unbis.corpus.document import Document
from unbis.persistence import load_arrays, save_arrays
from unbis.vocab.subject_index import Vocabulary


class LabelPrior(Backend):
    """A toy scoring member: every label scores its share of the training documents, plus one where its
    label is written in the text."""

    name = "toy_prior"
    fits_seen: ClassVar[list[int]] = []  # documents each fit learnt from (the out-of-fold protocol shows)

    def _fit(self, documents: Iterable[Document]) -> None:
        docs = list(documents)
        type(self).fits_seen.append(len(docs))
        counts = np.zeros(len(self.context.vocab), dtype=np.float32)
        for doc in docs:
            counts[list(doc.subjects)] += 1
        self.prior_ = counts / max(len(docs), 1)

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocab = self.context.vocab
        scores = np.tile(self.prior_, (len(texts), 1))
        for i, text in enumerate(texts):
            for cid in range(len(vocab)):
                if vocab.label(cid, "en") in text:
                    scores[i, cid] += 1.0
        return sp.csr_matrix(np.clip(scores / 2, 0, 1))

    def _save(self, directory: Path) -> None:
        save_arrays(directory / "prior.npz", prior=self.prior_)

    def _load(self, directory: Path) -> None:
        self.prior_ = load_arrays(directory / "prior.npz")["prior"]


class LabelLength(Backend):
    """A toy evidence member: for each label word found in the text, how long the text is."""

    name = "toy_length"
    requires_training = False
    member_scores = False
    member_evidence = True

    def _fit(self, documents: Iterable[Document]) -> None:
        pass

    def evidence_columns(self) -> tuple[str, ...]:
        return ("log_length", "found")

    def evidence_rows(self, text: str, language: str | None) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.context.vocab
        found = [cid for cid in range(len(vocab)) if vocab.label(cid, "en").split()[-1] in text]
        rows = np.array([[np.log1p(len(text)), 1.0]] * len(found), dtype=np.float32).reshape(len(found), 2)
        return np.array(found, dtype=np.int64), rows

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix((len(texts), len(self.context.vocab)), dtype=np.float32)

    def _save(self, directory: Path) -> None:
        pass

    def _load(self, directory: Path) -> None:
        pass


@pytest.fixture()
def toys() -> Iterator[None]:
    register("toy_prior", __name__, "LabelPrior")  # the one registration line of each member
    register("toy_length", __name__, "LabelLength")
    LabelPrior.fits_seen.clear()
    yield
    unregister("toy_prior")
    unregister("toy_length")


def test_toy_members_join_the_default_pipeline(toys: None, sdg_vocab: Vocabulary, sdg_docs: list[Document],
                                               tmp_path: Path) -> None:
    ctx, docs = Context(sdg_vocab, "en"), sdg_docs
    plain = get_backend_class("ensemble")(ctx, members="linear,matcher", folds=3, rounds=30).fit(docs[:120])
    extended = get_backend_class("ensemble")(ctx, members="linear,matcher,toy_prior,toy_length", folds=3,
                                             rounds=30).fit(docs[:120])
    # The scoring member was fitted once per fold (on two thirds of the documents), then on all of them.
    assert sorted(LabelPrior.fits_seen) == [80, 80, 80, 120]
    assert set(extended.members_) == {"linear", "toy_prior"} and set(extended.evidence_) == {"matcher", "toy_length"}
    # Its three score columns and the evidence member's two columns, found-mark and statistics reach the ranker.
    width = plain.ranker_.boosters_[0].num_feature()
    assert extended.ranker_.boosters_[0].num_feature() == width + 3 + (2 + 1 + 2)
    texts = [d.text for d in docs[200:220]]
    before = extended.suggest_batch(texts)
    assert before.nnz > 0 and (before != plain.suggest_batch(texts)).nnz > 0
    extended.save(tmp_path)
    assert (tmp_path / "member-toy_prior" / "prior.npz").is_file()
    loaded = type(extended).load(tmp_path, ctx, extended.params_dict())
    assert (loaded.suggest_batch(texts) != before).nnz == 0
