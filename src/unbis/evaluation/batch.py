"""Accumulate suggestion and gold matrices, then compute Annif's metrics on the whole corpus at once.

Metric names. ``results()`` returns the short keys of the ``unbis eval --json`` contract first, then Annif's
own names (those printed by ``annif eval``; Annif >= 1.0 spells them exactly so). Definitions follow
NatLibFi/Annif ``annif/eval.py`` (``EvaluationBatch._evaluate_samples``); ``y_true`` is the gold matrix,
``y_pred`` the suggestions after the ``limit``/``threshold`` filter, ``bin(M)`` is ``M > 0``,
``top(k)`` is :func:`filter_suggestions` with ``limit=k``, ``prf`` is sklearn's
``precision_recall_fscore_support`` with its default ``zero_division`` (0 where undefined):

======================  ================================  ==============================================
short key               Annif name                        definition
======================  ================================  ==============================================
``p@1``/``p@3``/``p@5`` ``Precision@1``/``@3``/``@5``     precision_score(y_true, bin(top(k)), 'samples')
``r@5``                 ``Recall@5`` (not in Annif)       recall_score(y_true, bin(top(5)), 'samples')
``f1@5``                ``F1@5``                          f1_score(y_true, bin(top(5)), 'samples')
``ndcg``                ``NDCG``                          :func:`~unbis.evaluation.metrics.ndcg`
``ndcg@5``/``ndcg@10``  ``NDCG@5``/``NDCG@10``            the same, cut at 5 / 10 on both DCG and IDCG
``docs``                ``Documents evaluated``           number of documents
\\-                     ``Precision (doc avg)`` ...       prf(y_true, bin(y_pred), average='samples')
\\-                     ``Precision (subj avg)`` ...      prf(..., average='macro'), over *all* subjects
\\-                     ``Precision (weighted subj avg)`` prf(..., average='weighted')
\\-                     ``Precision (microavg)`` ...      prf(..., average='micro')
\\-                     ``LRAP``                          label_ranking_average_precision_score
\\-                     ``True positives`` / ``False      counts of (document, subject) pairs
                        positives`` / ``False negatives``
======================  ================================  ==============================================

"..." stands for the matching ``Recall`` and ``F1 score`` entries. Every average is over documents
(``samples``), so ``f1@5`` is the mean of per-document F1 values, not the F1 of mean P and R.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.errors import InputError, ParameterError
from unbis.evaluation.confidence import LEVEL, RESAMPLES, intervals
from unbis.evaluation.extended import PROPENSITY_A, PROPENSITY_B, LabelFrequencies, extended_metrics
from unbis.evaluation.filtering import Ranking, as_csr, filter_suggestions
from unbis.evaluation.metrics import (
    Scored,
    binarize,
    confusion_counts,
    label_ranking_average_precision,
    ndcg,
    per_subject_report,
)

__all__ = [
    "ANNIF_NAMES",
    "RESULTS_FILE_HEADER",
    "SHORT_KEYS",
    "EvaluationBatch",
    "evaluate",
    "gold_matrix",
    "metric_code",
    "results_file_lines",
]

#: short key -> Annif name, in the order ``results()`` lists them.
SHORT_KEYS: dict[str, str] = {
    "p@1": "Precision@1",
    "p@3": "Precision@3",
    "p@5": "Precision@5",
    "r@5": "Recall@5",
    "f1@5": "F1@5",
    "ndcg": "NDCG",
    "ndcg@5": "NDCG@5",
    "ndcg@10": "NDCG@10",
    "docs": "Documents evaluated",
}

_AVERAGES = {"doc avg": "samples", "subj avg": "macro", "weighted subj avg": "weighted", "microavg": "micro"}

#: Every long name, in Annif's output order, plus ``LRAP`` (reported by Annif <= 0.6x) and our ``Recall@5``.
ANNIF_NAMES: tuple[str, ...] = (
    *(f"{kind} ({avg})" for avg in _AVERAGES for kind in ("Precision", "Recall", "F1 score")),
    "F1@5",
    "NDCG",
    "NDCG@5",
    "NDCG@10",
    "Precision@1",
    "Precision@3",
    "Precision@5",
    "Recall@5",
    "LRAP",
    "True positives",
    "False positives",
    "False negatives",
    "Documents evaluated",
)


#: The header of Annif's ``--results-file`` (``EvaluationBatch._result_per_subject_header``).
RESULTS_FILE_HEADER = (
    "URI", "Label", "Support", "True_positives", "False_positives", "False_negatives",
    "Precision", "Recall", "F1_score",
)


def metric_code(name: str) -> str:
    """The key Annif's ``--metrics-file`` JSON uses for a metric name (``annif/util.py``: ``metric_code``)."""
    return name.translate(name.maketrans(" ", "_", "()"))


def results_file_lines(rows: Sequence[dict[str, Any]], uris: Sequence[str], labels: Sequence[str]) -> list[str]:
    """Annif's tab-separated ``--results-file`` lines (header first) for :meth:`EvaluationBatch.per_subject`.

    ``uris`` and ``labels`` are indexed by subject id; values are written with ``str`` as Annif does.
    """
    keys = ("support", "true_positives", "false_positives", "false_negatives", "precision", "recall", "f1")
    lines = ["\t".join(RESULTS_FILE_HEADER)]
    for row in rows:
        s = row["subject"]
        lines.append("\t".join([uris[s], labels[s], *(str(row[k]) for k in keys)]))
    return lines


def gold_matrix(subject_lists: Sequence[Sequence[int]], n_subjects: int) -> sp.csr_matrix:
    """A bool CSR matrix (documents x subjects) with True for every gold subject id of every document."""
    lengths = np.fromiter((len(s) for s in subject_lists), dtype=np.int64, count=len(subject_lists))
    cols = np.fromiter((c for s in subject_lists for c in s), dtype=np.int64, count=int(lengths.sum()))
    bad = (cols < 0) | (cols >= n_subjects)
    if bad.any():
        first = int(np.argmax(bad))
        doc = int(np.searchsorted(np.cumsum(lengths), first, side="right"))
        raise InputError(f"document {doc}: subject id {int(cols[first])} is outside [0, {n_subjects})")
    rows = np.repeat(np.arange(len(subject_lists), dtype=np.int64), lengths)
    m = sp.csr_matrix((np.ones(cols.size, dtype=bool), (rows, cols)), shape=(len(subject_lists), n_subjects))
    m.sum_duplicates()
    return m


def _prf(gold: sp.csr_matrix, pred_bin: sp.csr_matrix, average: str) -> tuple[float, float, float]:
    """sklearn's (precision, recall, F1) exactly as Annif calls it (default zero_division, warnings off)."""
    # Imported here: scikit-learn costs about a second to import, and suggesting never needs it.
    from sklearn.metrics import precision_recall_fscore_support

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = precision_recall_fscore_support(gold, pred_bin, average=average)
    return float(p), float(r), float(f)


def _metric_table(gold: sp.csr_matrix, pred: sp.csr_matrix) -> dict[str, Callable[[], float | int]]:
    """Lazy metric functions by Annif name; sklearn results are cached so P, R and F1 share one call."""
    cache: dict[tuple[str, int | None], tuple[float, float, float]] = {}
    shared: dict[str, Any] = {}

    def scored() -> Scored:
        # One ranking of the filtered suggestions serves every @k cut and every ranking metric.
        if "scored" not in shared:
            shared["scored"] = Scored(gold, Ranking.of(pred))
        return shared["scored"]  # type: ignore[no-any-return]

    def prf(average: str, k: int | None = None) -> tuple[float, float, float]:
        if (average, k) not in cache:
            cut = pred if k is None else scored().ranking.top(k)
            cache[average, k] = _prf(gold, binarize(cut), average)
        return cache[average, k]

    def counts() -> tuple[int, int, int]:
        if ("counts", None) not in cache:
            cache["counts", None] = confusion_counts(gold, pred)  # type: ignore[assignment]
        return cache["counts", None]  # type: ignore[return-value]

    table: dict[str, Callable[[], float | int]] = {}
    for label, average in _AVERAGES.items():
        for i, kind in enumerate(("Precision", "Recall", "F1 score")):
            table[f"{kind} ({label})"] = lambda a=average, i=i: prf(a)[i]  # type: ignore[misc]
    table.update(
        {
            "F1@5": lambda: prf("samples", 5)[2],
            "NDCG": lambda: ndcg(gold, scored()),
            "NDCG@5": lambda: ndcg(gold, scored(), limit=5),
            "NDCG@10": lambda: ndcg(gold, scored(), limit=10),
            "Precision@1": lambda: prf("samples", 1)[0],
            "Precision@3": lambda: prf("samples", 3)[0],
            "Precision@5": lambda: prf("samples", 5)[0],
            "Recall@5": lambda: prf("samples", 5)[1],
            "LRAP": lambda: label_ranking_average_precision(gold, scored()),
            "True positives": lambda: counts()[0],
            "False positives": lambda: counts()[1],
            "False negatives": lambda: counts()[2],
            "Documents evaluated": lambda: int(gold.shape[0]),
        }
    )
    return table


class EvaluationBatch:
    """Collects (suggestions, gold) batches; ``results()`` evaluates them all like ``annif eval``.

    ``add`` stores the raw score matrices, so one batch can be evaluated at several limits/thresholds
    (as ``annif optimize`` does); the filter is applied per document, hence batch boundaries do not matter.
    """

    def __init__(self, n_subjects: int) -> None:
        if n_subjects < 2:
            raise ParameterError(f"evaluation needs a vocabulary of at least 2 subjects, got {n_subjects}")
        self.n_subjects = n_subjects
        self._preds: list[sp.csr_matrix] = []
        self._golds: list[sp.csr_matrix] = []
        self._stacked: tuple[int, sp.csr_matrix, sp.csr_matrix] | None = None
        self._filtered: dict[tuple[int | None, float], sp.csr_matrix] = {}

    @property
    def n_docs(self) -> int:
        return sum(g.shape[0] for g in self._golds)

    def add(self, pred: sp.spmatrix | sp.sparray, gold: sp.spmatrix | sp.sparray) -> None:
        """Add a batch: ``pred`` scores and ``gold`` 0/1 labels, both documents x ``n_subjects``."""
        pred_csr, gold_csr = as_csr(pred, "pred"), as_csr(gold, "gold")
        for name, m in (("pred", pred_csr), ("gold", gold_csr)):
            if m.shape[1] != self.n_subjects:
                raise InputError(f"{name} has {m.shape[1]} columns, the vocabulary has {self.n_subjects}")
        if pred_csr.shape[0] != gold_csr.shape[0]:
            raise InputError(f"pred has {pred_csr.shape[0]} documents but gold has {gold_csr.shape[0]}")
        if np.isnan(pred_csr.data).any():
            raise InputError("pred contains NaN scores")
        self._preds.append(pred_csr)
        self._golds.append(binarize(gold_csr))

    def _stack(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if self.n_docs == 0:
            raise InputError("cannot evaluate an empty corpus: no documents were added")
        if self._stacked is None or self._stacked[0] != len(self._golds):
            self._stacked = (len(self._golds), sp.csr_matrix(sp.vstack(self._preds, format="csr")),
                             binarize(sp.csr_matrix(sp.vstack(self._golds, format="csr"))))
            self._filtered.clear()
        return self._stacked[1], self._stacked[2]

    def matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Every added batch stacked: the raw scores and the bool gold labels."""
        return self._stack()

    def _filtered_pred(self, limit: int | None, threshold: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        pred, gold = self._stack()
        key = (limit, float(threshold))
        if key not in self._filtered:
            self._filtered = {key: filter_suggestions(pred, limit, threshold)}  # keep one: they are large
        return self._filtered[key], gold

    def results(
        self, metrics: Sequence[str] | None = None, limit: int | None = 10, threshold: float = 0.0
    ) -> dict[str, float | int]:
        """Metric values by name (see the module docstring); ``metrics`` selects short keys or Annif names.

        Without ``metrics``, every short key, then every Annif name. ``docs`` and
        ``Documents evaluated`` are always included, as Annif always adds the latter.
        """
        unknown = [m for m in metrics or () if m not in SHORT_KEYS and m not in ANNIF_NAMES]
        if unknown:
            valid = ", ".join([*SHORT_KEYS, *ANNIF_NAMES])
            raise ParameterError(f"unknown metric(s) {', '.join(unknown)}; valid: {valid}")
        pred, gold = self._filtered_pred(limit, threshold)
        table = _metric_table(gold, pred)
        wanted = list(metrics) if metrics else [*SHORT_KEYS, *ANNIF_NAMES]
        for always in ("docs", "Documents evaluated"):
            if always not in wanted:
                wanted.append(always)
        return {name: table[SHORT_KEYS.get(name, name)]() for name in wanted}

    def confidence(
        self, limit: int | None = 10, threshold: float = 0.0, level: float = LEVEL, resamples: int = RESAMPLES,
    ) -> dict[str, list[float]]:
        """Bootstrap ``level`` intervals over documents for ``f1@5`` and ``ndcg`` (see
        :mod:`unbis.evaluation.confidence`)."""
        pred, gold = self._filtered_pred(limit, threshold)
        return intervals(gold, pred, level, resamples)

    def extended(
        self, threshold: float = 0.0, frequencies: LabelFrequencies | None = None,
        a: float = PROPENSITY_A, b: float = PROPENSITY_B,
    ) -> dict[str, Any]:
        """P/R/F1 at 10, 15, 20 and propensity-scored P@k / nDCG@k (see :mod:`unbis.evaluation.extended`);
        label frequencies from ``frequencies`` (the training corpus) or else these documents."""
        pred, gold = self._stack()
        return extended_metrics(gold, pred, threshold, frequencies, a, b)

    def per_subject(self, limit: int | None = 10, threshold: float = 0.0) -> list[dict[str, Any]]:
        """Annif's ``--results-file`` rows, one per subject id (see :func:`per_subject_report`)."""
        pred, gold = self._filtered_pred(limit, threshold)
        return per_subject_report(gold, pred)


def evaluate(
    pred: sp.spmatrix | sp.sparray,
    gold: sp.spmatrix | sp.sparray,
    limit: int | None = 10,
    threshold: float = 0.0,
) -> dict[str, float | int]:
    """All metrics of one ``pred`` score matrix against one ``gold`` matrix (see :class:`EvaluationBatch`)."""
    batch = EvaluationBatch(as_csr(gold, "gold").shape[1])
    batch.add(pred, gold)
    return batch.results(limit=limit, threshold=threshold)
