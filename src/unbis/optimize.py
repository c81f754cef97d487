"""``unbis optimize``: find the suggestion limit and score threshold that maximise F1 (document
average, as Annif's ``optimize``) on a labelled corpus, and store them with the model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.corpus.document import Document
from unbis.errors import InputError
from unbis.evaluation import filter_suggestions, gold_matrix
from unbis.evaluation.metrics import f1_per_document
from unbis.project.project import Project

LIMITS = tuple(range(1, 16))
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.0, 0.91, 0.05))


def optimize_scores(scores: sp.csr_matrix, gold: sp.csr_matrix) -> dict[str, Any]:
    """Grid search over ``LIMITS`` x ``THRESHOLDS``; ties keep the smaller limit and threshold."""
    best = {"limit": LIMITS[0], "threshold": THRESHOLDS[0], "f1": -1.0}
    for limit in LIMITS:
        top = filter_suggestions(scores, limit=limit)
        for threshold in THRESHOLDS:
            kept = filter_suggestions(top, limit=None, threshold=threshold)
            f1 = float(f1_per_document(gold.astype(bool), kept.astype(bool)).mean()) if gold.shape[0] else 0.0
            if f1 > best["f1"] + 1e-12:
                best = {"limit": limit, "threshold": threshold, "f1": f1}
    return best


def optimize_project(project: Project, documents: Iterable[Document], batch_size: int = 64) -> dict[str, Any]:
    """Suggest for labelled ``documents``, pick the best limit/threshold and store them in the project."""
    docs = [d for d in documents if d.subjects]
    if not docs:
        raise InputError("optimize needs labelled documents; the corpus has none")
    texts = [d.text for d in docs]
    scores = sp.vstack([project.suggest_matrix(texts[i : i + batch_size])
                        for i in range(0, len(texts), batch_size)]).tocsr()
    best = optimize_scores(scores, gold_matrix([d.subjects for d in docs], len(project.vocab)))
    project.update_config(limit=best["limit"], threshold=best["threshold"])
    return {**best, "documents": len(docs)}
