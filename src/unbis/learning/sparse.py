"""Row-wise helpers on sparse score and feature matrices (documents x labels, documents x features)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


def normalise_rows(m: sp.spmatrix) -> sp.csr_matrix:
    """``m`` with every nonzero row scaled to unit L2 norm (float32)."""
    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ m)


def top_k_sparse(scores: np.ndarray | sp.spmatrix, k: int, positive: bool = True) -> sp.csr_matrix:
    """Keep the ``k`` best scores of each row as CSR: positive ones only, or with ``positive=False``
    any nonzero ones (raw model outputs that rank candidates below zero too)."""
    if sp.issparse(scores) and positive:
        return _top_k_stored(sp.csr_matrix(scores), k)
    dense = np.asarray(scores.todense()) if sp.issparse(scores) else np.asarray(scores)  # type: ignore[union-attr]
    n, m = dense.shape
    k = min(k, m)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, idx, axis=1)
    rows = np.repeat(np.arange(n), k)
    mask = vals.ravel() > 0 if positive else vals.ravel() != 0
    return sp.csr_matrix((vals.ravel()[mask].astype(np.float32), (rows[mask], idx.ravel()[mask])),
                         shape=(n, m))


def strongest_per_row(x: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """``x`` keeping each row's ``n`` largest stored entries (``x`` itself when no row has more)."""
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= n:
        return x
    keep = np.zeros(x.nnz, dtype=bool)
    for i in np.flatnonzero(lengths):
        lo, hi = x.indptr[i], x.indptr[i + 1]
        row = x.data[lo:hi]
        keep[lo + (np.argpartition(-row, n - 1)[:n] if hi - lo > n else np.arange(hi - lo))] = True
    rows = np.repeat(np.arange(x.shape[0]), lengths)[keep]
    return sp.csr_matrix((x.data[keep], (rows, x.indices[keep])), shape=x.shape)


def _top_k_stored(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """``top_k_sparse`` of a sparse matrix's positive scores, selected over its stored entries: a
    sparse row need not be made dense (knn similarities to every training document)."""
    if k < 1:
        return sp.csr_matrix(m.shape, dtype=np.float32)
    best = strongest_per_row(m, k)
    keep = best.data > 0
    rows = np.repeat(np.arange(best.shape[0]), np.diff(best.indptr))[keep]
    return sp.csr_matrix((best.data[keep].astype(np.float32), (rows, best.indices[keep])), shape=best.shape)


def dense_product(x: sp.csr_matrix, t: sp.csr_matrix) -> np.ndarray:
    """``(x @ t).toarray()`` for a few sparse rows ``x`` whose product with ``t`` is nearly dense (a
    batch against every training document): through the dense block of the columns ``x`` uses and
    the rows of ``t`` they select. scipy's sparse product makes two passes to build a CSR result
    first, which is slower (benchmarks/results/crosslingual.md). Each row's sums run over its own
    columns in ascending order, whatever else is in the batch."""
    x = sp.csr_matrix(x)
    used = np.unique(x.indices)
    block = x[:, used].toarray()
    return np.ascontiguousarray((t[used].T @ block.T).T)


def in_row_blocks(x: sp.csr_matrix, score: Callable[[sp.csr_matrix], sp.csr_matrix], rows: int) -> sp.csr_matrix:
    """``score`` applied to blocks of ``rows`` rows of ``x``, stacked: bounds the dense intermediate
    (block x training documents) whatever the number of texts scored at once."""
    if x.shape[0] <= rows:
        return score(x)
    return sp.csr_matrix(sp.vstack([score(x[lo : lo + rows]) for lo in range(0, x.shape[0], rows)], format="csr"))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def row_ranks(m: sp.csr_matrix) -> sp.csr_matrix:
    """Same structure as ``m`` with each entry's rank in its row (1 = best)."""
    m = sp.csr_matrix(m)
    ranks = np.empty_like(m.data)
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        order = np.argsort(-m.data[lo:hi], kind="stable")
        ranks[lo + order] = np.arange(1, hi - lo + 1)
    return sp.csr_matrix((ranks, m.indices, m.indptr), shape=m.shape)


def row_best(m: sp.csr_matrix) -> np.ndarray:
    """Each row's largest stored score (0 for an empty row): stored scores may all be negative, and
    the sparse ``max`` would count the implicit zeros."""
    best = np.zeros(m.shape[0], dtype=np.float32)
    filled = np.flatnonzero(np.diff(m.indptr))
    if filled.size:
        best[filled] = np.maximum.reduceat(m.data, m.indptr[filled])
    return best


def lookup(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The entries ``m[rows[i], cols[i]]`` as a float32 vector (0 where nothing is stored)."""
    if rows.size == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(m[rows, cols], dtype=np.float32).ravel()
