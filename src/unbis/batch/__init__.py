"""Batch indexing: parallel (processes or Dask), resumable, crash-safe; JSONL, TSV and MARC 21 output."""

from unbis.batch.journal import Journal, journal_path
from unbis.batch.outputs import OUTPUT_FORMATS, OutputFormat, jsonl_line
from unbis.batch.runner import (
    DEFAULT_BATCH_SIZE,
    IndexSummary,
    count_documents,
    errors_path_for,
    run_index,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "OUTPUT_FORMATS",
    "IndexSummary",
    "Journal",
    "OutputFormat",
    "count_documents",
    "errors_path_for",
    "journal_path",
    "jsonl_line",
    "run_index",
]
