"""The metrics the field reports besides Annif's: P/R/F1@k and propensity-scored P@k / nDCG@k,
checked against hand-computed cases and scikit-learn's independent implementations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import ndcg_score, precision_recall_fscore_support

from unbis.evaluation import EvaluationBatch, filter_suggestions, gold_matrix
from unbis.evaluation.extended import (
    LabelFrequencies,
    extended_metrics,
    inverse_propensity,
    prf_at,
    propensity_scored,
)
from unbis.evaluation.filtering import Ranking
from unbis.evaluation.metrics import Scored, binarize


def _scored(gold: sp.csr_matrix, pred: sp.csr_matrix, k: int = 20) -> Scored:
    return Scored(binarize(gold), Ranking.of(filter_suggestions(pred, k)))


def test_inverse_propensity_is_jain_et_al_formula() -> None:
    freq = LabelFrequencies(np.array([0, 1, 10, 1000]), n_docs=1000, source="training")
    got = inverse_propensity(freq, a=0.55, b=1.5)
    c = (math.log(1000) - 1) * (1.5 + 1) ** 0.55
    want = [1 + c * (n + 1.5) ** -0.55 for n in (0, 1, 10, 1000)]
    np.testing.assert_allclose(got, want)
    assert got[0] > got[1] > got[2] > got[3] > 1.0  # rarer labels weigh more


def test_propensity_scored_hand_computed() -> None:
    # one document, gold {0, 1}; ranking: 2 (0.9), 0 (0.8), 1 (0.1); weights w = 1/p = (4, 2, 1)
    gold = gold_matrix([[0, 1]], 3)
    pred = sp.csr_matrix(np.array([[0.8, 0.1, 0.9]], dtype=np.float32))
    w = np.array([4.0, 2.0, 1.0])
    s = _scored(gold, pred)
    assert propensity_scored(s, w, 1, discounted=False) == pytest.approx(0 / 4)
    assert propensity_scored(s, w, 2, discounted=False) == pytest.approx(4 / (4 + 2))
    assert propensity_scored(s, w, 3, discounted=False) == pytest.approx(1.0)
    dcg = 4 / math.log2(3) + 2 / math.log2(4)
    idcg = 4 / math.log2(2) + 2 / math.log2(3)
    assert propensity_scored(s, w, 3, discounted=True) == pytest.approx(dcg / idcg)


def test_propensity_scored_pools_documents_like_pyxclib() -> None:
    # two documents: the normalisation is a ratio of sums over documents, not a mean of ratios
    gold = gold_matrix([[0], [1]], 3)
    pred = sp.csr_matrix(np.array([[0.9, 0.0, 0.0], [0.0, 0.0, 0.9]], dtype=np.float32))
    w = np.array([4.0, 2.0, 1.0])
    assert propensity_scored(_scored(gold, pred), w, 1, discounted=False) == pytest.approx(4 / (4 + 2))


def test_psndcg_of_one_document_is_sklearn_ndcg_with_weighted_gold() -> None:
    rng = np.random.default_rng(3)
    n = 30
    w = inverse_propensity(LabelFrequencies(rng.integers(0, 50, n), 200, "training"))
    for _ in range(20):
        gold = gold_matrix([sorted(rng.choice(n, rng.integers(1, 6), replace=False).tolist())], n)
        scores = rng.permutation(np.linspace(0.05, 1.0, n)).astype(np.float32)  # distinct: no ties
        pred = sp.csr_matrix(scores[None, :])
        relevance = gold.toarray().astype(float) * w
        for k in (3, 5, 10):
            want = ndcg_score(relevance, scores[None, :].astype(float), k=k)
            got = propensity_scored(_scored(gold, pred, k=n), w, k, discounted=True)
            assert got == pytest.approx(want, rel=1e-5)


def test_prf_at_k_matches_sklearn_samples_average() -> None:
    rng = np.random.default_rng(7)
    n_docs, n = 60, 40
    gold = gold_matrix([rng.choice(n, rng.integers(0, 6), replace=False).tolist() for _ in range(n_docs)], n)
    dense = rng.random((n_docs, n)) * (rng.random((n_docs, n)) < 0.5)
    dense[0] = 0  # a document without suggestions
    pred = sp.csr_matrix(dense.astype(np.float32))
    scored = _scored(gold, pred)
    for k in (5, 10, 15, 20):
        top = binarize(filter_suggestions(pred, k))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns about documents without gold labels
            want = precision_recall_fscore_support(gold, top, average="samples", zero_division=0)[:3]
        assert prf_at(scored, k) == pytest.approx(want)


def test_extended_keys_and_agreement_with_annif_p_at_5() -> None:
    rng = np.random.default_rng(11)
    n_docs, n = 50, 25
    gold = gold_matrix([rng.choice(n, rng.integers(1, 5), replace=False).tolist() for _ in range(n_docs)], n)
    pred = sp.csr_matrix((rng.random((n_docs, n)) * (rng.random((n_docs, n)) < 0.6)).astype(np.float32))
    batch = EvaluationBatch(n)
    batch.add(pred, gold)
    annif = batch.results(limit=20)
    ours = extended_metrics(gold, pred)
    # the @k definition is Annif's Precision@k / F1@5 one: both agree where they overlap
    assert prf_at(_scored(gold, pred), 5) == pytest.approx((annif["p@5"], annif["r@5"], annif["f1@5"]))
    assert set(ours) == {"p@10", "r@10", "f1@10", "p@15", "r@15", "f1@15", "p@20", "r@20", "f1@20",
                         "psp@1", "psp@3", "psp@5", "psp@10", "psndcg@3", "psndcg@5", "psndcg@10", "propensity"}
    assert ours["propensity"] == {"A": 0.55, "B": 1.5, "frequencies": "evaluation", "documents": n_docs}
    assert 0 <= ours["psp@5"] <= 1 and ours["r@20"] >= ours["r@10"]
    train = LabelFrequencies(np.arange(n), 500, "training")
    assert extended_metrics(gold, pred, frequencies=train)["propensity"]["frequencies"] == "training"
