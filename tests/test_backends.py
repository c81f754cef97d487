"""Backends: conformance (fit -> suggest -> save -> load -> same suggestions), parameter errors,
untrained use, the learned ensemble against its members, and optimize."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, get_analyzer
from unbis.backends import Context, backend_names, get_backend_class
from unbis.backends.feature_backend import make_features
from unbis.corpus.document import Document
from unbis.corpus.labelled import label_matrix
from unbis.corpus.readers import read_documents
from unbis.errors import IncompatibleModelError, InputError, NotFittedError, ParameterError
from unbis.evaluation import evaluate, gold_matrix
from unbis.learning.tfidf import TfidfFeatures
from unbis.pipeline.candidate_features import CandidateFeatures
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.subject_index import Vocabulary

DATA = Path(__file__).parent / "data" / "backends"

# Small settings so that every backend trains in seconds on the tiny corpus.
FAST: dict[str, dict[str, Any]] = {
    "omikuji": {"n_trees": 1, "threads": 1},
    "ensemble": {"folds": 3, "rounds": 40},  # default members: both ridges, knn and the thesaurus matcher
}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(str(DATA / "sdg-vocab.tsv"), language="en")


@pytest.fixture(scope="module")
def docs(vocab: Vocabulary) -> list[Document]:
    out = [d for d in read_documents([DATA / "sdg"], vocab, language="en") if d.subjects]
    assert len(out) == 240
    return out


def _make(name: str, vocab: Vocabulary, **extra: Any) -> Any:
    return get_backend_class(name)(Context(vocab, "en"), **{**FAST.get(name, {}), **extra})


@pytest.mark.parametrize("name", backend_names())
def test_conformance(name: str, vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    backend = _make(name, vocab)
    train = docs[:120]
    texts = [d.text for d in docs[200:220]]
    assert backend.fit(train) is backend
    before = backend.suggest_batch(texts)
    assert before.shape == (len(texts), len(vocab))
    assert before.data.size == 0 or (before.data.min() >= 0 and before.data.max() <= 1)
    backend.save(tmp_path)
    loaded = type(backend).load(tmp_path, Context(vocab, "en"), backend.params_dict())
    after = loaded.suggest_batch(texts)
    assert (before != after).nnz == 0, f"{name}: suggestions changed after save/load"
    if backend.requires_training:
        assert before.nnz > 0, f"{name}: suggested nothing"
    assert not list(tmp_path.rglob("*.pkl")) and not list(tmp_path.rglob("*.pickle"))


@pytest.mark.parametrize("name", ["linear", "knn", "omikuji", "ensemble"])
def test_untrained_backend_refuses(name: str, vocab: Vocabulary) -> None:
    with pytest.raises(NotFittedError, match="not trained"):
        _make(name, vocab).suggest_batch(["some text"])


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("linear", {"alpha": "-1"}, "alpha must be > 0"),
        ("linear", {"alpha": "abc"}, "expected float"),
        ("linear", {"concept_weight": "-0.5"}, "concept_weight must be >= 0"),
        ("linear_thesaurus", {"max_train_docs": "1"}, "max_train_docs must be >= 2"),
        ("knn", {"k": "0"}, "k must be >= 1"),
        ("omikuji", {"setting": "forest"}, "choose one of parabel, bonsai"),
        ("ensemble", {"members": "linear,nosuch"}, "unknown member backend"),
        ("ensemble", {"folds": "1"}, "folds must be 2..20"),
        ("ensemble", {"objective": "huber"}, "objective must be lambdarank or binary"),
        ("ensemble", {"match_chars": "-1"}, "match_chars must be >= 0"),
        ("ensemble", {"min_data_in_leaf": "0"}, "min_data_in_leaf must be >= 1"),
        ("ensemble", {"colour": "red"}, "unknown parameter"),
        ("ensemble", {"linear.alpha": "-1"}, "alpha must be > 0"),
        ("ensemble", {"knn.colour": "red"}, "unknown parameter.*KnnParams"),
        ("ensemble", {"omikuji.n_trees": "2"}, "'omikuji' is not a member of this ensemble"),
    ],
)
def test_bad_params(name: str, params: dict[str, str], message: str, vocab: Vocabulary) -> None:
    with pytest.raises(ParameterError, match=message):
        get_backend_class(name)(Context(vocab, "en"), **params)


def test_ensemble_members_take_their_own_parameters(vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    ensemble = _make("ensemble", vocab, members="linear,knn", **{"knn.k": "3", "linear.alpha": "0.5"}).fit(docs[:90])
    assert ensemble.members_["knn"].params.k == 3 and ensemble.members_["linear"].params.alpha == 0.5
    params = ensemble.params_dict()
    assert params["knn.k"] == 3 and params["linear.alpha"] == 0.5  # typed, recorded in the manifest
    ensemble.save(tmp_path)
    loaded = type(ensemble).load(tmp_path, Context(vocab, "en"), params)
    assert loaded.members_["knn"].params.k == 3
    texts = [d.text for d in docs[200:210]]
    assert (loaded.suggest_batch(texts) != ensemble.suggest_batch(texts)).nnz == 0


def test_averaged_rankers_round_trip(vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    ensemble = _make("ensemble", vocab, members="linear,knn", rankers=2).fit(docs[:90])
    assert len(ensemble.ranker_.boosters_) == 2
    assert ensemble.params_dict()["knn.k"] == 25  # the ensemble's own default for its knn member
    ensemble.save(tmp_path)
    assert (tmp_path / "ranker-1.txt").is_file()
    loaded = type(ensemble).load(tmp_path, Context(vocab, "en"), ensemble.params_dict())
    texts = [d.text for d in docs[200:210]]
    assert (loaded.suggest_batch(texts) != ensemble.suggest_batch(texts)).nnz == 0
    meta = json.loads((tmp_path / "ensemble.json").read_text(encoding="utf-8"))
    del meta["member_scores"]  # as saved before raw ridge outputs reached the ranker
    (tmp_path / "ensemble.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IncompatibleModelError, match="retrain"):
        type(ensemble).load(tmp_path, Context(vocab, "en"), ensemble.params_dict())
    one = _make("ensemble", vocab, members="linear,knn", rankers=1).fit(docs[:90])
    assert (one.suggest_batch(texts) != ensemble.suggest_batch(texts)).nnz > 0


def test_thesaurus_rows_score_a_label_no_training_document_carries(docs: list[Document]) -> None:
    """A concept that no training paragraph carries: ``linear`` cannot score it; ``linear_thesaurus``
    learnt its wording from the thesaurus row and scores it on the paragraphs that use that wording."""
    vocab = load_vocabulary(str(DATA / "sdg-vocab.tsv"), language="en")
    ied = vocab.add("Improvised explosive devices")
    uses = {d.name for d in docs if "improvised explosive" in d.text.lower()}
    test = [d for d in docs if d.name in uses][-3:] + docs[:5]
    train = [d for d in docs if d not in test]
    assert len(uses) >= 6 and not any(ied in d.subjects for d in docs)
    texts = [d.text for d in test]
    plain = get_backend_class("linear")(Context(vocab, "en")).fit(train).suggest_batch(texts)
    assert plain[:, ied].nnz == 0
    thesaurus = get_backend_class("linear_thesaurus")(Context(vocab, "en")).fit(train)
    scores = thesaurus.suggest_batch(texts)[:, ied].toarray().ravel()
    assert scores[:3].min() > 0 and scores[:3].min() > scores[3:].max(), scores


def test_thesaurus_rows_of_a_multilingual_project_hold_every_un_language() -> None:
    """In an ``auto`` project a concept's row holds its labels' wording in each UN language, each
    analysed as that language; a single-language project's row holds that language's wording only."""
    charter = json.loads((DATA.parent / "analysis" / "un_charter_preamble.json").read_text("utf-8"))["sentences"]
    texts = [charter[lang] for lang in UN_LANGUAGES]  # the same paragraph in the six languages
    vocab = load_vocabulary("unbis")
    rights = next(cid for cid in vocab.search("HUMAN RIGHTS", "en") if vocab.label(cid, "en") == "HUMAN RIGHTS")
    auto = get_backend_class("linear_thesaurus")(Context(vocab, "auto"), min_df=1)
    features = make_features(auto.context, auto.params)
    features.fit_transform(texts)
    index = features.vocabulary_
    assert index is not None

    def columns(lang: str) -> set[int]:
        """Feature columns (terms and bigrams) of the concept's label in ``lang`` that the paragraph uses."""
        label = vocab.label(rights, lang)
        return {index[t] for t in features.analysed_by(get_analyzer(lang).terms).features_of(label) if t in index}

    rows = auto.concept_rows(features)
    assert rows is not None and rows.shape == (len(vocab), features.n_features)
    row = set(rows[rights].indices.tolist())
    for lang in UN_LANGUAGES:
        assert columns(lang) and columns(lang) <= row, lang  # e.g. fr droit + homm, zh 人权
    assert np.isclose(sp.linalg.norm(rows[rights]), 1.0)
    french = get_backend_class("linear_thesaurus")(Context(vocab, "fr")).concept_rows(features)
    assert french is not None
    assert set(french[rights].indices.tolist()) == columns("fr")
    assert index["right"] not in set(french[rights].indices.tolist())


def test_thesaurus_rows_are_bounded_and_favour_the_least_seen_concepts(vocab: Vocabulary, tmp_path: Path) -> None:
    """At most half of ``max_train_docs`` concept rows, empty ones skipped, the rarest labels first;
    the documents get the rest of the budget, and the model then scores only the labels seen no more
    often than the concepts that got rows, and of those the ones a document or a row teaches."""
    member = get_backend_class("linear")(Context(vocab, "en"), concept_weight=4.0, max_train_docs=8)
    n = len(vocab)
    assert member.training_rows(sp.csr_matrix((10, n))) is not None  # 10 documents > 8 - 4
    x = sp.csr_matrix(np.eye(3, 5, dtype=np.float32))
    y = sp.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 1, 2, 2], [0, 0, 1, 2])), shape=(3, n))
    concepts = sp.lil_matrix((n, 5), dtype=np.float32)
    for cid in (0, 1, 2, 3, 5):  # concept 4 has no feature
        concepts[cid, cid % 5] = 1.0
    xs, ys, columns = member._with_concepts(x, y, sp.csr_matrix(concepts))
    # Concepts 3 and 5 are unseen, 1 and 2 seen once, 0 twice: 0 is left out, and so is its label;
    # unseen labels without a row (4 and those above 5) would score 0 everywhere.
    assert columns is not None and columns.tolist() == [1, 2, 3, 5]
    assert xs.shape == (3 + 4, 5) and ys.shape == (7, 4)
    assert sorted(columns[ys[3:].indices].tolist()) == [1, 2, 3, 5]
    np.testing.assert_allclose(ys[3:].data, 2.0)  # sqrt of the weight, as a sample weight of 4
    np.testing.assert_allclose(abs(xs[3:]).sum(axis=1), 2.0)
    member.fit_matrix(x, y, sp.csr_matrix(concepts), features=TfidfFeatures(str.split))
    assert member.columns_ is not None and member.columns_.tolist() == [1, 2, 3, 5]
    scores = member.rank_matrix(sp.csr_matrix(np.ones((2, 5), dtype=np.float32)))
    assert scores.shape == (2, n) and scores.nnz > 0 and scores[:, 0].nnz == 0
    member.save_matrix_model(tmp_path)
    loaded = get_backend_class("linear").load_matrix_model(
        tmp_path, Context(vocab, "en"), {"concept_weight": 4.0, "max_train_docs": 8}, member.features_)
    assert (loaded.rank_matrix(sp.csr_matrix(np.ones((2, 5), dtype=np.float32))) != scores).nnz == 0
    # Capped, which concepts get rows follows label counts, which a held-out document's own labels
    # would shift: no direct out-of-fold scores (the ensemble then refits per fold).
    y = sp.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 1, 2, 2], [0, 0, 0, 1])), shape=(3, n))
    assert member.fit_out_of_fold(x, y, np.arange(3), sp.csr_matrix(concepts)) is None
    roomy_oof = get_backend_class("linear")(Context(vocab, "en"), concept_weight=4.0, max_train_docs=40)
    assert roomy_oof.fit_out_of_fold(x, y, np.arange(3), sp.csr_matrix(concepts)) is not None
    # With room for every concept, every label is scored.
    roomy = get_backend_class("linear")(Context(vocab, "en"), concept_weight=4.0)
    roomy.fit_matrix(x, y, sp.csr_matrix(concepts))
    assert roomy.columns_ is None and roomy.dual_.shape == (3 + 5, n)


def _ndcg(backend: Any, test: list[Document], n: int) -> float:
    pred = backend.suggest_batch([d.text for d in test])
    return float(evaluate(pred, gold_matrix([d.subjects for d in test], n))["ndcg"])


def test_ensemble_beats_its_weakest_member(vocab: Vocabulary, docs: list[Document]) -> None:
    train, test = docs[:180], docs[180:]
    scores = {name: _ndcg(_make(name, vocab).fit(train), test, len(vocab)) for name in ("linear", "knn")}
    ensemble = _ndcg(_make("ensemble", vocab, members="linear,knn").fit(train), test, len(vocab))
    assert ensemble > min(scores.values()), (ensemble, scores)


@pytest.mark.parametrize("objective", ["lambdarank", "binary"])
def test_ensemble_objectives_rank_well(objective: str, vocab: Vocabulary, docs: list[Document]) -> None:
    train, test = docs[:180], docs[180:]
    knn = _ndcg(_make("knn", vocab).fit(train), test, len(vocab))
    ensemble = _make("ensemble", vocab, objective=objective).fit(train)
    assert _ndcg(ensemble, test, len(vocab)) > knn - 0.05
    pred = ensemble.suggest_batch([d.text for d in test])
    assert pred.data.min() >= 0 and pred.data.max() <= 1


def test_ensemble_proposes_labels_the_matcher_finds(vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    """A label written verbatim in the text is a candidate even when no scoring member proposes it,
    and the matcher's evidence survives save/load (saved as a member; rebuilt from the vocabulary for a
    project saved before evidence members were kept)."""
    ensemble = _make("ensemble", vocab, members="knn,matcher", candidates=1).fit(docs[:150])
    cid = vocab.resolve("SDG 17")
    assert cid is not None
    text = "This paragraph is about SDG 17 and nothing else."
    with_label = ensemble.suggest_batch([text])
    assert with_label[0, cid] > 0
    knn_only = _make("ensemble", vocab, members="knn", candidates=1).fit(docs[:150])
    assert knn_only.suggest_batch([text]).nnz <= 1
    ensemble.save(tmp_path)
    assert (tmp_path / "member-matcher").is_dir()
    loaded = type(ensemble).load(tmp_path, Context(vocab, "en"), ensemble.params_dict())
    assert (loaded.suggest_batch([text]) != with_label).nnz == 0
    shutil.rmtree(tmp_path / "member-matcher")
    rebuilt = type(ensemble).load(tmp_path, Context(vocab, "en"), ensemble.params_dict())
    assert (rebuilt.suggest_batch([text]) != with_label).nnz == 0


def test_ensemble_training_statistics_come_from_other_folds(vocab: Vocabulary) -> None:
    """In training a document's corpus statistics (label counts, matcher hits) exclude its whole
    fold, as its member scores do, so the ranker never sees statistics that include its own labels."""
    import numpy as np
    import scipy.sparse as sp

    ensemble = _make("ensemble", vocab)
    y = sp.csr_matrix(np.array([[1, 0], [1, 1], [1, 0], [0, 1]], dtype=np.float32))
    matched = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 0], [1, 1]], dtype=np.float32))
    fold_of = np.array([0, 0, 1, 1])
    rows, cols = np.array([0, 2, 3]), np.array([0, 0, 1])
    stats = CandidateFeatures(ensemble.context, ensemble.params.candidates)
    count, n_docs = stats._label_statistics(rows, cols, (fold_of, y))
    df, hit = stats._evidence_statistics("matcher", matched, rows, cols, (fold_of, y))
    assert count.tolist() == [1, 2, 1]  # doc 0 sees docs 2-3; doc 2 sees docs 0-1; doc 3 sees docs 0-1
    assert n_docs.tolist() == [2, 2, 2]
    assert df.tolist() == [1, 2, 0] and hit.tolist() == [0, 2, 0]


def test_ensemble_title_zone_features(vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    """Members in title_members see the opening zone as extra, separately weighted columns (rows
    L2-normalised); others see the plain features; a model whose members saw other columns than the
    given parameters describe is refused on load rather than misread."""
    import numpy as np

    from unbis.errors import IncompatibleModelError

    ensemble = _make("ensemble", vocab, members="linear,knn", title_chars=200).fit(docs[:90])
    texts = [d.text for d in docs[200:203]]
    x = ensemble.features_.transform(texts)
    x_title = ensemble.features_.transform([t[:200] for t in texts])
    assert ensemble.members.input("knn", x, x_title) is x
    both = ensemble.members.input("linear", x, x_title)
    assert both.shape == (3, 2 * x.shape[1])
    assert np.allclose(np.sqrt(both.multiply(both).sum(axis=1)), 1.0)
    assert ensemble.members_["linear"].train_x_.shape[1] == both.shape[1]
    ensemble.save(tmp_path)
    with pytest.raises(IncompatibleModelError, match="title-zone"):
        type(ensemble).load(tmp_path, Context(vocab, "en"), {**ensemble.params_dict(), "title_weight": 0})
    assert _make("ensemble", vocab, members="knn,matcher").params.title_zone_members == []
    assert _make("ensemble", vocab, title_weight=0).params.title_zone_members == []


def test_optimize_stores_limit_and_threshold(vocab: Vocabulary, docs: list[Document], tmp_path: Path) -> None:
    from unbis.optimize import optimize_project
    from unbis.project.project import Project, train_project

    train_project(tmp_path / "p", docs[:150], vocab, "en", backend="linear")
    project = Project.load(tmp_path / "p")
    best = optimize_project(project, docs[150:])
    assert 1 <= best["limit"] <= 15 and 0.0 <= best["threshold"] <= 0.9
    assert best["f1"] > 0.3
    reloaded = Project.load(tmp_path / "p")
    assert (reloaded.config.limit, reloaded.config.threshold) == (best["limit"], best["threshold"])


def test_untrained_project_is_a_clear_error(tmp_path: Path) -> None:
    from unbis.project.project import Project

    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFittedError, match="run `unbis train` first"):
        Project.load(tmp_path / "empty")


@pytest.mark.parametrize("name", ["linear", "ensemble"])
def test_training_without_labelled_documents_is_a_clear_error(name: str, vocab: Vocabulary,
                                                              docs: list[Document]) -> None:
    unlabelled = [Document(text=d.text, subjects=[], name=d.name) for d in docs[:20]]
    with pytest.raises(InputError, match=f"{name} needs labelled documents"):
        _make(name, vocab).fit(unlabelled)
    with pytest.raises(InputError, match="ensemble needs at least folds=3 labelled documents, got 2"):
        _make("ensemble", vocab).fit(docs[:2])


def test_an_out_of_range_subject_names_its_document() -> None:
    fine = Document(text="a", subjects=[0, 2], name="fine.txt")
    bad = Document(text="b", subjects=[1, 5], name="bad.txt")
    assert label_matrix([fine], 3).toarray().tolist() == [[1.0, 0.0, 1.0]]
    with pytest.raises(InputError, match="bad.txt: subject id outside the vocabulary of 3"):
        label_matrix([fine, bad], 3)
