"""Dense products whose rows do not depend on the other rows of the batch.

BLAS picks its kernel, blocking and summation order from the shape of the product: one row goes through
gemv, a few rows through gemm's edge kernels, and a row's float32 result changes in its last bits with
the number of rows it is multiplied with (measured: 1e-7 on a 168 x 173 ridge dual, 8e-5 on a random
5,000 x 7,000 one). In the ensemble those bits flip near-ties of the candidate cut and of the ranker's
splits, so a document's scores moved with its batch. Multiplying in blocks of exactly ``BLOCK`` rows
(zero-padded) gives every row the same kernel and order, at the price of the padding on small batches.
"""

from __future__ import annotations

import numpy as np

#: Rows per BLAS call; a multiple of every x86/ARM gemm micro-kernel's row tile.
BLOCK = 16


def batch_stable_matmul(a: np.ndarray, b: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """``a @ b`` computed ``block`` rows at a time, the last block zero-padded: each row of the result is
    bitwise the same whichever rows ``a`` holds besides it."""
    n = a.shape[0]
    out = np.empty((n, b.shape[1]), dtype=np.result_type(a.dtype, b.dtype))
    for lo in range(0, n, block):
        rows = a[lo : lo + block]
        if rows.shape[0] < block:
            rows = np.vstack([rows, np.zeros((block - rows.shape[0], a.shape[1]), dtype=a.dtype)])
        out[lo : lo + block] = (rows @ b)[: min(block, n - lo)]
    return out
