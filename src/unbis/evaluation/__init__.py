"""Annif-identical evaluation metrics over sparse suggestion matrices (documents x subjects)."""

from unbis.evaluation.batch import (
    ANNIF_NAMES,
    RESULTS_FILE_HEADER,
    SHORT_KEYS,
    EvaluationBatch,
    evaluate,
    gold_matrix,
    metric_code,
    results_file_lines,
)
from unbis.evaluation.filtering import filter_suggestions
from unbis.evaluation.metrics import label_ranking_average_precision, ndcg, per_subject_report

__all__ = [
    "ANNIF_NAMES",
    "RESULTS_FILE_HEADER",
    "SHORT_KEYS",
    "EvaluationBatch",
    "evaluate",
    "filter_suggestions",
    "gold_matrix",
    "label_ranking_average_precision",
    "metric_code",
    "ndcg",
    "per_subject_report",
    "results_file_lines",
]
