"""Metrics the field reports besides Annif's: P/R/F1 at 5, 10, 15, 20 and propensity-scored P@k / nDCG@k.

P, R and F1 at k (the LLMs4Subjects shared task's cut-offs) follow the definition of Annif's
``Precision@k``: per document, the top ``k`` suggestions with a score ``>= threshold`` (and ``> 0``) are
compared with the gold labels; precision = hits / suggestions shown (at most ``k``), recall = hits /
gold labels, F1 = 2 hits / (suggestions + gold), each 0 where undefined (sklearn's ``average='samples'``
with its default ``zero_division``), then averaged over documents. The cut is ``k`` itself, not the
evaluation's ``--limit``: ``f1@20`` looks at 20 suggestions even when the limit is 10.

Propensity-scored metrics (Jain, Prabhu & Varma, KDD 2016, "Extreme multi-label loss functions for
recommendation, tagging, ranking & other missing label applications") weigh each gold label by its
inverse propensity, so a hit on a rare descriptor counts more than one on CONFERENCES::

    1 / p_l = 1 + C * (N_l + B) ** -A,    C = (ln N - 1) * (B + 1) ** A

with ``N`` documents of which ``N_l`` carry label ``l`` (A = 0.55, B = 1.5 by default: the values
the paper fits for Wikipedia-LSHTC; Amazon uses 0.6, 2.6). Like the Extreme Classification
Repository's code (pyxclib ``psprecision`` / ``psndcg``), the figures are normalised by the best
achievable value, so they lie in [0, 1]::

    psp@k    = sum_docs sum_{r<k} gold(r) w(r)          / sum_docs sum_{i<min(k, n_gold)} w*_i
    psndcg@k = sum_docs sum_{r<k} gold(r) w(r) / log2(r+2) / sum_docs sum_{i<min(k, n_gold)} w*_i / log2(i+2)

where ``r`` runs over the ranked suggestions, ``w`` is the inverse propensity and ``w*`` a document's
gold weights sorted in decreasing order (the ideal ranking). For one document, ``psndcg@k`` is
sklearn's ``ndcg_score`` with the weighted gold as relevance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.errors import ParameterError
from unbis.evaluation.filtering import Ranking, filter_suggestions
from unbis.evaluation.metrics import Scored, binarize

#: The cut-offs of the P/R/F1@k keys and of the propensity-scored keys.
PRF_CUTS = (5, 10, 15, 20)
PSP_CUTS = (1, 3, 5, 10)
PSNDCG_CUTS = (3, 5, 10)
PROPENSITY_A = 0.55
PROPENSITY_B = 1.5


@dataclass(frozen=True)
class LabelFrequencies:
    """How many of ``n_docs`` documents carry each subject, and where the counts come from
    (``"training"``: the project's training corpus; ``"evaluation"``: the evaluated documents)."""

    counts: np.ndarray
    n_docs: int
    source: str

    @classmethod
    def of_gold(cls, gold: sp.csr_matrix, source: str = "evaluation") -> LabelFrequencies:
        g = binarize(sp.csr_matrix(gold))
        return cls(np.bincount(g.indices, minlength=g.shape[1]).astype(np.int64), int(g.shape[0]), source)


def inverse_propensity(freq: LabelFrequencies, a: float = PROPENSITY_A, b: float = PROPENSITY_B) -> np.ndarray:
    """``1 / p_l`` for every subject (Jain et al. 2016, eq. 3 of the paper's propensity model)."""
    if not (a > 0 and b >= 0):
        raise ParameterError(f"propensity A must be > 0 and B >= 0, got A={a}, B={b}")
    n = max(freq.n_docs, 1)
    # For N <= e the constant would be <= 0 (every label "more than fully observed"): clamp to 0 so the
    # weights are 1, i.e. plain precision.
    c = max(np.log(n) - 1.0, 0.0) * (b + 1.0) ** a
    return 1.0 + c * np.power(freq.counts.astype(np.float64) + b, -a)


def prf_at(scored: Scored, k: int) -> tuple[float, float, float]:
    """Document-averaged precision, recall and F1 of the top ``k`` of ``scored`` (see the module doc)."""
    n_docs = scored.gold.shape[0]
    keep = scored.ranking.ranks < k
    rows = scored.ranking.rows
    hits = np.bincount(rows[keep & scored.is_gold], minlength=n_docs).astype(np.float64)
    shown = np.bincount(rows[keep], minlength=n_docs).astype(np.float64)
    n_gold = np.diff(scored.gold.indptr).astype(np.float64)
    p, r, f = np.zeros(n_docs), np.zeros(n_docs), np.zeros(n_docs)
    np.divide(hits, shown, out=p, where=shown > 0)
    np.divide(hits, n_gold, out=r, where=n_gold > 0)
    np.divide(2 * hits, shown + n_gold, out=f, where=(shown + n_gold) > 0)
    return float(p.mean()), float(r.mean()), float(f.mean())


def _ideal(gold: sp.csr_matrix, weights: np.ndarray) -> Ranking:
    """Each document's gold labels ranked by decreasing weight: the best ranking there is."""
    g = binarize(gold)
    m = sp.csr_matrix((weights[g.indices].astype(np.float32), g.indices, g.indptr), shape=g.shape)
    return Ranking.of(m)


def propensity_scored(scored: Scored, weights: np.ndarray, k: int, discounted: bool) -> float:
    """Normalised ``psp@k`` (``discounted=False``) or ``psndcg@k`` of ``scored`` with inverse
    propensities ``weights``; NaN when no document has a gold label."""
    ranking = scored.ranking
    keep = (ranking.ranks < k) & scored.is_gold
    discount = (lambda r: 1.0 / np.log2(r + 2.0)) if discounted else (lambda r: np.ones(r.shape))
    gained = float(np.sum(weights[ranking.cols[keep]] * discount(ranking.ranks[keep])))
    ideal = _ideal(scored.gold, weights)
    top = ideal.ranks < k
    best = float(np.sum(ideal.scores[top].astype(np.float64) * discount(ideal.ranks[top])))
    return gained / best if best > 0 else float("nan")


def extended_metrics(
    gold: sp.csr_matrix, pred: sp.csr_matrix, threshold: float = 0.0, frequencies: LabelFrequencies | None = None,
    a: float = PROPENSITY_A, b: float = PROPENSITY_B,
) -> dict[str, Any]:
    """The new ``unbis eval --json`` keys for raw scores ``pred`` against bool ``gold``: ``p@k``,
    ``r@k``, ``f1@k`` for k in 10, 15, 20 (5 exists among Annif's keys), ``psp@k``, ``psndcg@k`` and
    ``propensity`` (the A, B, the frequency source and its document count)."""
    top = filter_suggestions(pred, max(*PRF_CUTS, *PSP_CUTS, *PSNDCG_CUTS), threshold)
    scored = Scored(binarize(gold), Ranking.of(top))
    out: dict[str, Any] = {}
    for k in PRF_CUTS:
        if k == 5:
            continue  # p@5, r@5, f1@5 are Annif's keys, computed with its definition above these
        p, r, f = prf_at(scored, k)
        out.update({f"p@{k}": p, f"r@{k}": r, f"f1@{k}": f})
    freq = frequencies if frequencies is not None else LabelFrequencies.of_gold(gold)
    if freq.counts.shape != (gold.shape[1],):
        raise ParameterError(f"label frequencies for {freq.counts.size} subjects, the vocabulary has {gold.shape[1]}")
    weights = inverse_propensity(freq, a, b)
    for k in PSP_CUTS:
        out[f"psp@{k}"] = propensity_scored(scored, weights, k, discounted=False)
    for k in PSNDCG_CUTS:
        out[f"psndcg@{k}"] = propensity_scored(scored, weights, k, discounted=True)
    out["propensity"] = {"A": a, "B": b, "frequencies": freq.source, "documents": freq.n_docs}
    return out
