"""Ridge regression for all labels at once, solved in closed form in its dual.

One Cholesky factorisation of the documents' Gram matrix serves every label together, so 7,000 labels
cost the same as one. The dual is solved through the inverse A = (XX^T + alpha I)^-1, so that the dual
coefficients A Y are a dense-by-sparse product (Y holds a few labels per document) instead of a
triangular solve per label, and so that held-out scores follow exactly from the one fit: ridge is a
linear smoother with hat matrix H = I - alpha A, and deleting a group B of training documents gives the
group-deletion identity

    y_B(-B) = Y_B - (A_BB)^-1 (A Y)_B,

the prediction of a model fitted without B, with no refit per fold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg
import scipy.sparse as sp

#: Up to this many training documents the solve runs in float64 (exact); above, float32 halves the
#: n^2 memory of the Gram matrix and its inverse.
EXACT_DOCS = 10_000
#: Rows of the Gram matrix (and of the dual) computed at once: a sparse product of all rows is ~dense.
GRAM_BLOCK = 2_000


def gram(x: sp.csr_matrix, dtype: type) -> np.ndarray:
    """Dense X X^T, built in row blocks: a whole sparse product would hold the ~dense result as a
    sparse matrix (3x the memory of the dense array)."""
    n = x.shape[0]
    gram = np.empty((n, n), dtype=dtype)
    xt = sp.csc_matrix(x.T)
    for lo in range(0, n, GRAM_BLOCK):
        gram[lo : lo + GRAM_BLOCK] = (x[lo : lo + GRAM_BLOCK] @ xt).toarray()
    return gram


def spd_inverse(a: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix, computed in place of ``a`` (Cholesky, then
    LAPACK potri; about the cost of the factorisation again)."""
    potrf, potri = scipy.linalg.get_lapack_funcs(("potrf", "potri"), (a,))
    # a.T is a Fortran-ordered view of the same symmetric matrix: LAPACK then works in place instead
    # of on a copy (n^2 floats: 0.9 GB at 15k documents).
    factor, info = potrf(a.T, lower=True, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"ridge Gram matrix not positive definite (LAPACK potrf info {info})")
    inverse, info = potri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"ridge Gram matrix not invertible (LAPACK potri info {info})")
    # potri fills the lower triangle only; mirror it in row blocks (a whole transpose is another n^2).
    n = inverse.shape[0]
    for lo in range(0, n, GRAM_BLOCK):
        hi = min(n, lo + GRAM_BLOCK)
        inverse[lo:hi, hi:] = inverse[hi:, lo:hi].T
        block = inverse[lo:hi, lo:hi]
        block[np.triu_indices(hi - lo, 1)] = block.T[np.triu_indices(hi - lo, 1)]
    return inverse


def fit_dual(x: sp.csr_matrix, y: sp.csr_matrix, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The dual coefficients A Y (float32, documents x labels) and A = (XX^T + alpha I)^-1 of ridge
    regression of the 0/1 targets ``y`` on the rows of ``x``.

    The primal solution W = X^T A Y is kept in dual form: X stays sparse. A Y = (Y^T A)^T is a
    sparse-by-dense product, made in column blocks of the symmetric A so that no second documents x
    labels array is needed.
    """
    x = sp.csr_matrix(x, dtype=np.float32)
    dtype = np.float64 if x.shape[0] <= EXACT_DOCS else np.float32
    g = gram(x, dtype)
    g[np.diag_indices_from(g)] += alpha
    inverse = spd_inverse(g)
    yt = sp.csr_matrix(y.T, dtype=dtype)
    dual = np.empty(y.shape, dtype=np.float32)
    for lo in range(0, x.shape[0], GRAM_BLOCK):
        dual[lo : lo + GRAM_BLOCK] = (yt @ inverse[:, lo : lo + GRAM_BLOCK]).T
    return dual, inverse


Sparsify = Callable[[np.ndarray], sp.csr_matrix]


def leave_one_out(y: sp.csr_matrix, dual: np.ndarray, diagonal: np.ndarray, keep: Sparsify) -> sp.csr_matrix:
    """Each training row's scores from the model fitted without it: A_BB is the scalar A_ii
    (``diagonal``, so that the caller can let go of A first). In row blocks, each made sparse by
    ``keep``: documents x labels arrays are big."""
    n = y.shape[0]
    parts = []
    for lo in range(0, n, GRAM_BLOCK):
        hi = min(n, lo + GRAM_BLOCK)
        held = y[lo:hi].toarray() - dual[lo:hi] / diagonal[lo:hi, None]
        parts.append(keep(held.astype(np.float32)))
    return sp.csr_matrix(sp.vstack(parts))


def leave_folds_out(
    y: sp.csr_matrix, dual: np.ndarray, inverse: np.ndarray, fold_of: np.ndarray, keep: Sparsify,
) -> sp.csr_matrix:
    """Each training row's scores from the model fitted without its fold (``fold_of``: each row's fold):
    Y_B - (A_BB)^-1 (A Y)_B per fold B, each made sparse by ``keep``, in the rows' order."""
    out = []
    order = []
    for fold in np.unique(fold_of):
        rows = np.flatnonzero(fold_of == fold)
        block = inverse[np.ix_(rows, rows)]
        held_out = y[rows].toarray() - scipy.linalg.solve(block, dual[rows].astype(block.dtype),
                                                          assume_a="pos", check_finite=False)
        out.append(keep(held_out.astype(np.float32)))
        order.append(rows)
    return sp.csr_matrix(sp.vstack(out)[np.argsort(np.concatenate(order))])
