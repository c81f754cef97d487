"""The large-corpus code paths at tiny scale: streaming vocabulary pruning, the linear member's
stratified sample above ``max_train_docs``, the ensemble's bounded ranker sample, blocked scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from unbis.analysis import get_analyzer
from unbis.backends import Context, get_backend_class
from unbis.backends.ensemble import EnsembleBackend
from unbis.backends.knn import KnnBackend
from unbis.backends.linear import LinearBackend
from unbis.corpus.document import Document
from unbis.corpus.labelled import LabelledDocuments, label_matrix
from unbis.corpus.readers import read_documents
from unbis.learning.sampling import stratified_sample
from unbis.learning.sparse import top_k_sparse
from unbis.learning.tfidf import TfidfFeatures
from unbis.pipeline.members import Members
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.subject_index import Vocabulary

DATA = Path(__file__).parent / "data" / "backends"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(str(DATA / "sdg-vocab.tsv"), language="en")


@pytest.fixture(scope="module")
def docs(vocab: Vocabulary) -> list[Document]:
    return [d for d in read_documents([DATA / "sdg"], vocab, language="en") if d.subjects]


def test_features_rows_are_unit_tf_idf_and_transform_agrees(docs: list[Document]) -> None:
    feats = TfidfFeatures(get_analyzer("en").terms)
    texts = [d.text for d in docs[:80]]
    x = feats.fit_transform(texts)
    assert x.indices.dtype == np.int32 and x.dtype == np.float32
    np.testing.assert_allclose(np.asarray(x.multiply(x).sum(axis=1)).ravel(), 1.0, rtol=1e-5)
    assert abs(x - feats.transform(texts)).max() < 1e-6


def test_vocabulary_pruning_bounds_the_running_vocabulary(docs: list[Document]) -> None:
    texts = [d.text for d in docs]
    full = TfidfFeatures(get_analyzer("en").terms, min_df=1)
    full.fit_transform(texts)
    pruned = TfidfFeatures(get_analyzer("en").terms, min_df=1, max_seen=2_000)
    x = pruned.fit_transform(texts)
    assert pruned.n_features <= 2_000 < full.n_features
    assert x.shape == (len(texts), pruned.n_features)
    # Terms kept after pruning are real terms of the full vocabulary, and frequent ones survive.
    assert set(pruned.vocabulary_ or {}) <= set(full.vocabulary_ or {})


def test_stratified_sample_keeps_every_label(vocab: Vocabulary, docs: list[Document]) -> None:
    y = label_matrix(docs, len(vocab))
    rows = stratified_sample(y, 60, seed=0)
    assert rows.size == 60 and np.unique(rows).size == 60
    present = np.asarray(y.sum(axis=0)).ravel() > 0
    assert (np.asarray(y[rows].sum(axis=0)).ravel() > 0)[present].all()


def test_linear_above_max_train_docs_learns_from_a_sample(vocab: Vocabulary, docs: list[Document]) -> None:
    ctx = Context(vocab, "en")
    linear = LinearBackend(ctx, max_train_docs=50).fit(docs[:150])
    assert linear.train_x_.shape[0] == 50 and linear.dual_.shape == (50, len(vocab))
    scores = linear.suggest_batch([d.text for d in docs[200:210]])
    assert scores.nnz > 0


def test_ensemble_ranker_learns_from_a_bounded_sample(vocab: Vocabulary, docs: list[Document]) -> None:
    ctx = Context(vocab, "en")
    ens = EnsembleBackend(ctx, members="linear,knn", folds=3, rounds=20, ranker_docs=60)
    ens.fit(docs[:150])
    assert ens.ranker_.boosters_[0].num_trees() > 0
    assert ens._ranker_sample(150).size == 60 and ens._ranker_sample(50).size == 50
    assert ens.members_["knn"].train_x_.shape[0] == 150  # final members see every document
    assert ens.candidate_features_.n_train_ == 150
    out = ens.suggest_batch([d.text for d in docs[200:210]])
    assert out.shape == (10, len(vocab)) and out.nnz > 0


def test_knn_blocked_scoring_equals_one_block(vocab: Vocabulary, docs: list[Document]) -> None:
    knn = KnnBackend(Context(vocab, "en")).fit(docs[:150])
    x = knn.features_.transform([d.text for d in docs[150:190]])
    whole = knn._score_block(x)
    blocked = sp.vstack([knn._score_block(x[i : i + 7]) for i in range(0, 40, 7)]).tocsr()
    assert abs(whole - blocked).max() < 1e-6


def test_knn_prunes_queries_only_above_prune_above(vocab: Vocabulary, docs: list[Document]) -> None:
    ctx = Context(vocab, "en")
    texts = [d.text for d in docs[150:170]]
    exact = get_backend_class("knn")(ctx).fit(docs[:150]).suggest_batch(texts)
    pruned_knn = get_backend_class("knn")(ctx, query_terms=5, prune_above=100).fit(docs[:150])
    pruned = pruned_knn.suggest_batch(texts)
    assert pruned.nnz > 0 and abs(exact - pruned).max() > 0  # pruning is active and changes scores
    same = get_backend_class("knn")(ctx, query_terms=5, prune_above=150).fit(docs[:150]).suggest_batch(texts)
    assert abs(exact - same).max() == 0


class _Passes:
    """A re-iterable corpus that records its passes (documents are made afresh on every pass)."""

    def __init__(self, docs: list[Document], drop_on_second_pass: bool = False) -> None:
        self.texts = [(d.text, d.subjects) for d in docs]
        self.passes = 0
        self.drop = drop_on_second_pass

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.passes += 1
        items = self.texts[:-5] if self.drop and self.passes > 1 else self.texts
        for i, (text, subjects) in enumerate(items):
            yield Document(text=text, subjects=list(subjects), name=f"d{i}")


def test_ensemble_streams_a_reiterable_corpus_in_two_passes(vocab: Vocabulary, docs: list[Document]) -> None:
    corpus = _Passes(docs[:200])
    small = dict(folds=3, rounds=20, ranker_docs=60, members="linear,knn")
    streamed = get_backend_class("ensemble")(Context(vocab, "en"), **small).fit(corpus)
    assert corpus.passes == 2  # features; title zone and the ranker sample's documents
    assert LabelledDocuments(corpus).documents is corpus  # not read into a list
    in_memory = get_backend_class("ensemble")(Context(vocab, "en"), **small).fit(docs[:200])
    one_shot = get_backend_class("ensemble")(Context(vocab, "en"), **small).fit(iter(docs[:200]))
    texts = [d.text for d in docs[200:]]
    expected = in_memory.suggest_batch(texts)
    assert expected.nnz > 0
    assert (streamed.suggest_batch(texts) != expected).nnz == 0
    assert (one_shot.suggest_batch(texts) != expected).nnz == 0


def test_a_corpus_that_changes_between_passes_is_an_error(vocab: Vocabulary, docs: list[Document]) -> None:
    from unbis.errors import InputError

    ensemble = get_backend_class("ensemble")(Context(vocab, "en"), folds=3, rounds=20, members="linear,knn")
    with pytest.raises(InputError, match="corpus changed while it was read"):
        ensemble.fit(_Passes(docs[:120], drop_on_second_pass=True))


def test_ensemble_analyses_opening_zones_only_where_used(
    vocab: Vocabulary, docs: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ranker_docs and linear.max_train_docs, documents in neither sample get an empty zone;
    the model is the same as when every zone is analysed."""
    ctx = Context(vocab, "en")
    params = {"members": "linear,knn", "folds": 3, "rounds": 20, "ranker_docs": 50, "linear.max_train_docs": 60}
    lean = EnsembleBackend(ctx, **params)
    zoned = lean.members.zoned_rows(label_matrix(docs, len(vocab)), np.isin(np.arange(len(docs)), np.arange(50)))
    assert 60 <= zoned.sum() <= 110 < len(docs)  # the two samples, not the corpus
    lean.fit(docs)
    monkeypatch.setattr(Members, "zoned_rows", lambda self, y, in_sample: np.ones(y.shape[0], dtype=bool))
    full = EnsembleBackend(ctx, **params).fit(docs)
    texts = [d.text for d in docs[:40]]
    a, b = lean.suggest_batch(texts), full.suggest_batch(texts)
    assert a.nnz > 0 and (a != b).nnz == 0


@pytest.mark.parametrize("k", [1, 3, 40])
def test_top_k_of_a_sparse_matrix_matches_the_dense_selection(k: int) -> None:
    """The row-by-row selection over stored entries (knn similarities stay sparse) keeps what the
    dense selection keeps: the k best positive scores of each row."""
    rng = np.random.default_rng(k)
    dense = rng.standard_normal((30, 200)).astype(np.float32)  # distinct values: no ties to break
    dense[rng.random(dense.shape) < 0.7] = 0.0
    dense[3] = 0.0  # an empty row
    from_sparse = top_k_sparse(sp.csr_matrix(dense), k)
    from_dense = top_k_sparse(dense, k)
    assert from_sparse.nnz > 0 and (from_sparse != from_dense).nnz == 0
    assert np.diff(from_sparse.indptr).max() <= k and from_sparse.data.min() > 0
