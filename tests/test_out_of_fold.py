"""Out-of-fold scores without refitting (ridge's group-deletion identity, knn's masked neighbours) equal
the scores of models really fitted without each fold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from unbis.backends import Context, get_backend_class
from unbis.backends.feature_backend import FeatureBackend, make_features
from unbis.corpus.labelled import label_matrix
from unbis.corpus.readers import read_documents
from unbis.learning.tfidf import TfidfFeatures
from unbis.vocab.loaders import load_vocabulary

DATA = Path(__file__).parent / "data" / "backends"


@pytest.fixture(scope="module")
def problem() -> tuple[Context, TfidfFeatures, sp.csr_matrix, sp.csr_matrix]:
    """Tf-idf rows and labels of 90 real UNGA paragraphs (SDG goals), with one more concept that no
    paragraph carries but whose wording some use (for the thesaurus rows of ``linear_thesaurus``)."""
    vocab = load_vocabulary(str(DATA / "sdg-vocab.tsv"), language="en")
    vocab.add("Improvised explosive devices")
    docs = [d for d in read_documents([DATA / "sdg"], vocab, language="en") if d.subjects][-90:]
    ctx = Context(vocab, "en")
    backend = get_backend_class("linear")(ctx)
    features = make_features(backend.context, backend.params)
    x = features.fit_transform([d.text for d in docs])
    return ctx, features, x, label_matrix(docs, len(vocab))


def _concepts(member: FeatureBackend, features: TfidfFeatures) -> sp.csr_matrix | None:
    return member.concept_rows(features)


def _refit(name: str, ctx: Context, features: TfidfFeatures, x: sp.csr_matrix, y: sp.csr_matrix,
           fold_of: np.ndarray) -> np.ndarray:
    """Ranking scores of each fold from a model fitted on the other folds only (and on the thesaurus
    rows, which are never held out)."""
    out = np.zeros(y.shape, dtype=np.float32)
    for fold in np.unique(fold_of):
        held = fold_of == fold
        member = get_backend_class(name)(ctx, top_k=y.shape[1])
        member.features_ = features
        member.fit_matrix(x[~held], y[~held], _concepts(member, features))
        out[held] = member.rank_matrix(x[held]).toarray()
    return out


@pytest.mark.parametrize("name", ["linear", "linear_thesaurus", "knn"])
@pytest.mark.parametrize("scheme", ["folds", "loo"])
def test_out_of_fold_scores_equal_refitted_models(name: str, scheme: str, problem: tuple) -> None:
    ctx, features, x, y = problem
    fold_of = np.arange(x.shape[0]) % 4 if scheme == "folds" else np.arange(x.shape[0])
    member = get_backend_class(name)(ctx, top_k=y.shape[1])
    member.features_ = features
    direct = member.fit_out_of_fold(x, y, fold_of, _concepts(member, features))
    assert direct is not None and direct.shape == y.shape
    if name == "linear_thesaurus":  # it did learn thesaurus rows besides the documents
        assert member.train_x_.shape[0] > x.shape[0]
    expected = _refit(name, ctx, features, x, y, fold_of)
    assert expected.max() > 0.1  # the held-out models do predict something
    np.testing.assert_allclose(direct.toarray(), expected, atol=1e-4)
    # Afterwards the member is the model fitted on every row.
    whole = get_backend_class(name)(ctx, top_k=y.shape[1])
    whole.features_ = features
    whole.fit_matrix(x, y, _concepts(whole, features))
    np.testing.assert_allclose(member.rank_matrix(x).toarray(), whole.rank_matrix(x).toarray(), atol=1e-4)


def test_linear_falls_back_to_refitting_above_its_sample_size(problem: tuple) -> None:
    ctx, features, x, y = problem
    member = get_backend_class("linear")(ctx, max_train_docs=50)
    member.features_ = features
    assert member.fit_out_of_fold(x, y, np.arange(x.shape[0]) % 3) is None
