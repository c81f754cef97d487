"""Vectorised versions of the Annif metrics that Annif computes with a Python loop over documents.

Reference: NatLibFi/Annif ``annif/eval.py`` (``dcg_score``, ``ndcg_score``, ``true_positives``,
``false_positives``, ``false_negatives``, ``output_result_per_subject``) and, for LRAP, the older
``annif/eval.py`` that called ``sklearn.metrics.label_ranking_average_precision_score``. Every function
takes ``gold`` (bool CSR, documents x subjects) and ``pred`` (float32 CSR of already filtered, strictly
positive scores, as returned by :func:`unbis.evaluation.filtering.filter_suggestions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.evaluation.filtering import Ranking, as_csr, positive_scores

__all__ = [
    "Scored",
    "binarize",
    "confusion_counts",
    "label_ranking_average_precision",
    "f1_per_document",
    "ndcg",
    "ndcg_per_document",
    "per_subject_report",
]


def _entry_keys(m: sp.csr_matrix) -> np.ndarray:
    """One int64 key per stored entry, ``row * n_cols + col``: sorted for a canonical CSR matrix."""
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    return rows * np.int64(m.shape[1]) + m.indices.astype(np.int64)


class Scored:
    """Ranked suggestions of ``pred`` with, for each, whether it is a gold label of its document.

    ``gold`` is a canonical bool CSR matrix; ``pred`` filtered float32 scores (a canonical CSR of positive
    scores or its :class:`Ranking`). Built once and shared by the ranking metrics.
    """

    def __init__(self, gold: sp.csr_matrix, pred: sp.csr_matrix | Ranking) -> None:
        self.gold = gold
        self.ranking = pred if isinstance(pred, Ranking) else Ranking.of(positive_scores(pred))
        m = self.ranking.matrix
        gold_keys, keys = _entry_keys(gold), _entry_keys(m)
        pos = np.minimum(np.searchsorted(gold_keys, keys), max(gold_keys.size - 1, 0))
        in_gold = gold_keys[pos] == keys if gold_keys.size else np.zeros(keys.size, dtype=bool)
        #: per ranked suggestion: is it a gold label?
        self.is_gold: np.ndarray = in_gold[self.ranking.order]


def _scored(gold: sp.csr_matrix, pred: sp.csr_matrix | Ranking | Scored) -> Scored:
    return pred if isinstance(pred, Scored) else Scored(binarize(as_csr(gold, "gold")), pred)


def ndcg(gold: sp.csr_matrix, pred: sp.csr_matrix | Ranking | Scored, limit: int | None = None) -> float:
    """Annif's NDCG (``annif/eval.py``: ``ndcg_score``), averaged over documents (see
    :func:`ndcg_per_document`)."""
    scores = ndcg_per_document(gold, pred, limit)
    return float(scores.mean()) if scores.size else float("nan")


def ndcg_per_document(
    gold: sp.csr_matrix, pred: sp.csr_matrix | Ranking | Scored, limit: int | None = None
) -> np.ndarray:
    """Each document's NDCG, as Annif computes it (float32).

    Per document: DCG = sum over the first ``min(limit, n_suggested)`` ranked suggestions of
    gold / log2(rank + 2); IDCG = sum over ``i < min(limit, n_gold)`` of 1 / log2(i + 2) -- with no limit,
    IDCG counts *all* gold labels even when fewer suggestions were allowed. A document without gold labels
    scores 1.0. Per-document scores are stored as float32 and averaged with ``numpy.mean``, as Annif does.
    """
    scored = _scored(gold, pred)
    gold, n_docs = scored.gold, scored.gold.shape[0]
    rows, ranks, is_gold = scored.ranking.rows, scored.ranking.ranks, scored.is_gold
    if limit is not None:
        keep = ranks < limit
        rows, ranks, is_gold = rows[keep], ranks[keep], is_gold[keep]
    dcg = np.bincount(rows[is_gold], weights=1.0 / np.log2(ranks[is_gold] + 2.0), minlength=n_docs)
    n_gold = np.diff(gold.indptr)
    n_ideal = n_gold if limit is None else np.minimum(n_gold, limit)
    ideal_table = np.concatenate(([0.0], np.cumsum(1.0 / np.log2(np.arange(n_ideal.max(initial=0)) + 2.0))))
    idcg = ideal_table[n_ideal]
    scores = np.ones(n_docs, dtype=np.float32)
    has_gold = idcg > 0
    scores[has_gold] = dcg[has_gold] / idcg[has_gold]
    return scores


def f1_per_document(gold: sp.csr_matrix, pred_bin: sp.csr_matrix) -> np.ndarray:
    """Each document's F1 of bool suggestions against bool gold, 0 where both are empty: the values
    whose mean is sklearn's ``f1_score(..., average='samples')`` with its default ``zero_division``."""
    tp = np.asarray(gold.multiply(pred_bin).sum(axis=1), dtype=np.float64).ravel()
    total = np.diff(gold.indptr) + np.diff(pred_bin.indptr)
    out = np.zeros(gold.shape[0])
    np.divide(2.0 * tp, total, out=out, where=total > 0)
    return out


def label_ranking_average_precision(gold: sp.csr_matrix, pred: sp.csr_matrix | Ranking | Scored) -> float:
    """``sklearn.metrics.label_ranking_average_precision_score(gold, pred)`` without densifying ``pred``.

    Older Annif (``annif/eval.py`` up to 0.6x) reported it as ``LRAP`` on the filtered score vectors. For a
    gold label with score s: rank = #subjects scored >= s, L = #gold labels scored >= s; a document's value
    is mean(L / rank) over its gold labels, 1.0 when it has no gold label or every subject is gold.
    Unsuggested subjects score 0, so an unsuggested gold label has rank = n_subjects and L = n_gold.
    """
    scored = _scored(gold, pred)
    gold, ranking, is_gold = scored.gold, scored.ranking, scored.is_gold
    n_docs, n_subjects = gold.shape
    if n_docs == 0:
        return float("nan")
    n_gold = np.diff(gold.indptr).astype(np.float64)
    rows, data, indptr = ranking.rows, ranking.scores, ranking.matrix.indptr
    n = rows.size
    # rank 'max' over ties: the position of the last entry of each tie group (same row, same score)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (rows[1:] != rows[:-1]) | (data[1:] != data[:-1])
    group_id = np.cumsum(new_group) - 1
    group_last = np.zeros(int(group_id[-1]) + 1 if n else 0, dtype=np.int64)
    group_last[group_id] = np.arange(n, dtype=np.int64)  # later positions overwrite: the last one wins
    last = group_last[group_id]
    rank = (last - indptr[rows] + 1).astype(np.float64)
    cum_gold = np.cumsum(is_gold, dtype=np.int64)
    before_row = np.where(indptr[rows] > 0, cum_gold[np.maximum(indptr[rows] - 1, 0)], 0)
    gold_upto = (cum_gold[last] - before_row).astype(np.float64)
    suggested_sum = np.bincount(rows[is_gold], weights=gold_upto[is_gold] / rank[is_gold], minlength=n_docs)
    n_gold_suggested = np.bincount(rows[is_gold], minlength=n_docs).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        unsuggested_sum = (n_gold - n_gold_suggested) * n_gold / n_subjects
        per_doc = (suggested_sum + unsuggested_sum) / n_gold
    trivial = (n_gold == 0) | (n_gold == n_subjects)
    per_doc[trivial] = 1.0
    return float(per_doc.mean())


def binarize(m: sp.csr_matrix) -> sp.csr_matrix:
    """A bool CSR with True where ``m`` has a positive stored value (Annif's ``y_pred > 0.0``)."""
    keep = m.data > 0
    out = sp.csr_matrix((np.ones(int(keep.sum()), dtype=bool), m.indices[keep],
                         np.concatenate(([0], np.cumsum(keep)))[m.indptr]), shape=m.shape)
    return out


def confusion_counts(gold: sp.csr_matrix, pred: sp.csr_matrix) -> tuple[int, int, int]:
    """Annif's ``True positives``, ``False positives``, ``False negatives`` over all (document, subject)."""
    gold, pb = binarize(as_csr(gold, "gold")), binarize(as_csr(pred, "pred"))
    tp = int(gold.multiply(pb).count_nonzero())
    return tp, int(pb.count_nonzero()) - tp, int(gold.count_nonzero()) - tp


def per_subject_report(gold: sp.csr_matrix, pred: sp.csr_matrix) -> list[dict[str, Any]]:
    """Annif's ``--results-file`` rows (``output_result_per_subject``), one per subject id in order.

    Keys: ``subject`` (id), ``support`` (gold count), ``suggested`` (TP + FP), ``true_positives``,
    ``false_positives``, ``false_negatives``, ``precision`` = TP / (TP + FP), ``recall`` = TP / (TP + FN),
    ``f1`` = 2PR / (P + R), each 0.0 where undefined (Annif's ``nan_to_num``).
    """
    gold, pb = binarize(as_csr(gold, "gold")), binarize(as_csr(pred, "pred"))
    n_subjects = gold.shape[1]
    support = np.bincount(gold.indices, minlength=n_subjects).astype(np.int64)
    suggested = np.bincount(pb.indices, minlength=n_subjects).astype(np.int64)
    hits = binarize(sp.csr_matrix(gold.multiply(pb)))
    tp = np.bincount(hits.indices, minlength=n_subjects).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(tp / suggested)
        recall = np.nan_to_num(tp / support)
        f1 = np.nan_to_num(2 * (precision * recall) / (precision + recall))
    return [
        {
            "subject": s,
            "support": int(support[s]),
            "suggested": int(suggested[s]),
            "true_positives": int(tp[s]),
            "false_positives": int(suggested[s] - tp[s]),
            "false_negatives": int(support[s] - tp[s]),
            "precision": float(precision[s]),
            "recall": float(recall[s]),
            "f1": float(f1[s]),
        }
        for s in range(n_subjects)
    ]
