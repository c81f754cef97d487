"""Batch indexing: parallel (processes or Dask), resumable, crash-safe; JSONL, TSV and MARC 21 output.

Command line (one output option picks the format)::

    unbis index PROJECT_DIR INPUT... (--jsonl OUT | --tsv OUT | --marc OUT) [--limit 10] [--threshold S]
                [--jobs N] [--batch-size 64] [--errors FILE] [--force] [--dask tcp://HOST:8786 | local]

* Inputs are files or directory trees in any corpus format (one document per ``.txt`` file, Annif TSV,
  JSONL, ``.gz``), streamed: memory does not grow with the number of documents.
* ``--jobs`` worker processes (default: all cores; ``1`` runs in-process); ``--dask`` sends the batches to
  a Dask cluster instead (the project directory must be readable at the same path on the workers).
* Resumable: rerunning the same command continues where an interrupted run (Ctrl-C, kill -9) stopped;
  ``--force`` redoes everything. Each batch is appended with one write + fsync and committed in
  ``OUT.progress`` (see :mod:`unbis.batch.journal`); other settings on resume are refused.
* Documents that fail (unreadable, not UTF-8, empty, or the model raised) go to ``OUT.errors`` as JSON
  lines ``{"document", "source", "reason", "message"}``; the run goes on and ends with counts.
"""

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
