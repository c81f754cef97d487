"""Stage 2 of the default pipeline: evidence members' rows as one sparse matrix per evidence column."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend
from unbis.parallel import parallel_map

#: Added to every stored evidence value, so that "found, value 0" stays stored and differs from "not found".
STORED = 1e-6


def evidence_matrices(member: Backend, texts: Sequence[str], languages: Sequence[str | None], n_concepts: int,
                      chars: int = 0, jobs: int = 1) -> list[sp.csr_matrix]:
    """The evidence of ``member`` for ``texts``: per column of ``member.evidence_columns()`` a documents x
    concepts matrix, then one marking (1) the concepts it found.

    Parameters
    ----------
    languages : each text's language (None: the member decides).
    chars : characters of each text the member reads (0: all; matching whole long texts is slow).
    jobs : processes (0: every core). Training evidences the whole ranker sample at once; suggestion
        batches are already spread over worker processes and pass 1.
    """
    limit = chars or None
    width = len(member.evidence_columns())  # fixed, so that a text with nothing found still has every column

    def rows_of(item: tuple[str, str | None]) -> tuple[np.ndarray, np.ndarray]:
        text, language = item
        c, r = member.evidence_rows(text[:limit], language)
        return np.asarray(c, dtype=np.int64), np.asarray(r, dtype=np.float32).reshape(len(c), width)

    indptr = [0]
    concepts: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for c, r in parallel_map(rows_of, list(zip(texts, languages, strict=True)), jobs):
        concepts.append(c)
        rows.append(r)
        indptr.append(indptr[-1] + len(c))
    cols = np.concatenate(concepts) if concepts else np.zeros(0, dtype=np.int64)
    data = np.concatenate(rows) if rows else np.zeros((0, width), np.float32)
    shape = (len(texts), n_concepts)
    out = [sp.csr_matrix((data[:, k] + STORED, cols, np.array(indptr)), shape=shape) for k in range(width)]
    out.append(sp.csr_matrix((np.ones(len(cols), np.float32), cols, np.array(indptr)), shape=shape))
    return out
