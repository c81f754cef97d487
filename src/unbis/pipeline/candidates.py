"""Stage 3 of the default pipeline: the candidate (document, concept) pairs the ranker scores."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from unbis.learning.sparse import top_k_sparse


def candidate_pairs(
    scores: list[sp.csr_matrix], found: list[sp.csr_matrix], per_member: int, shape: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair that a scoring member ranks among its ``per_member`` best for the document, or that an
    evidence member found: (documents, concepts, how many members proposed it), sorted by document,
    then concept.

    Parameters
    ----------
    scores : each scoring member's documents x concepts scores (any sign: raw outputs rank too).
    found : each evidence member's 0/1 matrix of the concepts it found.
    shape : (documents, concepts).
    """
    tops = [top_k_sparse(s, per_member, positive=False) for s in scores] + list(found)
    union = sum((sp.csr_matrix((np.ones_like(t.data), t.indices, t.indptr), shape=t.shape) for t in tops),
                sp.csr_matrix(shape, dtype=np.float32))
    union = sp.csr_matrix(union)
    union.sort_indices()
    coo = union.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float32)
