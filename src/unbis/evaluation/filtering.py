"""Per-document top-K / threshold filtering of sparse suggestion matrices, as Annif does before evaluating.

Annif (``annif/suggestion.py``, ``filter_suggestion``) keeps, per row, the ``limit`` highest scores that are
``>= threshold``; suggestions with a score ``<= 0`` never exist in Annif (``SuggestionBatch.from_sequence``
drops them and evaluation binarises with ``> 0``), and scores are stored as float32. This module does the
same without a Python loop over rows: one ``lexsort`` over the stored entries.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from unbis.errors import ParameterError

__all__ = ["as_csr", "filter_suggestions", "row_ranks", "sort_within_rows"]


def as_csr(m: sp.spmatrix | sp.sparray | np.ndarray, name: str = "matrix") -> sp.csr_matrix:
    """A canonical CSR copy-free view of ``m`` (duplicates summed, column indices sorted)."""
    if not (sp.issparse(m) or isinstance(m, np.ndarray)):
        raise TypeError(f"{name} must be a scipy.sparse matrix or a numpy array, not {type(m).__name__}")
    out = sp.csr_matrix(m)
    if out.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (documents x subjects), got shape {out.shape}")
    if not out.has_canonical_format:
        out = out.copy()
        out.sum_duplicates()  # also sorts indices
    return out


def sort_within_rows(m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Order of ``m``'s stored entries: by row, then score descending, then subject id ascending.

    Returns ``(order, rows)`` where ``order`` indexes ``m.data``/``m.indices`` and ``rows`` is the row of
    every stored entry (unsorted). Ties are broken by the lower subject id, deterministically.
    """
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    order = np.lexsort((m.indices, -m.data, rows))
    return order, rows


def row_ranks(sorted_rows: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """0-based position of every entry within its row, given entries sorted by row."""
    return np.arange(sorted_rows.size, dtype=np.int64) - indptr[sorted_rows]


def filter_suggestions(
    pred: sp.spmatrix | sp.sparray | np.ndarray, limit: int | None = 10, threshold: float = 0.0
) -> sp.csr_matrix:
    """Keep, per document, the top-``limit`` suggestions with ``score >= threshold`` and ``score > 0``.

    Exactly Annif's ``filter_suggestion`` (``>= threshold``, float32 scores) combined with its rule that
    non-positive scores are no suggestion. ``limit=None`` keeps every suggestion passing the threshold.
    Ties at the cut-off are broken by the lower subject id (Annif's ``argpartition`` leaves them
    unspecified). Returns a canonical float32 CSR matrix of the same shape.
    """
    bad_limit = isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0
    if limit is not None and bad_limit:
        raise ParameterError(f"limit must be a non-negative integer or None, got {limit!r}")
    if not np.isfinite(threshold):
        raise ParameterError(f"threshold must be a finite number, got {threshold!r}")
    m = as_csr(pred, "pred")
    data = m.data.astype(np.float32, copy=False)
    if np.isnan(data).any():
        raise ValueError("pred contains NaN scores")
    keep = (data > 0.0) & (data >= np.float32(threshold))
    m = sp.csr_matrix((data[keep], m.indices[keep], _kept_indptr(m.indptr, keep)), shape=m.shape)
    if limit is None:
        return m
    if limit == 0:
        return sp.csr_matrix(m.shape, dtype=np.float32)
    if np.diff(m.indptr).max(initial=0) <= limit:
        return m  # nothing to cut: skip the sort
    order, rows = sort_within_rows(m)
    top = order[row_ranks(rows[order], m.indptr) < limit]
    top.sort()  # back to row-major, column-sorted order so the result stays canonical
    return sp.csr_matrix(
        (m.data[top], m.indices[top], _kept_indptr(m.indptr, _mask(m.nnz, top))), shape=m.shape
    )


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[idx] = True
    return out


def _kept_indptr(indptr: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The row pointer of a CSR matrix after dropping the stored entries where ``keep`` is False."""
    csum = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    return csum[indptr]
