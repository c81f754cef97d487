"""Sparse-matrix helpers shared by backends."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def top_k_per_row(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row (the rest are noise and cost memory downstream)."""
    m = sp.csr_matrix(m)
    m.sort_indices()
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        row_data, row_idx = m.data[lo:hi], m.indices[lo:hi]
        if hi - lo > k:
            keep = np.argpartition(-row_data, k - 1)[:k]
            row_data, row_idx = row_data[keep], row_idx[keep]
        indices.append(row_idx)
        data.append(row_data)
        indptr.append(indptr[-1] + len(row_idx))
    return sp.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0), np.concatenate(indices) if indices else np.zeros(0, int),
         np.asarray(indptr)),
        shape=m.shape,
    )
