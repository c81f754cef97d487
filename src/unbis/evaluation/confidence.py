"""How far a corpus-level figure could move with another sample of documents: percentile bootstrap
intervals over documents for the metrics that are means of per-document values (F1@5, NDCG).

An evaluation set of a few hundred documents gives NDCG with a standard error of about 0.01-0.02, so
two models (or a model and a target) closer than that are not told apart by one evaluation. The
interval is of the mean over documents resampled with replacement, not a significance test of a
difference (for that, compare both models on the same resamples).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from unbis.errors import ParameterError
from unbis.evaluation.filtering import Ranking
from unbis.evaluation.metrics import Scored, binarize, f1_per_document, ndcg_per_document

RESAMPLES = 2000
LEVEL = 0.95
_CHUNK = 200  # resamples drawn at once: chunk x documents indexes stay bounded


def per_document(gold: sp.csr_matrix, pred: sp.csr_matrix) -> dict[str, np.ndarray]:
    """Per-document ``f1@5`` and ``ndcg`` (short keys of the ``unbis eval --json`` contract) for
    filtered suggestions ``pred``; their means are the figures :class:`~unbis.evaluation.EvaluationBatch`
    reports."""
    scored = Scored(gold, Ranking.of(pred))
    return {"f1@5": f1_per_document(gold, binarize(scored.ranking.top(5))),
            "ndcg": ndcg_per_document(gold, scored).astype(np.float64)}


def bootstrap_interval(
    values: np.ndarray, level: float = LEVEL, resamples: int = RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """The ``level`` percentile interval of the mean of ``values`` over ``resamples`` resamples with
    replacement (seeded: the same values give the same interval)."""
    if not 0 < level < 1:
        raise ParameterError(f"confidence level must be in (0, 1), not {level}")
    if resamples < 1:
        raise ParameterError(f"resamples must be >= 1, not {resamples}")
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = np.concatenate([
        values[rng.integers(0, values.size, (min(_CHUNK, resamples - lo), values.size))].mean(axis=1)
        for lo in range(0, resamples, _CHUNK)
    ])
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return float(lo), float(hi)


def intervals(
    gold: sp.csr_matrix, pred: sp.csr_matrix, level: float = LEVEL, resamples: int = RESAMPLES, seed: int = 0
) -> dict[str, list[float]]:
    """``{"f1@5": [low, high], "ndcg": [low, high]}`` for filtered suggestions ``pred``."""
    return {name: list(bootstrap_interval(v, level, resamples, seed)) for name, v in per_document(gold, pred).items()}
