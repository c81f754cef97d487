"""Evaluation must give Annif's figures: checked against scikit-learn, hand computations and Annif's formulas."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import (
    f1_score,
    label_ranking_average_precision_score,
    ndcg_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

from unbis.errors import InputError, ParameterError
from unbis.evaluation import (
    ANNIF_NAMES,
    RESULTS_FILE_HEADER,
    SHORT_KEYS,
    EvaluationBatch,
    evaluate,
    filter_suggestions,
    gold_matrix,
    label_ranking_average_precision,
    metric_code,
    ndcg,
    results_file_lines,
)
from unbis.evaluation.confidence import bootstrap_interval, per_document
from unbis.evaluation.metrics import binarize

CONTRACT_KEYS = ["p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10", "docs"]


def random_case(
    n_docs: int = 60, n_subjects: int = 40, seed: int = 0, max_pred: int = 15
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Random gold (0-6 labels, some docs none) and tie-free scores (0-max_pred suggestions per doc)."""
    rng = np.random.default_rng(seed)
    gold_lists = [rng.choice(n_subjects, size=rng.integers(0, 7), replace=False) for _ in range(n_docs)]
    dense = np.zeros((n_docs, n_subjects))
    for i in range(n_docs):
        cols = rng.choice(n_subjects, size=rng.integers(0, max_pred + 1), replace=False)
        # Bias towards gold so the metrics are not all near zero.
        hit = rng.random(len(gold_lists[i])) < 0.6
        cols = np.union1d(cols, gold_lists[i][hit])
        dense[i, cols] = rng.random(cols.size) * 0.98 + 0.01
    return sp.csr_matrix(dense), gold_matrix([list(g) for g in gold_lists], n_subjects)


def dense_filtered(pred: sp.csr_matrix, limit: int | None) -> np.ndarray:
    """Annif's filter_suggestion (annif/suggestion.py), per row with a full sort: tie-free data only."""
    out = np.zeros(pred.shape, dtype=np.float32)
    for i in range(pred.shape[0]):
        row = pred.getrow(i)
        data = row.data.astype(np.float32)
        top = np.argsort(-data, kind="stable")[:limit]
        for j in top:
            if data[j] > 0:
                out[i, row.indices[j]] = data[j]
    return out


# -- reference implementations transcribed from NatLibFi/Annif annif/eval.py (1.x, sparse version) ------------
def annif_dcg(true: np.ndarray, pred: np.ndarray, limit: int | None) -> float:
    """annif/eval.py dcg_score: order the stored (non-zero) predictions by score, cut at the limit."""
    n_pred = int(np.count_nonzero(pred))
    if limit is not None:
        n_pred = min(limit, n_pred)
    nz = np.flatnonzero(pred)
    order = nz[np.argsort(-pred[nz].astype(float), kind="stable")][:n_pred]
    gain = true[order].astype(float)
    discount = np.log2(np.arange(1, n_pred + 1) + 1)
    return float((gain / discount).sum())


def annif_ndcg(y_true: np.ndarray, y_pred: np.ndarray, limit: int | None = None) -> float:
    """annif/eval.py ndcg_score: float32 per-document scores, 1.0 when the document has no gold label."""
    scores = np.ones(y_true.shape[0], dtype=np.float32)
    for i in range(y_true.shape[0]):
        idcg = annif_dcg(y_true[i], y_true[i], limit)
        if idcg > 0:
            scores[i] = annif_dcg(y_true[i], y_pred[i], limit) / idcg
    return float(scores.mean())


def annif_per_subject(y_true: np.ndarray, y_pred: np.ndarray) -> list[tuple[float, ...]]:
    """annif/eval.py output_result_per_subject: support, TP, FP, FN, P, R, F1 per subject."""
    yp, yt = (y_pred.T > 0), y_true.T.astype(bool)
    tp = (yt & yp).sum(axis=1)
    fp = (~yt & yp).sum(axis=1)
    fn = (yt & ~yp).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.nan_to_num(tp / (tp + fp))
        r = np.nan_to_num(tp / (tp + fn))
        f = np.nan_to_num(2 * (p * r) / (p + r))
    return list(zip(yt.sum(axis=1), tp, fp, fn, p, r, f, strict=True))


# -- filter_suggestions ---------------------------------------------------------------------------------------
def test_filter_keeps_top_limit_and_drops_non_positive() -> None:
    pred = sp.csr_matrix(np.array([[0.1, 0.9, 0.0, 0.5, -0.3, 0.7], [0.0] * 6, [0.2, 0, 0, 0, 0, 0]]))
    out = filter_suggestions(pred, limit=2)
    assert out.dtype == np.float32
    expected = np.array([[0, 0.9, 0, 0, 0, 0.7], [0] * 6, [0.2, 0, 0, 0, 0, 0]], dtype=np.float32)
    assert np.array_equal(out.toarray(), expected)
    # Explicitly stored zeros are no suggestion and must not use up the limit.
    stored_zero = sp.csr_matrix((np.array([0.0, 0.4]), np.array([0, 1]), np.array([0, 2])), shape=(1, 3))
    assert filter_suggestions(stored_zero, limit=1).nnz == 1
    assert filter_suggestions(stored_zero, limit=1).indices.tolist() == [1]


def test_filter_threshold_is_inclusive_like_annif() -> None:
    """annif/suggestion.py filter_suggestion keeps `score >= threshold`."""
    pred = sp.csr_matrix(np.array([[0.25, 0.5, 0.75, 0.1]], dtype=np.float32))
    assert filter_suggestions(pred, limit=None, threshold=0.5).indices.tolist() == [1, 2]
    assert filter_suggestions(pred, limit=1, threshold=0.5).indices.tolist() == [2]
    assert filter_suggestions(pred, limit=10, threshold=0.8).nnz == 0


def test_filter_breaks_ties_by_lower_subject_id() -> None:
    pred = sp.csr_matrix(np.array([[0.5, 0.9, 0.5, 0.5, 0.9], [0.3, 0.3, 0.3, 0.3, 0.3]]))
    out = filter_suggestions(pred, limit=3)
    assert [out.getrow(i).indices.tolist() for i in range(2)] == [[0, 1, 4], [0, 1, 2]]
    assert out.has_canonical_format


def test_filter_limit_edge_cases_and_bad_arguments() -> None:
    pred, _ = random_case(seed=3)
    assert filter_suggestions(pred, limit=0).nnz == 0
    assert filter_suggestions(pred, limit=None).nnz == (pred.data > 0).sum()
    assert np.array_equal(filter_suggestions(pred, limit=5).toarray(), dense_filtered(pred, 5))
    with pytest.raises(ParameterError, match="limit"):
        filter_suggestions(pred, limit=-1)
    with pytest.raises(ParameterError, match="threshold"):
        filter_suggestions(pred, threshold=float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        filter_suggestions(sp.csr_matrix(np.array([[np.nan, 1.0]])))


def reference_top_k(pred: sp.csr_matrix, limit: int) -> set[tuple[int, int]]:
    """(row, subject) pairs kept by a plain per-row sort on (-score, subject id)."""
    kept = set()
    for i in range(pred.shape[0]):
        row = pred.getrow(i)
        pairs = sorted((-float(np.float32(v)), int(c)) for v, c in zip(row.data, row.indices, strict=True) if v > 0)
        kept.update((i, c) for _, c in pairs[:limit])
    return kept


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_filter_with_many_ties_matches_plain_sort(limit: int) -> None:
    rng = np.random.default_rng(limit)
    dense = np.round(rng.random((50, 30)), 1) * (rng.random((50, 30)) < 0.4)  # scores 0.0-1.0 in steps
    pred = sp.csr_matrix(dense)
    out = filter_suggestions(pred, limit=limit)
    assert set(zip(*out.nonzero(), strict=True)) == reference_top_k(pred, limit)


def test_ranking_is_right_across_row_chunks() -> None:
    """One very long row forces the ranking to sort the rows in chunks (few key bits left for the row)."""
    n_docs, n_subjects = 5000, 1_100_000
    rng = np.random.default_rng(4)
    rows = np.concatenate([np.full(1_050_000, 2500), np.repeat(np.arange(n_docs), 3)])
    cols = np.concatenate([np.arange(1_050_000), rng.integers(0, n_subjects, 3 * n_docs)])
    scores = np.round(rng.random(rows.size), 2) + 0.01
    pred = sp.csr_matrix((scores, (rows, cols)), shape=(n_docs, n_subjects))
    out = filter_suggestions(pred, limit=2)
    picked = [0, 2047, 2048, 2049, 2500, 4095, 4096, 4999]
    expected = reference_top_k(pred[picked], 2)
    got = set(zip(*out[picked].nonzero(), strict=True))
    assert got == expected
    assert out.getnnz(axis=1).max() == 2


# -- hand-computed case ---------------------------------------------------------------------------------------
def test_hand_computed_small_case() -> None:
    # 4 docs x 6 subjects. doc0: 3 suggestions, 2 right; doc1: no gold; doc2: gold but no suggestion;
    # doc3: one right suggestion at rank 2 of 2.
    pred = sp.csr_matrix(
        np.array(
            [
                [0.9, 0.8, 0.0, 0.7, 0.0, 0.0],
                [0.0, 0.0, 0.6, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.5, 0.4],
            ]
        )
    )
    gold = gold_matrix([[0, 3, 5], [], [1], [5]], 6)
    r = evaluate(pred, gold)
    assert r["docs"] == r["Documents evaluated"] == 4
    # P@1: doc0 1/1, doc1 0/1, doc2 no suggestion -> 0, doc3 0/1.
    assert r["p@1"] == pytest.approx(1 / 4)
    # P@3: doc0 2/3, doc3 1/2 (divides by the 2 suggestions it has, not by 3).
    assert r["p@3"] == pytest.approx((2 / 3 + 1 / 2) / 4)
    assert r["p@5"] == pytest.approx(r["p@3"])
    # R@5: doc0 2/3, doc1 no gold -> 0, doc2 0, doc3 1.
    assert r["r@5"] == pytest.approx((2 / 3 + 1) / 4)
    # F1@5 is the mean of per-document F1 values.
    assert r["f1@5"] == pytest.approx((2 / 3 + 2 / 3) / 4)
    log2 = math.log2
    ndcg0 = (1 + 1 / log2(4)) / (1 + 1 / log2(3) + 1 / log2(4))
    ndcg3 = (1 / log2(3)) / 1
    # doc1 (no gold) scores 1.0 in Annif; doc2 scores 0.
    assert r["ndcg"] == pytest.approx((ndcg0 + 1 + 0 + ndcg3) / 4, abs=1e-7)
    assert r["ndcg@5"] == pytest.approx(r["ndcg"], abs=1e-7)
    assert r["True positives"] == 3
    assert r["False positives"] == 3
    assert r["False negatives"] == 2
    assert r["Precision (microavg)"] == pytest.approx(3 / 6)
    assert r["Recall (microavg)"] == pytest.approx(3 / 5)
    assert r["F1 score (microavg)"] == pytest.approx(2 * 3 / (2 * 3 + 3 + 2))
    # Macro averages run over all 6 subjects: subjects 0, 3 and 5 have F1 1, 1 and 2/3; the rest 0.
    assert r["F1 score (subj avg)"] == pytest.approx((1 + 1 + 2 / 3) / 6)
    assert set(CONTRACT_KEYS) <= set(r) and set(ANNIF_NAMES) <= set(r)
    assert list(r)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS


def test_f1_at_5_is_mean_of_document_f1_not_f1_of_means() -> None:
    pred = sp.csr_matrix(np.array([[0.9, 0.8, 0.7, 0.6, 0.5, 0, 0, 0], [0.9, 0, 0, 0, 0, 0, 0, 0]]))
    gold = gold_matrix([[0], [0, 1, 2, 3, 4, 5, 6, 7]], 8)
    r = evaluate(pred, gold)
    per_doc = (2 * 0.2 * 1 / 1.2 + 2 * 1 * 0.125 / 1.125) / 2
    assert r["f1@5"] == pytest.approx(per_doc)
    assert r["f1@5"] != pytest.approx(2 * r["p@5"] * r["r@5"] / (r["p@5"] + r["r@5"]))


def test_ties_rank_lower_subject_id_first() -> None:
    # Four tied scores; limit 2 keeps subjects 1 and 2, and NDCG ranks 1 before 2.
    pred = sp.csr_matrix(np.array([[0.0, 0.5, 0.5, 0.5, 0.5]]))
    gold = gold_matrix([[2, 4]], 5)
    r = evaluate(pred, gold, limit=2)
    assert r["p@1"] == 0.0
    assert r["p@3"] == pytest.approx(0.5)
    assert r["ndcg"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)), abs=1e-7)


def test_threshold_and_limit_change_the_figures() -> None:
    pred = sp.csr_matrix(np.array([[0.9, 0.2, 0.6], [0.3, 0.4, 0.0]]))
    gold = gold_matrix([[1], [0]], 3)
    assert evaluate(pred, gold, threshold=0.5)["Recall (doc avg)"] == 0.0
    assert evaluate(pred, gold, threshold=0.0)["Recall (doc avg)"] == 1.0
    assert evaluate(pred, gold, limit=1)["Recall (doc avg)"] == 0.0
    assert evaluate(pred, gold, threshold=0.3)["True positives"] == 1  # 0.3 >= 0.3 is kept


# -- against scikit-learn on random data ----------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("limit", [10, 3, None])
def test_set_metrics_match_sklearn(seed: int, limit: int | None) -> None:
    pred, gold = random_case(seed=seed)
    r = evaluate(pred, gold, limit=limit)
    y_true = gold.toarray()
    y_pred = dense_filtered(pred, limit) > 0
    for label, average in [("doc avg", "samples"), ("subj avg", "macro"), ("microavg", "micro"),
                           ("weighted subj avg", "weighted")]:
        kw = {"average": average, "zero_division": 0}
        assert r[f"Precision ({label})"] == pytest.approx(precision_score(y_true, y_pred, **kw))
        assert r[f"Recall ({label})"] == pytest.approx(recall_score(y_true, y_pred, **kw))
        assert r[f"F1 score ({label})"] == pytest.approx(f1_score(y_true, y_pred, **kw))
    for k in (1, 3, 5):
        at_k = dense_filtered(sp.csr_matrix(dense_filtered(pred, limit)), k) > 0
        assert r[f"p@{k}"] == pytest.approx(precision_score(y_true, at_k, average="samples", zero_division=0))
    at_5 = dense_filtered(sp.csr_matrix(dense_filtered(pred, limit)), 5) > 0
    assert r["r@5"] == pytest.approx(recall_score(y_true, at_5, average="samples", zero_division=0))
    assert r["f1@5"] == pytest.approx(f1_score(y_true, at_5, average="samples", zero_division=0))
    assert r["True positives"] == int((y_true & y_pred).sum())
    assert r["False positives"] == int((~y_true & y_pred).sum())
    assert r["False negatives"] == int((y_true & ~y_pred).sum())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ndcg_matches_annif_formula(seed: int) -> None:
    pred, gold = random_case(seed=seed)
    y_true, y_pred = gold.toarray(), dense_filtered(pred, 10)
    r = evaluate(pred, gold)
    assert r["ndcg"] == pytest.approx(annif_ndcg(y_true, y_pred), abs=1e-7)
    assert r["ndcg@5"] == pytest.approx(annif_ndcg(y_true, y_pred, 5), abs=1e-7)
    assert r["ndcg@10"] == pytest.approx(annif_ndcg(y_true, y_pred, 10), abs=1e-7)


@pytest.mark.parametrize("k", [5, 10])
def test_ndcg_at_k_matches_sklearn_where_definitions_agree(k: int) -> None:
    """sklearn's ndcg_score equals Annif's when every document has gold and >= k tie-free suggestions.

    They differ elsewhere: sklearn scores a document without gold 0 (Annif 1), and it ranks unsuggested
    (zero-score) subjects too, where Annif stops at the last suggestion.
    """
    pred, gold = random_case(seed=7, max_pred=25)
    y_true = gold.toarray()
    y_pred = dense_filtered(pred, 10)
    ok = (y_true.sum(axis=1) > 0) & ((y_pred > 0).sum(axis=1) >= k)
    assert ok.sum() >= 20
    sub_pred, sub_gold = sp.csr_matrix(y_pred[ok]), sp.csr_matrix(y_true[ok])
    ours = ndcg(sub_gold, filter_suggestions(sub_pred, limit=10), limit=k)
    assert ours == pytest.approx(ndcg_score(y_true[ok], y_pred[ok], k=k), abs=1e-6)


def test_ndcg_document_without_gold_scores_one() -> None:
    gold = gold_matrix([[], []], 4)
    pred = sp.csr_matrix(np.array([[0.5, 0, 0, 0], [0, 0, 0, 0]]))
    assert ndcg(gold, filter_suggestions(pred)) == 1.0
    assert ndcg_score(gold.toarray(), pred.toarray()) == 0.0  # sklearn differs here


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lrap_matches_sklearn(seed: int) -> None:
    pred, gold = random_case(seed=seed)
    y_pred = dense_filtered(pred, 10)
    assert evaluate(pred, gold)["LRAP"] == pytest.approx(
        label_ranking_average_precision_score(gold.toarray(), y_pred), abs=1e-12
    )


def test_lrap_with_ties_empty_and_full_documents_matches_sklearn() -> None:
    scores = np.array(
        [
            [0.5, 0.5, 0.5, 0.0, 0.2],  # tied suggestions
            [0.0, 0.0, 0.0, 0.0, 0.0],  # no suggestion
            [0.3, 0.1, 0.0, 0.0, 0.0],  # no gold label -> 1
            [0.9, 0.1, 0.1, 0.0, 0.0],  # every subject is gold -> 1
            [0.0, 0.0, 0.7, 0.7, 0.0],
        ],
        dtype=np.float32,
    )
    gold = gold_matrix([[1, 3, 4], [0, 2], [], [0, 1, 2, 3, 4], [3]], 5)
    ours = label_ranking_average_precision(gold, filter_suggestions(sp.csr_matrix(scores), limit=None))
    assert ours == pytest.approx(label_ranking_average_precision_score(gold.toarray(), scores), abs=1e-12)


# -- per-subject report ---------------------------------------------------------------------------------------
def test_per_subject_matches_annif_and_sklearn() -> None:
    pred, gold = random_case(seed=5)
    batch = EvaluationBatch(gold.shape[1])
    batch.add(pred, gold)
    rows = batch.per_subject()
    y_true, y_pred = gold.toarray(), dense_filtered(pred, 10)
    expected = annif_per_subject(y_true, y_pred)
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred > 0, average=None, zero_division=0)
    assert [row["subject"] for row in rows] == list(range(gold.shape[1]))
    for row, (sup, tp, fp, fn, ap, ar, af), sp_, sr, sf, ssup in zip(rows, expected, p, r, f, support, strict=True):
        assert (row["support"], row["true_positives"], row["false_positives"], row["false_negatives"]) == (
            sup, tp, fp, fn
        )
        assert row["suggested"] == tp + fp
        assert row["support"] == ssup
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((ap, ar, af))
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((sp_, sr, sf))
    assert sum(row["true_positives"] for row in rows) == batch.results(["True positives"])["True positives"]


# -- EvaluationBatch and gold_matrix --------------------------------------------------------------------------
def test_batches_accumulate_like_one_evaluation() -> None:
    pred, gold = random_case(n_docs=90, seed=11)
    batch = EvaluationBatch(gold.shape[1])
    for start in range(0, 90, 25):
        batch.add(pred[start : start + 25], gold[start : start + 25])
    assert batch.n_docs == 90
    whole = evaluate(pred, gold)
    assert batch.results() == pytest.approx(whole)
    assert batch.results(limit=3) == pytest.approx(evaluate(pred, gold, limit=3))
    assert batch.results(limit=3) != pytest.approx(whole)


def test_metric_selection_and_errors() -> None:
    pred, gold = random_case(seed=2)
    batch = EvaluationBatch(gold.shape[1])
    with pytest.raises(InputError, match="empty corpus"):
        batch.results()
    batch.add(pred, gold)
    assert list(batch.results(["ndcg", "LRAP"])) == ["ndcg", "LRAP", "docs", "Documents evaluated"]
    with pytest.raises(ParameterError, match="unknown metric.*bogus"):
        batch.results(["bogus"])
    with pytest.raises(InputError, match="columns"):
        batch.add(pred[:, :10], gold[:, :10])
    with pytest.raises(InputError, match="documents"):
        batch.add(pred[:5], gold[:4])
    with pytest.raises(ParameterError, match="at least 2"):
        EvaluationBatch(1)
    assert set(SHORT_KEYS.values()) <= set(ANNIF_NAMES)


def test_zero_documents_is_an_error() -> None:
    batch = EvaluationBatch(4)
    batch.add(sp.csr_matrix((0, 4)), sp.csr_matrix((0, 4)))
    with pytest.raises(InputError, match="empty corpus"):
        batch.results()


def test_annif_output_names_and_results_file() -> None:
    assert metric_code("Precision (doc avg)") == "Precision_doc_avg"
    assert metric_code("F1 score (weighted subj avg)") == "F1_score_weighted_subj_avg"
    assert metric_code("NDCG@5") == "NDCG@5"
    pred = sp.csr_matrix(np.array([[0.9, 0.5, 0.0], [0.0, 0.6, 0.0]]))
    batch = EvaluationBatch(3)
    batch.add(pred, gold_matrix([[0], [0, 2]], 3))
    lines = results_file_lines(batch.per_subject(), ["u0", "u1", "u2"], ["zero", "one", "two"])
    assert lines[0].split("\t") == list(RESULTS_FILE_HEADER)
    assert lines[1:] == ["u0\tzero\t2\t1\t0\t1\t1.0\t0.5\t0.6666666666666666",
                         "u1\tone\t0\t0\t2\t0\t0.0\t0.0\t0.0",
                         "u2\ttwo\t1\t0\t0\t1\t0.0\t0.0\t0.0"]


def test_gold_matrix_builds_bool_rows_and_reports_bad_ids() -> None:
    m = gold_matrix([[2, 0, 2], [], [1]], 3)
    assert m.dtype == bool
    assert m.toarray().tolist() == [[True, False, True], [False, False, False], [False, True, False]]
    with pytest.raises(InputError, match=r"document 2: subject id 7 is outside \[0, 3\)"):
        gold_matrix([[0], [1], [2, 7]], 3)
    assert gold_matrix([], 3).shape == (0, 3)


def test_gold_given_as_counts_or_floats_is_binarised() -> None:
    pred = sp.csr_matrix(np.array([[0.9, 0.1, 0.0]]))
    gold = sp.csr_matrix(np.array([[2.0, 0.0, 1.0]]))
    r = evaluate(pred, gold)
    assert (r["True positives"], r["False negatives"]) == (1, 1)
    assert r["ndcg"] == pytest.approx(statistics.mean([1 / (1 + 1 / math.log2(3))]), abs=1e-7)


# -- bootstrap intervals -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_document_values_average_to_the_reported_figures(seed: int) -> None:
    pred, gold = random_case(seed=seed)
    batch = EvaluationBatch(gold.shape[1])
    batch.add(pred, gold)
    r = batch.results(limit=10)
    filtered = filter_suggestions(pred, 10)
    values = per_document(binarize(gold), filtered)
    assert values["f1@5"].mean() == pytest.approx(r["f1@5"])
    assert values["ndcg"].mean() == pytest.approx(r["ndcg"])
    y_true, at_5 = gold.toarray(), dense_filtered(sp.csr_matrix(dense_filtered(pred, 10)), 5) > 0
    assert values["f1@5"].mean() == pytest.approx(f1_score(y_true, at_5, average="samples", zero_division=0))


def test_bootstrap_interval_holds_the_mean_and_narrows_with_more_documents() -> None:
    rng = np.random.default_rng(0)
    small, large = rng.random(50), rng.random(5000)
    lo_s, hi_s = bootstrap_interval(small)
    lo_l, hi_l = bootstrap_interval(large)
    assert lo_s < small.mean() < hi_s and lo_l < large.mean() < hi_l
    # Width shrinks like 1/sqrt(n): 100x the documents, about a tenth of the width.
    assert 0.05 < (hi_l - lo_l) / (hi_s - lo_s) < 0.2
    assert bootstrap_interval(small, seed=3) == bootstrap_interval(small, seed=3)
    assert bootstrap_interval(np.full(20, 0.4)) == pytest.approx((0.4, 0.4))
    assert math.isnan(bootstrap_interval(np.zeros(0))[0])


def test_bootstrap_interval_rejects_bad_settings() -> None:
    with pytest.raises(ParameterError, match="level"):
        bootstrap_interval(np.ones(3), level=1.5)
    with pytest.raises(ParameterError, match="resamples"):
        bootstrap_interval(np.ones(3), resamples=0)


def test_batch_confidence_brackets_its_figures() -> None:
    pred, gold = random_case(n_docs=300, seed=4)
    batch = EvaluationBatch(gold.shape[1])
    batch.add(pred, gold)
    r, ci = batch.results(limit=10), batch.confidence(limit=10)
    assert set(ci) == {"f1@5", "ndcg"}
    for key, (lo, hi) in ci.items():
        assert lo < r[key] < hi
