"""Choosing the training documents a model with a size limit learns from."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def stratified_sample(y: sp.csr_matrix, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``size`` documents: up to a few random documents of every label first (so
    rare labels stay learnable), then documents drawn at random."""
    n = y.shape[0]
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    by_label = sp.csc_matrix(y[perm])
    by_label.sort_indices()
    present = int(np.count_nonzero(np.diff(by_label.indptr)))
    per_label = int(min(5, max(1, size // max(2 * present, 1))))
    chosen = np.zeros(n, dtype=bool)
    for j in range(by_label.shape[1]):
        lo, hi = by_label.indptr[j], by_label.indptr[j + 1]
        chosen[by_label.indices[lo : min(hi, lo + per_label)]] = True  # positions in ``perm``
    first = np.flatnonzero(chosen)[: size]
    rest = np.flatnonzero(~chosen)[: size - first.size]  # ``perm`` order is already random
    return np.sort(perm[np.concatenate([first, rest])])
