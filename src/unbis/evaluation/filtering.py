"""Per-document ranking and top-K / threshold filtering of sparse suggestion matrices, as Annif does.

Annif (``annif/suggestion.py``, ``filter_suggestion``) keeps, per row, the ``limit`` highest scores that are
``>= threshold``; suggestions with a score ``<= 0`` never exist in Annif (``SuggestionBatch.from_sequence``
drops them and evaluation binarises with ``> 0``), and scores are stored as float32.

Ranking every row without a Python loop: the bits of a positive float32 grow with its value, so one
integer key ``(row, inverted score bits, position in row)`` per stored entry, sorted with ``numpy.sort``,
orders all rows at once (a ``lexsort`` on three keys is ~60x slower on 10 million entries). The position
within a canonical CSR row follows the subject id, so ties are broken by the lower subject id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from unbis.errors import ParameterError

__all__ = ["Ranking", "as_csr", "filter_suggestions", "positive_scores"]

_SCORE_BITS = 31  # a positive float32 has its sign bit clear


def as_csr(m: sp.spmatrix | sp.sparray | np.ndarray, name: str = "matrix") -> sp.csr_matrix:
    """``m`` as a canonical CSR matrix (duplicates summed, column indices sorted); no copy if it is one."""
    if not (sp.issparse(m) or isinstance(m, np.ndarray)):
        raise TypeError(f"{name} must be a scipy.sparse matrix or a numpy array, not {type(m).__name__}")
    if m.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (documents x subjects), got shape {m.shape}")
    out = sp.csr_matrix(m)
    if not out.has_canonical_format:
        out = out.copy()
        out.sum_duplicates()  # also sorts the column indices
    return out


def _select(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The stored entries of ``m`` where ``keep`` is True, as a CSR matrix in the same (canonical) order."""
    indptr = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))[m.indptr]
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def positive_scores(pred: sp.spmatrix | sp.sparray | np.ndarray, threshold: float = 0.0) -> sp.csr_matrix:
    """The float32 scores of ``pred`` that are ``> 0`` and ``>= threshold`` (canonical CSR)."""
    if not np.isfinite(threshold):
        raise ParameterError(f"threshold must be a finite number, got {threshold!r}")
    m = as_csr(pred, "pred")
    m = sp.csr_matrix((m.data.astype(np.float32, copy=False), m.indices, m.indptr), shape=m.shape)
    if np.isnan(m.data).any():
        raise ValueError("pred contains NaN scores")
    return _select(m, (m.data > 0.0) & (m.data >= np.float32(threshold)))


@dataclass(frozen=True)
class Ranking:
    """The stored entries of ``matrix`` (positive float32 scores) ranked within each row.

    ``order[i]`` is the index into ``matrix.data`` of the i-th entry in ranked order (by row, score
    descending, subject id ascending); ``rows[i]`` its row and ``ranks[i]`` its 0-based rank in the row.
    """

    matrix: sp.csr_matrix
    order: np.ndarray
    rows: np.ndarray
    ranks: np.ndarray

    @classmethod
    def of(cls, m: sp.csr_matrix) -> Ranking:
        """Rank ``m``, which must be canonical CSR with strictly positive float32 data."""
        lengths = np.diff(m.indptr).astype(np.int64)
        pos_bits = max(int(lengths.max(initial=0)).bit_length(), 1)
        row_bits = 63 - _SCORE_BITS - pos_bits
        if row_bits < 1:
            raise ValueError(f"a row with {int(lengths.max())} suggestions is too long to rank")
        rows_per_chunk = 1 << row_bits
        # In-place int64 arithmetic: the keys use at most 63 bits, and fewer temporaries matter at 10M entries.
        starts = np.repeat(m.indptr[:-1].astype(np.int64), lengths)
        rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), lengths)
        ranks = np.arange(m.nnz, dtype=np.int64)
        ranks -= starts  # position in the row; ranked order keeps each row on the same span
        data = np.ascontiguousarray(m.data, dtype=np.float32)
        if m.nnz and not data.min() > 0:
            raise ValueError("only strictly positive scores can be ranked: filter them first")
        bits = data.view(np.int32)
        order = np.empty(m.nnz, dtype=np.int64)
        for first in range(0, m.shape[0], rows_per_chunk):
            lo, hi = int(m.indptr[first]), int(m.indptr[min(first + rows_per_chunk, m.shape[0])])
            keys = rows[lo:hi] - first
            keys <<= _SCORE_BITS + pos_bits
            inv = bits[lo:hi].astype(np.int64)
            np.subtract((1 << _SCORE_BITS) - 1, inv, out=inv)
            inv <<= pos_bits
            keys |= inv
            keys |= ranks[lo:hi]
            keys.sort()
            keys &= (1 << pos_bits) - 1  # back to the position in the row, now in ranked order
            keys += starts[lo:hi]
            order[lo:hi] = keys
        return cls(m, order, rows, ranks)

    def top(self, k: int) -> sp.csr_matrix:
        """``matrix`` restricted to the ``k`` best entries of each row (canonical CSR)."""
        keep = np.zeros(self.matrix.nnz, dtype=bool)
        keep[self.order[self.ranks < k]] = True
        return _select(self.matrix, keep)

    @property
    def scores(self) -> np.ndarray:
        """The scores in ranked order."""
        return self.matrix.data[self.order]

    @property
    def cols(self) -> np.ndarray:
        """The subject ids in ranked order."""
        return self.matrix.indices[self.order]


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
    m = positive_scores(pred, threshold)
    if limit is None or np.diff(m.indptr).max(initial=0) <= limit:
        return m  # nothing to cut: skip the sort
    return Ranking.of(m).top(limit)
